"""Importing the teams' register files: households merged across files, never duplicated; the
ambiguous case held for a person; a re-import changes nothing; bad rows reported, good rows kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, select

from catalog.producers import get_producer
from connector.onboarding.importer import RegisterImport, import_register
from connector.onboarding.models import MergeCandidate
from tests.connector.onboarding.helpers import TEAM_FILES, count, snapshot, write_register

TODAY = date(2025, 9, 1)


def _import(session: Session, *paths: Path, mode: str = "keep-valid", dry_run: bool = False) -> RegisterImport:
    return import_register(session=session, paths=list(paths), today=TODAY, mode=mode, dry_run=dry_run)


def test_team_files_merge_households_across_files(session: Session) -> None:
    run = import_register(session=session, paths=TEAM_FILES, today=TODAY)
    assert run.committed
    assert not run.errors
    by = {(m.code, m.by.split(" /")[0]) for f in run.files for m in f.merges}
    # Nông Thị Hoa by phone (name in capitals), BB-001 by code; Lục Văn Sáng, with no code and no
    # phone in either file, is a name only: two households and a merge candidate (docs/IDENTITY.md)
    assert by == {("01933-0001", "số điện thoại"), ("BB-001", "mã hộ")}
    assert count(session, "SELECT count(*) FROM producer WHERE name_key = 'nong thi hoa'") == 1
    assert count(session, "SELECT count(*) FROM producer WHERE name_key = 'luc van sang'") == 2
    assert count(session, "SELECT count(*) FROM merge_candidate WHERE reason = 'name_no_phone'") == 1
    hoa = get_producer(session=session, code="01933-0001")
    assert count(session, "SELECT count(*) FROM marketplace_account WHERE producer_id = :p", p=hoa.id) == 2
    assert count(session, "SELECT count(*) FROM onboarding_registration WHERE producer_id = :p", p=hoa.id) == 2
    # the code-only row completed nothing it should not: the name from the first file stays
    assert get_producer(session=session, code="BB-001").name == "Hoàng Văn Tiến"


def test_same_phone_other_name_is_held_as_a_candidate(session: Session) -> None:
    run = import_register(session=session, paths=TEAM_FILES, today=TODAY)
    notes = [c for f in run.files for c in f.merge_candidates if c.reasons == ("phone_other_name",)]
    assert len(notes) == 1
    assert notes[0].codes["name"] == "Hoàng Thị Lan"
    assert notes[0].codes["candidates"][0]["name"] == "Hoàng Văn Dũng"
    lan = get_producer(session=session, code=notes[0].codes["code"])
    dung = get_producer(session=session, code=notes[0].codes["candidates"][0]["code"])
    row = session.execute(select(MergeCandidate).where(MergeCandidate.reason == "phone_other_name")).scalars().one()
    assert (row.producer_a_id, row.producer_b_id, row.status) == (dung.id, lan.id, "open")
    assert row.reason == "phone_other_name"
    assert row.incoming is not None
    assert row.incoming["producer_name"] == "Hoàng Thị Lan"
    # Lan's own account and training are kept while a person decides
    assert count(session, "SELECT count(*) FROM marketplace_account WHERE producer_id = :p", p=lan.id) == 1
    assert count(session, "SELECT count(*) FROM training_record WHERE producer_id = :p", p=lan.id) == 1


def test_reimport_changes_nothing(session: Session) -> None:
    import_register(session=session, paths=TEAM_FILES, today=TODAY)
    before = snapshot(session)
    again = import_register(session=session, paths=TEAM_FILES, today=date(2025, 12, 31))
    assert snapshot(session) == before
    totals = again.totals()
    assert all(totals[e]["created"] == 0 and totals[e]["updated"] == 0 for e in totals)
    assert again.summary()["merges"] == 0
    assert again.summary()["merge_candidates"] == 0
    # one file alone, in another order, changes nothing either
    import_register(session=session, paths=[TEAM_FILES[2], TEAM_FILES[0]], today=TODAY)
    assert snapshot(session) == before


def test_household_is_completed_never_overwritten(session: Session, tmp_path: Path) -> None:
    first = write_register(tmp_path / "a.csv", [{"name": "Mã Văn Nam", "commune": "Xã Chợ Rã",
                                                 "phone": "0912 555 001"}])
    second = write_register(tmp_path / "b.csv", [{"name": "MA VAN NAM", "phone": "0912555001",
                                                  "village": "Thôn Pò Đon", "commune": "Xã Phúc Lộc"}])
    _import(session, first)
    _import(session, second)
    nam = session.execute(text(
        "SELECT name, address, unit_vn2025 FROM producer WHERE phone = '+84912555001'")).all()
    assert nam == [("Mã Văn Nam", "Thôn Pò Đon", "01912")]  # address filled, commune kept
    before = snapshot(session)
    _import(session, first)
    assert snapshot(session) == before


def test_bad_rows_are_reported_and_good_rows_kept(session: Session, tmp_path: Path) -> None:
    path = write_register(tmp_path / "t.csv", [
        {"name": "Hộ Tốt", "phone": "0912 000 001", "commune": "Xã Ba Bể", "platform": "voso"},
        {"name": "Hộ Sai Số", "phone": "12345", "commune": "Xã Ba Bể"},
        {"name": "Hộ Thiếu Ngày", "phone": "0912 000 003", "commune": "Xã Ba Bể", "topic": "Thanh toán số"},
        {"name": "Hộ Thiếu Sàn", "phone": "0912 000 004", "commune": "Xã Ba Bể", "shop": "SHOP1"},
        {"name": "Hộ Sàn Lạ", "phone": "0912 000 005", "commune": "Xã Ba Bể", "platform": "amazon"},
        {"name": "Hộ Xã Lạ", "phone": "0912 000 006", "commune": "Xã Không Có Thật"},
    ])
    run = _import(session, path)
    codes = sorted((p.row, p.code) for p in run.errors)
    assert codes == [(4, "onboarding.training_without_date"),
                     (5, "onboarding.account_without_platform"), (6, "onboarding.platform_unknown"),
                     (7, "admin_unit.unknown")]
    # a bad phone costs its cell, not the household (issue 16)
    dropped = [(p.row, p.code) for p in run.files[0].problems if p.code == "import.phone_dropped"]
    assert dropped == [(3, "import.phone_dropped")]
    assert count(session, "SELECT count(*) FROM producer") == 2
    assert count(session, "SELECT count(*) FROM producer WHERE name = 'Hộ Sai Số' AND phone IS NULL") == 1
    assert count(session, "SELECT count(*) FROM marketplace_account") == 1


def test_all_or_nothing_and_dry_run_write_nothing(session: Session, tmp_path: Path) -> None:
    good = write_register(tmp_path / "good.csv", [{"name": "Hộ A", "phone": "0912 000 011", "commune": "Xã Ba Bể"}])
    bad = write_register(tmp_path / "bad.csv", [{"name": "Hộ B", "phone": "0912 000 012", "commune": "Xã Không Có"}])
    run = _import(session, good, bad, mode="all-or-nothing")
    assert not run.committed
    assert any(p.code == "import.all_or_nothing" for p in run.files[1].problems)
    assert count(session, "SELECT count(*) FROM producer") == 0
    dry = _import(session, good, dry_run=True)
    assert dry.totals()["households"]["created"] == 1
    assert count(session, "SELECT count(*) FROM producer") == 0


def test_accounts_one_per_platform_with_generated_names(session: Session, tmp_path: Path) -> None:
    path = write_register(tmp_path / "t.csv", [
        {"code": "HGD-01", "name": "Hộ Hai Sàn", "phone": "0912 000 021", "commune": "Xã Ba Bể", "platform": "Vỏ Sò",
         "shop": "0912 000 021", "opened": "15/03/2024", "status": "Chờ duyệt"},
        {"code": "HGD-01", "name": "Hộ Hai Sàn", "platform": "Postmart, TikTok Shop", "shop": "shop-77"},
        {"code": "HGD-01", "name": "Hộ Hai Sàn", "platform": "voso.vn", "status": "Đang hoạt động"},
    ])
    run = _import(session, path)
    assert not run.errors
    rows = session.execute(text(
        "SELECT name, marketplace, shop_id, login_phone, opened_on, status FROM marketplace_account ORDER BY id")).all()
    assert [(*r[:4], r[4] and str(r[4]), r[5]) for r in rows] == [
        ("hgd-01-voso", "voso", None, "+84912000021", "2024-03-15", "active"),
        ("hgd-01-postmart", "postmart", "shop-77", None, None, "active"),
        ("hgd-01-tiktok", "tiktok", "shop-77", None, None, "active"),
    ]
    # a later file moves the status on; that is an update, reported
    later = write_register(tmp_path / "later.csv", [{"code": "HGD-01", "name": "Hộ Hai Sàn", "platform": "voso",
                                                     "status": "Tạm khóa"}])
    run = _import(session, later)
    assert run.totals()["accounts"] == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert count(session, "SELECT count(*) FROM marketplace_account WHERE status = 'suspended'") == 1


def test_team_members_by_phone_and_registration_dates(session: Session, tmp_path: Path) -> None:
    path = write_register(tmp_path / "t.csv", [
        {"name": "Hộ Một", "phone": "0912 000 031", "commune": "Xã Ba Bể", "member": "Lý Thị Mai",
         "member_phone": "0987 654 321", "trained": "12/03/2024", "opened": "20/03/2024", "platform": "voso"},
        {"name": "Hộ Hai", "phone": "0912 000 032", "commune": "Xã Ba Bể", "member": "Ly Thi Mai",
         "member_phone": "0987654321", "registered": "01/02/2024"},
        {"name": "Hộ Ba", "phone": "0912 000 033", "commune": "Xã Ba Bể", "member": "Lý Thị Mây",
         "member_phone": "0987654321"},
    ])
    run = _import(session, path)
    assert count(session, "SELECT count(*) FROM team_member") == 1
    assert [p.code for p in run.files[0].problems] == ["onboarding.member_name_differs"]
    days = session.execute(text(
        "SELECT p.name, r.registered_on FROM onboarding_registration r JOIN producer p ON p.id = r.producer_id "
        "ORDER BY p.id")).all()
    assert [(name, str(day)) for name, day in days] == [("Hộ Một", "2024-03-12"), ("Hộ Hai", "2024-02-01"),
                                                        ("Hộ Ba", "2025-09-01")]


def test_unreadable_file_is_a_file_error(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    run = _import(session, path)
    assert run.files[0].unreadable
    assert run.files[0].file_errors[0].code == "import.file_corrupt"


def test_a_catalogue_file_is_not_taken_for_a_register(session: Session, tmp_path: Path) -> None:
    catalogue = tmp_path / "san-pham.csv"
    catalogue.write_text("Mã chủ thể,Tên chủ thể,Mã SKU,Tên sản phẩm,Giá bán (đ),Trạng thái\n"
                         "HTX-A,HTX Miến A,MIEN-1,Miến dong,60000,Đang bán\n", encoding="utf-8")
    run = _import(session, catalogue)
    assert [p.code for p in run.files[0].errors] == ["onboarding.catalogue_file"]
    assert count(session, "select count(*) from producer") == 0  # its producers are not households
    register = write_register(tmp_path / "to.csv", [{"name": "Hoàng Văn A", "phone": "0912 000 111", "commune": "01849",
                                                     "platform": "Voso.vn", "shop": "0912 000 111"}])
    assert not _import(session, register).files[0].errors  # a register is still a register
