"""Writers are safe against formula injection; the funnel ends with "listed" and "sold"."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
from sqlmodel import Session

from adapters.base import OrderStatus
from catalog.periods import parse_period
from connector.funnel import FUNNEL_STEPS
from connector.ledger.exports import write_chart, write_csv, write_xlsx
from connector.ledger.reports import Report, ReportRow
from connector.onboarding.funnel import build_funnel
from connector.onboarding.models import Registration
from connector.orders.ingest import ingest_orders
from connector.sync.models import Binding, BindingState
from tests.connector.orders.fakes import make_shop, order

ICT = timezone(timedelta(hours=7))
PERIOD = parse_period("2024", today=date(2025, 1, 1))


def _report(label: str) -> Report:
    row = ReportRow({"platform": ("x", label)}, {"amount": 1_000, "quantity": 1, "cumulative": 1_000})
    return Report("turnover", "Doanh thu / turnover", PERIOD, ["platform"],
                  [("amount", "Doanh thu (đồng)", "Turnover"), ("quantity", "Số lượng", "Quantity"),
                   ("cumulative", "Lũy kế", "YTD")], [row], ReportRow({}, dict(row.values)))


def test_a_formula_in_a_label_stays_text(tmp_path: Path) -> None:
    evil = '=HYPERLINK("http://evil.invalid","bấm")'
    write_xlsx([_report(evil)], tmp_path / "r.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "r.xlsx")["Chi tiết"].cell(row=8, column=1)
    assert cell.data_type == "s"
    assert cell.value == "'" + evil
    write_csv(_report(evil), tmp_path / "r.csv")
    assert "'=HYPERLINK" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")


def test_chart_as_svg(tmp_path: Path) -> None:
    report = _report("Voso.vn")
    report.dimensions = ["month", "platform"]
    report.rows[0].group = {"month": ("2024-05", "05/2024"), "platform": ("voso", "Voso.vn")}
    out = write_chart(report, tmp_path / "c.svg")
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_funnel_counts_listed_and_selling_households(session: Session) -> None:
    seller, [mien, _gao], account = make_shop(session, code="HTX-S")
    idle, _products, _account = make_shop(session, code="HTX-I")
    for producer in (seller, idle):
        assert producer.id is not None
        session.add(Registration(producer_id=producer.id, registered_on=date(2024, 2, 1)))
    assert account.id is not None and mien.id is not None
    session.add(Binding(account_id=account.id, product_id=mien.id, remote_id="R1", state=BindingState.active,
                        created_at=datetime(2024, 3, 1, tzinfo=ICT)))
    session.flush()
    ingest_orders(session=session, account=account, orders=[
        order("S1", placed=datetime(2024, 4, 1, tzinfo=ICT)),
        order("S2", OrderStatus.cancelled, placed=datetime(2024, 4, 2, tzinfo=ICT))])
    report = build_funnel(session=session, period=PERIOD, sources=FUNNEL_STEPS)
    assert [s.key for s in report.steps][-2:] == ["listed", "sold"]
    assert report.total.counts["registered"] == 2
    assert report.total.counts["listed"] == 1
    assert report.total.counts["sold"] == 1
