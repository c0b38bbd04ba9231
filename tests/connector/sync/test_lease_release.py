"""The lease is given back on every path, even when the account's transaction failed under it."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from adapters.registry import build_adapter
from connector.account_adapter import account_config
from connector.sandbox import running_sandbox
from connector.sync.engine import sync_accounts
from connector.sync.models import SyncLease
from tests.connector.sync.live import KEY, live_shop, sandbox_images


def test_a_database_error_mid_run_still_releases_the_lease(session: Session) -> None:
    with running_sandbox() as sandbox:
        account = live_shop(session, sandbox, count=3)

        def broken_database(_plan: object) -> None:  # the account's transaction fails under the run
            session.execute(text("SELECT * FROM no_such_table"))

        async def go() -> None:
            async with httpx.AsyncClient() as client:
                await sync_accounts(session=session, accounts=[account], client=client,
                                    images=sandbox_images(sandbox), on_plan=broken_database,
                                    adapter_for=lambda a: build_adapter(account_config(a, key=SecretStr(KEY)),
                                                                        client))

        with pytest.raises(SQLAlchemyError):
            asyncio.run(go())
    session.rollback()
    assert session.exec(select(SyncLease)).all() == []
