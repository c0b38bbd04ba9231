"""The register import follows the identity rule (docs/IDENTITY.md) on files written the way teams
write them: a title row above the real headers, CSV saved by Excel (UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from connector.cli.main import app
from connector.onboarding.importer import RegisterImport, import_register
from tests.connector.onboarding.helpers import HEADERS, count

TODAY = date(2025, 9, 1)
COMMUNES = [("Xã Dương Quang", "Thành phố Bắc Kạn"), ("Xã Đôn Phong", "Bạch Thông"), ("Xã Nam Mẫu", "Ba Bể")]
NAMES = ["Hoàng Văn Minh", "HOÀNG VĂN MINH", "Hoàng V. Minh", "Hoàng Thị Minh", "Nông Thị Hoa"]
PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def excel_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A register as a commune officer saves it from Excel: a title row, then the headers."""
    keys = [k for k in HEADERS if any(k in r for r in rows)]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["DANH SÁCH HỘ ĐƯỢC TỔ CÔNG NGHỆ SỐ HỖ TRỢ"] + [""] * (len(keys) - 1))
        writer.writerow([HEADERS[k] for k in keys])
        writer.writerows([[row.get(k, "") for k in keys] for row in rows])
    return path


def _import(session: Session, *paths: Path, commit: bool = True) -> RegisterImport:
    return import_register(session=session, paths=list(paths), today=TODAY, commit=commit)


def _row(name: str, commune: int, **cells: str) -> dict[str, Any]:
    place, district = COMMUNES[commune]
    return {"name": name, "commune": place, "district": district, "member": "Hà Văn Quân",
            "member_phone": "0345 220 002", **cells}


rows_with_distinct_codes = st.lists(
    st.tuples(st.sampled_from(NAMES), st.integers(0, 2), st.sampled_from(["", "0912345600", "0912345601"])),
    min_size=1, max_size=8).map(lambda rows: [_row(name, commune, code=f"HO{k}", phone=phone)
                                              for k, (name, commune, phone) in enumerate(rows)])
rows_with_distinct_phones = st.lists(
    st.tuples(st.sampled_from(NAMES), st.integers(0, 2), st.booleans()),
    min_size=1, max_size=8).map(lambda rows: [_row(name, commune, phone=f"09123456{k:02d}",
                                                   code=f"BK-{k}" if coded else "")
                                              for k, (name, commune, coded) in enumerate(rows)])


@PROPERTY
@given(rows=st.one_of(rows_with_distinct_codes, rows_with_distinct_phones))
def test_rows_whose_codes_or_phones_differ_are_as_many_households(session: Session, tmp_path: Path,
                                                                   rows: list[dict[str, Any]]) -> None:
    try:
        run = _import(session, excel_csv(tmp_path / "to-cns.csv", rows), commit=False)
        assert not run.errors, run.errors
        assert run.totals()["households"]["created"] == len(rows)
        assert count(session, "SELECT count(*) FROM producer") == len(rows)
        assert run.summary()["joins"] == 0
    finally:
        session.rollback()


def test_same_code_joins_whatever_the_name_phone_and_commune(session: Session, tmp_path: Path) -> None:
    _import(session, excel_csv(tmp_path / "a.csv", [_row("Hoàng Văn Minh", 0, code="HO1", phone="0912345601")]))
    other_team = {"member": "Ma Thị Hạnh", "member_phone": "0836 330 003"}
    run = _import(session, excel_csv(tmp_path / "b.csv", [{**_row("Hoàng Minh", 1, code="HO1", phone="0912345699"),
                                                            **other_team}]))
    assert count(session, "SELECT count(*) FROM producer") == 1
    assert [m.by.split(" /")[0] for m in run.files[0].merges] == ["mã hộ"]


def test_same_phone_compatible_name_joins_and_is_counted(session: Session, tmp_path: Path) -> None:
    run = _import(session, excel_csv(tmp_path / "a.csv", [
        _row("Hoàng Văn Minh", 0, phone="0912345601", platform="Voso"),
        _row("HOÀNG V. MINH", 0, phone="0912 345 601", platform="Postmart")]))
    assert count(session, "SELECT count(*) FROM producer") == 1
    assert count(session, "SELECT count(*) FROM marketplace_account") == 2
    assert run.summary()["joins"] == 1  # the second row, written differently, joined the first: said so
    assert run.files[0].to_dict()["joins"][0]["by"].startswith("số điện thoại")


