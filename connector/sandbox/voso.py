"""voso as ``adapters/voso/CONTRACT.md`` writes it, mounted at ``/voso``: a bearer token from
``/api/login`` (8 h, or ``token-ttl`` requests), one upsert endpoint, images by public URL
(downloaded and checked), order search in windows of at most 7 days with an opaque page token;
every answer in the ``{"success", "status_code", "result" | "error"}`` envelope."""

from __future__ import annotations

import hmac
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from catalog.images import VOSO_PROFILE
from connector.sandbox.contract import (
    VN_TZ,
    Contract,
    Refused,
    Routes,
    base_url,
    local,
    parse_when,
    read_json,
    sandbox_of,
    scope_headers,
    state_of,
    to_int,
    validate_common,
)
from connector.sandbox.state import Order, Product, SandboxState, Shop

TOKEN_LIFETIME = timedelta(hours=8)
MAX_ORDER_WINDOW = timedelta(days=7)

_STATUS = {"pending": 1, "active": 2, "rejected": 3, "delisted": 4}
_ORDER_STATUS = {
    "pending": "moi",
    "confirmed": "xac_nhan",
    "shipping": "dang_giao",
    "delivered": "da_giao",
    "completed": "hoan_thanh",
    "cancelled": "huy",
    "returned": "tra_hang",
}
_FIELDS = {"title": "name", "stock": "stock_quantity", "images": "pictures"}  # internal name -> voso's

routes = Routes("/voso")


# -- envelope and records -----------------------------------------------------------------------


def _error(status: int, code: str, message: str, details: list[dict[str, str]] | None = None) -> JSONResponse:
    return JSONResponse(
        {
            "success": False,
            "status_code": status,
            "error": {"code": code, "message": message, "details": details or []},
        },
        status_code=status,
    )


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"success": True, "status_code": 200, "result": result})


def _voso_fields(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"field": _FIELDS.get(p["field"], p["field"]), "message": p["message"]} for p in problems]


def _product(product: Product, request: Request) -> dict[str, Any]:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.title,
        "description": product.description,
        "price": product.price,
        "stock_quantity": product.stock,
        "stock_availability": product.stock > 0,
        "unit": product.unit,
        "category_id": product.category_id,
        "pictures": [{"picture_url": url} for url in product.images],
        "status": _STATUS[product.status],
        "reasons": _voso_fields(product.reasons),
        "url": f"{base_url(request, 'voso')}/p/{product.id}",
        "created_at": local(product.created_at),
        "updated_at": local(product.updated_at),
    }


def _order(order: Order, status: str, at: datetime) -> dict[str, Any]:
    placed = datetime.fromisoformat(order.placed_at)
    return {
        "order_number": order.id,
        "order_status": _ORDER_STATUS[status],
        "created_at": placed.astimezone(VN_TZ).isoformat(),
        "updated_at": at.astimezone(VN_TZ).isoformat(),
        "confirm_by": (placed + timedelta(hours=24)).astimezone(VN_TZ).isoformat(),
        "total_amount": order.total,
        "receiver_province": order.province,
        "items": [
            {
                "product_id": line["product_id"],
                "sku": line["sku"],
                "name": line["title"],
                "quantity": line["quantity"],
                "price": line["unit_price"],
                "amount": line["amount"],
            }
            for line in order.lines
        ],
    }


# -- the door -----------------------------------------------------------------------------------


def _authenticate(request: Request) -> Shop:
    sandbox = sandbox_of(request)
    state = sandbox.state
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        state.counts["auth_failed"] += 1
        raise Refused(_error(401, "unauthorized", "Thiếu mã truy cập."))
    shop, outcome = state.use_token(header[7:].strip(), ttl_requests=sandbox.faults.token_ttl)
    if shop is None:
        state.counts["token_expired" if outcome == "expired" else "auth_failed"] += 1
        if outcome == "expired":
            raise Refused(_error(401, "token_expired", "Mã truy cập đã hết hạn."))
        raise Refused(_error(401, "unauthorized", "Mã truy cập không hợp lệ."))
    return shop


def _not_found(pid: int) -> JSONResponse:
    return _error(404, "not_found", f"Không có sản phẩm {pid}.")


def _account_key(scope: MutableMapping[str, Any], state: SandboxState) -> str:
    token = str(scope_headers(scope).get("authorization", ""))[7:].strip()
    record = state.tokens.get(token) or {}
    return "voso:" + str(record.get("shop_id", token[-12:]))


def _fault_body(code: str, message: str) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message, "details": []}}


# -- routes -------------------------------------------------------------------------------------


@routes.post("/api/login")
async def login(request: Request) -> JSONResponse:
    state = state_of(request)
    body = await read_json(request)
    shop = state.shop_by("voso", "username", str(body.get("username", "")))
    if shop is None or not hmac.compare_digest(shop.credentials["password"], str(body.get("password", ""))):
        state.counts["auth_failed"] += 1
        return _error(401, "invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu.")
    token, expires_in = state.issue_token(shop, lifetime=TOKEN_LIFETIME)
    return _ok({"token": token, "expires_in": expires_in})


def _upsert_fields(body: dict[str, Any]) -> dict[str, Any]:
    pictures = body.get("pictures") or []
    return {
        "sku": str(body.get("sku") or ""),
        "title": body.get("name"),
        "description": str(body.get("description") or ""),
        "price": body.get("price"),
        "stock": body.get("stock_quantity"),
        "unit": str(body.get("unit") or "cái"),
        "category_id": body.get("category_id"),
        "images": [str(p.get("picture_url")) for p in pictures if isinstance(p, dict)],
        "attributes": {
            str(a.get("name")): str(a.get("value")) for a in body.get("attributes") or [] if isinstance(a, dict)
        },
        "weight_g": to_int(body.get("weight")),
    }


