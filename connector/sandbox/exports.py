"""A seller-centre order export made by the sandbox, so the manual path is tested end to end.

:func:`export_sandbox_orders` reads one account's orders from a running sandbox the way the
connector reads any marketplace (the account's adapter, ``list_orders`` over windows no longer
than the adapter allows, every page of each), and writes them in that marketplace's seller-centre
layout (:func:`connector.listings.order_writer.write_order_export`): what a shop would download from
mc.voso.vn or postmart.vn, ready for ``agri listings orders-import``.

The period runs on the sandbox's own clock (it can be moved ahead), read from its health route.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr

from adapters.base import Adapter, RemoteOrder
from catalog.clock import as_utc
from catalog.errors import CatalogueValidationError, ConfigurationError, MarketplaceError
from connector.account_adapter import open_adapter
from connector.accounts import MarketplaceAccount
from connector.listings import load_layout, write_order_export
from connector.orders import MAX_PAGES, windows

DEFAULT_DAYS = 60


@dataclass(frozen=True, slots=True)
class SandboxExport:
    path: Path
    account: str
    since: datetime
    until: datetime
    orders: int
    lines: int


async def fetch_orders(adapter: Adapter, *, since: datetime, until: datetime) -> list[RemoteOrder]:
    """Every order updated in ``[since, until)``, each once in its latest state, oldest first."""
    latest: dict[str, RemoteOrder] = {}
    for start, end in windows(since, until, adapter.capabilities.max_order_window):
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = await adapter.list_orders(since=start, until=end, cursor=cursor)
            for order in page.orders:
                known = latest.get(order.remote_id)
                if known is None or as_utc(order.updated_at) >= as_utc(known.updated_at):
                    latest[order.remote_id] = order
            cursor = page.next_cursor
            if cursor is None:
                break
            if cursor in seen or len(seen) >= MAX_PAGES:
                raise MarketplaceError("orders.cursor_loop", marketplace=adapter.key, account=adapter.config.name)
            seen.add(cursor)
    return sorted(latest.values(), key=lambda o: (as_utc(o.placed_at), o.remote_id))


def sandbox_root(account: MarketplaceAccount) -> str:
    """The sandbox's own address: the account's base URL without its ``/<marketplace>`` part."""
    base = (account.base_url or "").rstrip("/")
    suffix = f"/{account.marketplace}"
    return base[: -len(suffix)] if base.endswith(suffix) else base


async def _export(account: MarketplaceAccount, out: Path, days: int, key: SecretStr | None,
                  client: httpx.AsyncClient) -> SandboxExport:
    health = await client.get(f"{sandbox_root(account)}/_sandbox/health")
    health.raise_for_status()
    until = datetime.fromisoformat(str(health.json()["now"])) + timedelta(seconds=1)
    since = until - timedelta(days=days)
    adapter = open_adapter(account, client, key=key)
    try:
        orders = await fetch_orders(adapter, since=since, until=until)
    finally:
        await adapter.aclose()
    write_order_export(layout=load_layout(account.marketplace), orders=orders, out=out)
    return SandboxExport(path=out, account=account.name, since=since, until=until, orders=len(orders),
                         lines=sum(len(o.lines) for o in orders))


def export_sandbox_orders(*, account: MarketplaceAccount, out: Path, days: int = DEFAULT_DAYS,
                          key: SecretStr | None = None, client: httpx.AsyncClient | None = None) -> SandboxExport:
    """Write the seller-centre order export of a sandbox ``account`` (its last ``days`` days) to ``out``.

    The account must be connected to a sandbox (base URL and credentials), as for ``agri orders pull``."""
    load_layout(account.marketplace)  # a marketplace without a seller-centre layout fails before any request

    async def run() -> SandboxExport:
        if client is not None:
            return await _export(account, out, days, key, client)
        async with httpx.AsyncClient(timeout=30.0) as own:
            return await _export(account, out, days, key, own)

    if not account.base_url:
        raise ConfigurationError("adapters.sandbox_account", account=account.name)
    if out.is_dir():
        raise CatalogueValidationError("listings.out_not_file", path=str(out))
    try:
        return asyncio.run(run())
    except httpx.TransportError as error:  # nothing listening: the sandbox is not running
        raise MarketplaceError("adapters.sandbox_unreachable", marketplace=account.marketplace,
                               url=sandbox_root(account) or "?", detail=type(error).__name__) from None
    except httpx.HTTPError as error:
        raise MarketplaceError("market.retriable", marketplace=account.marketplace,
                               detail=type(error).__name__) from None
