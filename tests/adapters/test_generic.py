"""The generic adapter: profiles, templates, Sendo's login and token paging, Lazada's signature."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from adapters.base import AccountConfig, Listing, ListingState, OrderStatus, RemoteImageRef
from adapters.generic import GenericAdapter
from adapters.generic.profile import (
    PROFILE_DIR,
    ListingStates,
    OrderStatuses,
    Profile,
    get_profile,
    load_profile,
    profile_names,
)
from adapters.generic.signing import sign
from adapters.generic.template import render
from adapters.http import RetryPolicy, set_default_policy
from catalog.errors import AuthError, ConfigurationError, RateLimitedError, RejectedError


@pytest.fixture(autouse=True)
def fast_policy() -> Any:
    previous = set_default_policy(RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002, deadline=5))
    yield
    set_default_policy(previous)


def test_shipped_profiles_load() -> None:
    assert {"sandbox", "sendo", "lazada"} <= set(profile_names())
    for name in profile_names():
        profile = get_profile(name)
        assert profile.operations["orders"].path.startswith("/")


def _faulty(tmp_path: Path, old: str, new: str, name: str = "sandbox") -> Path:
    text = (PROFILE_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [
        ('scheme = "api_key"', 'scheme = "magic"', "auth.scheme", "not one of"),
        ('images = "upload"', 'images = "fax"', "capabilities.images", "not one of"),
        ("[operations.find]", "[operations.lookup]", "operations.lookup", "unknown operation"),
        ('path = "/v1/orders"', 'path = "v1/orders"', "operations.orders.path", "must start with /"),
        ("max_order_window_days = 31", "max_order_window_days = 0", "capabilities.max_order_window_days", "at least 1"),
        ('param = "page", ', "", "operations.orders.pagination.param", "needs a parameter"),
        ("delisted = [\"inactive\"]", "gone = [\"inactive\"]", "listing.states.gone", "not one of"),
        ('image_profile = "default"', 'image_profile = "nope"', "capabilities.image_profile", "nope"),
        ('[listing]\nid = "id"', '[listing]\ncolour = "red"\nid = "id"', "listing.colour", "unknown key"),
        ('title = "S', 'titel = "S', "titel", "unknown key (known: title, capabilities"),
        ("[listing.states]", "[listing.statez]", "listing.statez", "unknown key"),
        ('file_field = "file"', 'file_field = "file"\nfield = "x"', "operations.upload_image.field", "unknown key"),
        ("needs_review = true", 'needs_review = "yes"', "capabilities.needs_review", "must be true or false"),
        ("batch_limit = 1", "batch_limit = 1.5", "capabilities.batch_limit", "must be a whole number"),
        ("requests_per_second = 100", "requests_per_second = 0", "capabilities.requests_per_second", "positive"),
        ('retry = ["internal", "system_busy"]', "retry = [{}]", "errors.retry", "must be a list of strings"),
        ('name = "X-Api-Key"\n', "", "auth.name", "missing"),
        ('credentials = ["api_key"]', "credentials = []", "auth.credentials", "list the secrets"),
    ],
)
def test_faulty_profile_names_file_key_and_reason(tmp_path: Path, old: str, new: str, key: str, reason: str) -> None:
    path = _faulty(tmp_path, old, new)
    with pytest.raises(ConfigurationError) as caught:
        load_profile(path)
    error = caught.value
    assert error.code == "adapters.profile_invalid"
    assert error.params["file"] == str(path)
    assert error.params["key"] == key
    assert reason in error.params["reason"]
    assert str(path) in error.message("vi") and key in error.message("vi")


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [
        ('token_path = "result.token"\n', "", "auth.token_path", "missing"),
        ("[auth.login]", "[auth.logon]", "auth.logon", "unknown key"),
        ("rate = 5", "rate = -5", "auth.login.rate", "must be a positive number"),
        ('style = "token"', 'style = "pages"', "operations.orders.pagination.style", "'pages' is not one of"),
    ],
)
def test_faulty_login_profile(tmp_path: Path, old: str, new: str, key: str, reason: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_profile(_faulty(tmp_path, old, new, "sendo"))
    assert caught.value.params["key"] == key and reason in caught.value.params["reason"]


def test_the_state_tables_name_our_states() -> None:
    assert tuple(ListingStates.model_fields) == tuple(s.value for s in ListingState)
    assert tuple(OrderStatuses.model_fields) == tuple(s.value for s in OrderStatus)
    assert Profile.model_json_schema()["additionalProperties"] is False  # the models are the schema


def test_missing_tables_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bare.toml"
    path.write_text('title = "Bare"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_profile(path)
    assert (caught.value.params["key"], caught.value.params["reason"]) == ("capabilities", "missing table")


def test_unparseable_profile(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[auth\nscheme=", encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_profile(path)
    assert caught.value.params["file"] == str(path)


def test_missing_operation_and_unknown_profile(tmp_path: Path) -> None:
    path = _faulty(tmp_path, "[operations.get]", "[operations.delist_again]")
    with pytest.raises(ConfigurationError):
        load_profile(path)
    with pytest.raises(ConfigurationError) as caught:
        get_profile("tiki-made-up")
    assert caught.value.code == "adapters.profile_unknown"


def test_template_rendering() -> None:
    moment = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    context = {"sku": "A", "price": 1000, "images": ["u1", "u2"], "none": None, "since": moment}
    assert render("{price}", context) == 1000
    assert render("SKU-{sku}", context) == "SKU-A"
    assert render({"a": "{none}", "b": "{sku}"}, context) == {"b": "A"}
    assert render({"$each": "images", "item": {"url": "{value}"}}, context) == [{"url": "u1"}, {"url": "u2"}]
    assert render({"$json": {"p": "{price}"}}, context) == '{"p":1000}'
    assert render("{since:iso}", context) == "2026-03-01T09:30:00+07:00"
    assert render("{since:epoch}", context) == int(moment.timestamp())
    assert render("{since:%Y/%m/%d}", context) == "2026/03/01"


# -- Lazada: signatures against vectors computed here from the documented algorithm ----------


def lazada_reference_sign(api: str, params: dict[str, str], secret: str) -> str:
    """Lazada's documented algorithm, written independently of adapters.generic.signing."""
    text = api
    for key in sorted(params):
        if key == "sign":
            continue
        text += key + params[key]
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest().upper()


