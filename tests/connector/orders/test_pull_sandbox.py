"""``pull_all`` against the live sandbox: a listed product sells, the ledger and the stock follow,
and a second pull changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlmodel import Session

from connector.account_adapter import open_adapter
from connector.accounts import set_credentials
from connector.ledger.models import LedgerEntry
from connector.orders.pull import pull_all
from connector.sandbox import running_sandbox
from connector.secrets import new_secret_key
from connector.settings import get_settings
from tests.adapters import contract as c
from tests.connector.orders.fakes import make_shop


@pytest.fixture
def secret_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    key = new_secret_key()
    monkeypatch.setenv("AGRI_SECRET_KEY", key)
    get_settings.cache_clear()
    yield key
    get_settings.cache_clear()


def test_pull_from_the_sandbox(session: Session, secret_key: str) -> None:
    with running_sandbox() as sandbox:
        _producer, [product], account = make_shop(session, skus=("LIVE-1",), stock=500)
        account.base_url = sandbox.url_for("voso")
        set_credentials(account=account, credentials=sandbox.create_account("voso", "htx-live"),
                        key=SecretStr(secret_key))
        session.add(account)
        session.flush()

        async def list_it() -> None:
            async with httpx.AsyncClient() as client:
                adapter = open_adapter(account, client)
                images = await c.images_for(adapter, sandbox, "live")
                await adapter.upsert_listing(c.listing("LIVE-1", images))

        asyncio.run(list_it())
        sandbox.resolve_reviews()
        assert sandbox.generate_orders(4)
        [first] = pull_all(session=session, account_names=[account.name])
        assert first.ok, first.error
        assert first.ingest is not None and first.ingest.orders_new >= 4
        entries = session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()
        session.refresh(product)
        sold = 500 - product.stock
        assert sold > 0
        [second] = pull_all(session=session, account_names=[account.name])
        assert second.ok and second.ingest is not None
        assert second.ingest.orders_new == 0
        assert session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == entries
        session.refresh(product)
        assert 500 - product.stock == sold