def test_same_phone_other_name_is_a_second_household_and_a_candidate(session: Session, tmp_path: Path) -> None:
    run = _import(session, excel_csv(tmp_path / "a.csv", [_row("Hoàng Văn Dũng", 0, phone="0912345678"),
                                                          _row("Hoàng Thị Lan", 0, phone="0912345678")]))
    assert count(session, "SELECT count(*) FROM producer") == 2
    assert run.summary()["merge_candidates"] == 1
    assert count(session, "SELECT count(*) FROM merge_candidate WHERE reason = 'phone_other_name'") == 1


def test_different_phones_same_name_same_old_commune_is_a_candidate(session: Session, tmp_path: Path) -> None:
    run = _import(session, excel_csv(tmp_path / "a.csv", [
        _row("Hoàng Văn Minh", 0, phone="0912345601"), _row("Hoàng Văn Minh", 0, phone="0912345602"),
        _row("Hoàng Văn Minh", 1, phone="0912345603")]))  # another old commune: no candidate
    assert count(session, "SELECT count(*) FROM producer") == 3
    assert run.summary()["merge_candidates"] == 1
    assert count(session, "SELECT count(*) FROM merge_candidate WHERE reason = 'name_other_phone'") == 1


def test_no_code_no_phone_same_name_same_old_commune_is_new_and_a_candidate(session: Session,
                                                                            tmp_path: Path) -> None:
    first = excel_csv(tmp_path / "to-1.csv", [_row("Lường Văn Mạnh", 2, trained="08/05/2024"),
                                             _row("Lường Văn Mạnh", 2, platform="Voso")])  # one household, 2 rows
    second = excel_csv(tmp_path / "to-2.csv", [_row("Lường Văn Mạnh", 2)])
    _import(session, first)
    run = _import(session, second)
    assert count(session, "SELECT count(*) FROM producer") == 2
    assert run.summary()["merge_candidates"] == 1
    assert count(session, "SELECT count(*) FROM merge_candidate WHERE reason = 'name_no_phone'") == 1
    # each file imported again finds its own household: nothing new, no second candidate
    again = _import(session, first, second)
    assert again.totals()["households"]["created"] == 0
    assert again.summary()["merge_candidates"] == 0
    assert count(session, "SELECT count(*) FROM merge_candidate") == 1


def test_the_issue_example_end_to_end(agri_env: dict[str, str], tmp_path: Path) -> None:
    """HO1 and HO2: one name, one new commune, two codes, two phones, two old communes → two households."""
    path = excel_csv(tmp_path / "to-cns.csv", [
        {"code": "HO1", "name": "Hoàng Văn Minh", "phone": "0912345601", "commune": "Xã Dương Quang",
         "district": "Thành phố Bắc Kạn", "platform": "Voso.vn", "shop": "0912345601"},
        {"code": "HO2", "name": "Hoàng Văn Minh", "phone": "0912345602", "commune": "Xã Đôn Phong",
         "district": "Huyện Bạch Thông", "platform": "Postmart.vn", "shop": "0912345602"}])
    result = CliRunner().invoke(app, ["onboarding", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert run["summary"]["households"]["created"] == 2
    assert (run["summary"]["joins"], run["summary"]["merge_candidates"]) == (0, 0)
    assert run["data"]["files"][0]["joins"] == []
    listed = json.loads(CliRunner().invoke(app, ["producers", "candidates", "--json"]).stdout)
    assert listed["data"] == []
    from sqlmodel import create_engine

    engine = create_engine(agri_env["AGRI_DATABASE_URL"])
    with engine.connect() as db:
        accounts = db.execute(text("SELECT p.code, a.marketplace FROM marketplace_account a "
                                   "JOIN producer p ON p.id = a.producer_id ORDER BY p.code")).all()
    engine.dispose()
    assert [tuple(a) for a in accounts] == [("HO1", "voso"), ("HO2", "postmart")]