def test_lazada_signature_vectors() -> None:
    params = {"app_key": "123456", "timestamp": "1517820392000", "sign_method": "sha256",
              "access_token": "tok", "order_id": "1234"}
    ours = sign("{path}{sorted_params}", path="/order/get", params=params.items(), key="helloworld", upper=True)
    assert ours == lazada_reference_sign("/order/get", params, "helloworld")
    assert ours == ours.upper() and len(ours) == 64
    known = hmac.new(b"helloworld", b"/order/getaccess_tokentokapp_key123456order_id1234sign_methodsha256"
                     b"timestamp1517820392000", hashlib.sha256).hexdigest().upper()
    assert ours == known


LAZADA = AccountConfig(name="lz", marketplace="generic", base_url="https://api.lazada.test/rest", profile="lazada",
                       credentials={"app_key": "100200", "app_secret": "lzsecretvalue", "access_token": "lztokenvalue"})


def _check_lazada_request(request: httpx.Request) -> dict[str, str]:
    params = dict(request.url.params.multi_items())
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(request.content.decode()))
    api = request.url.path.removeprefix("/rest")
    assert params["sign"] == lazada_reference_sign(api, params, "lzsecretvalue")
    assert params["app_key"] == "100200" and params["sign_method"] == "sha256"
    return params


