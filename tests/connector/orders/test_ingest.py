"""ingest_orders: idempotent upsert, status history, ledger sales and reversals, stock exactly once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from adapters.base import OrderStatus
from catalog.products import Product
from connector.ledger.models import LedgerEntry, StockMovement
from connector.ledger.policy import CountingPolicy
from connector.orders.ingest import ingest_orders
from connector.orders.models import OrderStatusChange, SalesOrder
from tests.connector.orders.fakes import T0, make_shop, order


def _ledger_total(session: Session) -> int:
    return int(session.exec(select(func.coalesce(func.sum(LedgerEntry.amount), 0))).one())


def test_second_ingest_of_the_same_order_changes_nothing(session: Session) -> None:
    _producer, [mien, _gao], account = make_shop(session)
    first = ingest_orders(session=session, account=account, orders=[order("A1")])
    assert (first.orders_new, first.lines, first.sales, first.stock_movements) == (1, 1, 1, 1)
    version = mien.stock_version
    again = ingest_orders(session=session, account=account, orders=[order("A1")])
    assert (again.orders_new, again.orders_unchanged, again.sales, again.stock_movements) == (0, 1, 0, 0)
    session.refresh(mien)
    assert mien.stock == 998
    assert mien.stock_version == version
    assert mien.content_version == 1
    assert _ledger_total(session) == 90_000


def test_cancellation_after_completion_reverses_and_restocks(session: Session) -> None:
    _producer, [mien, _gao], account = make_shop(session)
    ingest_orders(session=session, account=account, orders=[
        order("A1", OrderStatus.pending),
        order("A1", OrderStatus.completed, updated=T0 + timedelta(days=2)),
    ])
    assert _ledger_total(session) == 90_000
    result = ingest_orders(session=session, account=account,
                           orders=[order("A1", OrderStatus.cancelled, updated=T0 + timedelta(days=3))])
    assert result.reversals == 1
    assert _ledger_total(session) == 0
    session.refresh(mien)
    assert mien.stock == 1000
    assert mien.content_version == 1
    history = session.exec(select(OrderStatusChange.status).order_by(col(OrderStatusChange.id))).all()
    assert list(history) == ["pending", "completed", "cancelled"]
    moves = session.exec(select(StockMovement.quantity, StockMovement.reason).order_by(col(StockMovement.id))).all()
    assert [tuple(m) for m in moves] == [(-2, "sale"), (2, "cancelled")]


def test_an_older_state_read_late_does_not_undo_a_newer_one(session: Session) -> None:
    _producer, _products, account = make_shop(session)
    ingest_orders(session=session, account=account,
                  orders=[order("A1", OrderStatus.cancelled, updated=T0 + timedelta(hours=5))])
    result = ingest_orders(session=session, account=account, orders=[order("A1", OrderStatus.confirmed)])
    assert result.orders_unchanged == 1
    assert session.exec(select(SalesOrder.status)).one() == "cancelled"
    assert _ledger_total(session) == 0
    late = session.exec(select(OrderStatusChange.applied).where(OrderStatusChange.status == "confirmed")).one()
    assert late is False


def test_gmv_basis_keeps_returns(session: Session) -> None:
    _producer, _products, account = make_shop(session)
    gmv = CountingPolicy(basis="gmv")
    ingest_orders(session=session, account=account, policy=gmv, orders=[
        order("A1", OrderStatus.delivered), order("A1", OrderStatus.returned, updated=T0 + timedelta(days=4))])
    assert _ledger_total(session) == 90_000
    mien = session.exec(select(Product).where(Product.sku == "MIEN-500")).one()
    assert mien.stock == 1000  # the goods came back, whatever the accounting basis


def test_unknown_sku_is_counted_against_the_producer(session: Session) -> None:
    producer, _products, account = make_shop(session)
    result = ingest_orders(session=session, account=account, orders=[order("A1", lines=[("KHONG-CO", 1, 10_000)])])
    assert result.unknown_skus == ["KHONG-CO"]
    entry = session.exec(select(LedgerEntry)).one()
    assert (entry.product_id, entry.producer_id, entry.amount, entry.unit_vn2004) == (None, producer.id, 10_000,
                                                                                     "01843")


def test_a_line_is_matched_by_its_bound_listing_when_its_sku_is_unknown(session: Session) -> None:
    from adapters.base import RemoteOrder, RemoteOrderLine
    from connector.sync.models import Binding, BindingState

    _producer, [_mien, gao], account = make_shop(session)
    assert account.id is not None and gao.id is not None
    session.add(Binding(account_id=account.id, product_id=gao.id, remote_id="R-77", state=BindingState.active))
    session.flush()
    line = RemoteOrderLine(sku="SKU-CU", quantity=3, unit_price=60_000, amount=180_000, remote_listing_id="R-77")
    result = ingest_orders(session=session, account=account, orders=[
        RemoteOrder(remote_id="B1", status=OrderStatus.completed, raw_status="done", placed_at=T0, updated_at=T0,
                    total=180_000, lines=(line,))])
    assert result.unknown_skus == [] and result.stock_movements == 1
    entry = session.exec(select(LedgerEntry)).one()
    assert (entry.product_id, entry.quantity, entry.amount) == (gao.id, 3, 180_000)
    session.refresh(gao)
    assert gao.stock == 997
