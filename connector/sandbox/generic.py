"""The generic marketplace as ``adapters/generic/profiles/sandbox.toml`` describes it, mounted at
``/generic``: a static API key in ``X-Api-Key``, REST endpoints for products, images uploaded for
an id, orders by page in windows of at most 31 days; answers ``{"data": …}`` or ``{"error":
{"code", "message", "fields"}}`` with a meaningful HTTP status."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from catalog.images import DEFAULT_PROFILE
from connector.sandbox.contract import (
    VN_TZ,
    Contract,
    Refused,
    Routes,
    api_key_account,
    base_url,
    local,
    parse_when,
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

MAX_ORDER_WINDOW = timedelta(days=31)

_STATUS = {"pending": "pending", "active": "active", "rejected": "rejected", "delisted": "inactive"}
_ORDER_STATUS = {
    "pending": "pending",
    "confirmed": "confirmed",
    "shipping": "shipped",
    "delivered": "delivered",
    "completed": "completed",
    "cancelled": "cancelled",
    "returned": "returned",
}

routes = Routes("/generic/v1")


# -- envelope and records -----------------------------------------------------------------------


def _error(status: int, code: str, message: str, fields: list[dict[str, str]] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or []}}, status_code=status)


def _product(product: Product, request: Request) -> dict[str, Any]:
    return {
        "id": str(product.id),
        "sku": product.sku,
        "title": product.title,
        "description": product.description,
        "price": product.price,
        "stock": product.stock,
        "unit": product.unit,
        "category": product.category_id,
        "images": list(product.images),
        "status": _STATUS[product.status],
        "reasons": list(product.reasons),
        "url": f"{base_url(request, 'generic')}/p/{product.id}",
        "updated_at": local(product.updated_at),
    }


def _order(order: Order, status: str, at: datetime) -> dict[str, Any]:
    return {
        "id": order.id,
        "status": _ORDER_STATUS[status],
        "placed_at": local(order.placed_at),
        "updated_at": at.astimezone(VN_TZ).isoformat(),
        "total": order.total,
        "province": order.province,
        "lines": [
            {
                "sku": line["sku"],
                "product_id": str(line["product_id"]),
                "title": line["title"],
                "quantity": line["quantity"],
                "unit_price": line["unit_price"],
                "amount": line["amount"],
            }
            for line in order.lines
        ],
    }


def _data(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"data": value}, status_code=status)


# -- the door -----------------------------------------------------------------------------------


def _authenticate(request: Request) -> Shop:
    state = state_of(request)
    key = request.headers.get("x-api-key", "")
    shop = state.shop_by("generic", "api_key", key) if key else None
    if shop is None:
        state.counts["auth_failed"] += 1
        raise Refused(_error(401, "unauthorized", "Khóa API không hợp lệ."))
    return shop


def _not_found(pid: int) -> JSONResponse:
    return _error(404, "not_found", f"Không có sản phẩm {pid}.")


def _account_key(scope: MutableMapping[str, Any], state: SandboxState) -> str:
    return api_key_account(scope_headers(scope))


def _fault_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": []}}


# -- routes -------------------------------------------------------------------------------------


def _product_fields(
    state: SandboxState, shop: Shop, body: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    data: dict[str, Any] = {
        "sku": str(body.get("sku") or ""),
        "title": body.get("title"),
        "description": str(body.get("description") or ""),
        "price": body.get("price"),
        "stock": body.get("stock"),
        "unit": str(body.get("unit") or "cái"),
        "category_id": body.get("category"),
        "images": [str(i) for i in body.get("images") or []],
        "attributes": {str(k): str(v) for k, v in (body.get("attributes") or {}).items()},
        "weight_g": to_int(body.get("weight_g")),
    }
    problems = validate_common(data, title_max=200)
    if not data["sku"]:
        problems.append({"field": "sku", "message": "Thiếu mã SKU."})
    if len(data["images"]) > DEFAULT_PROFILE.max_count:
        problems.append({"field": "images", "message": f"Tối đa {DEFAULT_PROFILE.max_count} ảnh."})
    for index, image_id in unknown_images(state, shop, data["images"]):
        problems.append({"field": f"images[{index}]", "message": f"Ảnh {image_id} chưa được tải lên."})
    for p in problems:
        if p["field"] == "category_id":
            p["field"] = "category"
    return data, problems


def _invalid_product(state: SandboxState, problems: list[dict[str, str]]) -> JSONResponse:
    state.counts["rejected"] += 1
    return _error(422, "validation", "Dữ liệu sản phẩm không hợp lệ.", problems)


@routes.post("/products")
async def create(request: Request) -> JSONResponse:
    shop = GENERIC.authenticate(request)
    state = state_of(request)
    data, problems = _product_fields(state, shop, await read_json(request))
    if problems:
        return _invalid_product(state, problems)
    return _data(_product(state.create_product(shop, data), request), status=201)


@routes.put("/products/{pid}")
async def update(request: Request, pid: int) -> JSONResponse:
    shop, product = GENERIC.product(request, pid)
    state = state_of(request)
    data, problems = _product_fields(state, shop, await read_json(request))
    if problems:
        return _invalid_product(state, problems)
    return _data(_product(state.update_product(product, data), request))


@routes.get("/products")
async def search(request: Request, sku: str = "") -> JSONResponse:
    shop = GENERIC.authenticate(request)
    return _data([_product(p, request) for p in state_of(request).by_sku(shop, sku)])


@routes.get("/products/{pid}")
async def get_one(request: Request, pid: int) -> JSONResponse:
    _, product = GENERIC.product(request, pid)
    return _data(_product(product, request))


@routes.patch("/products/{pid}/inventory")
async def inventory(request: Request, pid: int) -> JSONResponse:
    _, product = GENERIC.product(request, pid)
    body = await read_json(request)
    price, stock = body.get("price"), body.get("stock")
    if not isinstance(price, int) or price < 1000 or not isinstance(stock, int) or stock < 0:
        return _error(
            422,
            "validation",
            "Giá hoặc tồn kho không hợp lệ.",
            [{"field": "price", "message": "Giá ≥ 1.000 đ, tồn kho ≥ 0."}],
        )
    return _data(_product(state_of(request).update_product(product, {"price": price, "stock": stock}), request))


@routes.post("/products/{pid}/delist")
async def delist(request: Request, pid: int) -> JSONResponse:
    _, product = GENERIC.product(request, pid)
    return _data(_product(state_of(request).update_product(product, {"status": "delisted"}), request))


@routes.post("/images")
async def upload(request: Request) -> JSONResponse:
    shop = GENERIC.authenticate(request)
    data = await uploaded_file(request, "file")
    if data is None:
        return _error(422, "validation", "Thiếu tệp ảnh.", [{"field": "file", "message": "missing"}])
    problem = image_bytes_problem(data, DEFAULT_PROFILE)
    if problem:
        return _error(422, "validation", problem, [{"field": "file", "message": problem}])
    return _data({"id": state_of(request).store_image(shop, data)}, status=201)


@routes.get("/orders")
async def orders(
    request: Request, updated_from: str = "", updated_to: str = "", page: int = 1, per_page: int = 50
) -> JSONResponse:
    shop = GENERIC.authenticate(request)
    state = state_of(request)
    since, until = parse_when(updated_from), parse_when(updated_to)
    if since is None or until is None or until <= since:
        return _error(
            422,
            "validation",
            "Khoảng thời gian không hợp lệ.",
            [{"field": "updated_from", "message": "ISO 8601, updated_from < updated_to"}],
        )
    if until - since > MAX_ORDER_WINDOW:
        return _error(422, "window_too_long", "Tối đa 31 ngày.")
    state.ensure_backfill(shop)
    found = state.orders_updated(shop, since, until)
    size = max(1, min(100, per_page))
    pages = max(1, -(-len(found) // size))
    chunk = found[(page - 1) * size : page * size]
    return JSONResponse({"data": [_order(o, status, at) for o, status, at in chunk],
                         "meta": {"page": page, "pages": pages, "total": len(found)}})


GENERIC = Contract(
    name="generic",
    routes=routes,
    authenticate=_authenticate,
    not_found=_not_found,
    error_body=_fault_body,
    rate_limit_body={"error": {"code": "rate_limited", "message": "Too many requests", "fields": []}},
    account_key=_account_key,
)
