"""The bulk writer of the order path: times as SQLAlchemy stores them, constants as literals only
when safe, and every column stored whatever shape (compact or full) a row was written in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import Session, col, select

from adapters.base import OrderStatus, RemoteOrder, RemoteOrderLine
from catalog.clock import as_utc
from catalog.ocop import OcopCertification
from connector.ledger.entries import ENTRY_COLUMNS, Entries, sqlite_stamp
from connector.ledger.models import LedgerEntry, LedgerSummary, StockMovement
from connector.orders.ingest import ingest_orders
from connector.orders.models import OrderLine, OrderStatusChange, SalesOrder
from tests.connector.orders.fakes import T0, make_shop, order

NOW = datetime(2024, 6, 1, 8, 30, 15, 250_000, tzinfo=UTC)


@given(moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       offset=st.integers(-14 * 60, 14 * 60), aware=st.booleans())
def test_sqlite_stamp_is_the_text_sqlalchemy_writes(moment: datetime, offset: int, aware: bool) -> None:
    expected = moment.isoformat(" ", "microseconds")  # naive UTC, as SQLAlchemy's SQLite DateTime stores it
    given_moment = moment.replace(tzinfo=UTC).astimezone(timezone(timedelta(minutes=offset))) if aware else moment
    assert sqlite_stamp(given_moment) == expected


@pytest.mark.parametrize("recorded_by", [None, "can-bo.xa", "cán bộ O'Neil"])
def test_every_column_is_stored_whatever_the_row_shape(session: Session, recorded_by: str | None) -> None:
    producer, [mien, gao], account = make_shop(session)
    assert mien.id is not None
    session.add(OcopCertification(product_id=mien.id, stars=4, decision_date=date(2023, 1, 1)))
    session.flush()
    plain = order("A1", lines=[("MIEN-500", 2, 45_000), ("GAO-2KG", 1, 60_000)])
    full = RemoteOrder(remote_id="A2", status=OrderStatus.confirmed, raw_status="Đã xác nhận", placed_at=T0,
                       updated_at=T0 + timedelta(hours=1), total=60_000, confirm_by=T0 + timedelta(days=2),
                       buyer_province="Bắc Kạn",
                       lines=(RemoteOrderLine(sku="GAO-2KG", quantity=1, unit_price=60_000, amount=60_000,
                                              remote_listing_id="L-9", title="Gạo nếp Khẩu Nua Lếch"),))
    result = ingest_orders(session=session, account=account, orders=[plain, full], source="export",
                           recorded_by=recorded_by, now=NOW)
    assert (result.orders_new, result.lines, result.sales, result.stock_movements) == (2, 3, 3, 3)

    orders = {o.remote_id: o for o in session.exec(select(SalesOrder))}
    for o in orders.values():
        assert (o.account_id, o.source, o.recorded_by, o.counted, o.stock_taken) == (
            account.id, "export", recorded_by, True, True)
        assert as_utc(o.first_seen_at) == NOW and as_utc(o.placed_at) == T0
    assert (orders["A1"].confirm_by, orders["A1"].buyer_province, orders["A1"].raw_status) == (None, None,
                                                                                               "CONFIRMED")
    assert as_utc(orders["A2"].confirm_by) == T0 + timedelta(days=2)  # type: ignore[arg-type]
    assert (orders["A2"].buyer_province, orders["A2"].raw_status) == ("Bắc Kạn", "Đã xác nhận")
    assert as_utc(orders["A2"].updated_at) == T0 + timedelta(hours=1)

    lines = {(line.order_id, line.sku): line for line in session.exec(select(OrderLine))}
    listed = lines[(orders["A2"].id or 0, "GAO-2KG")]
    assert (listed.remote_listing_id, listed.title, listed.product_id) == ("L-9", "Gạo nếp Khẩu Nua Lếch", gao.id)
    plain_line = lines[(orders["A1"].id or 0, "MIEN-500")]
    assert (plain_line.remote_listing_id, plain_line.title) == (None, None)

    entries = session.exec(select(LedgerEntry).order_by(col(LedgerEntry.id))).all()
    assert sorted((e.product_id, e.ocop_stars, e.amount) for e in entries) == sorted(
        [(mien.id, 4, 90_000), (gao.id, None, 60_000), (gao.id, None, 60_000)])
    for e in entries:
        assert (e.kind, e.account_id, e.platform, e.channel_kind, e.producer_id, e.producer_kind) == (
            "sale", account.id, "voso", "marketplace", producer.id, "cooperative")
        assert (e.unit_vn2004, e.unit_vn2025, e.source, e.reference, e.recorded_by, e.adjusts) == (
            "01843", "01843", "export", None, recorded_by, None)
        assert as_utc(e.occurred_at) == T0 and as_utc(e.booked_at) == T0 and as_utc(e.recorded_at) == NOW
        assert (e.booked_day, e.booked_month) == (date(2024, 3, 1), 202403)
        line = next(x for x in lines.values() if x.id == e.order_line_id)
        assert (line.order_id, line.product_id, line.amount) == (e.order_id, e.product_id, e.amount)

    history = session.exec(select(OrderStatusChange)).all()
    assert len(history) == 2 and all(as_utc(h.recorded_at) == NOW and h.applied for h in history)
    moves = session.exec(select(StockMovement)).all()
    assert sorted(m.quantity for m in moves) == [-2, -1, -1]
    assert all(as_utc(m.created_at) == NOW and m.reason == "sale" for m in moves)


def test_the_summary_adds_up_to_the_entries(session: Session) -> None:
    _producer, [mien, _gao], account = make_shop(session)
    assert mien.id is not None
    session.add(OcopCertification(product_id=mien.id, stars=5, decision_date=date(2023, 1, 1)))
    session.flush()
    orders = [order(f"S{i}", placed=T0 + timedelta(days=20 * i),
                    lines=[("MIEN-500", 1 + i % 3, 40_000), ("GAO-2KG", 2, 55_000)] if i % 2 else
                    [("GAO-2KG", 1, 55_000)]) for i in range(12)]
    ingest_orders(session=session, account=account, orders=orders)
    ingest_orders(session=session, account=account, orders=[
        RemoteOrder(remote_id=o.remote_id, status=OrderStatus.cancelled, raw_status="cancelled",
                    placed_at=o.placed_at, updated_at=o.updated_at + timedelta(days=1), total=o.total,
                    lines=o.lines) for o in orders[::4]])
    by_entries = {(m, s or 0): (a, q, n) for m, s, a, q, n in session.execute(
        select(LedgerEntry.booked_month, LedgerEntry.ocop_stars, func.sum(LedgerEntry.amount),  # type: ignore[call-overload]
               func.sum(LedgerEntry.quantity), func.count()).group_by(LedgerEntry.booked_month,
                                                                       LedgerEntry.ocop_stars))}
    by_summary = {(m, s): (a, q, n) for m, s, a, q, n in session.execute(
        select(LedgerSummary.booked_month, LedgerSummary.ocop_stars, LedgerSummary.amount,  # type: ignore[call-overload]
               LedgerSummary.quantity, LedgerSummary.entries))}
    assert by_summary == by_entries
    assert any(s == 5 for _m, s in by_summary)
    kinds = session.exec(select(LedgerEntry.kind).distinct()).all()
    assert sorted(kinds) == ["reversal", "sale"]


def test_rows_kept_by_column_cannot_drift() -> None:
    """A row is given by column name; a missing or unknown column, or a column left behind on the hot
    path, fails instead of shifting values into their neighbours' columns."""
    entries = Entries()
    row = {name: i for i, name in enumerate(ENTRY_COLUMNS)}
    entries.add(**row)
    assert entries.rows() == [tuple(range(len(ENTRY_COLUMNS)))]
    assert Entries.columns() == ENTRY_COLUMNS
    with pytest.raises(TypeError, match="reference"):
        entries.add(**{k: v for k, v in row.items() if k != "reference"})
    with pytest.raises(TypeError, match="refrence"):
        entries.add(**row, refrence=None)
    entries.kind.append("sale")  # one column appended, the others forgotten
    with pytest.raises(ValueError, match="zip"):
        entries.rows()
