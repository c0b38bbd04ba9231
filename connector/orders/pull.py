"""Incremental order pulls: per account, from its bookmark, in the marketplace's windows and pages.

Each run asks for the orders updated in ``[bookmark - overlap, now)``, cut into windows no longer
than the adapter's ``max_order_window``, and follows each window's cursor to its last page.  Every
page goes through :func:`connector.orders.ingest.ingest_orders` (idempotent, so the overlap costs
nothing but a few re-read orders: it is there for orders a marketplace indexes late).  The
bookmark moves to the end of each window once all its pages are in, so a run cut short resumes
at the first window it did not finish.  A cursor that comes back twice in one window is a loop
and stops the account's run with an error (the bookmark stays where it was).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlmodel import Session, col, select

from adapters.base import Adapter
from catalog.clock import as_utc, local_midnight, utcnow
from catalog.errors import AgriConnectorError, MarketplaceError
from connector.accounts import AccountStatus, MarketplaceAccount, get_account
from connector.ledger import CountingPolicy
from connector.orders.ingest import IngestResult, ingest_orders
from connector.orders.models import OrderBookmark

OVERLAP = timedelta(minutes=30)
FIRST_PULL = timedelta(days=30)  # how far back the first pull of an account without an opening date goes
MAX_PAGES = 10_000  # per window: a marketplace that never ends its pages is a loop too


@dataclass
class PullResult:
    account: str
    since: datetime | None = None
    until: datetime | None = None
    windows: int = 0
    pages: int = 0
    orders: int = 0
    ingest: IngestResult | None = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        ingest = self.ingest or IngestResult(account=self.account)
        return {"account": self.account, "since": self.since, "until": self.until, "windows": self.windows,
                "pages": self.pages, "orders": self.orders, "new": ingest.orders_new,
                "updated": ingest.orders_updated, "unchanged": ingest.orders_unchanged, "sales": ingest.sales,
                "reversals": ingest.reversals, "adjustments": ingest.adjustments,
                "stock_movements": ingest.stock_movements, "unknown_skus": ingest.unknown_skus, "error": self.error}


def start_of(account: MarketplaceAccount, now: datetime) -> datetime:
    """Where the first pull of an account begins: the day its shop opened, or 30 days back."""
    return local_midnight(account.opened_on) if account.opened_on else now - FIRST_PULL


def windows(since: datetime, until: datetime, size: timedelta | None) -> list[tuple[datetime, datetime]]:
    if size is None or size <= timedelta(0):
        return [(since, until)] if since < until else []
    out, start = [], since
    while start < until:
        end = min(start + size, until)
        out.append((start, end))
        start = end
    return out


async def pull_account(*, session: Session, account: MarketplaceAccount, adapter: Adapter,
                       now: datetime | None = None, overlap: timedelta = OVERLAP,
                       policy: CountingPolicy | None = None) -> PullResult:
    """Pull one account's orders since its bookmark (see the module doc).  Raises marketplace errors."""
    now = as_utc(now or utcnow())
    assert account.id is not None
    bookmark = session.get(OrderBookmark, account.id)
    since = as_utc(bookmark.pulled_until) - overlap if bookmark else start_of(account, now)
    result = PullResult(account=account.name, since=since, until=now, ingest=IngestResult(account=account.name))
    if bookmark is None:
        bookmark = OrderBookmark(account_id=account.id, pulled_until=since)
    bookmark.last_run_at = now
    for start, end in windows(since, now, adapter.capabilities.max_order_window):
        result.windows += 1
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = await adapter.list_orders(since=start, until=end, cursor=cursor)
            result.pages += 1
            result.orders += len(page.orders)
            if page.orders:
                assert result.ingest is not None
                result.ingest.merge(ingest_orders(session=session, account=account, orders=page.orders,
                                                  policy=policy, now=now))
            cursor = page.next_cursor
            if cursor is None:
                break
            if cursor in seen or len(seen) >= MAX_PAGES:
                raise MarketplaceError("orders.cursor_loop", marketplace=account.marketplace, account=account.name)
            seen.add(cursor)
        bookmark.pulled_until = max(as_utc(bookmark.pulled_until), end)
        bookmark.orders_seen += result.orders
        bookmark.last_error = None
        session.add(bookmark)
        session.flush()
    return result


def pullable_accounts(*, session: Session, account_names: Sequence[str] | None = None) -> list[MarketplaceAccount]:
    """The named accounts, or every active account the connector may act for."""
    if account_names:
        return [get_account(session=session, name=name) for name in account_names]
    query = select(MarketplaceAccount).where(col(MarketplaceAccount.credentials_encrypted).is_not(None),
                                             MarketplaceAccount.status == AccountStatus.active)
    return list(session.exec(query.order_by(col(MarketplaceAccount.name))))


def pull_all(*, session: Session, account_names: Sequence[str] | None = None, now: datetime | None = None,
             policy: CountingPolicy | None = None) -> list[PullResult]:
    """Pull every named (or every connected, active) account; one account's failure does not stop
    the others: it is reported in its result and on its bookmark.  Commits after each account."""
    accounts = pullable_accounts(session=session, account_names=account_names)
    return asyncio.run(_pull_all(session, accounts, now, policy))


async def _pull_all(session: Session, accounts: list[MarketplaceAccount], now: datetime | None,
                    policy: CountingPolicy | None) -> list[PullResult]:
    from connector.account_adapter import open_adapter

    results: list[PullResult] = []
    async with httpx.AsyncClient(timeout=30.0) as client:
        for account in accounts:
            try:
                adapter = open_adapter(account, client)
                try:
                    result = await pull_account(session=session, account=account, adapter=adapter, now=now,
                                                policy=policy)
                finally:
                    await adapter.aclose()
                session.commit()
            except AgriConnectorError as error:
                session.rollback()
                result = PullResult(account=account.name, error=error.to_dict())
                _record_failure(session, account, error)
            results.append(result)
    return results


def _record_failure(session: Session, account: MarketplaceAccount, error: AgriConnectorError) -> None:
    assert account.id is not None
    bookmark = session.get(OrderBookmark, account.id)
    if bookmark is not None:
        bookmark.last_error = f"{error.code}: {error.message('en')}"[:500]
        session.add(bookmark)
        session.commit()