async def _upsert_problems(request: Request, body: dict[str, Any], data: dict[str, Any]) -> list[dict[str, str]]:
    problems = validate_common(data, title_max=150)
    if not data["sku"]:
        problems.append({"field": "sku", "message": "Thiếu mã SKU."})
    if isinstance(data["stock"], int) and body.get("stock_availability") is True and data["stock"] <= 0:
        problems.append({"field": "stock_availability", "message": "Hết hàng thì stock_availability phải là false."})
    if len(data["images"]) > VOSO_PROFILE.max_count:
        problems.append({"field": "pictures", "message": f"Tối đa {VOSO_PROFILE.max_count} ảnh."})
    for index, url in enumerate(data["images"]):
        problem = await sandbox_of(request).check_image_url(url, VOSO_PROFILE)
        if problem:
            problems.append({"field": f"pictures[{index}]", "message": problem})
    return problems


@routes.post("/api/products")
async def upsert(request: Request) -> JSONResponse:
    shop = VOSO.authenticate(request)
    state = state_of(request)
    body = await read_json(request)
    data = _upsert_fields(body)
    problems = await _upsert_problems(request, body, data)
    if problems:
        state.counts["rejected"] += 1
        return _error(400, "validation", "Dữ liệu sản phẩm không hợp lệ.", _voso_fields(problems))
    pid = to_int(body.get("id")) or 0
    if pid:
        product = VOSO.owned(request, shop, pid)
        if product.status == "pending":
            return _error(409, "product_in_review", "Sản phẩm đang chờ duyệt, chưa sửa được.")
        state.update_product(product, data)
    else:
        product = state.create_product(shop, data)
    return _ok(_product(product, request))


@routes.get("/api/products")
async def by_sku(request: Request, sku: str = "") -> JSONResponse:
    shop = VOSO.authenticate(request)
    items = [_product(p, request) for p in state_of(request).by_sku(shop, sku)]
    return _ok({"items": items, "total": len(items)})


@routes.get("/api/products/{pid}")
async def get_product(request: Request, pid: int) -> JSONResponse:
    _, product = VOSO.product(request, pid)
    return _ok(_product(product, request))


@routes.post("/api/products/{pid}/inventory")
async def inventory(request: Request, pid: int) -> JSONResponse:
    _, product = VOSO.product(request, pid)
    body = await read_json(request)
    price, stock = body.get("price"), body.get("stock_quantity")
    problems = []
    if not isinstance(price, int) or isinstance(price, bool) or price < 1000:
        problems.append({"field": "price", "message": "Giá phải là số nguyên từ 1.000 đ."})
    if not isinstance(stock, int) or isinstance(stock, bool) or stock < 0:
        problems.append({"field": "stock_quantity", "message": "Tồn kho phải là số nguyên không âm."})
    if problems:
        return _error(400, "validation", "Dữ liệu không hợp lệ.", problems)
    state_of(request).update_product(product, {"price": price, "stock": stock})
    return _ok(_product(product, request))


@routes.post("/api/products/{pid}/delist")
async def delist(request: Request, pid: int) -> JSONResponse:
    _, product = VOSO.product(request, pid)
    state_of(request).update_product(product, {"status": "delisted"})
    return _ok(_product(product, request))


def _search_window(state: SandboxState, shop: Shop, body: dict[str, Any]) -> tuple[datetime, datetime, int]:
    """The window and offset of a search: from a page token, or from the body."""
    token = body.get("token")
    if token:
        saved = state.page_tokens.get(str(token))
        if saved is None or saved.get("shop_id") != shop.shop_id:
            raise Refused(_error(400, "token_invalid", "Mã trang không hợp lệ hoặc đã hết hạn."))
        since, until, offset = parse_when(saved["since"]), parse_when(saved["until"]), int(saved["offset"])
    else:
        since, until, offset = parse_when(body.get("updated_from")), parse_when(body.get("updated_to")), 0
    if since is None or until is None or until <= since:
        raise Refused(_error(
            400,
            "validation",
            "Khoảng thời gian không hợp lệ.",
            [{"field": "updated_from", "message": "Cần updated_from < updated_to (ISO 8601)."}],
        ))
    if until - since > MAX_ORDER_WINDOW:
        raise Refused(_error(400, "window_too_long", "Khoảng thời gian tối đa 7 ngày."))
    return since, until, offset


@routes.post("/api/orders/search")
async def orders(request: Request) -> JSONResponse:
    shop = VOSO.authenticate(request)
    state = state_of(request)
    body = await read_json(request)
    page_size = max(1, min(100, to_int(body.get("page_size")) or 50))
    since, until, offset = _search_window(state, shop, body)
    state.ensure_backfill(shop)
    found = state.orders_updated(shop, since, until)
    page = found[offset : offset + page_size]
    next_token = None
    if offset + page_size < len(found):
        next_token = state.page_token(
            {"shop_id": shop.shop_id, "since": since.isoformat(), "until": until.isoformat(),
             "offset": offset + page_size}
        )
    return _ok({"items": [_order(o, status, at) for o, status, at in page], "next_token": next_token})


VOSO = Contract(
    name="voso",
    routes=routes,
    authenticate=_authenticate,
    not_found=_not_found,
    error_body=_fault_body,
    rate_limit_body={
        "success": False,
        "status_code": 429,
        "error": {"code": "too_many_requests", "message": "Quá nhiều yêu cầu", "details": []},
    },
    account_key=_account_key,
)