@respx.mock
def test_lazada_create_and_orders_are_signed() -> None:
    seen: list[dict[str, str]] = []
    offsets: list[int] = []

    def create(request: httpx.Request) -> httpx.Response:
        params = _check_lazada_request(request)
        seen.append(params)
        payload = json.loads(params["payload"])
        assert payload["Request"]["Product"]["Skus"]["Sku"][0]["SellerSku"] == "GAO"
        return httpx.Response(200, json={"code": "0", "data": {"item_id": 777}})

    def orders(request: httpx.Request) -> httpx.Response:
        params = _check_lazada_request(request)
        offset = int(params["offset"])
        offsets.append(offset)
        batch = [] if offset >= 100 else [
            {"order_id": 5000 + i, "statuses": ["delivered"], "created_at": "2026-03-01T09:00:00+07:00",
             "updated_at": "2026-03-02T10:00:00+07:00", "price": "370000.00"} for i in range(3)]
        return httpx.Response(200, json={"code": "0", "data": {"orders": batch, "count": len(batch)}})

    def items(request: httpx.Request) -> httpx.Response:
        _check_lazada_request(request)
        return httpx.Response(200, json={"code": "0", "data": [
            {"sku": "GAO", "item_price": "185000.00", "paid_price": "185000.00", "name": "Gạo", "product_id": 777},
            {"sku": "GAO", "item_price": "185000.00", "paid_price": "185000.00", "name": "Gạo", "product_id": 777},
        ]})

    respx.post("https://api.lazada.test/rest/product/create").mock(side_effect=create)
    respx.get("https://api.lazada.test/rest/orders/get").mock(side_effect=orders)
    respx.get("https://api.lazada.test/rest/order/items/get").mock(side_effect=items)

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            adapter = GenericAdapter(LAZADA, client)
            listing = Listing(sku="GAO", title="Gạo ST25 5kg", description="Gạo", price=185000, stock=5, unit="túi",
                              category_id="10001", images=(RemoteImageRef("url", "https://vn-live.slatic.net/a.jpg",
                                                                          "s"),))
            created = await adapter.upsert_listing(listing)
            since = datetime(2026, 3, 1, tzinfo=UTC)
            first = await adapter.list_orders(since=since, until=since + timedelta(days=5))
            second = await adapter.list_orders(since=since, until=since + timedelta(days=5), cursor="100")
            return created, first, second

    created, first, second = asyncio.run(go())
    assert created.remote_id == "777" and created.sku == "GAO"
    assert len(first.orders) == 3 and first.next_cursor is None  # fewer than a page: the last one
    assert second.orders == () and offsets == [0, 100]
    order = first.orders[0]
    assert order.status is OrderStatus.delivered and order.total == 370000 and len(order.lines) == 2
    assert seen and "lzsecretvalue" not in json.dumps(seen)


@respx.mock
def test_lazada_body_codes() -> None:
    respx.get("https://api.lazada.test/rest/product/item/get").mock(side_effect=[
        httpx.Response(200, json={"code": "ApiCallLimit", "type": "ISP", "message": "too frequent"}),
        httpx.Response(200, json={"code": "ApiCallLimit", "type": "ISP", "message": "too frequent"}),
        httpx.Response(200, json={"code": "ApiCallLimit", "type": "ISP", "message": "too frequent"}),
    ])
    respx.get("https://api.lazada.test/rest/products/get").mock(
        return_value=httpx.Response(200, json={"code": "IncompleteSignature", "type": "ISV", "message": "sign"}))

    async def go(op: str) -> Any:
        async with httpx.AsyncClient() as client:
            adapter = GenericAdapter(LAZADA, client)
            if op == "get":
                return await adapter.get_listing("1")
            return await adapter.find_by_sku("X")

    with pytest.raises(RateLimitedError):
        asyncio.run(go("get"))
    with pytest.raises(AuthError):
        asyncio.run(go("find"))


# -- Sendo: login for an expiring token, one upsert endpoint, token-paged search -------------


SENDO = AccountConfig(name="sd", marketplace="generic", base_url="https://open.sendo.test", profile="sendo",
                      credentials={"shop_key": "shopkey123", "secret_key": "sendosecretvalue"})


