"""What the three marketplace modules share: a :class:`Contract` (how one marketplace lets a
caller in, says "no such product" and answers an injected fault), the :class:`Refused` answer a
route gives early, and the request, time and validation helpers of their routes.

A route says who is calling and which product it means in one line::

    shop, product = VOSO.product(request, pid)   # or Refused, answered in voso's envelope

and never builds the 401 or the 404 itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, cast

from fastapi import FastAPI, Request, Response

from connector.sandbox.state import Product, SandboxState, Shop

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox

VN_TZ = timezone(timedelta(hours=7))


class Refused(Exception):
    """A route's answer given before its work: refused credentials, a product the shop does not have."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


async def answer_refusal(request: Request, exc: Exception) -> Response:
    """The app's handler for :class:`Refused`: the answer it carries, as it is."""
    assert isinstance(exc, Refused)
    return exc.response


def sandbox_of(request: Request) -> Sandbox:
    return cast("Sandbox", request.app.state.sandbox)


def state_of(request: Request) -> SandboxState:
    return sandbox_of(request).state


Endpoint = Callable[..., Coroutine[Any, Any, Response]]


class Routes:
    """The routes of one module, declared with ``@routes.get(path)`` / ``@routes.post(path)`` … and
    added to the app as its own (``app.add_api_route``, as ``@app.get`` would): an included
    ``APIRouter`` would be matched through one more layer on every request."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.table: list[tuple[str, str, Endpoint]] = []

    def _route(self, method: str, path: str) -> Callable[[Endpoint], Endpoint]:
        def declare(endpoint: Endpoint) -> Endpoint:
            self.table.append((method, self.prefix + path, endpoint))
            return endpoint

        return declare

    def get(self, path: str) -> Callable[[Endpoint], Endpoint]:
        return self._route("GET", path)

    def post(self, path: str) -> Callable[[Endpoint], Endpoint]:
        return self._route("POST", path)

    def put(self, path: str) -> Callable[[Endpoint], Endpoint]:
        return self._route("PUT", path)

    def patch(self, path: str) -> Callable[[Endpoint], Endpoint]:
        return self._route("PATCH", path)

    def add_to(self, app: FastAPI) -> None:
        for method, path, endpoint in self.table:
            app.add_api_route(path, endpoint, methods=[method])


@dataclass(frozen=True, slots=True)
class Contract:
    """One marketplace as the app and the fault middleware see it: its routes (mounted at
    ``/<name>``), its door and its envelopes."""

    name: str
    routes: Routes
    authenticate: Callable[[Request], Shop]  # the caller's shop, or Refused in the contract's envelope
    not_found: Callable[[int], Response]  # "no such product"
    error_body: Callable[[str, str], dict[str, Any]]  # an injected fault (code, message), any status
    rate_limit_body: dict[str, Any]  # "too many requests" in a 200 body
    account_key: Callable[[MutableMapping[str, Any], SandboxState], str]  # whose rate-limit bucket (ASGI scope)

    def owned(self, request: Request, shop: Shop, pid: int) -> Product:
        """The shop's product ``pid``, or Refused with the contract's "no such product"."""
        product = state_of(request).product(shop, pid)
        if product is None:
            raise Refused(self.not_found(pid))
        return product

    def product(self, request: Request, pid: int) -> tuple[Shop, Product]:
        """Authenticate, then look the product up: the caller's shop and its product ``pid``."""
        shop = self.authenticate(request)
        return shop, self.owned(request, shop, pid)


# -- requests -----------------------------------------------------------------------------------


async def read_json(request: Request) -> dict[str, Any]:
    """The body as a JSON object ({} when it is not one)."""
    try:
        body = await request.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def to_int(value: Any) -> int | None:
    """An int, or the digits of a string; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def scope_headers(scope: MutableMapping[str, Any]) -> dict[str, str]:
    """An ASGI scope's headers, names in lower case (for the fault middleware, before any route)."""
    return {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}


def api_key_account(headers: dict[str, str]) -> str:
    """The rate-limit bucket of a request by the tail of its key header (generic's, and any
    request without credentials of its own marketplace)."""
    return "generic:" + str(headers.get("x-api-key", headers.get("authorization", "")))[-12:]


def base_url(request: Request, marketplace: str) -> str:
    """Where the marketplace is mounted, as the caller reached it (for listing URLs)."""
    return str(request.base_url).rstrip("/") + f"/{marketplace}"


# -- time ---------------------------------------------------------------------------------------


def local(text: str) -> str:
    """Stored UTC ISO text as +07:00 ISO text."""
    return datetime.fromisoformat(text).astimezone(VN_TZ).isoformat()


def parse_when(value: Any) -> datetime | None:
    """A moment from unix seconds or ISO 8601 text (no offset: Vietnamese time); None if neither."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


# -- validation ---------------------------------------------------------------------------------


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


def unknown_images(state: SandboxState, shop: Shop, image_ids: list[str]) -> list[tuple[int, str]]:
    """(position, id) of each image id this shop has not uploaded."""
    return [
        (index, image_id)
        for index, image_id in enumerate(image_ids)
        if image_id not in state.images or state.images[image_id]["shop_id"] != shop.shop_id
    ]


async def uploaded_file(request: Request, field: str) -> bytes | None:
    """The bytes of the multipart file ``field`` (None: no such file)."""
    async with request.form() as form:
        upload = form.get(field)
        if upload is None or isinstance(upload, str):
            return None
        return await upload.read()
