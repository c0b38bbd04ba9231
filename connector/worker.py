"""What ``agri worker`` does on each pass: what would otherwise wait for a person.

1. pull orders (``connector.orders.pull_all``);
2. push changed stock and prices, and retry listings whose last attempt failed;
3. ask the marketplace about listings waiting for review.

New listings and content changes are left to ``agri sync``, which a person starts.  The worker
drives both the order puller and the sync engine, so it sits above ``connector.orders`` and
``connector.sync`` (neither imports the other's runner).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from catalog.errors import AgriConnectorError, CatalogueValidationError
from connector.accounts import MarketplaceAccount, get_account, list_accounts
from connector.orders import pull_all
from connector.sync import Action, PlannedItem, PushResult, SyncReport, sync_accounts

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h)?\s*$", re.IGNORECASE)


def parse_interval(text: str) -> timedelta:
    """``30s``, ``5m``, ``1h`` (a bare number is minutes)."""
    match = _DURATION.match(text)
    if match is None or int(match[1]) == 0:
        raise CatalogueValidationError("sync.duration_invalid", value=text)
    unit = (match[2] or "m").lower()
    return timedelta(seconds=int(match[1]) * {"s": 1, "m": 60, "h": 3600}[unit])


def worker_item(item: PlannedItem) -> bool:
    """What the worker may do unattended: price and stock, and retrying what failed."""
    return item.action == Action.stock_price or (item.sends and item.push_result == PushResult.failed)


@dataclass
class WorkerPass:
    orders: list[Any] | None = None  # PullResult per account
    orders_notice: str | None = None  # always None since orders are part of the project; kept in the JSON
    sync: SyncReport = field(default_factory=SyncReport)

    @property
    def ok(self) -> bool:
        pulled_ok = all(getattr(r, "error", None) is None for r in self.orders or [])
        return self.sync.ok and pulled_ok

    def account_errors(self) -> list[dict[str, Any]]:
        """One error per account that could not run (its pull, its sync), for the JSON envelope."""
        pulled = [{"account": r.account, **r.error} for r in self.orders or [] if getattr(r, "error", None)]
        return [*pulled, *self.sync.account_errors]

    @property
    def nothing_done(self) -> bool:
        """Every account failed to run (a dead network, a marketplace that does not answer): exit 3, not 1."""
        pulls = self.orders or []
        if not pulls or any(getattr(r, "error", None) is None for r in pulls):
            return False
        stopped = {str(e.get("account")) for e in self.sync.account_errors}
        return {r.account for r in self.sync.results} <= stopped


def run_pass(*, session: Session, account_names: list[str] | None = None) -> WorkerPass:
    """One pass of the worker over the named (or every connected) account."""
    result = WorkerPass()
    result.orders = list(pull_all(session=session, account_names=account_names))
    accounts: list[MarketplaceAccount] = (
        [get_account(session=session, name=n) for n in account_names] if account_names
        else [a for a in list_accounts(session=session) if a.connected])
    try:
        result.sync = asyncio.run(sync_accounts(session=session, accounts=accounts, only=worker_item,
                                                poll_reviews=True))
    except AgriConnectorError as error:
        result.sync.account_errors.append({"account": "*", **error.to_dict("vi")})
    return result
