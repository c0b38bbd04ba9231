"""The built-in auth flows put on the wire what the contracts document (``CONTRACT.md``)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx

from adapters.base import AccountConfig
from adapters.http import RetryPolicy, set_default_policy
from adapters.postmart import PostmartAdapter, PostmartSignature
from adapters.voso import VosoAdapter
from catalog.errors import ConfigurationError

BASE = "https://market.test/api"


@pytest.fixture(autouse=True)
def fast_policy() -> Iterator[None]:
    previous = set_default_policy(RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002, deadline=5))
    yield
    set_default_policy(previous)


def _signed(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params.multi_items())


def test_postmart_signature_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    import adapters.postmart.auth as auth_module

    monkeypatch.setattr(auth_module, "time", SimpleNamespace(time=lambda: 1_772_335_800.5))
    config = AccountConfig(name="pm", marketplace="postmart", base_url=BASE, shop_id="77",
                           credentials={"partner_id": "1001", "partner_key": "pmkeyvalue"})
    request = httpx.Request("GET", f"{BASE}/api/v2/product/search_item?item_sku=A")
    signed = next(PostmartSignature(config).sync_auth_flow(request))
    expected = hmac.new(b"pmkeyvalue", b"1001/api/v2/product/search_item177233580077", hashlib.sha256).hexdigest()
    assert _signed(signed) == {"item_sku": "A", "partner_id": "1001", "timestamp": "1772335800", "sign": expected,
                               "shop_id": "77"}


def test_postmart_signature_needs_both_keys() -> None:
    config = AccountConfig(name="pm", marketplace="postmart", base_url=BASE, credentials={"partner_id": "1001"})
    with pytest.raises(ConfigurationError) as caught:
        next(PostmartSignature(config).sync_auth_flow(httpx.Request("GET", f"{BASE}/x")))
    assert caught.value.code == "adapters.credentials_missing"


@respx.mock
def test_postmart_signs_each_attempt_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    import adapters.postmart.auth as auth_module

    moments = iter([1000.0, 1007.0])
    monkeypatch.setattr(auth_module, "time", SimpleNamespace(time=lambda: next(moments)))
    route = respx.get(f"{BASE}/api/v2/product/search_item").mock(side_effect=[
        httpx.Response(200, json={"error": "error_system_busy", "message": "busy"}),
        httpx.Response(200, json={"error": "", "response": {"item_list": []}}),
    ])
    config = AccountConfig(name="pm2", marketplace="postmart", base_url=BASE,
                           credentials={"partner_id": "1001", "partner_key": "pmkeyvalue"})

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await PostmartAdapter(config, client).find_by_sku("A")

    assert asyncio.run(go()) is None
    assert [_signed(call.request)["timestamp"] for call in route.calls] == ["1000", "1007"]


@respx.mock
def test_voso_logs_in_then_sends_the_bearer_token() -> None:
    login = respx.post(f"{BASE}/api/login").mock(return_value=httpx.Response(
        200, json={"success": True, "result": {"token": "vosotoken1", "expires_in": 28800}}))
    product = respx.get(f"{BASE}/api/products").mock(return_value=httpx.Response(
        200, json={"success": True, "result": {"items": []}}))
    config = AccountConfig(name="vs", marketplace="voso", base_url=BASE,
                           credentials={"username": "shop", "password": "vosopassword"})

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            adapter = VosoAdapter(config, client)
            await adapter.find_by_sku("A")
            await adapter.find_by_sku("B")

    asyncio.run(go())
    assert login.call_count == 1 and "Authorization" not in login.calls[0].request.headers
    assert [call.request.headers["Authorization"] for call in product.calls] == ["Bearer vosotoken1"] * 2
