"""The contract suite, run for every adapter registered in ``agri_connector.adapters``.

Against respx mocks: each error class by HTTP status and transport failure.  Against the live
sandbox on loopback: create, update, find by SKU, images, stock/price, delist, review queue,
orders with pagination and moving statuses, expiring tokens, body-coded rate limits, and a run
with faults that must leave no duplicate and no secret in any log or error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx

from adapters.base import Adapter, ListingState, OrderStatus
from adapters.http import RetryPolicy, call_with_retries, set_default_policy
from adapters.registry import adapter_keys, build_adapter
from catalog.errors import (
    AgriConnectorError,
    AuthError,
    RateLimitedError,
    RejectedError,
    RemoteNotFoundError,
    RetriableError,
)
from connector.sandbox import SandboxHandle, running_sandbox
from tests.adapters import contract as c

KEYS = adapter_keys()
FAST = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.005, deadline=10.0)


@pytest.fixture(autouse=True)
def fast_policy() -> Iterator[None]:
    previous = set_default_policy(FAST)
    yield
    set_default_policy(previous)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture(scope="module")
def review_sandbox() -> Iterator[SandboxHandle]:
    with running_sandbox(review_fraction=1.0) as handle:
        yield handle


@pytest.fixture
def faulty_sandbox() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# -- live sandbox ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_create_find_update_delist(sandbox: SandboxHandle, key: str) -> None:
    config = c.account(sandbox, key, f"crud-{key}")

    async def go() -> None:
        async with c.client() as client:
            adapter = build_adapter(config, client)
            images = await c.images_for(adapter, sandbox, f"crud-{key}")
            created = await adapter.upsert_listing(c.listing("MO-1", images))
            assert created.remote_id and created.sku == "MO-1"
            assert created.state is ListingState.active
            found = await adapter.find_by_sku("MO-1")
            assert found is not None and found.remote_id == created.remote_id
            assert await adapter.find_by_sku("NO-SUCH-SKU") is None
            updated = await adapter.upsert_listing(c.listing("MO-1", images, price=260_000, stock=5),
                                                   remote_id=created.remote_id)
            assert updated.remote_id == created.remote_id
            fetched = await adapter.get_listing(created.remote_id)
            assert (fetched.price, fetched.stock) == (260_000, 5)
            fast = await adapter.update_stock_price(created.remote_id, price=270_000, stock=0)
            assert (fast.price, fast.stock) == (270_000, 0)
            await adapter.delist(created.remote_id)
            assert (await adapter.get_listing(created.remote_id)).state is ListingState.delisted
            with pytest.raises(RemoteNotFoundError):
                await adapter.get_listing("990099")
            await adapter.aclose()

    run(go())
    state = sandbox.state()["accounts"][c.shop_of(sandbox, config).shop_id]
    assert state["listings"] == 1 and state["duplicates"] == {}


@pytest.mark.parametrize("key", KEYS)
def test_rejection_carries_field_messages(sandbox: SandboxHandle, key: str) -> None:
    config = c.account(sandbox, key, f"reject-{key}")

    async def go() -> RejectedError:
        async with c.client() as client:
            adapter = build_adapter(config, client)
            images = await c.images_for(adapter, sandbox, f"reject-{key}")
            with pytest.raises(RejectedError) as caught:
                await adapter.upsert_listing(c.listing("BAD-1", images, price=10, title="x"))
            return caught.value

    error = run(go())
    assert len(error.fields) >= 2 and all(error.fields.values())


@pytest.mark.parametrize("key", KEYS)
def test_review_queue(review_sandbox: SandboxHandle, key: str) -> None:
    config = c.account(review_sandbox, key, f"review-{key}")

    async def go() -> None:
        async with c.client() as client:
            adapter = build_adapter(config, client)
            images = await c.images_for(adapter, review_sandbox, f"review-{key}")
            created = [await adapter.upsert_listing(c.listing(f"RV-{i}", images)) for i in range(8)]
            assert all(r.state is ListingState.pending_review for r in created)
            review_sandbox.resolve_reviews()
            settled = [await adapter.get_listing(r.remote_id) for r in created]
            assert {r.state for r in settled} <= {ListingState.active, ListingState.rejected}
            for remote in settled:
                if remote.state is ListingState.rejected:
                    assert remote.reasons and remote.reasons[0].message

    run(go())


@pytest.mark.parametrize("key", KEYS)
def test_orders_paginate_and_move_with_the_clock(sandbox: SandboxHandle, key: str) -> None:
    config = c.account(sandbox, key, f"orders-{key}")

    async def pull(adapter: Adapter) -> dict[str, Any]:
        now = sandbox.sandbox.state.now()
        window = adapter.capabilities.max_order_window or timedelta(days=7)
        since, until = now - min(window, timedelta(days=7)) + timedelta(minutes=1), now + timedelta(minutes=1)
        seen: dict[str, Any] = {}
        cursor = None
        pages = 0
        while True:
            page = await adapter.list_orders(since=since, until=until, cursor=cursor)
            pages += 1
            for order in page.orders:
                seen[order.remote_id] = order
            cursor = page.next_cursor
            if cursor is None:
                break
        seen["_pages"] = pages
        return seen

    async def go() -> None:
        async with c.client() as client:
            adapter = build_adapter(config, client)
            images = await c.images_for(adapter, sandbox, f"orders-{key}")
            listings = [await adapter.upsert_listing(c.listing(f"OR-{i}", images)) for i in range(3)]
            shop = c.shop_of(sandbox, config)
            made = sandbox.sandbox.state.generate_orders(120, shop_id=shop.shop_id)
            first = await pull(adapter)
            assert first.pop("_pages") >= 2
            assert set(first) == set(made)
            skus = {r.sku for r in listings}
            for order in first.values():
                assert order.lines and {line.sku for line in order.lines} <= skus
                assert order.total == sum(line.amount for line in order.lines)
                assert order.placed_at.tzinfo is not None and order.updated_at >= order.placed_at
            sandbox.advance_clock(timedelta(days=4))
            later = await pull(adapter)
            later.pop("_pages")
            statuses = {order.status for order in later.values()}
            assert statuses - {OrderStatus.pending}
            window = adapter.capabilities.max_order_window
            if window is not None:
                now = sandbox.sandbox.state.now()
                with pytest.raises(RejectedError):
                    await adapter.list_orders(since=now - window - timedelta(days=1), until=now)

    run(go())


@pytest.mark.parametrize("key", KEYS)
def test_expiring_tokens_and_body_rate_limits(faulty_sandbox: SandboxHandle, key: str) -> None:
    config = c.account(faulty_sandbox, key, f"auth-{key}")

    async def go() -> None:
        async with c.client() as client:
            adapter = build_adapter(config, client)
            images = await c.images_for(adapter, faulty_sandbox, f"auth-{key}")
            faulty_sandbox.set_faults("token-ttl=2")
            created = [await adapter.upsert_listing(c.listing(f"TK-{i}", images)) for i in range(4)]
            for remote in created:
                assert (await adapter.get_listing(remote.remote_id)).remote_id == remote.remote_id
            faulty_sandbox.set_faults("429body=1.0")
            with pytest.raises(RateLimitedError):
                await adapter.get_listing(created[0].remote_id)
            faulty_sandbox.set_faults(None)

    run(go())
    counts = faulty_sandbox.state()["requests"]
    assert counts.get("429body", 0) == FAST.max_attempts


@pytest.mark.parametrize("key", KEYS)
def test_faults_leave_no_duplicate_and_no_secret(
    faulty_sandbox: SandboxHandle, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = c.account(faulty_sandbox, key, f"faults-{key}")
    faulty_sandbox.set_faults("5xx=0.1,429=0.1,429body=0.1,drop=0.1,timeout=0.03,timeout-after=20ms,token-ttl=4,seed=3")
    errors: list[AgriConnectorError] = []

    async def go() -> None:
        async with c.client() as client:
            adapter = build_adapter(config, client)
            images = await call_with_retries(lambda: c.images_for(adapter, faulty_sandbox, f"faults-{key}"))
            for i in range(15):
                item = c.listing(f"FT-{i}", images)

                async def look_up(attempt: int, error: BaseException, sku: str = item.sku) -> None:
                    if await call_with_retries(lambda: adapter.find_by_sku(sku)) is not None:
                        raise _Exists()

                try:
                    await call_with_retries(lambda item=item: adapter.upsert_listing(item),  # type: ignore[misc]
                                            before_retry=look_up, policy=RetryPolicy(max_attempts=8, base_delay=0.001,
                                                                                     max_delay=0.005, deadline=20))
                except _Exists:
                    continue
                except AgriConnectorError as error:
                    errors.append(error)

    with caplog.at_level(logging.DEBUG):
        run(go())
    faulty_sandbox.set_faults(None)
    state = faulty_sandbox.state()
    account_state = state["accounts"][c.shop_of(faulty_sandbox, config).shop_id]
    assert account_state["duplicates"] == {}
    assert account_state["listings"] + len(errors) >= 15
    assert sum(state["requests"].get(k, 0) for k in ("5xx", "429", "429body", "drop")) > 0
    secrets = [*config.secret_values(), *faulty_sandbox.sandbox.state.tokens]
    text = caplog.text + "\n".join(str(e) + repr(e.to_dict()) + e.message("vi") for e in errors)
    for record in caplog.records:
        text += " ".join(str(v) for v in record.__dict__.values())
    for secret in secrets:
        assert secret not in text


class _Exists(Exception):
    """The listing turned out to exist already (found by SKU before a retry)."""


# -- respx mocks: each error class ----------------------------------------------------------


def _mocked(key: str, sandbox: SandboxHandle, response: Any) -> tuple[Any, Any]:
    """A respx router where logins reach the live sandbox and everything else gets ``response``."""
    config = c.account(sandbox, key, f"mock-{key}-{id(response)}")
    router = respx.mock(assert_all_called=False)
    router.route(url__regex=r"/login$").pass_through()
    router.route(url__startswith=config.base_url).mock(side_effect=response)
    return config, router


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(
    ("response", "error", "attempts"),
    [
        (httpx.Response(503), RetriableError, FAST.max_attempts),
        (httpx.Response(500, text="<html>oops</html>"), RetriableError, FAST.max_attempts),
        (httpx.Response(429, headers={"Retry-After": "0"}), RateLimitedError, FAST.max_attempts),
        (httpx.ConnectTimeout("slow"), RetriableError, FAST.max_attempts),
        (httpx.RemoteProtocolError("dropped"), RetriableError, FAST.max_attempts),
        (httpx.Response(404), RemoteNotFoundError, 1),
        (httpx.Response(403), AuthError, 1),
    ],
    ids=["503", "500", "429", "timeout", "drop", "404", "403"],
)
def test_error_classes_from_mocks(
    sandbox: SandboxHandle, key: str, response: Any, error: type[Exception], attempts: int
) -> None:
    config, router = _mocked(key, sandbox, response)

    async def go() -> None:
        async with c.client() as client:
            adapter = build_adapter(config, client)
            await adapter.get_listing("100001")

    with router:
        with pytest.raises(error) as caught:
            run(go())
        calls = [call for call in router.calls if not call.request.url.path.endswith("/login")]
    assert len(calls) == attempts
    if isinstance(caught.value, RateLimitedError):
        assert caught.value.retry_after == 0.0


@pytest.mark.parametrize("key", KEYS)
def test_unauthorised_refreshes_once_then_fails(sandbox: SandboxHandle, key: str) -> None:
    config, router = _mocked(key, sandbox, httpx.Response(401))

    async def go() -> None:
        async with c.client() as client:
            adapter = build_adapter(config, client)
            await adapter.get_listing("100001")

    with router:
        with pytest.raises(AuthError):
            run(go())
        calls = [call for call in router.calls if not call.request.url.path.endswith("/login")]
    assert 1 <= len(calls) <= 2
