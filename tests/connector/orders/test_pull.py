"""pull_account: bookmark, overlap, the adapter's maximum window, cursor pages, loop detection."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from adapters.base import OrderPage, OrderStatus
from catalog.errors import MarketplaceError
from connector.orders.models import OrderBookmark, SalesOrder
from connector.orders.pull import OVERLAP, pull_account
from tests.connector.orders.fakes import T0, FakeAdapter, make_shop, order


def test_pull_walks_windows_and_pages_and_moves_the_bookmark(session: Session) -> None:
    _producer, [mien, _gao], account = make_shop(session)
    orders = [order(f"O{i}", placed=T0 + timedelta(days=i)) for i in range(20)]
    adapter = FakeAdapter(orders, page_size=3, max_window=timedelta(days=7))
    now = T0 + timedelta(days=25)
    account.opened_on = (T0 - timedelta(days=1)).date()
    result = asyncio.run(pull_account(session=session, account=account, adapter=adapter, now=now))
    assert result.ok
    assert result.windows == 4  # 26 days in windows of at most 7
    assert all(until - since <= timedelta(days=7) for since, until, _ in adapter.calls)
    assert result.ingest is not None and result.ingest.orders_new == 20
    assert session.exec(select(SalesOrder)).all().__len__() == 20
    bookmark = session.get(OrderBookmark, account.id)
    assert bookmark is not None and bookmark.pulled_until.replace(tzinfo=None) == now.replace(tzinfo=None)
    session.refresh(mien)
    assert mien.stock == 1000 - 40

    # the next run starts at the bookmark minus the overlap, and re-reading changes nothing
    adapter.orders.append(order("O5", OrderStatus.cancelled, placed=T0 + timedelta(days=5),
                                updated=now + timedelta(hours=1)))
    adapter.calls.clear()
    later = now + timedelta(hours=2)
    again = asyncio.run(pull_account(session=session, account=account, adapter=adapter, now=later))
    assert adapter.calls[0][0] == now - OVERLAP
    assert again.ingest is not None
    assert (again.ingest.orders_new, again.ingest.orders_updated, again.ingest.reversals) == (0, 1, 1)
    session.refresh(mien)
    assert mien.stock == 1000 - 38


def test_a_cursor_loop_stops_the_run_and_keeps_the_bookmark(session: Session) -> None:
    _producer, _products, account = make_shop(session)

    class Looping(FakeAdapter):
        async def list_orders(self, *, since, until, cursor=None):  # type: ignore[no-untyped-def]
            return OrderPage((order("L1"),), "same")

    with pytest.raises(MarketplaceError) as caught:
        asyncio.run(pull_account(session=session, account=account, adapter=Looping(), now=T0))
    assert caught.value.code == "orders.cursor_loop"
    assert session.get(OrderBookmark, account.id) is None
