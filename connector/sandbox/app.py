"""The sandbox FastAPI app: voso (``/voso``), postmart (``/postmart``) and the generic marketplace
(``/generic``), each following its written contract, plus control routes under ``/_sandbox``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import random
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from PIL import Image, UnidentifiedImageError

from catalog.images import DEFAULT_PROFILE, POSTMART_PROFILE, VOSO_PROFILE, ImageProfile
from connector.sandbox.faults import Faults, parse_faults
from connector.sandbox.faults_asgi import FaultMiddleware
from connector.sandbox.state import MARKETPLACES, Order, Product, SandboxState, Shop

VN = "+07:00"
TOKEN_LIFETIME = timedelta(hours=8)
SIGN_WINDOW = 300  # seconds a postmart timestamp stays valid
MAX_IMAGE_BYTES = 3_000_000
MIN_IMAGE_SIDE = 300
# each marketplace checks images against its adapter's profile: size, formats, count
IMAGE_PROFILES: dict[str, ImageProfile] = {
    "voso": VOSO_PROFILE,
    "postmart": POSTMART_PROFILE,
    "generic": DEFAULT_PROFILE,
}


class Sandbox:
    """A sandbox run: its state, its faults, and the app serving them."""

    def __init__(
        self,
        *,
        faults: str | None = None,
        review_fraction: float = 0.0,
        backfill_months: int = 0,
        state_path: Path | None = None,
        persist_every: float = 2.0,
    ) -> None:
        self.faults: Faults = parse_faults(faults)
        self.fault_rng = random.Random(self.faults.seed)
        self.state = SandboxState(
            review_fraction=review_fraction, backfill_months=backfill_months, seed=self.faults.seed
        )
        self.state_path = state_path
        self.persist_every = persist_every
        if state_path is not None:
            self.state.load(state_path)
        self.image_cache: dict[str, str | None] = {}  # url -> None (fine) or the problem
        self.fetcher: httpx.AsyncClient | None = None
        self.app = build_app(self)

    def set_faults(self, spec: str | None) -> Faults:
        self.faults = parse_faults(spec)
        self.fault_rng = random.Random(self.faults.seed)
        return self.faults

    def save(self) -> None:
        if self.state_path is not None:
            self.state.save(self.state_path)

    async def check_image_url(self, url: str, profile: ImageProfile | None = None) -> str | None:
        """None when ``url`` gives an image the marketplace accepts, else why not (cached per URL)."""
        key = f"{profile.name if profile else '-'}|{url}"
        if key in self.image_cache:
            return self.image_cache[key]
        problem: str | None = None
        if not url.startswith(("http://", "https://")):
            problem = "Địa chỉ ảnh phải là http(s)."
        else:
            assert self.fetcher is not None
            try:
                response = await self.fetcher.get(url)
            except httpx.HTTPError as exc:
                problem = f"Không tải được ảnh ({type(exc).__name__})."
            else:
                problem = _image_problem(response, profile)
        self.image_cache[key] = problem
        return problem


def _image_problem(response: httpx.Response, profile: ImageProfile | None) -> str | None:
    if response.status_code != 200:
        return f"Không tải được ảnh (HTTP {response.status_code})."
    if not response.headers.get("content-type", "").startswith("image/"):
        return "Địa chỉ không trả về ảnh."
    return image_bytes_problem(response.content, profile)


def image_bytes_problem(data: bytes, profile: ImageProfile | None = None) -> str | None:
    """Why the marketplace refuses this image (None: fine): its profile's size and formats, and a
    shorter side of at least 300 px."""
    max_bytes = profile.max_bytes if profile else MAX_IMAGE_BYTES
    formats = profile.formats if profile else ("JPEG", "PNG")
    if len(data) > max_bytes:
        return f"Ảnh lớn quá {max_bytes} byte."
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in formats:
                return f"Định dạng ảnh {image.format} không được nhận (chỉ {', '.join(formats)})."
            if min(image.size) < MIN_IMAGE_SIDE:
                return f"Ảnh nhỏ quá ({image.size[0]}×{image.size[1]}, cần ít nhất {MIN_IMAGE_SIDE} px)."
    except (UnidentifiedImageError, OSError):
        return "Tệp không phải là ảnh."
    return None


_SAMPLES: dict[str, bytes] = {}


def sample_image(name: str, side: int = 1000) -> bytes:
    key = f"{name}:{side}"
    if key not in _SAMPLES:
        digest = hashlib.sha256(name.encode()).digest()
        image = Image.new("RGB", (side, side), (digest[0], digest[1], digest[2]))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        _SAMPLES[key] = buffer.getvalue()
    return _SAMPLES[key]


_VN_TZ = timezone(timedelta(hours=7))


def _local(text: str) -> str:
    """Stored UTC ISO text as +07:00 ISO text."""
    return datetime.fromisoformat(text).astimezone(_VN_TZ).isoformat()


def _parse_when(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=_VN_TZ)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def validate_common(data: dict[str, Any], *, title_max: int) -> list[dict[str, str]]:
    """Field problems shared by the three contracts (internal names)."""
    problems = []
    title = data.get("title")
    if not isinstance(title, str) or len(title.strip()) < 5:
        problems.append({"field": "title", "message": "Tên sản phẩm cần ít nhất 5 ký tự."})
    elif len(title) > title_max:
        problems.append({"field": "title", "message": f"Tên sản phẩm dài quá {title_max} ký tự."})
    price = data.get("price")
    if not isinstance(price, int) or isinstance(price, bool) or price < 1000:
        problems.append({"field": "price", "message": "Giá phải là số nguyên từ 1.000 đ."})
    stock = data.get("stock")
    if not isinstance(stock, int) or isinstance(stock, bool) or stock < 0:
        problems.append({"field": "stock", "message": "Tồn kho phải là số nguyên không âm."})
    if not data.get("category_id"):
        problems.append({"field": "category_id", "message": "Thiếu ngành hàng."})
    if not data.get("images"):
        problems.append({"field": "images", "message": "Cần ít nhất một ảnh."})
    return problems


def build_app(sandbox: Sandbox) -> FastAPI:
    state = sandbox.state

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sandbox.fetcher = httpx.AsyncClient(timeout=5.0, follow_redirects=True)
        saver = asyncio.create_task(_autosave(sandbox)) if sandbox.state_path is not None else None
        try:
            yield
        finally:
            if saver is not None:
                saver.cancel()
            await sandbox.fetcher.aclose()
            sandbox.save()

    app = FastAPI(title="agri-connector sandbox", lifespan=lifespan)
    app.add_middleware(FaultMiddleware, sandbox=sandbox)
    _control_routes(app, sandbox)
    _voso_routes(app, sandbox, state)
    _postmart_routes(app, sandbox, state)
    _generic_routes(app, sandbox, state)
    return app


async def _autosave(sandbox: Sandbox) -> None:
    while True:
        await asyncio.sleep(sandbox.persist_every)
        if sandbox.state.dirty:
            await asyncio.to_thread(sandbox.save)


# ---------------------------------------------------------------------------------------------
# control


def _control_routes(app: FastAPI, sandbox: Sandbox) -> None:
    state = sandbox.state

    @app.post("/_sandbox/accounts")
    async def create_account(request: Request) -> JSONResponse:
        body = await _json(request)
        marketplace = str(body.get("marketplace", ""))
        if marketplace not in MARKETPLACES:
            return JSONResponse({"error": f"unknown marketplace {marketplace!r}"}, status_code=400)
        shop = state.create_shop(marketplace, str(body.get("shop_name") or marketplace))
        return JSONResponse({"shop_id": shop.shop_id, "marketplace": marketplace, "credentials": shop.credentials})

    @app.post("/_sandbox/clock")
    async def advance(request: Request) -> JSONResponse:
        body = await _json(request)
        seconds = float(body.get("seconds", 0))
        now = state.advance_clock(timedelta(seconds=seconds))
        state.resolve_reviews()
        return JSONResponse({"now": now.isoformat()})

    @app.post("/_sandbox/orders")
    async def generate(request: Request) -> JSONResponse:
        body = await _json(request)
        count = body.get("count")
        made = state.generate_orders(int(count) if count is not None else None)
        return JSONResponse({"orders": made})

    @app.post("/_sandbox/reviews/resolve")
    async def resolve() -> JSONResponse:
        return JSONResponse({"settled": state.resolve_reviews(force=True)})

    @app.get("/_sandbox/state")
    async def inspect() -> JSONResponse:
        return JSONResponse(state.snapshot())

    @app.post("/_sandbox/faults")
    async def faults(request: Request) -> JSONResponse:
        body = await _json(request)
        try:
            parsed = sandbox.set_faults(body.get("spec"))
        except Exception as exc:  # the error's own message is the answer
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(parsed.describe())

    @app.post("/_sandbox/save")
    async def save() -> JSONResponse:
        await asyncio.to_thread(sandbox.save)
        return JSONResponse({"saved": sandbox.state_path is not None})

    @app.get("/_sandbox/images/{name}")
    async def image(name: str, side: int = 1000) -> Response:
        return Response(sample_image(name, max(1, min(side, 3000))), media_type="image/jpeg")

    @app.get("/_sandbox/health")
    async def health() -> JSONResponse:
        return JSONResponse({"ok": True, "now": state.now().isoformat()})


# ---------------------------------------------------------------------------------------------
# voso


def _voso_error(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        {
            "success": False,
            "status_code": status,
            "error": {"code": code, "message": message, "details": details or []},
        },
        status_code=status,
        headers=headers,
    )


def _voso_ok(result: Any) -> JSONResponse:
    return JSONResponse({"success": True, "status_code": 200, "result": result})


_VOSO_STATUS = {"pending": 1, "active": 2, "rejected": 3, "delisted": 4}
_VOSO_ORDER = {
    "pending": "moi",
    "confirmed": "xac_nhan",
    "shipping": "dang_giao",
    "delivered": "da_giao",
    "completed": "hoan_thanh",
    "cancelled": "huy",
    "returned": "tra_hang",
}
_VOSO_FIELDS = {"title": "name", "stock": "stock_quantity", "images": "pictures"}


def _voso_product(product: Product, base: str) -> dict[str, Any]:
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
        "status": _VOSO_STATUS[product.status],
        "reasons": [
            {"field": _VOSO_FIELDS.get(r["field"], r["field"]), "message": r["message"]} for r in product.reasons
        ],
        "url": f"{base}/p/{product.id}",
        "created_at": _local(product.created_at),
        "updated_at": _local(product.updated_at),
    }


def _voso_routes(app: FastAPI, sandbox: Sandbox, state: SandboxState) -> None:
    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/") + "/voso"

    def auth(request: Request) -> tuple[Shop | None, JSONResponse | None]:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            state.counts["auth_failed"] += 1
            return None, _voso_error(401, "unauthorized", "Thiếu mã truy cập.")
        shop, outcome = state.use_token(header[7:].strip(), ttl_requests=sandbox.faults.token_ttl)
        if shop is None:
            state.counts["token_expired" if outcome == "expired" else "auth_failed"] += 1
            if outcome == "expired":
                return None, _voso_error(401, "token_expired", "Mã truy cập đã hết hạn.")
            return None, _voso_error(401, "unauthorized", "Mã truy cập không hợp lệ.")
        return shop, None

    @app.post("/voso/api/login")
    async def login(request: Request) -> JSONResponse:
        body = await _json(request)
        shop = state.shop_by("voso", "username", str(body.get("username", "")))
        if shop is None or not hmac.compare_digest(shop.credentials["password"], str(body.get("password", ""))):
            state.counts["auth_failed"] += 1
            return _voso_error(401, "invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu.")
        token, expires_in = state.issue_token(shop, lifetime=TOKEN_LIFETIME)
        return _voso_ok({"token": token, "expires_in": expires_in})

    @app.post("/voso/api/products")
    async def upsert(request: Request) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            assert denied is not None
            return denied
        body = await _json(request)
        pictures = body.get("pictures") or []
        data: dict[str, Any] = {
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
            "weight_g": _int(body.get("weight")),
        }
        problems = validate_common(data, title_max=150)
        if not data["sku"]:
            problems.append({"field": "sku", "message": "Thiếu mã SKU."})
        if isinstance(data["stock"], int) and body.get("stock_availability") is True and data["stock"] <= 0:
            problems.append(
                {"field": "stock_availability", "message": "Hết hàng thì stock_availability phải là false."}
            )
        if len(data["images"]) > VOSO_PROFILE.max_count:
            problems.append({"field": "pictures", "message": f"Tối đa {VOSO_PROFILE.max_count} ảnh."})
        for index, url in enumerate(data["images"]):
            problem = await sandbox.check_image_url(url, VOSO_PROFILE)
            if problem:
                problems.append({"field": f"pictures[{index}]", "message": problem})
        if problems:
            state.counts["rejected"] += 1
            details = [{"field": _VOSO_FIELDS.get(p["field"], p["field"]), "message": p["message"]} for p in problems]
            return _voso_error(400, "validation", "Dữ liệu sản phẩm không hợp lệ.", details)
        pid = _int(body.get("id")) or 0
        if pid:
            product = state.product(shop, pid)
            if product is None:
                return _voso_error(404, "not_found", f"Không có sản phẩm {pid}.")
            if product.status == "pending":
                return _voso_error(409, "product_in_review", "Sản phẩm đang chờ duyệt, chưa sửa được.")
            state.update_product(product, data)
        else:
            product = state.create_product(shop, data)
        return _voso_ok(_voso_product(product, base(request)))

    @app.get("/voso/api/products")
    async def by_sku(request: Request, sku: str = "") -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            assert denied is not None
            return denied
        items = [_voso_product(p, base(request)) for p in state.by_sku(shop, sku)]
        return _voso_ok({"items": items, "total": len(items)})

    @app.get("/voso/api/products/{pid}")
    async def get_product(request: Request, pid: int) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            assert denied is not None
            return denied
        product = state.product(shop, pid)
        if product is None:
            return _voso_error(404, "not_found", f"Không có sản phẩm {pid}.")
        return _voso_ok(_voso_product(product, base(request)))

    @app.post("/voso/api/products/{pid}/inventory")
    async def inventory(request: Request, pid: int) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            assert denied is not None
            return denied
        product = state.product(shop, pid)
        if product is None:
            return _voso_error(404, "not_found", f"Không có sản phẩm {pid}.")
        body = await _json(request)
        price, stock = body.get("price"), body.get("stock_quantity")
        problems = []
        if not isinstance(price, int) or isinstance(price, bool) or price < 1000:
            problems.append({"field": "price", "message": "Giá phải là số nguyên từ 1.000 đ."})
        if not isinstance(stock, int) or isinstance(stock, bool) or stock < 0:
            problems.append({"field": "stock_quantity", "message": "Tồn kho phải là số nguyên không âm."})
        if problems:
            return _voso_error(400, "validation", "Dữ liệu không hợp lệ.", problems)
        state.update_product(product, {"price": price, "stock": stock})
        return _voso_ok(_voso_product(product, base(request)))

    @app.post("/voso/api/products/{pid}/delist")
    async def delist(request: Request, pid: int) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            assert denied is not None
            return denied
        product = state.product(shop, pid)
        if product is None:
            return _voso_error(404, "not_found", f"Không có sản phẩm {pid}.")
        state.update_product(product, {"status": "delisted"})
        return _voso_ok(_voso_product(product, base(request)))

    @app.post("/voso/api/orders/search")
    async def orders(request: Request) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            assert denied is not None
            return denied
        body = await _json(request)
        token = body.get("token")
        page_size = max(1, min(100, _int(body.get("page_size")) or 50))
        if token:
            saved = state.page_tokens.get(str(token))
            if saved is None or saved.get("shop_id") != shop.shop_id:
                return _voso_error(400, "token_invalid", "Mã trang không hợp lệ hoặc đã hết hạn.")
            since, until, offset = _parse_when(saved["since"]), _parse_when(saved["until"]), int(saved["offset"])
        else:
            since, until, offset = _parse_when(body.get("updated_from")), _parse_when(body.get("updated_to")), 0
        if since is None or until is None or until <= since:
            return _voso_error(
                400,
                "validation",
                "Khoảng thời gian không hợp lệ.",
                [{"field": "updated_from", "message": "Cần updated_from < updated_to (ISO 8601)."}],
            )
        if until - since > timedelta(days=7):
            return _voso_error(400, "window_too_long", "Khoảng thời gian tối đa 7 ngày.")
        state.ensure_backfill(shop)
        found = state.orders_updated(shop, since, until)
        page = found[offset : offset + page_size]
        next_token = None
        if offset + page_size < len(found):
            next_token = state.page_token(
                {
                    "shop_id": shop.shop_id,
                    "since": since.isoformat(),
                    "until": until.isoformat(),
                    "offset": offset + page_size,
                }
            )
        return _voso_ok({"items": [_voso_order(o, status, at) for o, status, at in page], "next_token": next_token})


def _voso_order(order: Order, status: str, at: datetime) -> dict[str, Any]:
    placed = datetime.fromisoformat(order.placed_at)
    return {
        "order_number": order.id,
        "order_status": _VOSO_ORDER[status],
        "created_at": placed.astimezone(_VN_TZ).isoformat(),
        "updated_at": at.astimezone(_VN_TZ).isoformat(),
        "confirm_by": (placed + timedelta(hours=24)).astimezone(_VN_TZ).isoformat(),
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


# ---------------------------------------------------------------------------------------------
# postmart


_PM_STATUS = {"pending": "REVIEWING", "active": "NORMAL", "rejected": "BANNED", "delisted": "UNLIST"}
_PM_ORDER = {
    "pending": "UNPAID",
    "confirmed": "READY_TO_SHIP",
    "shipping": "SHIPPED",
    "delivered": "TO_CONFIRM_RECEIVE",
    "completed": "COMPLETED",
    "cancelled": "CANCELLED",
    "returned": "TO_RETURN",
}
_PM_FIELDS = {"title": "item_name", "price": "original_price", "stock": "seller_stock", "images": "image.image_id_list"}


def _pm(
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


def _pm_item(product: Product) -> dict[str, Any]:
    return {
        "item_id": product.id,
        "item_sku": product.sku,
        "item_name": product.title,
        "item_status": _PM_STATUS[product.status],
        "price_info": [{"original_price": product.price, "currency": "VND"}],
        "stock_info": [{"seller_stock": product.stock}],
        "image": {"image_id_list": list(product.images)},
        "review_reasons": [
            {"field": _PM_FIELDS.get(r["field"], r["field"]), "message": r["message"]} for r in product.reasons
        ],
        "create_time": int(datetime.fromisoformat(product.created_at).timestamp()),
        "update_time": int(datetime.fromisoformat(product.updated_at).timestamp()),
    }


def _postmart_routes(app: FastAPI, sandbox: Sandbox, state: SandboxState) -> None:
    def auth(request: Request) -> tuple[Shop | None, JSONResponse | None]:
        query = request.query_params
        partner_id = query.get("partner_id", "")
        shop = state.shop_by("postmart", "partner_id", partner_id)
        if shop is None:
            state.counts["auth_failed"] += 1
            return None, _pm(error="error_auth", message="Unknown partner_id.", status=403)
        timestamp = _int(query.get("timestamp"))
        if timestamp is None or abs(time.time() - timestamp) > SIGN_WINDOW:
            state.counts["auth_failed"] += 1
            return None, _pm(
                error="error_param",
                message="Timestamp is expired.",
                status=400,
                fields=[{"field": "timestamp", "message": "expired"}],
            )
        api_path = request.url.path.removeprefix("/postmart")
        base = f"{partner_id}{api_path}{timestamp}{query.get('shop_id', '')}"
        expected = hmac.new(shop.credentials["partner_key"].encode(), base.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, query.get("sign", "")):
            state.counts["auth_failed"] += 1
            return None, _pm(error="error_sign", message="Wrong sign.", status=403)
        return shop, None

    async def item_fields(shop: Shop, body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
        prices = body.get("price_info") or [{}]
        stocks = body.get("seller_stock") or [{}]
        images = [str(i) for i in (body.get("image") or {}).get("image_id_list") or []]
        data: dict[str, Any] = {
            "sku": str(body.get("item_sku") or ""),
            "title": body.get("item_name"),
            "description": str(body.get("description") or ""),
            "price": prices[0].get("original_price") if isinstance(prices[0], dict) else None,
            "stock": stocks[0].get("stock") if isinstance(stocks[0], dict) else None,
            "unit": str(body.get("unit") or "cái"),
            "category_id": body.get("category_id"),
            "images": images,
            "attributes": {
                str(a.get("attribute_name")): str(a.get("value"))
                for a in body.get("attribute_list") or []
                if isinstance(a, dict)
            },
            "weight_g": _int(body.get("weight_gram")),
        }
        problems = [
            {"field": _PM_FIELDS.get(p["field"], p["field"]), "message": p["message"]}
            for p in validate_common(data, title_max=120)
        ]
        if len(images) > POSTMART_PROFILE.max_count:
            problems.append({"field": "image.image_id_list", "message": f"Tối đa {POSTMART_PROFILE.max_count} ảnh."})
        for image_id in images:
            if image_id not in state.images or state.images[image_id]["shop_id"] != shop.shop_id:
                problems.append({"field": "image.image_id_list", "message": f"Ảnh {image_id} chưa được tải lên."})
        return data, problems

    @app.post("/postmart/api/v2/product/add_item")
    async def add_item(request: Request) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            return denied or _pm(error="error_auth", status=403)
        data, problems = await item_fields(shop, await _json(request))
        if problems:
            state.counts["rejected"] += 1
            return _pm(error="error_param", message="Invalid item.", fields=problems)
        return _pm(_pm_item(state.create_product(shop, data)))

    @app.post("/postmart/api/v2/product/update_item")
    async def update_item(request: Request) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            return denied or _pm(error="error_auth", status=403)
        body = await _json(request)
        product = state.product(shop, _int(body.get("item_id")) or 0)
        if product is None:
            return _pm(error="error_item_not_found", message="Item not found.")
        data, problems = await item_fields(shop, body)
        if problems:
            state.counts["rejected"] += 1
            return _pm(error="error_param", message="Invalid item.", fields=problems)
        if product.status == "pending":
            return _pm(error="error_item_reviewing", message="Item is under review.")
        return _pm(_pm_item(state.update_product(product, data)))

    @app.get("/postmart/api/v2/product/get_item_base_info")
    async def base_info(request: Request, item_id_list: str = "") -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            return denied or _pm(error="error_auth", status=403)
        items = []
        for raw in item_id_list.split(","):
            product = state.product(shop, _int(raw) or 0)
            if product is not None:
                items.append(_pm_item(product))
        return _pm({"item_list": items})

    @app.get("/postmart/api/v2/product/search_item")
    async def search_item(request: Request, item_sku: str = "") -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            return denied or _pm(error="error_auth", status=403)
        return _pm({"item_list": [_pm_item(p) for p in state.by_sku(shop, item_sku)]})

    @app.post("/postmart/api/v2/product/update_price_stock")
    async def price_stock(request: Request) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            return denied or _pm(error="error_auth", status=403)
        body = await _json(request)
        success, failure = [], []
        for entry in body.get("item_list") or []:
            item_id = _int(entry.get("item_id")) if isinstance(entry, dict) else None
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
                success.append(_pm_item(product))
        return _pm({"success_list": success, "failure_list": failure})

    @app.post("/postmart/api/v2/product/unlist_item")
    async def unlist(request: Request) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            return denied or _pm(error="error_auth", status=403)
        body = await _json(request)
        success, failure = [], []
        for entry in body.get("item_list") or []:
            item_id = _int(entry.get("item_id")) if isinstance(entry, dict) else None
            product = state.product(shop, item_id or 0)
            if product is None:
                failure.append({"item_id": item_id, "failed_reason": "error_item_not_found"})
            else:
                state.update_product(product, {"status": "delisted"})
                success.append({"item_id": product.id})
        return _pm({"success_list": success, "failure_list": failure})

    @app.post("/postmart/api/v2/media_space/upload_image")
    async def upload(request: Request) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            return denied or _pm(error="error_auth", status=403)
        async with request.form() as form:
            upload = form.get("image")
            data = b"" if upload is None or isinstance(upload, str) else await upload.read()
        if upload is None or isinstance(upload, str):
            return _pm(
                error="error_param", message="can't find image file", fields=[{"field": "image", "message": "missing"}]
            )
        problem = image_bytes_problem(data, POSTMART_PROFILE)
        if problem:
            return _pm(error="error_image_invalid", message=problem, fields=[{"field": "image", "message": problem}])
        return _pm({"image_info": {"image_id": state.store_image(shop, data)}})

    @app.get("/postmart/api/v2/order/get_order_list")
    async def order_list(
        request: Request,
        time_from: int = 0,
        time_to: int = 0,
        page_size: int = 50,
        cursor: str = "",
        time_range_field: str = "update_time",
    ) -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            return denied or _pm(error="error_auth", status=403)
        if time_range_field != "update_time":
            return _pm(error="error_param", message="Only update_time is supported.")
        if time_to <= time_from or time_to - time_from > 15 * 86400:
            return _pm(error="order.order_list_invalid_time", message="The time range must be at most 15 days.")
        state.ensure_backfill(shop)
        found = state.orders_updated(shop, datetime.fromtimestamp(time_from, UTC), datetime.fromtimestamp(time_to, UTC))
        offset = _int(cursor) or 0
        size = max(1, min(100, page_size))
        page = found[offset : offset + size]
        more = offset + size < len(found)
        return _pm(
            {
                "order_list": [{"order_sn": o.id} for o, _, _ in page],
                "more": more,
                "next_cursor": str(offset + size) if more else "",
            }
        )

    @app.get("/postmart/api/v2/order/get_order_detail")
    async def order_detail(request: Request, order_sn_list: str = "") -> JSONResponse:
        shop, denied = auth(request)
        if shop is None:
            return denied or _pm(error="error_auth", status=403)
        wanted = [sn for sn in order_sn_list.split(",") if sn][:50]
        now = state.now()
        out = []
        for sn in wanted:
            order = state.orders.get(sn)
            if order is None or order.shop_id != shop.shop_id:
                continue
            current = state.status_at(order, now)
            if current is None:
                continue
            status, at = current
            placed = datetime.fromisoformat(order.placed_at)
            out.append(
                {
                    "order_sn": order.id,
                    "order_status": _PM_ORDER[status],
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
            )
        return _pm({"order_list": out})


# ---------------------------------------------------------------------------------------------
# generic


_GEN_STATUS = {"pending": "pending", "active": "active", "rejected": "rejected", "delisted": "inactive"}
_GEN_ORDER = {
    "pending": "pending",
    "confirmed": "confirmed",
    "shipping": "shipped",
    "delivered": "delivered",
    "completed": "completed",
    "cancelled": "cancelled",
    "returned": "returned",
}


def _gen_error(status: int, code: str, message: str, fields: list[dict[str, str]] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or []}}, status_code=status)


def _gen_product(product: Product, base: str) -> dict[str, Any]:
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
        "status": _GEN_STATUS[product.status],
        "reasons": list(product.reasons),
        "url": f"{base}/p/{product.id}",
        "updated_at": _local(product.updated_at),
    }


def _generic_routes(app: FastAPI, sandbox: Sandbox, state: SandboxState) -> None:
    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/") + "/generic"

    def auth(request: Request) -> Shop | None:
        key = request.headers.get("x-api-key", "")
        shop = state.shop_by("generic", "api_key", key) if key else None
        if shop is None:
            state.counts["auth_failed"] += 1
        return shop

    def unauthorized() -> JSONResponse:
        return _gen_error(401, "unauthorized", "Khóa API không hợp lệ.")

    def product_fields(shop: Shop, body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
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
            "weight_g": _int(body.get("weight_g")),
        }
        problems = validate_common(data, title_max=200)
        if not data["sku"]:
            problems.append({"field": "sku", "message": "Thiếu mã SKU."})
        if len(data["images"]) > DEFAULT_PROFILE.max_count:
            problems.append({"field": "images", "message": f"Tối đa {DEFAULT_PROFILE.max_count} ảnh."})
        for index, image_id in enumerate(data["images"]):
            if image_id not in state.images or state.images[image_id]["shop_id"] != shop.shop_id:
                problems.append({"field": f"images[{index}]", "message": f"Ảnh {image_id} chưa được tải lên."})
        for p in problems:
            if p["field"] == "category_id":
                p["field"] = "category"
        return data, problems

    @app.post("/generic/v1/products")
    async def create(request: Request) -> JSONResponse:
        shop = auth(request)
        if shop is None:
            return unauthorized()
        data, problems = product_fields(shop, await _json(request))
        if problems:
            state.counts["rejected"] += 1
            return _gen_error(422, "validation", "Dữ liệu sản phẩm không hợp lệ.", problems)
        return JSONResponse({"data": _gen_product(state.create_product(shop, data), base(request))}, status_code=201)

    @app.put("/generic/v1/products/{pid}")
    async def update(request: Request, pid: int) -> JSONResponse:
        shop = auth(request)
        if shop is None:
            return unauthorized()
        product = state.product(shop, pid)
        if product is None:
            return _gen_error(404, "not_found", f"Không có sản phẩm {pid}.")
        data, problems = product_fields(shop, await _json(request))
        if problems:
            state.counts["rejected"] += 1
            return _gen_error(422, "validation", "Dữ liệu sản phẩm không hợp lệ.", problems)
        return JSONResponse({"data": _gen_product(state.update_product(product, data), base(request))})

    @app.get("/generic/v1/products")
    async def search(request: Request, sku: str = "") -> JSONResponse:
        shop = auth(request)
        if shop is None:
            return unauthorized()
        return JSONResponse({"data": [_gen_product(p, base(request)) for p in state.by_sku(shop, sku)]})

    @app.get("/generic/v1/products/{pid}")
    async def get_one(request: Request, pid: int) -> JSONResponse:
        shop = auth(request)
        if shop is None:
            return unauthorized()
        product = state.product(shop, pid)
        if product is None:
            return _gen_error(404, "not_found", f"Không có sản phẩm {pid}.")
        return JSONResponse({"data": _gen_product(product, base(request))})

    @app.patch("/generic/v1/products/{pid}/inventory")
    async def inventory(request: Request, pid: int) -> JSONResponse:
        shop = auth(request)
        if shop is None:
            return unauthorized()
        product = state.product(shop, pid)
        if product is None:
            return _gen_error(404, "not_found", f"Không có sản phẩm {pid}.")
        body = await _json(request)
        price, stock = body.get("price"), body.get("stock")
        if not isinstance(price, int) or price < 1000 or not isinstance(stock, int) or stock < 0:
            return _gen_error(
                422,
                "validation",
                "Giá hoặc tồn kho không hợp lệ.",
                [{"field": "price", "message": "Giá ≥ 1.000 đ, tồn kho ≥ 0."}],
            )
        return JSONResponse(
            {"data": _gen_product(state.update_product(product, {"price": price, "stock": stock}), base(request))}
        )

    @app.post("/generic/v1/products/{pid}/delist")
    async def delist(request: Request, pid: int) -> JSONResponse:
        shop = auth(request)
        if shop is None:
            return unauthorized()
        product = state.product(shop, pid)
        if product is None:
            return _gen_error(404, "not_found", f"Không có sản phẩm {pid}.")
        return JSONResponse(
            {"data": _gen_product(state.update_product(product, {"status": "delisted"}), base(request))}
        )

    @app.post("/generic/v1/images")
    async def upload(request: Request) -> JSONResponse:
        shop = auth(request)
        if shop is None:
            return unauthorized()
        async with request.form() as form:
            upload = form.get("file")
            data = b"" if upload is None or isinstance(upload, str) else await upload.read()
        if upload is None or isinstance(upload, str):
            return _gen_error(422, "validation", "Thiếu tệp ảnh.", [{"field": "file", "message": "missing"}])
        problem = image_bytes_problem(data, DEFAULT_PROFILE)
        if problem:
            return _gen_error(422, "validation", problem, [{"field": "file", "message": problem}])
        return JSONResponse({"data": {"id": state.store_image(shop, data)}}, status_code=201)

    @app.get("/generic/v1/orders")
    async def orders(
        request: Request, updated_from: str = "", updated_to: str = "", page: int = 1, per_page: int = 50
    ) -> JSONResponse:
        shop = auth(request)
        if shop is None:
            return unauthorized()
        since, until = _parse_when(updated_from), _parse_when(updated_to)
        if since is None or until is None or until <= since:
            return _gen_error(
                422,
                "validation",
                "Khoảng thời gian không hợp lệ.",
                [{"field": "updated_from", "message": "ISO 8601, updated_from < updated_to"}],
            )
        if until - since > timedelta(days=31):
            return _gen_error(422, "window_too_long", "Tối đa 31 ngày.")
        state.ensure_backfill(shop)
        found = state.orders_updated(shop, since, until)
        size = max(1, min(100, per_page))
        pages = max(1, -(-len(found) // size))
        chunk = found[(page - 1) * size : page * size]
        data = []
        for order, status, at in chunk:
            data.append(
                {
                    "id": order.id,
                    "status": _GEN_ORDER[status],
                    "placed_at": _local(order.placed_at),
                    "updated_at": at.astimezone(_VN_TZ).isoformat(),
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
            )
        return JSONResponse({"data": data, "meta": {"page": page, "pages": pages, "total": len(found)}})
