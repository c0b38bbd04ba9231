"""A dead marketplace: how long ``sync_accounts`` of 500 products takes to give the account up.

Nothing listens at the account's address (a closed port on loopback: connections refused at once).
The project trips the account after 3 requests in a row without an answer
(``adapters/http/reach.py``); the reference is the same engine with that breaker switched off, which
is how the first round behaved (every product fails on its own, after its retries: 2 min 26 s in
the issue's report). Both in the same run; the figure is the ratio.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from common import figure
from sqlmodel import Session
from sync import IMAGES, KEY, add_shop

import adapters.http.core as http_core
from adapters import build_adapter
from adapters.http import Reachability
from connector.account_adapter import account_config
from connector.accounts import MarketplaceAccount
from connector.db import init_db, make_engine
from connector.sync import SyncReport, sync_accounts

COUNT = 500


class _Sandbox:
    """Credentials and an address for ``add_shop``, without a server: nothing will answer."""

    def __init__(self, port: int) -> None:
        self.port = port

    def create_account(self, marketplace: str, name: str) -> dict[str, str]:
        return {"api_key": "nobody-checks-it"}

    def url_for(self, marketplace: str) -> str:
        return f"http://127.0.0.1:{self.port}/{marketplace}"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _sync(session: Session, account: MarketplaceAccount) -> SyncReport:
    async with httpx.AsyncClient() as client:
        return await sync_accounts(session=session, accounts=[account], client=client, images=IMAGES,
                                   adapter_for=lambda a: build_adapter(account_config(a, key=KEY), client))


def run(breaker: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="agri-bench-dead-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'dead.db'}")
        init_db(engine)
        with Session(engine, expire_on_commit=False) as session:
            account = add_shop(session, _Sandbox(closed_port()), "HTX-DEAD", COUNT, "sandbox")  # type: ignore[arg-type]
            original = http_core.Reachability
            if not breaker:  # the first round: no account-level breaker
                http_core.Reachability = lambda m, a: Reachability(m, a, max_failures=10**9, silence=1e9)  # type: ignore[assignment,misc]
            try:
                started = time.monotonic()
                report = asyncio.run(_sync(session, account))
                elapsed = time.monotonic() - started
            finally:
                http_core.Reachability = original  # type: ignore[misc]
        engine.dispose()
    return elapsed, len(report.account_errors) + len(report.failures)


def main() -> None:
    project, errors = run(breaker=True)
    reference, failures = run(breaker=False)
    print(f"with the breaker: {project:.2f} s, {errors} error(s); without: {reference:.1f} s, {failures} error(s)")
    figure(f"sync of {COUNT} products to a marketplace that does not answer", project=project, unit="s",
           reference=reference, ratio=reference / project, target="≤ 10 s (the issue: 146 s)", met=project <= 10)


if __name__ == "__main__":
    main()
