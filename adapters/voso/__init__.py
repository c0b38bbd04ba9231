"""voso: a Sendo-like contract (``CONTRACT.md``) — log in for an expiring bearer token, one upsert
endpoint, images by URL, order search with an opaque page token."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

import httpx

from adapters.base import AccountConfig, Adapter, Capabilities, Listing, OrderPage, RemoteImageRef, RemoteListing
from adapters.common import iso
from adapters.http import HttpCore, Token, TokenAuth, dig, parse_retry_after
from adapters.voso import mapper
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
from catalog.images import VOSO_PROFILE, ImageProfile

__all__ = ["CAPABILITIES", "VosoAdapter", "classify"]

logger = logging.getLogger("adapters.voso")

CAPABILITIES = Capabilities(
    images="url",
    needs_review=True,
    max_order_window=timedelta(days=7),
    pagination="token",
    batch_limit=1,
    title_max_length=150,
    description_max_length=100_000,
    required_fields=("title", "price", "stock", "category_id", "images"),
    requests_per_second=100.0,
)


def classify(response: httpx.Response, body: Any) -> MarketplaceError | None:
    """voso errors: ``{"success": false, "error": {"code", "message", "details"}}`` on any status."""
    if not isinstance(body, Mapping) or body.get("success", True) is not False:
        return None
    raw_error = body.get("error")
    error: Mapping[str, Any] = raw_error if isinstance(raw_error, Mapping) else {}
    code = str(error.get("code", ""))
    message = str(error.get("message", code))
    params: dict[str, Any] = {"marketplace": mapper.MARKETPLACE, "detail": message, "remote_code": code}
    if code == "too_many_requests" or response.status_code == 429:
        return RateLimitedError(
            "market.rate_limited", retry_after=parse_retry_after(response.headers.get("Retry-After")), **params
        )
    if code in ("token_expired", "unauthorized"):  # a refused token: log in again, once
        return AuthExpiredError("market.auth_expired", **params)
    if code == "invalid_credentials":
        return AuthError("market.auth", **params)
    if code == "not_found":
        return RemoteNotFoundError("market.not_found", key=message, **params)
    if code == "validation":
        return RejectedError("market.rejected", fields=mapper.field_problems(error), **params)
    if code == "product_in_review":
        return SkippableError("market.skippable", **params)
    if code in ("system_busy", "internal") or response.status_code >= 500:
        return RetriableError("market.retriable", **params)
    return None


class VosoAdapter(Adapter):
    key: ClassVar[str] = "voso"
    credential_fields: ClassVar[tuple[str, ...]] = ("username", "password")

    def __init__(self, config: AccountConfig, client: httpx.AsyncClient) -> None:
        super().__init__(config, client)
        self.auth = TokenAuth(self._login)  # "Authorization: Bearer <token>"
        self.http = HttpCore(
            client=client,
            marketplace=self.key,
            account=config.name,
            base_url=config.base_url,
            secrets=config.secret_values(),
            rate=CAPABILITIES.requests_per_second,
            auth=self.auth,
            classify=classify,
        )

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    @property
    def image_profile(self) -> ImageProfile:
        return VOSO_PROFILE

    # -- auth ---------------------------------------------------------------------------------

    async def _login(self) -> Token:
        username = self.config.credentials.get("username")
        password = self.config.credentials.get("password")
        if not username or not password:
            raise ConfigurationError(
                "adapters.credentials_missing",
                account=self.config.name,
                marketplace=self.key,
                fields="username, password",
            )
        reply = await self.http.request(
            "POST", "/api/login", json_body={"username": username, "password": password}, authenticated=False
        )
        token = dig(reply.body, "result.token")
        if not isinstance(token, str) or not token:
            raise AuthError("market.auth", marketplace=self.key, detail="no token in the login answer")
        self.http.add_secret(token)
        return Token(token, float(dig(reply.body, "result.expires_in", 3600)))

    async def refresh_auth(self) -> None:
        await self.auth.refresh()

    # -- listings -----------------------------------------------------------------------------

    async def upsert_listing(self, listing: Listing, *, remote_id: str | None = None) -> RemoteListing:
        reply = await self.http.request(
            "POST",
            "/api/products",
            json_body=mapper.listing_payload(listing, remote_id=remote_id),
            idempotent=remote_id is not None,
        )
        return mapper.remote_listing(self._result(reply.body))

    async def find_by_sku(self, sku: str) -> RemoteListing | None:
        reply = await self.http.request("GET", "/api/products", params={"sku": sku})
        items = dig(reply.body, "result.items", [])
        for item in items if isinstance(items, list) else []:
            if isinstance(item, Mapping) and item.get("sku") == sku:
                return mapper.remote_listing(item)
        return None

    async def get_listing(self, remote_id: str) -> RemoteListing:
        reply = await self.http.request("GET", f"/api/products/{remote_id}")
        return mapper.remote_listing(self._result(reply.body))

    async def update_stock_price(self, remote_id: str, *, price: int, stock: int) -> RemoteListing:
        reply = await self.http.request(
            "POST", f"/api/products/{remote_id}/inventory", json_body=mapper.inventory_payload(price=price, stock=stock)
        )
        return mapper.remote_listing(self._result(reply.body))

    async def delist(self, remote_id: str) -> None:
        await self.http.request("POST", f"/api/products/{remote_id}/delist")

    async def upload_image(self, data: bytes, *, filename: str, sha256: str) -> RemoteImageRef:
        raise SkippableError("adapters.upload_unsupported", marketplace=self.key)

    # -- orders -------------------------------------------------------------------------------

    async def list_orders(self, *, since: datetime, until: datetime, cursor: str | None = None) -> OrderPage:
        window = CAPABILITIES.max_order_window
        if window is not None and until - since > window:
            raise RejectedError("adapters.window_too_long", marketplace=self.key, max_days=window.days)
        body = {"updated_from": iso(since), "updated_to": iso(until), "page_size": 50, "token": cursor}
        reply = await self.http.request("POST", "/api/orders/search", json_body=body)
        items = dig(reply.body, "result.items", [])
        orders = []
        for item in items if isinstance(items, list) else []:
            try:
                orders.append(mapper.remote_order(item))
            except SkippableError as error:
                logger.warning("skipped an order: %s", error, extra={"marketplace": self.key})
        next_token = dig(reply.body, "result.next_token")
        return OrderPage(orders=tuple(orders), next_cursor=str(next_token) if next_token else None)

    def _result(self, body: Any) -> Mapping[str, Any]:
        result = dig(body, "result")
        if not isinstance(result, Mapping) or "id" not in result:
            raise RetriableError("market.retriable", marketplace=self.key, detail="no product in the answer")
        return result
