"""Against the live sandbox on loopback, with faults: exactly one listing per product, bindings right."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import Session

from adapters.registry import build_adapter
from connector.account_adapter import account_config
from connector.sandbox.server import running_sandbox
from connector.sync.engine import sync_accounts
from connector.sync.report import SyncReport
from tests.connector.sync.live import KEY, check_converged, live_shop, sandbox_images

FAULTS = "5xx=0.1,429=0.05,429body=0.05,drop=0.05,token-ttl=60,rate=200/s,seed={seed}"


def sync_live(session: Session, sandbox, account, **kw: object) -> SyncReport:  # type: ignore[no-untyped-def]
    async def go() -> SyncReport:
        async with httpx.AsyncClient() as client:
            return await sync_accounts(
                session=session, accounts=[account], client=client, images=sandbox_images(sandbox),
                adapter_for=lambda a: build_adapter(account_config(a, key=SecretStr(KEY)), client),
                **kw)  # type: ignore[arg-type]

    return asyncio.run(go())


def _fault_run(session: Session, count: int, seed: int) -> None:
    with running_sandbox(faults=FAULTS.format(seed=seed)) as sandbox:
        account = live_shop(session, sandbox, count=count)
        report = sync_live(session, sandbox, account, rounds=4)
        assert report.ok, [(r.sku, r.code, r.message) for r in report.failures][:5]
        assert report.counts()["done"] == count
        check_converged(session, sandbox, account, count)
        sandbox.set_faults(None)
        before = sandbox.state()["requests"]
        again = sync_live(session, sandbox, account)
        assert again.counts()["unchanged"] == count
        assert sandbox.state()["requests"] == before  # nothing changed: no request at all


def test_faults_small(session: Session) -> None:
    _fault_run(session, 60, seed=3)


@pytest.mark.slow
def test_faults_500(session: Session) -> None:
    _fault_run(session, 500, seed=11)
