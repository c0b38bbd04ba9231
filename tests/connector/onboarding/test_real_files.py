"""A district team's register as people make it (issue 16): a title block, headers of their own,
a phone that is not a phone.  The household, its training and its account are all kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from connector.onboarding.importer import import_register
from tests.catalog.import_helpers import write_xlsx
from tests.connector.onboarding.helpers import count

HEADER = ["STT", "Mã hộ", "Họ và tên chủ hộ", "SĐT liên hệ", "Xã", "Huyện", "Ngày tập huấn", "Sàn TMĐT",
          "SĐT thành viên tổ", "Thành viên tổ CNS"]


def test_a_bad_phone_keeps_the_household_its_training_and_its_account(session: Session, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "to_cns.xlsx", {"Danh sách hộ": [
        ["DANH SÁCH HỘ THAM GIA SÀN THƯƠNG MẠI ĐIỆN TỬ - XÃ CÔN MINH"], [],
        HEADER,
        [1, "HO-1", "Hoàng Văn Minh", "0912 34", "Xã Côn Minh", "Huyện Na Rì", "12/03/2025", "voso", "0978 1",
         "Lý Thị Ví"],
        [2, "HO-2", "Nông Thị Hoa", "0912 345 602", "Xã Côn Minh", "Huyện Na Rì", "12/03/2025", "postmart", "", ""],
    ]})
    run = import_register(session=session, paths=[path], today=date(2025, 6, 1))
    assert run.errors == []
    warnings = [(p.row, p.column, p.code) for p in run.files[0].problems]
    assert (4, "SĐT liên hệ", "import.phone_dropped") in warnings
    assert (4, "SĐT thành viên tổ", "import.phone_dropped") in warnings
    assert count(session, "SELECT count(*) FROM producer") == 2
    assert count(session, "SELECT count(*) FROM producer WHERE code = 'HO-1' AND phone IS NULL") == 1
    assert count(session, "SELECT count(*) FROM marketplace_account") == 2
    assert count(session, "SELECT count(*) FROM training_record") == 2


def test_a_register_whose_household_headers_are_compound_is_read_as_a_register(session: Session,
                                                                               tmp_path: Path) -> None:
    """"Tên cơ sở / hộ" and "SĐT liên hệ", as a commune officer writes them, under a title row."""
    path = tmp_path / "danh-sach.csv"
    path.write_text("DANH SÁCH HỘ THAM GIA TẬP HUẤN\n"
                    "STT,Mã hộ,Tên cơ sở / hộ,SĐT liên hệ,Xã/phường,Ngày tập huấn,Nội dung\n"
                    "1,HO9,Hoàng Văn Minh,0912345601,01843,02/03/2025,Bán hàng trên sàn\n", encoding="utf-8-sig")
    run = import_register(session=session, paths=[path])
    assert run.errors == []
    assert run.files[0].counts["households"].created == 1
    assert run.files[0].counts["trainings"].created == 1