@respx.mock
def test_sendo_login_upsert_refresh_and_token_paging() -> None:
    tokens = iter(["tokenAAAA1", "tokenBBBB2"])
    login = respx.post("https://open.sendo.test/login").mock(side_effect=lambda request: httpx.Response(
        200, json={"success": True, "result": {"token": next(tokens), "expires": "2099-01-01T00:00:00Z"}}))
    bodies: list[dict[str, Any]] = []

    def upsert(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        if request.headers["Authorization"] == "bearer tokenAAAA1" and len(bodies) == 2:
            return httpx.Response(401, json={"success": False, "error": {"message": "token expired"}})
        if body["price"] < 1000:
            return httpx.Response(400, json={"success": False, "error": {
                "message": "invalid", "error_details": [{"field": "price", "message": "too low"}]}})
        return httpx.Response(200, json={"success": True, "result": 9001})

    pages: list[Any] = []

    def search(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        pages.append(body.get("token"))
        order = {"sales_order": {"order_number": f"SD{len(pages)}", "order_status": 8,
                                 "order_date_time_stamp": 1_772_335_800, "updated_date_time_stamp": 1_772_422_200,
                                 "total_amount": 100000},
                 "sku_details": [{"sku": "GAO", "quantity": 1, "price": 100000, "sub_total": 100000}]}
        nxt = "page-2" if body.get("token") is None else None
        return httpx.Response(200, json={"success": True, "result": {"data": [order], "next_token": nxt}})

    respx.post("https://open.sendo.test/api/partner/product").mock(side_effect=upsert)
    respx.post("https://open.sendo.test/api/partner/salesorder/search").mock(side_effect=search)
    listing = Listing(sku="GAO", title="Gạo ST25 5kg", description="Gạo", price=185000, stock=0, unit="túi",
                      category_id="2001", images=(RemoteImageRef("url", "https://media.example/a.jpg", "s"),))

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            adapter = GenericAdapter(SENDO, client)
            created = await adapter.upsert_listing(listing)
            updated = await adapter.upsert_listing(listing, remote_id=created.remote_id)
            with pytest.raises(RejectedError) as caught:
                await adapter.upsert_listing(_cheap(listing), remote_id="9001")
            since = datetime(2026, 3, 1, tzinfo=UTC)
            first = await adapter.list_orders(since=since, until=since + timedelta(days=3))
            second = await adapter.list_orders(since=since, until=since + timedelta(days=3), cursor=first.next_cursor)
            with pytest.raises(RejectedError):
                await adapter.list_orders(since=since, until=since + timedelta(days=4))
            return created, updated, caught.value, first, second

    created, updated, rejected, first, second = asyncio.run(go())
    assert created.remote_id == "9001" and updated.remote_id == "9001"
    assert bodies[0]["id"] == 0 and bodies[-1]["id"] == 9001
    assert bodies[0]["stock_availability"] is False and bodies[0]["avatar"] == {"picture_url": "https://media.example/a.jpg"}
    assert login.call_count == 2  # the expired token was refreshed once
    assert rejected.fields == {"price": "too low"}
    assert pages == [None, "page-2"] and first.next_cursor == "page-2" and second.next_cursor is None
    assert first.orders[0].status is OrderStatus.completed and first.orders[0].total == 100000


def _cheap(listing: Listing) -> Listing:
    from dataclasses import replace

    return replace(listing, price=5)


LINKED = """
title = "Linked"
[capabilities]
images = "url"
pagination = "link"
requests_per_second = 1000
[auth]
scheme = "api_key"
credentials = ["token"]
location = "query"
name = "key"
value = "{token}"
[errors]
message_header = "X-Error-Message"
rate_limited = ["THROTTLED"]
code_path = "status"
success_codes = ["", "ok"]
[operations.create]
method = "POST"
path = "/items"
encoding = "form"
body = { sku = "{sku}", price = "{price}", tags = "{images}" }
id_path = "id"
[operations.get]
method = "GET"
path = "/items/{remote_id}"
item_path = "item"
[operations.find]
method = "GET"
path = "/items"
query = { sku = "{sku}", fields = ["id", "sku", "state"] }
items_path = "items"
[operations.stock_price]
method = "PUT"
path = "/items/{remote_id}/stock"
encoding = "query"
body = { qty = "{stock}", price = "{price}" }
[operations.orders]
method = "GET"
path = "/orders"
query = { from = "{since:epoch}", to = "{until:epoch}" }
items_path = "orders"
pagination = { style = "link" }
[listing]
id = "id"
sku = "sku"
state = "state"
[listing.states]
active = ["on"]
delisted = ["off"]
[order]
id = "no"
status = "st"
placed_at = "at"
updated_at = "at"
total = "sum"
time_format = "epoch_ms"
[order.statuses]
completed = ["done"]
"""


@respx.mock
def test_custom_profile_link_pages_query_key_form_body_and_header_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "linked.toml"
    path.write_text(LINKED, encoding="utf-8")
    config = AccountConfig(name="ln", marketplace="generic", base_url="https://linked.test/api", profile=str(path),
                           credentials={"token": "querysecretkey"})
    base = "https://linked.test/api"

    def create(request: httpx.Request) -> httpx.Response:
        form = parse_qsl(request.content.decode())
        assert ("sku", "A") in form and ("price", "1000") in form
        assert request.url.params["key"] == "querysecretkey"
        return httpx.Response(200, json={"id": 12})

    respx.post(f"{base}/items").mock(side_effect=create)
    find = respx.get(f"{base}/items").mock(return_value=httpx.Response(
        200, json={"items": [{"id": 12, "sku": "A", "state": "on"}]}))
    respx.put(f"{base}/items/12/stock").mock(return_value=httpx.Response(
        429, headers={"X-Error-Message": "slow down", "Retry-After": "0"}))
    respx.get(f"{base}/orders", params={"page": "2"}).mock(return_value=httpx.Response(
        200, json={"orders": [{"no": "O2", "st": "done", "at": 1_772_335_800_000, "sum": 5000, "lines": []}]}))
    respx.get(f"{base}/orders").mock(return_value=httpx.Response(
        200, json={"orders": [{"no": "O1", "st": "done", "at": 1_772_335_800_000, "sum": 4000, "lines": []}]},
        headers={"Link": f'<{base}/orders?page=2&key=querysecretkey>; rel="next"'}))

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            adapter = GenericAdapter(config, client)
            images = (RemoteImageRef("url", "https://m.test/1.jpg", "s"),)
            created = await adapter.upsert_listing(Listing(sku="A", title="Tên", description="", price=1000, stock=1,
                                                           unit="gói", category_id=None, images=images))
            found = await adapter.find_by_sku("A")
            with pytest.raises(RateLimitedError) as caught:
                await adapter.update_stock_price("12", price=1000, stock=2)
            since = datetime(2026, 3, 1, tzinfo=UTC)
            first = await adapter.list_orders(since=since, until=since + timedelta(days=1))
            second = await adapter.list_orders(since=since, until=since + timedelta(days=1), cursor=first.next_cursor)
            return created, found, caught.value, first, second

    with caplog.at_level(logging.DEBUG):
        created, found, limited, first, second = asyncio.run(go())
    assert created.remote_id == "12" and found is not None and found.state.value == "active"
    assert find.calls[0].request.url.params.get_list("fields") == ["id", "sku", "state"]
    assert "slow down" in limited.params["detail"]
    assert [o.remote_id for o in first.orders] == ["O1"] and first.next_cursor is not None
    assert [o.remote_id for o in second.orders] == ["O2"] and second.next_cursor is None
    assert first.orders[0].placed_at == datetime.fromtimestamp(1_772_335_800, UTC)
    assert "querysecretkey" not in caplog.text
    assert "querysecretkey" not in str(limited)


@respx.mock
def test_cursor_paging_parameters_are_added_when_the_template_omits_them(tmp_path: Path) -> None:
    text = LINKED.replace('pagination = { style = "link" }',
                          'pagination = { style = "cursor", param = "after", size = 2, size_param = "limit", '
                          'next_path = "next", more_path = "more" }')
    path = tmp_path / "cursor.toml"
    path.write_text(text, encoding="utf-8")
    config = AccountConfig(name="cu", marketplace="generic", base_url="https://cursor.test", profile=str(path),
                           credentials={"token": "cursorsecret"})
    seen: list[dict[str, str]] = []

    def orders(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        seen.append(params)
        more = "after" not in params
        return httpx.Response(200, json={"orders": [], "more": more, "next": "c2" if more else "c3"})

    respx.get("https://cursor.test/orders").mock(side_effect=orders)

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            adapter = GenericAdapter(config, client)
            since = datetime(2026, 3, 1, tzinfo=UTC)
            first = await adapter.list_orders(since=since, until=since + timedelta(days=1))
            second = await adapter.list_orders(since=since, until=since + timedelta(days=1), cursor=first.next_cursor)
            return first, second

    first, second = asyncio.run(go())
    assert first.next_cursor == "c2" and second.next_cursor is None  # "more" false ends it
    assert "after" not in seen[0] and seen[1]["after"] == "c2"
    assert seen[0]["limit"] == "2" and seen[0]["from"] == str(int(datetime(2026, 3, 1, tzinfo=UTC).timestamp()))
