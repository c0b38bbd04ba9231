"""postmart as ``adapters/postmart/CONTRACT.md`` writes it, mounted at ``/postmart``: every request
signed (HMAC-SHA256 of partner id, path, timestamp and shop id; a timestamp is good for 5
minutes), images uploaded for an id, items by id or SKU, price and stock in batches with partial
failure, orders listed in windows of at most 15 days with a cursor then read in detail; every
answer in the ``{"error", "message", "request_id", "response"}`` envelope, mostly HTTP 200."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from catalog.images import POSTMART_PROFILE
from connector.sandbox.contract import (
    Contract,
    Refused,
    Routes,
    api_key_account,
    read_json,
    scope_headers,
    state_of,
    to_int,
    unknown_images,
    uploaded_file,
    validate_common,
)
from connector.sandbox.images import image_bytes_problem
from connector.sandbox.state import Order, Product, SandboxState, Shop

SIGN_WINDOW = 300  # seconds a timestamp stays valid
MAX_ORDER_WINDOW = 15 * 86400  # seconds

_STATUS = {"pending": "REVIEWING", "active": "NORMAL", "rejected": "BANNED", "delisted": "UNLIST"}
_ORDER_STATUS = {
    "pending": "UNPAID",
    "confirmed": "READY_TO_SHIP",
    "shipping": "SHIPPED",
    "delivered": "TO_CONFIRM_RECEIVE",
    "completed": "COMPLETED",
    "cancelled": "CANCELLED",
    "returned": "TO_RETURN",
}
_FIELDS = {"title": "item_name", "price": "original_price", "stock": "seller_stock", "images": "image.image_id_list"}

routes = Routes("/postmart/api/v2")


# -- envelope and records -----------------------------------------------------------------------


def _answer(
    response: Any = None,
    *,
    error: str = "",
    message: str = "",
    status: int = 200,
    fields: list[dict[str, str]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "error": error,
        "message": message,
        "request_id": secrets.token_hex(8),
        "response": response,
    }
    if fields:
        body["field_errors"] = fields
    return JSONResponse(body, status_code=status)


def _postmart_fields(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"field": _FIELDS.get(p["field"], p["field"]), "message": p["message"]} for p in problems]


def _item(product: Product) -> dict[str, Any]:
    return {
        "item_id": product.id,
        "item_sku": product.sku,
        "item_name": product.title,
        "item_status": _STATUS[product.status],
        "price_info": [{"original_price": product.price, "currency": "VND"}],
        "stock_info": [{"seller_stock": product.stock}],
        "image": {"image_id_list": list(product.images)},
        "review_reasons": _postmart_fields(product.reasons),
        "create_time": int(datetime.fromisoformat(product.created_at).timestamp()),
        "update_time": int(datetime.fromisoformat(product.updated_at).timestamp()),
    }


def _order_detail(order: Order, status: str, at: datetime) -> dict[str, Any]:
    placed = datetime.fromisoformat(order.placed_at)
    return {
        "order_sn": order.id,
        "order_status": _ORDER_STATUS[status],
        "create_time": int(placed.timestamp()),
        "update_time": int(at.timestamp()),
        "ship_by_date": int((placed + timedelta(days=2)).timestamp()),
        "total_amount": order.total,
        "currency": "VND",
        "region": order.province,
        "item_list": [
            {
                "item_id": line["product_id"],
                "item_sku": line["sku"],
                "item_name": line["title"],
                "model_quantity_purchased": line["quantity"],
                "model_discounted_price": line["unit_price"],
                "line_amount": line["amount"],
            }
            for line in order.lines
        ],
    }


# -- the door -----------------------------------------------------------------------------------


def _authenticate(request: Request) -> Shop:
    state = state_of(request)
    query = request.query_params
    partner_id = query.get("partner_id", "")
    shop = state.shop_by("postmart", "partner_id", partner_id)
    if shop is None:
        state.counts["auth_failed"] += 1
        raise Refused(_answer(error="error_auth", message="Unknown partner_id.", status=403))
    timestamp = to_int(query.get("timestamp"))
    if timestamp is None or abs(time.time() - timestamp) > SIGN_WINDOW:
        state.counts["auth_failed"] += 1
        raise Refused(_answer(error="error_param", message="Timestamp is expired.", status=400,
                              fields=[{"field": "timestamp", "message": "expired"}]))
    api_path = request.url.path.removeprefix("/postmart")
    signed = f"{partner_id}{api_path}{timestamp}{query.get('shop_id', '')}"
    expected = hmac.new(shop.credentials["partner_key"].encode(), signed.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, query.get("sign", "")):
        state.counts["auth_failed"] += 1
        raise Refused(_answer(error="error_sign", message="Wrong sign.", status=403))
    return shop


def _not_found(pid: int) -> JSONResponse:
    return _answer(error="error_item_not_found", message="Item not found.")


def _account_key(scope: MutableMapping[str, Any], state: SandboxState) -> str:
    headers = scope_headers(scope)
    query = scope.get("query_string", b"").decode()
    for part in query.split("&"):
        if part.startswith("partner_id="):
            return "postmart:" + str(part[len("partner_id=") :])
    return api_key_account(headers)  # unsigned: the bucket of a request without a partner


def _fault_body(code: str, message: str) -> dict[str, Any]:
    return {"error": code, "message": message, "request_id": "fault", "response": None}


# -- routes -------------------------------------------------------------------------------------


def _item_fields(body: dict[str, Any]) -> dict[str, Any]:
    prices = body.get("price_info") or [{}]
    stocks = body.get("seller_stock") or [{}]
    return {
        "sku": str(body.get("item_sku") or ""),
        "title": body.get("item_name"),
        "description": str(body.get("description") or ""),
        "price": prices[0].get("original_price") if isinstance(prices[0], dict) else None,
        "stock": stocks[0].get("stock") if isinstance(stocks[0], dict) else None,
        "unit": str(body.get("unit") or "cái"),
        "category_id": body.get("category_id"),
        "images": [str(i) for i in (body.get("image") or {}).get("image_id_list") or []],
        "attributes": {
            str(a.get("attribute_name")): str(a.get("value"))
            for a in body.get("attribute_list") or []
            if isinstance(a, dict)
        },
        "weight_g": to_int(body.get("weight_gram")),
    }


def _item_problems(state: SandboxState, shop: Shop, data: dict[str, Any]) -> list[dict[str, str]]:
    problems = _postmart_fields(validate_common(data, title_max=120))
    images = data["images"]
    if len(images) > POSTMART_PROFILE.max_count:
        problems.append({"field": "image.image_id_list", "message": f"Tối đa {POSTMART_PROFILE.max_count} ảnh."})
    for _, image_id in unknown_images(state, shop, images):
        problems.append({"field": "image.image_id_list", "message": f"Ảnh {image_id} chưa được tải lên."})
    return problems


@routes.post("/product/add_item")
async def add_item(request: Request) -> JSONResponse:
    shop = POSTMART.authenticate(request)
    state = state_of(request)
    data = _item_fields(await read_json(request))
    problems = _item_problems(state, shop, data)
    if problems:
        state.counts["rejected"] += 1
        return _answer(error="error_param", message="Invalid item.", fields=problems)
    return _answer(_item(state.create_product(shop, data)))


@routes.post("/product/update_item")
async def update_item(request: Request) -> JSONResponse:
    shop = POSTMART.authenticate(request)
    state = state_of(request)
    body = await read_json(request)
    product = POSTMART.owned(request, shop, to_int(body.get("item_id")) or 0)
    data = _item_fields(body)
    problems = _item_problems(state, shop, data)
    if problems:
        state.counts["rejected"] += 1
        return _answer(error="error_param", message="Invalid item.", fields=problems)
    if product.status == "pending":
        return _answer(error="error_item_reviewing", message="Item is under review.")
    return _answer(_item(state.update_product(product, data)))


@routes.get("/product/get_item_base_info")
async def base_info(request: Request, item_id_list: str = "") -> JSONResponse:
    shop = POSTMART.authenticate(request)
    state = state_of(request)
    items = []
    for raw in item_id_list.split(","):
        product = state.product(shop, to_int(raw) or 0)
        if product is not None:
            items.append(_item(product))
    return _answer({"item_list": items})


@routes.get("/product/search_item")
async def search_item(request: Request, item_sku: str = "") -> JSONResponse:
    shop = POSTMART.authenticate(request)
    return _answer({"item_list": [_item(p) for p in state_of(request).by_sku(shop, item_sku)]})


@routes.post("/product/update_price_stock")
async def price_stock(request: Request) -> JSONResponse:
    shop = POSTMART.authenticate(request)
    state = state_of(request)
    body = await read_json(request)
    success, failure = [], []
    for entry in body.get("item_list") or []:
        item_id = to_int(entry.get("item_id")) if isinstance(entry, dict) else None
        product = state.product(shop, item_id or 0)
        price, stock = (
            (entry.get("original_price"), entry.get("stock")) if isinstance(entry, dict) else (None, None)
        )
        if product is None:
            failure.append({"item_id": item_id, "failed_reason": "error_item_not_found"})
        elif not isinstance(price, int) or price < 1000 or not isinstance(stock, int) or stock < 0:
            failure.append({"item_id": item_id, "failed_reason": "error_param: price/stock"})
        else:
            state.update_product(product, {"price": price, "stock": stock})
            success.append(_item(product))
    return _answer({"success_list": success, "failure_list": failure})


@routes.post("/product/unlist_item")
async def unlist(request: Request) -> JSONResponse:
    shop = POSTMART.authenticate(request)
    state = state_of(request)
    body = await read_json(request)
    success, failure = [], []
    for entry in body.get("item_list") or []:
        item_id = to_int(entry.get("item_id")) if isinstance(entry, dict) else None
        product = state.product(shop, item_id or 0)
        if product is None:
            failure.append({"item_id": item_id, "failed_reason": "error_item_not_found"})
        else:
            state.update_product(product, {"status": "delisted"})
            success.append({"item_id": product.id})
    return _answer({"success_list": success, "failure_list": failure})


@routes.post("/media_space/upload_image")
async def upload(request: Request) -> JSONResponse:
    shop = POSTMART.authenticate(request)
    data = await uploaded_file(request, "image")
    if data is None:
        return _answer(
            error="error_param", message="can't find image file", fields=[{"field": "image", "message": "missing"}]
        )
    problem = image_bytes_problem(data, POSTMART_PROFILE)
    if problem:
        return _answer(error="error_image_invalid", message=problem, fields=[{"field": "image", "message": problem}])
    return _answer({"image_info": {"image_id": state_of(request).store_image(shop, data)}})


@routes.get("/order/get_order_list")
async def order_list(
    request: Request,
    time_from: int = 0,
    time_to: int = 0,
    page_size: int = 50,
    cursor: str = "",
    time_range_field: str = "update_time",
) -> JSONResponse:
    shop = POSTMART.authenticate(request)
    state = state_of(request)
    if time_range_field != "update_time":
        return _answer(error="error_param", message="Only update_time is supported.")
    if time_to <= time_from or time_to - time_from > MAX_ORDER_WINDOW:
        return _answer(error="order.order_list_invalid_time", message="The time range must be at most 15 days.")
    state.ensure_backfill(shop)
    found = state.orders_updated(shop, datetime.fromtimestamp(time_from, UTC), datetime.fromtimestamp(time_to, UTC))
    offset = to_int(cursor) or 0
    size = max(1, min(100, page_size))
    page = found[offset : offset + size]
    more = offset + size < len(found)
    return _answer(
        {
            "order_list": [{"order_sn": o.id} for o, _, _ in page],
            "more": more,
            "next_cursor": str(offset + size) if more else "",
        }
    )


@routes.get("/order/get_order_detail")
async def order_detail(request: Request, order_sn_list: str = "") -> JSONResponse:
    shop = POSTMART.authenticate(request)
    state = state_of(request)
    now = state.now()
    out = []
    for sn in [sn for sn in order_sn_list.split(",") if sn][:50]:
        order = state.orders.get(sn)
        if order is None or order.shop_id != shop.shop_id:
            continue
        current = state.status_at(order, now)
        if current is not None:
            out.append(_order_detail(order, *current))
    return _answer({"order_list": out})


POSTMART = Contract(
    name="postmart",
    routes=routes,
    authenticate=_authenticate,
    not_found=_not_found,
    error_body=_fault_body,
    rate_limit_body={
        "error": "error_rate_limit",
        "message": "Too many requests, please slow down.",
        "request_id": "rl",
        "response": None,
    },
    account_key=_account_key,
)
