"""``agri catalog template|import|export``: exit codes, JSON, reports."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from connector.cli.main import app
from tests.catalog.import_helpers import FIXTURES, SINGLE_HEADER, single_row, write_csv

runner = CliRunner()


def test_template_import_export(agri_env: dict[str, str], tmp_path: Path) -> None:
    template = tmp_path / "mau.xlsx"
    assert runner.invoke(app, ["catalog", "template", str(template)]).exit_code == 0
    book = openpyxl.load_workbook(template)
    assert book.sheetnames[:3] == ["Hộ sản xuất", "Sản phẩm", "Chứng nhận OCOP"]
    products = book["Sản phẩm"]
    assert products["C1"].value == "Mã SKU *"
    assert products["C1"].comment is not None
    assert products.data_validations.dataValidation  # drop-downs
    result = runner.invoke(app, ["catalog", "import", str(FIXTURES / "catalogue.xlsx"), "--images",
                                 str(FIXTURES / "images"), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["ok"] is True
    assert document["summary"]["products"]["created"] >= 80
    again = runner.invoke(app, ["catalog", "import", str(FIXTURES / "catalogue.xlsx")])
    assert again.exit_code == 0
    assert "Không có gì thay đổi" in again.output
    exported = tmp_path / "xuat.xlsx"
    assert runner.invoke(app, ["catalog", "export", str(exported), "--producer", "HTX-TAIHOAN"]).exit_code == 0
    assert exported.is_file()


def test_exit_codes_and_report(agri_env: dict[str, str], tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", [SINGLE_HEADER, single_row("A-1"), single_row("A-2", price="-3")])
    report = tmp_path / "bao-cao.xlsx"
    result = runner.invoke(app, ["catalog", "import", str(bad), "--report", str(report)])
    assert result.exit_code == 1, result.output
    sheet = openpyxl.load_workbook(report)["bad"]
    assert sheet["I1"].value == "Lỗi / Errors"
    assert "âm" in str(sheet["I3"].value)
    assert sheet["F3"].fill.fgColor.rgb.endswith("F8CBAD")
    xls = tmp_path / "cu.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    unreadable = runner.invoke(app, ["catalog", "import", str(xls), "--json"])
    assert unreadable.exit_code == 2
    assert json.loads(unreadable.output)["errors"][0]["code"] == "import.file_is_xls"
    assert runner.invoke(app, ["catalog", "import", str(bad), "--mode", "maybe"]).exit_code == 2


def test_bad_output_paths_are_refused_before_any_work(agri_env: dict[str, str], tmp_path: Path) -> None:
    good = write_csv(tmp_path / "ok.csv", [SINGLE_HEADER, single_row("A-1")])
    result = runner.invoke(app, ["catalog", "import", str(good), "--report", str(tmp_path / "r.txt"), "--json"])
    assert result.exit_code == 2, result.output  # not a traceback after the import
    assert json.loads(result.stdout)["errors"][0]["code"] == "import.report_type"
    listed = runner.invoke(app, ["products", "list", "--json"])
    assert json.loads(listed.stdout)["data"] == []  # refused before the import: nothing written
    cases = [(["catalog", "template", str(tmp_path)], "import.out_type"),
             (["catalog", "template", str(tmp_path / "mau.csv")], "import.out_type"),
             (["catalog", "template", str(good / "mau.xlsx")], "import.out_unwritable"),  # under a file
             (["catalog", "export", str(tmp_path / "x.xlsx"), "--producer", "KHONG-CO"], "entity.not_found")]
    for args, code in cases:
        result = runner.invoke(app, [*args, "--json"])
        assert result.exit_code == 2, (args, result.output)
        assert json.loads(result.stdout)["errors"][0]["code"] == code, args
    assert not (tmp_path / "mau.csv").exists() and not (tmp_path / "x.xlsx").exists()
