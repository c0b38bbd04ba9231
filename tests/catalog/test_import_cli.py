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
