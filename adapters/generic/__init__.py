"""The generic adapter: a marketplace described by a TOML profile (``profiles/*.toml``), no Python.

The account's ``profile`` names the file (default ``sandbox``, the sandbox's generic
marketplace).  See ``README.md`` for the profile format.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote

import httpx

from adapters.base import (
    AccountConfig,
    Adapter,
    Capabilities,
    FieldProblem,
    Listing,
    ListingState,
    OrderPage,
    OrderStatus,
    RemoteImageRef,
    RemoteListing,
    RemoteOrder,
    RemoteOrderLine,
)
from adapters.common import parse_time
from adapters.generic.profile import Operation, Profile, get_profile
from adapters.generic.signing import sign
from adapters.generic.template import MissingValue, render
from adapters.http import HttpCore, Reply, dig, limiter_for, parse_retry_after
from catalog.errors import (
    AuthError,
    AuthExpiredError,
    ConfigurationError,
    MarketplaceError,
    RateLimitedError,
    RejectedError,
    RemoteNotFoundError,
    RetriableError,
    SkippableError,
)
from catalog.images import ImageProfile

DEFAULT_PROFILE = "sandbox"
logger = logging.getLogger("adapters.generic")


def make_classifier(profile: Profile) -> Any:
    errors = profile.errors
    marketplace = f"generic:{profile.name}"

    def classify(response: httpx.Response, body: Any) -> MarketplaceError | None:
        raw_code = dig(body, errors.code_path) if errors.code_path and isinstance(body, Mapping) else None
        code = "" if raw_code is None else str(raw_code)
        failed = response.status_code >= 400 or code not in errors.success_codes
        if not failed:
            return None
        message = dig(body, errors.message_path) if errors.message_path else None
        if not message and errors.message_header:
            message = response.headers.get(errors.message_header)
        detail = f"{code}: {message}" if code else str(message or response.status_code)
        params: dict[str, Any] = {"marketplace": marketplace, "detail": detail[:300], "remote_code": code}
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if code in errors.rate_limited or response.status_code == 429:
            return RateLimitedError("market.rate_limited", retry_after=retry_after, **params)
        if code in errors.retry or response.status_code >= 500:
            return RetriableError("market.retriable", retry_after=retry_after, **params)
        if code in errors.auth_expired:
            return AuthExpiredError("market.auth_expired", **params)
        if code in errors.auth:
            return AuthError("market.auth", **params)
        if code in errors.not_found or response.status_code == 404:
            return RemoteNotFoundError("market.not_found", key=str(message or code), **params)
        if code in errors.skippable:
            return SkippableError("market.skippable", **params)
        if response.status_code == 401:
            return None  # the default status rules: an expired session
        if response.status_code == 403:
            return AuthError("market.auth", **params)
        fields: dict[str, str] = {}
        found = dig(body, errors.fields_path, []) if errors.fields_path else []
        for item in found if isinstance(found, list) else []:
            if isinstance(item, Mapping):
                fields[str(item.get(errors.field_key, ""))] = str(item.get(errors.field_message_key, ""))
        return RejectedError("market.rejected", fields=fields, **params)

    return classify


def _money(value: Any, *, marketplace: str, what: str) -> int:
    """A whole number of VND from an int or text such as ``"185000.00"``."""
    if isinstance(value, bool) or value is None:
        raise SkippableError("market.skippable", marketplace=marketplace, detail=f"{what}: {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise SkippableError("market.skippable", marketplace=marketplace, detail=f"{what}: {value!r}") from None
    if number != number.to_integral_value():
        raise SkippableError("market.skippable", marketplace=marketplace, detail=f"{what}: {value!r} has a fraction")
    return int(number)


def _form_value(value: Any) -> str:
    """A form field: text as is, anything else as JSON (``1000``, ``true``, ``["a"]``)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Quoted(Mapping[str, Any]):
    """The context's values as URL path segments, quoted when a template asks for them."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        return quote(str(value), safe="") if isinstance(value, str | int) else value

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class GenericAdapter(Adapter):
    key: ClassVar[str] = "generic"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)  # of the default (sandbox) profile

    @classmethod
    def required_credentials(cls, profile: str | None = None) -> tuple[str, ...]:
        return get_profile(profile or DEFAULT_PROFILE).auth.credentials

    def __init__(self, config: AccountConfig, client: httpx.AsyncClient) -> None:
        super().__init__(config, client)
        self.profile = get_profile(config.profile or DEFAULT_PROFILE)
        self.marketplace = f"generic:{self.profile.name}"
        self._prefix = httpx.URL(config.base_url).path.rstrip("/")
        self._token: str | None = None
        self._token_expires = 0.0
        self._api_key: str | None = None  # the rendered api-key value (credentials do not change)
        self._login_lock: asyncio.Lock | None = None
        self.http = HttpCore(
            client=client,
            marketplace=self.marketplace,
            account=config.name,
            base_url=config.base_url,
            secrets=config.secret_values(),
            rate=self.profile.capabilities.requests_per_second,
            sign=self._authorize,
            classify=make_classifier(self.profile),
            refresh=self.refresh_auth if self.profile.auth.scheme == "bearer_login" else None,
        )

    @property
    def capabilities(self) -> Capabilities:
        return replace(self.profile.capabilities, sales_under_profile=True)

    @property
    def image_profile(self) -> ImageProfile:
        return self.profile.image_profile

    # -- auth ---------------------------------------------------------------------------------

    def _credentials(self) -> dict[str, str]:
        creds = dict(self.config.credentials)
        missing = [name for name in self.profile.auth.credentials if not creds.get(name)]
        if missing:
            raise ConfigurationError(
                "adapters.credentials_missing",
                account=self.config.name,
                marketplace=self.marketplace,
                fields=", ".join(missing),
            )
        if self.config.shop_id:
            creds.setdefault("shop_id", self.config.shop_id)
        return creds

    async def _authorize(self, request: httpx.Request) -> None:
        auth = self.profile.auth
        if auth.scheme == "api_key":
            value = self._api_key
            if value is None:
                value = self._api_key = str(render(auth.value, self._credentials()))
            if auth.location == "header":
                request.headers[auth.name] = value
            else:
                request.url = request.url.copy_merge_params({auth.name: value})
        elif auth.scheme == "bearer_login":
            if self._token is None or time.monotonic() >= self._token_expires:
                await self._login(stale=self._token)
            request.headers[auth.header] = str(render(auth.header_value, {"token": self._token}))
        elif auth.scheme == "hmac_query":
            self._sign(request)

    def _sign(self, request: httpx.Request) -> None:
        auth = self.profile.auth
        now = time.time()
        context = {**self._credentials(), "timestamp": str(int(now)), "timestamp_ms": str(int(now * 1000))}
        extra = {k: str(render(v, context)) for k, v in auth.sign_params.items()}
        request.url = request.url.copy_merge_params(extra)
        params = list(request.url.params.multi_items())
        body = b""
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body = request.read()
            params += parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        signature = sign(
            auth.sign_string,
            path=request.url.path.removeprefix(self._prefix),
            params=params,
            key=str(render(auth.sign_key, context)),
            upper=auth.sign_case == "upper",
            exclude=auth.sign_param,
            body=body.decode("utf-8"),
        )
        request.url = request.url.copy_merge_params({auth.sign_param: signature})

    async def _login(self, *, stale: str | None) -> None:
        auth = self.profile.auth
        assert auth.login is not None
        if self._login_lock is None:
            self._login_lock = asyncio.Lock()
        async with self._login_lock:
            if self._token is not None and self._token != stale and time.monotonic() < self._token_expires:
                return
            reply = await self._call(auth.login, self._credentials(), authenticated=False)
            token = dig(reply.body, auth.token_path)
            if not isinstance(token, str) or not token:
                raise AuthError("market.auth", marketplace=self.marketplace, detail="no token in the login answer")
            self.http.add_secret(token)
            self._token = token
            self._token_expires = time.monotonic() + self._lifetime(dig(reply.body, auth.expires_path))

    def _lifetime(self, expires: Any) -> float:
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            seconds = float(expires)
            if seconds > 10**9:  # an epoch time, not a duration
                seconds = seconds - time.time()
        elif isinstance(expires, str) and expires:
            try:
                seconds = (parse_time(expires, marketplace=self.marketplace) - datetime.now(UTC)).total_seconds()
            except SkippableError:
                seconds = 3600.0
        else:
            seconds = 3600.0
        return max(1.0, seconds - 30.0)

    async def refresh_auth(self) -> None:
        if self.profile.auth.scheme == "bearer_login":
            await self._login(stale=self._token)

    # -- calls --------------------------------------------------------------------------------

    async def _call(
        self,
        op: Operation,
        context: Mapping[str, Any],
        *,
        authenticated: bool = True,
        files: Any = None,
        url: str | None = None,
        paging: Mapping[str, Any] | None = None,
    ) -> Reply:
        try:
            if url is not None:
                path = url
            elif "{" in op.path:
                path = str(render(op.path, _Quoted(context)))
            else:
                path = op.path
            query = render(dict(op.query), context) if url is None else None  # a Link URL is complete
            body = render(dict(op.body), context)
            if paging and url is None:  # page/offset/cursor parameters the template does not set itself
                if op.pagination.location == "body":
                    body = {**paging, **body}
                else:
                    query = {**paging, **(query or {})}
        except MissingValue as exc:
            raise ConfigurationError(
                "adapters.profile_invalid",
                file=str(self.profile.file),
                key=f"operations.{op.name}",
                reason=f"unknown placeholder {{{exc.args[0]}}}",
            ) from None
        if op.rate is not None:
            await limiter_for(
                self.marketplace, f"{self.config.name}:{op.name}", self.config.base_url, op.rate
            ).acquire()
        kwargs: dict[str, Any] = {"params": query or None, "headers": dict(op.headers) or None}
        if op.encoding == "json" and body:
            kwargs["json_body"] = body
        elif op.encoding == "form" and body:
            kwargs["data"] = {k: _form_value(v) for k, v in body.items()}
        elif op.encoding == "query" and body:
            kwargs["params"] = {**(query or {}), **body}
        elif op.encoding == "multipart":
            kwargs["data"] = {k: _form_value(v) for k, v in body.items()} or None
            kwargs["files"] = files
        return await self.http.request(op.method, path, idempotent=op.idempotent, authenticated=authenticated, **kwargs)

    def _op(self, name: str) -> Operation:
        op = self.profile.operations.get(name)
        if op is None:
            raise ConfigurationError("adapters.operation_unsupported", profile=self.profile.name, operation=name)
        return op

    # -- mapping ------------------------------------------------------------------------------

    def _listing_context(self, listing: Listing, remote_id: str | None) -> dict[str, Any]:
        return {
            "sku": listing.sku,
            "title": listing.title,
            "description": listing.description,
            "price": listing.price,
            "stock": listing.stock,
            "in_stock": listing.stock > 0,
            "unit": listing.unit,
            "category_id": listing.category_id,
            "images": [image.value for image in listing.images],
            "first_image": listing.images[0].value if listing.images else None,
            "weight_g": listing.weight_g,
            "weight_kg": None if listing.weight_g is None else listing.weight_g / 1000,
            "length_mm": listing.length_mm,
            "width_mm": listing.width_mm,
            "height_mm": listing.height_mm,
            "length_cm": None if listing.length_mm is None else listing.length_mm / 10,
            "width_cm": None if listing.width_mm is None else listing.width_mm / 10,
            "height_cm": None if listing.height_mm is None else listing.height_mm / 10,
            "barcode": listing.barcode,
            "ocop_stars": listing.ocop_stars,
            "attributes": dict(listing.attributes),
            "attribute_list": [{"name": k, "value": v} for k, v in sorted(listing.attributes.items())],
            "remote_id": remote_id,
            "remote_id_or_zero": int(remote_id) if remote_id and remote_id.isdigit() else 0,
        }

    def _remote_listing(
        self, obj: Any, *, fallback: Listing | None = None, remote_id: str | None = None
    ) -> RemoteListing:
        paths = self.profile.listing.paths
        if not isinstance(obj, Mapping):
            if remote_id is None:
                raise RetriableError(
                    "market.retriable", marketplace=self.marketplace, detail="no listing in the answer"
                )
            state = ListingState.pending_review if self.capabilities.needs_review else ListingState.active
            return RemoteListing(
                remote_id=remote_id,
                sku=fallback.sku if fallback else "",
                state=state,
                price=fallback.price if fallback else None,
                stock=fallback.stock if fallback else None,
                title=fallback.title if fallback else None,
            )

        def get(name: str, default: Any = None) -> Any:
            path = paths.get(name)
            return default if path is None else dig(obj, path, default)

        state_name = self.profile.listing.states.get(str(get("state")), ListingState.pending_review.value)
        price, stock = get("price"), get("stock")
        reasons = []
        found = get("reasons", [])
        for item in found if isinstance(found, list) else []:
            if isinstance(item, Mapping):
                reasons.append(
                    FieldProblem(
                        field=str(item.get(paths.get("reason_field", "field"), "")),
                        message=str(item.get(paths.get("reason_message", "message"), "")),
                    )
                )
        rid = get("id")
        return RemoteListing(
            remote_id=str(rid if rid is not None else remote_id),
            sku=str(get("sku", fallback.sku if fallback else "")),
            state=ListingState(state_name),
            price=None if price is None else _money(price, marketplace=self.marketplace, what="price"),
            stock=None if stock is None else _money(stock, marketplace=self.marketplace, what="stock"),
            title=get("title"),
            url=get("url"),
            reasons=tuple(reasons),
        )

    def _time(self, value: Any) -> datetime:
        fmt = self.profile.order.time_format
        if fmt in ("epoch", "epoch_ms") and value is not None:
            number = _money(value, marketplace=self.marketplace, what="time")
            return datetime.fromtimestamp(number / 1000 if fmt == "epoch_ms" else number, UTC)
        return parse_time(value, marketplace=self.marketplace)

    def _remote_order(self, obj: Mapping[str, Any], lines_obj: Any) -> RemoteOrder:
        paths = self.profile.order.paths
        raw = str(dig(obj, paths["status"], ""))
        status = self.profile.order.states.get(raw)
        if status is None:
            raise SkippableError("market.skippable", marketplace=self.marketplace, detail=f"unknown status {raw!r}")
        lines = []
        for line in lines_obj if isinstance(lines_obj, list) else []:
            quantity_path = paths.get("line_quantity")
            quantity = (
                1
                if quantity_path is None
                else _money(  # one row per unit (Lazada) when no path
                    dig(line, quantity_path), marketplace=self.marketplace, what="quantity"
                )
            )
            unit_price = _money(
                dig(line, paths.get("line_unit_price", "unit_price")), marketplace=self.marketplace, what="unit_price"
            )
            amount_raw = dig(line, paths.get("line_amount", "amount"))
            amount = (
                unit_price * quantity
                if amount_raw is None
                else _money(amount_raw, marketplace=self.marketplace, what="amount")
            )
            listing_id = dig(line, paths.get("line_listing_id", "listing_id"))
            lines.append(
                RemoteOrderLine(
                    sku=str(dig(line, paths.get("line_sku", "sku"), "")),
                    quantity=quantity,
                    unit_price=unit_price,
                    amount=amount,
                    remote_listing_id=None if listing_id is None else str(listing_id),
                    title=dig(line, paths.get("line_title", "title")),
                )
            )
        confirm_by = dig(obj, paths.get("confirm_by")) if paths.get("confirm_by") else None
        total_raw = dig(obj, paths["total"])
        return RemoteOrder(
            remote_id=str(dig(obj, paths["id"])),
            status=OrderStatus(status),
            raw_status=raw,
            placed_at=self._time(dig(obj, paths["placed_at"])),
            updated_at=self._time(dig(obj, paths["updated_at"])),
            total=sum(line.amount for line in lines)
            if total_raw is None
            else _money(total_raw, marketplace=self.marketplace, what="total"),
            lines=tuple(lines),
            confirm_by=self._time(confirm_by) if confirm_by else None,
            buyer_province=dig(obj, paths.get("province")) if paths.get("province") else None,
        )

    # -- operations ---------------------------------------------------------------------------

    async def upsert_listing(self, listing: Listing, *, remote_id: str | None = None) -> RemoteListing:
        name = "create" if remote_id is None or "update" not in self.profile.operations else "update"
        op = self._op(name)
        reply = await self._call(op, self._listing_context(listing, remote_id))
        if op.item_path is not None:
            obj = dig(reply.body, op.item_path)
            if isinstance(obj, Mapping):
                return self._remote_listing(obj, fallback=listing)
        new_id = dig(reply.body, op.id_path) if op.id_path is not None else None
        return self._remote_listing(None, fallback=listing, remote_id=str(new_id) if new_id is not None else remote_id)

    async def find_by_sku(self, sku: str) -> RemoteListing | None:
        op = self._op("find")
        reply = await self._call(op, {"sku": sku})
        items = dig(reply.body, op.items_path, []) if op.items_path else reply.body
        sku_path = self.profile.listing.paths.get("sku")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, Mapping) and (sku_path is None or str(dig(item, sku_path)) == sku):
                return self._remote_listing(item)
        return None

    async def get_listing(self, remote_id: str) -> RemoteListing:
        op = self._op("get")
        reply = await self._call(op, {"remote_id": remote_id})
        obj = dig(reply.body, op.item_path) if op.item_path else reply.body
        if not isinstance(obj, Mapping):
            raise RemoteNotFoundError("market.not_found", marketplace=self.marketplace, key=remote_id)
        return self._remote_listing(obj)

    async def update_stock_price(self, remote_id: str, *, price: int, stock: int) -> RemoteListing:
        op = self._op("stock_price")
        context = {
            "remote_id": remote_id,
            "price": price,
            "stock": stock,
            "in_stock": stock > 0,
            "remote_id_or_zero": int(remote_id) if remote_id.isdigit() else 0,
        }
        reply = await self._call(op, context)
        obj = dig(reply.body, op.item_path) if op.item_path else None
        if isinstance(obj, Mapping):
            return self._remote_listing(obj)
        return RemoteListing(remote_id=remote_id, sku="", state=ListingState.active, price=price, stock=stock)

    async def delist(self, remote_id: str) -> None:
        await self._call(
            self._op("delist"),
            {"remote_id": remote_id, "remote_id_or_zero": int(remote_id) if remote_id.isdigit() else 0},
        )

    async def upload_image(self, data: bytes, *, filename: str, sha256: str) -> RemoteImageRef:
        op = self._op("upload_image")
        content_type = "image/png" if filename.lower().endswith(".png") else "image/jpeg"
        reply = await self._call(
            op, {"filename": filename, "sha256": sha256}, files={op.file_field: (filename, data, content_type)}
        )
        if op.url_path:
            value = dig(reply.body, op.url_path)
            kind = "url"
        else:
            value = dig(reply.body, op.id_path or "id")
            kind = "id"
        if value is None or value == "":
            raise RetriableError("market.retriable", marketplace=self.marketplace, detail="no image id in the answer")
        return RemoteImageRef(kind=kind, value=str(value), sha256=sha256)  # type: ignore[arg-type]

    async def list_orders(self, *, since: datetime, until: datetime, cursor: str | None = None) -> OrderPage:
        window = self.capabilities.max_order_window
        if window is not None and until - since > window:
            raise RejectedError("adapters.window_too_long", marketplace=self.marketplace, max_days=window.days)
        op = self._op("orders")
        pages = op.pagination
        context: dict[str, Any] = {
            "since": since,
            "until": until,
            "page_size": pages.size,
            "cursor": None,
            "page": pages.start,
            "offset": 0,
        }
        url = None
        if pages.style == "page":
            context["page"] = int(cursor) if cursor else pages.start
        elif pages.style == "offset":
            context["offset"] = int(cursor) if cursor else 0
        elif pages.style in ("cursor", "token"):
            context["cursor"] = cursor
        elif pages.style == "link" and cursor:
            url = cursor.removeprefix(self.http.base_url)
        paging: dict[str, Any] = {}
        value = {"page": context["page"], "offset": context["offset"]}.get(pages.style, context["cursor"])
        if pages.param and value is not None:
            paging[pages.param] = value
        if pages.size_param:
            paging[pages.size_param] = pages.size
        reply = await self._call(op, context, url=url, paging=paging)
        items = dig(reply.body, op.items_path, []) if op.items_path else reply.body
        items = items if isinstance(items, list) else []
        orders = []
        for obj in items:
            if not isinstance(obj, Mapping):
                continue
            lines = await self._order_lines(obj)
            try:
                orders.append(self._remote_order(obj, lines))
            except SkippableError as error:
                logger.warning("skipped an order: %s", error, extra={"marketplace": self.marketplace})
        return OrderPage(orders=tuple(orders), next_cursor=self._next_cursor(reply, len(items), context))

    async def _order_lines(self, obj: Mapping[str, Any]) -> Any:
        paths = self.profile.order.paths
        op = self.profile.operations.get("order_lines")
        if op is None:
            return dig(obj, paths.get("lines", "lines"), [])
        reply = await self._call(op, {"order_id": str(dig(obj, paths["id"]))})
        return dig(reply.body, op.items_path, []) if op.items_path else reply.body

    def _next_cursor(self, reply: Reply, count: int, context: Mapping[str, Any]) -> str | None:
        pages = self.profile.operations["orders"].pagination
        if pages.style == "page":
            page = int(context["page"])
            if pages.pages_path:
                total = dig(reply.body, pages.pages_path)
                return str(page + 1) if isinstance(total, int) and page < total else None
            return str(page + 1) if count >= pages.size else None
        if pages.style == "offset":
            return str(int(context["offset"]) + count) if count >= pages.size else None
        if pages.style in ("cursor", "token"):
            if pages.more_path and not dig(reply.body, pages.more_path):
                return None
            nxt = dig(reply.body, pages.next_path)
            return str(nxt) if nxt not in (None, "") else None
        if pages.style == "link":
            link = reply.headers.get("link", "")
            for part in link.split(","):
                if 'rel="next"' in part and "<" in part:
                    return str(part[part.index("<") + 1 : part.index(">")])
        return None
