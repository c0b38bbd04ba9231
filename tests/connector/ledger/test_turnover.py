"""Turnover by every dimension: local-midnight periods, split/unknown rows, totals, year to date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import Session

from adapters.base import OrderStatus
from catalog.errors import CatalogueValidationError
from catalog.periods import parse_period
from connector.ledger.reports import DIMENSIONS, turnover
from connector.orders.ingest import ingest_orders
from tests.connector.orders.fakes import make_shop, order

ICT = timezone(timedelta(hours=7))
TODAY = date(2025, 1, 15)


def _period(text: str):  # type: ignore[no-untyped-def]
    return parse_period(text, today=TODAY)


def test_periods_are_cut_at_local_midnight(session: Session) -> None:
    _producer, _products, account = make_shop(session)
    ingest_orders(session=session, account=account, orders=[
        order("NEW-YEAR", placed=datetime(2024, 1, 1, 3, 0, tzinfo=ICT), lines=[("MIEN-500", 1, 100_000)]),
        order("EVE", placed=datetime(2023, 12, 31, 23, 30, tzinfo=ICT), lines=[("MIEN-500", 1, 7_000)]),
    ])
    assert turnover(session=session, period=_period("2024")).total.values["amount"] == 100_000
    assert turnover(session=session, period=_period("2023")).total.values["amount"] == 7_000
    by_month = turnover(session=session, period=_period("2023-12..2024-01"), by=["month"])
    assert [(r.group["month"][0], r.values["amount"], r.values["cumulative"]) for r in by_month.rows] == [
        ("2023-12", 7_000, 7_000), ("2024-01", 100_000, 100_000)]


def test_every_dimension_adds_up_to_the_total(session: Session) -> None:
    _p1, _products, voso = make_shop(session, code="HTX-A", unit_vn2004="01843", unit_vn2025="01843")
    _p2, _products2, shopee = make_shop(session, code="HTX-B", marketplace="facebook", unit_vn2004=None,
                                        unit_vn2025=None)
    placed = datetime(2024, 2, 10, 9, tzinfo=ICT)
    ingest_orders(session=session, account=voso, orders=[order(f"V{i}", placed=placed + timedelta(days=40 * i))
                                                         for i in range(5)])
    ingest_orders(session=session, account=shopee, orders=[
        order("S1", placed=placed), order("S2", OrderStatus.pending, placed=placed)])
    for scheme in ("vn2004", "vn2025"):
        for dim in DIMENSIONS:
            if dim == "district" and scheme == "vn2025":
                continue
            report = turnover(session=session, period=_period("2024"), by=[dim], scheme=scheme)
            assert sum(r.values["amount"] for r in report.rows) == report.total.values["amount"] == 6 * 90_000
    by_channel = turnover(session=session, period=_period("2024"), by="channel-kind,platform")
    assert {(r.group["channel-kind"][0], r.group["platform"][0]): r.values["amount"] for r in by_channel.rows} == {
        ("marketplace", "voso"): 5 * 90_000, ("other", "facebook"): 90_000}
    by_commune = turnover(session=session, period=_period("2024"), by="commune", scheme="vn2025")
    assert [r.group["commune"][0] for r in by_commune.rows] == ["01843", "?"]


def test_year_to_date_column_and_quarters(session: Session) -> None:
    _producer, _products, account = make_shop(session)
    ingest_orders(session=session, account=account, orders=[
        order(f"M{m}", placed=datetime(2024, m, 5, tzinfo=ICT), lines=[("MIEN-500", 1, 1_000 * m)])
        for m in range(1, 13)])
    report = turnover(session=session, period=_period("2024-Q2"), by="month")
    assert [(r.values["amount"], r.values["cumulative"]) for r in report.rows] == [
        (4_000, 10_000), (5_000, 15_000), (6_000, 21_000)]
    assert report.total.values == {"amount": 15_000, "quantity": 3, "cumulative": 21_000}
    halves = turnover(session=session, period=_period("2024"), by="half")
    assert [(r.group["half"][0], r.values["amount"], r.values["cumulative"]) for r in halves.rows] == [
        ("2024-H1", 21_000, 21_000), ("2024-H2", 57_000, 78_000)]


def test_district_needs_the_old_scheme(session: Session) -> None:
    with pytest.raises(CatalogueValidationError):
        turnover(session=session, period=_period("2024"), by="district", scheme="vn2025")
