"""``agri report``, ``agri sales``, ``agri ledger`` end to end on a seeded database."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl
from sqlmodel import Session
from typer.testing import CliRunner

from connector.cli.main import app
from connector.db import make_engine
from connector.orders.ingest import ingest_orders
from tests.connector.orders.fakes import make_shop, order

runner = CliRunner()
ICT = timezone(timedelta(hours=7))


def _json(args: list[str], code: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _seed(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        _p, _products, voso = make_shop(session, code="HTX-01", unit_vn2004="01843", unit_vn2025="01843")
        _p2, _products2, postmart = make_shop(session, code="HTX-02", marketplace="postmart", unit_vn2004=None,
                                              unit_vn2025="01849")
        ingest_orders(session=session, account=voso, orders=[
            order(f"V{m}", placed=datetime(2024, m, 3, 10, tzinfo=ICT)) for m in range(1, 7)])
        ingest_orders(session=session, account=postmart, orders=[
            order("P1", placed=datetime(2024, 2, 14, 20, tzinfo=ICT), lines=[("GAO-2KG", 1, 120_000)])])
        session.commit()
    engine.dispose()


def test_turnover_formats_chart_and_template(agri_env: dict[str, str], tmp_path: Path) -> None:
    _seed(agri_env["AGRI_DATABASE_URL"])
    doc = _json(["report", "turnover", "--period", "2024-H1", "--by", "month,platform", "--format", "json"])
    assert doc["ok"] is True
    assert doc["summary"]["amount"] == 6 * 90_000 + 120_000
    february = [r for r in doc["data"]["rows"] if r["group"]["month"]["code"] == "2024-02"]
    assert {r["group"]["platform"]["code"]: r["values"]["amount"] for r in february} == {
        "voso": 90_000, "postmart": 120_000}

    out, chart = tmp_path / "doanh-thu.xlsx", tmp_path / "bieu-do.png"
    result = runner.invoke(app, ["report", "turnover", "--period", "2024-H1", "--by", "month,district",
                                 "--format", "xlsx", "--out", str(out), "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Chi tiết", "Theo tháng", "Theo huyện (cũ)", "Tổng hợp"]
    sheet = book["Theo huyện (cũ)"]
    assert sheet.freeze_panes == "B8"
    assert [c.value for c in sheet[7]] == ["Huyện (cũ)", "Doanh thu (đồng)", "Số lượng", "Lũy kế từ đầu năm (đồng)"]
    labels = [sheet.cell(row=r, column=1).value for r in range(8, 11)]
    assert labels[0] == "Thành Phố Bắc Kạn"
    assert labels[1] == "Tách / split: Xã Phong Quang (Huyện Bạch Thông + Thành Phố Bắc Kạn)"
    assert labels[2] == "TỔNG CỘNG"
    assert sheet.cell(row=10, column=2).value == 660_000
    assert "đ" in sheet.cell(row=8, column=2).number_format
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    custom = tmp_path / "mau-tinh.toml"
    custom.write_text('[layout]\ntotal_label = "CỘNG"\nheader_row = 5\n[headers]\namount = "Giá trị (đ)"\n',
                      encoding="utf-8")
    result = runner.invoke(app, ["report", "turnover", "--period", "2024", "--by", "platform", "--out",
                                 str(tmp_path / "b.xlsx"), "--template", str(custom)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx")["Chi tiết"]
    assert sheet.cell(row=5, column=2).value == "Giá trị (đ)"
    assert sheet.cell(row=8, column=1).value == "CỘNG"

    csv_out = tmp_path / "t.csv"
    result = runner.invoke(app, ["report", "turnover", "--period", "2024", "--by", "quarter", "--format", "csv",
                                 "--out", str(csv_out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(csv_out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["Quý", "Doanh thu (đồng)", "Số lượng", "Lũy kế từ đầu năm (đồng)"]
    assert rows[1] == ["Quý 1/2024", "390000", "7", "390000"]


def test_sales_import_is_idempotent_refuses_duplicates_and_defuses_formulas(agri_env: dict[str, str],
                                                                            tmp_path: Path) -> None:
    _seed(agri_env["AGRI_DATABASE_URL"])
    template = tmp_path / "mau.xlsx"
    assert _json(["sales", "template", str(template), "--json"])["ok"] is True
    first = _json(["sales", "import", str(template), "--json", "--recorded-by", "can-bo-xa"])
    assert first["summary"]["sales"]["created"] == 1
    assert first["data"]["problems"] == []  # the template's own list sheet is not read as sales
    assert first["summary"]["amount"] == 135_000
    again = _json(["sales", "import", str(template), "--json"])  # fix the rows, upload again: nothing doubles
    assert again["summary"]["sales"] == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert again["errors"] == []

    sales = tmp_path / "ban.csv"
    sales.write_text("Ngày bán,Kênh bán,Mã hộ,Thành tiền,Số chứng từ,Nguồn\n"
                     "05/06/2024,Zalo,HTX-02,\"1.250.000\",Z-1,\"=HYPERLINK(\"\"http://x\"\")\"\n"
                     "06/06/2024,Zalo,HTX-02,\"2tr\",Z-1,\"=HYPERLINK(\"\"http://x\"\")\"\n"
                     "07/06/2024,Zalo,KHONG-CO,10000,Z-2,\n", encoding="utf-8")
    run = _json(["sales", "import", str(sales), "--json"], code=1)
    assert run["summary"]["sales"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    assert sorted(e["code"] for e in run["errors"]) == ["entity.not_found", "ledger.sale_duplicate"]
    changed = tmp_path / "ban-sua.csv"  # the same receipt, another amount: a conflict, never a second sale
    changed.write_text("Ngày bán,Kênh bán,Mã hộ,Thành tiền,Số chứng từ,Nguồn\n"
                       "05/06/2024,Zalo,HTX-02,\"1.300.000\",Z-1,\"=HYPERLINK(\"\"http://x\"\")\"\n", encoding="utf-8")
    conflict = _json(["sales", "import", str(changed), "--json"], code=1)
    assert [e["code"] for e in conflict["errors"]] == ["ledger.sale_changed"]
    assert conflict["summary"]["sales"]["created"] == 0
    out = tmp_path / "r.xlsx"
    result = runner.invoke(app, ["report", "turnover", "--period", "2024-06", "--by", "channel-kind,platform",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["Chi tiết"]
    assert sheet.cell(row=9, column=2).value == "Zalo"
    assert sheet.cell(row=9, column=3).value == 1_250_000


def test_close_adjustments_and_reported_totals(agri_env: dict[str, str], tmp_path: Path) -> None:
    _seed(agri_env["AGRI_DATABASE_URL"])
    closed = _json(["ledger", "close", "2024-H1", "--by", "so-cong-thuong", "--json"])
    assert closed["data"]["total"] == 660_000
    assert _json(["ledger", "close", "2024-Q2", "--json"], code=2)["errors"][0]["code"] == "ledger.period_overlaps"
    late = tmp_path / "muon.csv"
    late.write_text("Ngày bán,Kênh bán,Mã hộ,Thành tiền,Số chứng từ\n20/03/2024,Facebook,HTX-01,50000,FB-9\n",
                    encoding="utf-8")
    _json(["sales", "import", str(late), "--json"])
    frozen = _json(["report", "turnover", "--period", "2024-H1", "--format", "json"])
    assert frozen["summary"]["amount"] == 660_000
    listed = _json(["ledger", "adjustments", "--json"])
    assert [(a["adjusts"], a["booked_on"], a["amount"]) for a in listed["data"]] == [("2024-H1", "2024-07-01", 50_000)]
    added = _json(["report", "totals", "add", "--period", "2024-H1", "--reporter", "Bưu điện tỉnh",
                   "--amount", "700.000 đ", "--platform", "voso", "--transactions", "7", "--json"])
    assert (added["data"]["ledger"], added["data"]["difference"], added["data"]["ledger_transactions"]) == (
        540_000, 160_000, 6)
    listing = _json(["report", "totals", "list", "--json"])
    assert listing["summary"]["count"] == 1
    indicators = _json(["report", "indicators", "--period", "2024-H1", "--by", "platform", "--format", "json"])
    total = indicators["data"]["total"]["values"]
    assert (total["transactions"], total["households_transacting"], total["turnover"]) == (7, 2, 660_000)


def test_the_channels_people_name_are_taken(agri_env: dict[str, str], tmp_path: Path) -> None:
    _seed(agri_env["AGRI_DATABASE_URL"])
    sales = tmp_path / "ban-kenh.csv"
    sales.write_text("Ngày bán,Kênh bán,Mã hộ,Thành tiền,Số chứng từ\n"
                     "05/06/2024,Livestream,HTX-02,100000,L-1\n"
                     "06/06/2024,Chợ phiên,HTX-02,200000,C-1\n"
                     "07/06/2024,Hội chợ OCOP,HTX-02,300000,H-1\n"
                     "08/06/2024,Website,HTX-02,400000,W-1\n", encoding="utf-8")
    run = _json(["sales", "import", str(sales), "--json"])
    assert run["summary"]["sales"]["created"] == 4 and run["errors"] == []
