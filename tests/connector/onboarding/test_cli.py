"""``agri onboarding`` and ``agri producers merge | keep-both | candidates`` end to end."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import python_calamine
from typer.testing import CliRunner

from connector.cli.main import app
from tests.connector.onboarding.helpers import TEAM_FILES

runner = CliRunner()


def _json(args: list[str], code: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_template_is_importable(agri_env: dict[str, str], tmp_path: Path) -> None:
    template = tmp_path / "mau.xlsx"
    assert _json(["onboarding", "template", str(template), "--json"])["data"]["path"] == str(template)
    run = _json(["onboarding", "import", str(template), "--json", "--dry-run"])
    assert run["summary"]["households"]["created"] == 1
    assert run["summary"]["accounts"]["created"] == 1
    assert run["summary"]["committed"] is False


def test_import_funnel_export(agri_env: dict[str, str], tmp_path: Path) -> None:
    report = tmp_path / "bao-cao.xlsx"
    run = _json(["onboarding", "import", *map(str, TEAM_FILES), "--report", str(report), "--json"])
    assert run["ok"] is True
    # BB-001 by code, Nông Thị Hoa by phone; Lục Văn Sáng (no code, no phone in two files) is two
    # households held as a candidate, as is Hoàng Thị Lan (Hoàng Văn Dũng's phone): docs/IDENTITY.md
    assert run["summary"]["merges"] == run["summary"]["joins"] == 2
    assert run["summary"]["merge_candidates"] == 2
    reports = [Path(p) for p in run["data"]["reports"]]
    assert len(reports) == 3
    assert all(p.name.endswith("-du-lieu-ca-nhan.xlsx") and p.exists() for p in reports)

    funnel = _json(["onboarding", "funnel", "--by", "district", "--format", "json"])
    total = funnel["data"]["total"]["counts"]
    assert total["registered"] == sum(r["counts"]["registered"] for r in funnel["data"]["rows"])
    assert "Hoàng" not in json.dumps(funnel, ensure_ascii=False)  # counts, not people

    out = tmp_path / "pheu.csv"
    assert runner.invoke(app, ["onboarding", "funnel", "--by", "commune,month", "--format", "csv", "--out",
                               str(out)]).exit_code == 0
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["Xã/phường", "Tháng đăng ký", "Đã đăng ký"]
    assert rows[-1][0] == "Tổng / total"
    xlsx = tmp_path / "pheu.xlsx"
    assert runner.invoke(app, ["onboarding", "funnel", "--by", "team-member", "--format", "xlsx", "--out",
                               str(xlsx)]).exit_code == 0
    table = runner.invoke(app, ["onboarding", "funnel", "--by", "district"])
    assert table.exit_code == 0
    assert "Tách" in table.stdout

    exported = _json(["onboarding", "export", "--team-member", "0836 330 003", "--out", str(tmp_path / "to.xlsx"),
                      "--json"])["data"]
    assert exported["households"] == 4
    path = Path(exported["path"])
    assert path.name == "to-du-lieu-ca-nhan.xlsx"
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Danh sách hộ").to_python()
    assert str(sheet[0][0]).startswith("DỮ LIỆU CÁ NHÂN")
    # the team's own list goes back in unchanged
    again = _json(["onboarding", "import", str(path), "--json"])
    assert all(again["summary"][e]["created"] == 0 for e in ("households", "registrations", "trainings", "accounts"))


def test_bad_usage_has_codes(agri_env: dict[str, str], tmp_path: Path) -> None:
    assert _json(["onboarding", "funnel", "--by", "village", "--format", "json"], code=2)["errors"][0]["code"] == \
        "onboarding.dimension_unknown"
    assert _json(["onboarding", "funnel", "--period", "2024-13", "--format", "json"], code=2)["errors"][0]["code"] == \
        "onboarding.period_invalid"
    assert runner.invoke(app, ["onboarding", "funnel", "--format", "xlsx"]).exit_code == 2
    assert _json(["onboarding", "export", "--team-member", "0912 000 000", "--json"], code=2)["errors"][0]["code"] == \
        "onboarding.member_unknown"
    bad = tmp_path / "bad.csv"
    bad.write_text("Tên hộ,Số điện thoại,Ngày tập huấn\nHộ A,0912 000 001,32/13/2024\n", encoding="utf-8")
    run = _json(["onboarding", "import", str(bad), "--json"], code=1)
    assert run["errors"][0]["code"] == "date.invalid"


def test_producers_merge_keep_both_candidates(agri_env: dict[str, str]) -> None:
    _json(["onboarding", "import", *map(str, TEAM_FILES), "--json"])
    candidates = _json(["producers", "candidates", "--json"])["data"]
    assert sorted(c["reason"] for c in candidates) == ["name_no_phone", "phone_other_name"]
    [candidate] = [c for c in candidates if c["reason"] == "phone_other_name"]
    assert (candidate["a_name"], candidate["b_name"]) == ("Hoàng Văn Dũng", "Hoàng Thị Lan")
    merged = _json(["producers", "merge", candidate["a"], candidate["b"], "--json"])["data"]
    assert merged["moved"]["marketplace_account"] == 1
    assert [c["reason"] for c in _json(["producers", "candidates", "--json"])["data"]] == ["name_no_phone"]
    assert _json(["producers", "candidates", "--status", "merged", "--json"])["data"][0]["a"] == candidate["a"]
    missing = _json(["producers", "merge", candidate["a"], candidate["b"], "--json"], code=2)
    assert missing["errors"][0]["code"] == "entity.not_found"
    kept = _json(["producers", "keep-both", "BB-001", "01933-0001", "--json"])
    assert kept["data"]["closed"] == 1
    members = _json(["onboarding", "members", "--json"])["data"]
    assert {m["name"] for m in members} == {"Triệu Thị Nga", "Hà Văn Quân", "Ma Thị Hạnh", "Nông Văn Bình"}
    assert all(m["phone"].startswith("…") for m in members)
    linked = _json(["onboarding", "link-member", "0978 120 001", "--user", "7", "--json"])["data"]
    assert linked["user_id"] == 7


def test_bad_output_paths_are_clear_errors(agri_env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "thu-muc.xlsx"
    folder.mkdir()
    assert _json(["onboarding", "template", str(folder), "--json"], 2)["errors"][0]["code"] == "import.out_unwritable"
    assert _json(["onboarding", "template", str(tmp_path / "mau.ods"), "--json"], 2)["errors"][0]["code"] \
        == "import.out_type"
    template = tmp_path / "mau.xlsx"
    _json(["onboarding", "template", str(template), "--json"])
    refused = _json(["onboarding", "import", str(template), "--report", str(tmp_path / "r.pdf"), "--json"], 2)
    assert refused["errors"][0]["code"] == "import.report_type"
    assert _json(["onboarding", "members", "--json"])["data"] == []  # refused before the import
    result = runner.invoke(app, ["onboarding", "funnel", "--format", "csv", "--out", str(folder)])
    assert result.exit_code == 2 and "import.out_unwritable" in result.output
