"""postmart: a Shopee-like contract (``CONTRACT.md``) — HMAC-SHA256 signed requests, image upload
returning an id, order listing in windows of at most 15 days with a cursor, rate limiting
reported as a code in the body."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

import httpx

from adapters.base import AccountConfig, Adapter, Capabilities, Listing, OrderPage, RemoteImageRef, RemoteListing
from adapters.http import HttpCore, dig, parse_retry_after
from adapters.postmart import mapper
from adapters.postmart.auth import PostmartSignature
from catalog.errors import (
    AuthError,
    MarketplaceError,
    RateLimitedError,
    RejectedError,
    RemoteNotFoundError,
    RetriableError,
    SkippableError,
)
from catalog.images import POSTMART_PROFILE, ImageProfile

__all__ = ["CAPABILITIES", "PostmartAdapter", "PostmartSignature", "classify"]

logger = logging.getLogger("adapters.postmart")

CAPABILITIES = Capabilities(
    images="upload",
    needs_review=True,
    max_order_window=timedelta(days=15),
    pagination="cursor",
    batch_limit=50,
    title_max_length=120,
    description_max_length=3000,
    required_fields=("title", "price", "stock", "category_id", "images"),
    requests_per_second=100.0,
)

_RETRY = {"error_server", "error_inner", "error_system_busy", "system_busy", "error_param_timestamp"}
_AUTH = {"error_sign", "error_auth", "invalid_acceess_token", "error_permission", "source_ip_undeclared"}
_NOT_FOUND = {"error_item_not_found", "error_not_found"}


def classify(response: httpx.Response, body: Any) -> MarketplaceError | None:
    """postmart answers ``{"error", "message", "request_id", "response"}``: empty ``error`` is success."""
    if not isinstance(body, Mapping):
        return None
    code = str(body.get("error") or "")
    if not code:
        return None
    message = str(body.get("message") or code)
    params: dict[str, Any] = {"marketplace": mapper.MARKETPLACE, "detail": f"{code}: {message}", "remote_code": code}
    if code in ("error_rate_limit", "too_many_requests") or response.status_code == 429:
        return RateLimitedError(
            "market.rate_limited", retry_after=parse_retry_after(response.headers.get("Retry-After")), **params
        )
    if code == "error_limit":  # the daily quota: nothing to do until it resets
        return RateLimitedError("market.rate_limited", retry_after=60.0, **params)
    if code in _RETRY or response.status_code >= 500:
        return RetriableError("market.retriable", **params)
    if code == "error_param" and "timestamp" in message.lower():
        return RetriableError("market.retriable", **params)  # re-signed on the next attempt
    if code in _AUTH:
        return AuthError("market.auth", **params)
    if code in _NOT_FOUND:
        return RemoteNotFoundError("market.not_found", key=message, **params)
    if code == "error_item_reviewing":
        return SkippableError("market.skippable", **params)
    return RejectedError("market.rejected", fields=mapper.field_problems(body), **params)


class PostmartAdapter(Adapter):
    key: ClassVar[str] = "postmart"
    credential_fields: ClassVar[tuple[str, ...]] = ("partner_id", "partner_key")

    def __init__(self, config: AccountConfig, client: httpx.AsyncClient) -> None:
        super().__init__(config, client)
        self.http = HttpCore(
            client=client,
            marketplace=self.key,
            account=config.name,
            base_url=config.base_url,
            secrets=config.secret_values(),
            rate=CAPABILITIES.requests_per_second,
            auth=PostmartSignature(config),
            classify=classify,
        )

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    @property
    def image_profile(self) -> ImageProfile:
        return POSTMART_PROFILE

    async def refresh_auth(self) -> None:
        """Signed requests hold no token; this checks that the keys are accepted."""
        await self.http.request("GET", "/api/v2/product/search_item", params={"item_sku": "-"})

    # -- listings -----------------------------------------------------------------------------

    async def upsert_listing(self, listing: Listing, *, remote_id: str | None = None) -> RemoteListing:
        path = "/api/v2/product/add_item" if remote_id is None else "/api/v2/product/update_item"
        reply = await self.http.request(
            "POST", path, json_body=mapper.item_payload(listing, remote_id=remote_id), idempotent=remote_id is not None
        )
        return mapper.remote_listing(self._response(reply.body))

    async def find_by_sku(self, sku: str) -> RemoteListing | None:
        reply = await self.http.request("GET", "/api/v2/product/search_item", params={"item_sku": sku})
        for item in dig(reply.body, "response.item_list", []) or []:
            if isinstance(item, Mapping) and item.get("item_sku") == sku:
                return mapper.remote_listing(item)
        return None

    async def get_listing(self, remote_id: str) -> RemoteListing:
        reply = await self.http.request("GET", "/api/v2/product/get_item_base_info", params={"item_id_list": remote_id})
        for item in dig(reply.body, "response.item_list", []) or []:
            if isinstance(item, Mapping) and str(item.get("item_id")) == str(remote_id):
                return mapper.remote_listing(item)
        raise RemoteNotFoundError("market.not_found", marketplace=self.key, key=remote_id)

    async def update_stock_price(self, remote_id: str, *, price: int, stock: int) -> RemoteListing:
        reply = await self.http.request(
            "POST",
            "/api/v2/product/update_price_stock",
            json_body=mapper.price_stock_payload(remote_id, price=price, stock=stock),
        )
        self._raise_failures(reply.body, remote_id)
        done = dig(reply.body, "response.success_list", []) or []
        if not done or not isinstance(done[0], Mapping):
            raise RetriableError("market.retriable", marketplace=self.key, detail="empty success_list")
        return mapper.remote_listing(done[0])

    async def delist(self, remote_id: str) -> None:
        reply = await self.http.request(
            "POST",
            "/api/v2/product/unlist_item",
            json_body={"item_list": [{"item_id": int(remote_id), "unlist": True}]},
        )
        self._raise_failures(reply.body, remote_id)

    async def upload_image(self, data: bytes, *, filename: str, sha256: str) -> RemoteImageRef:
        content_type = "image/png" if filename.lower().endswith(".png") else "image/jpeg"
        reply = await self.http.request(
            "POST", "/api/v2/media_space/upload_image", files={"image": (filename, data, content_type)}
        )
        image_id = dig(reply.body, "response.image_info.image_id")
        if not isinstance(image_id, str) or not image_id:
            raise RetriableError("market.retriable", marketplace=self.key, detail="no image_id in the answer")
        return RemoteImageRef(kind="id", value=image_id, sha256=sha256)

    # -- orders -------------------------------------------------------------------------------

    async def list_orders(self, *, since: datetime, until: datetime, cursor: str | None = None) -> OrderPage:
        window = CAPABILITIES.max_order_window
        if window is not None and until - since > window:
            raise RejectedError("adapters.window_too_long", marketplace=self.key, max_days=window.days)
        params: dict[str, Any] = {
            "time_range_field": "update_time",
            "time_from": int(since.timestamp()),
            "time_to": int(until.timestamp()),
            "page_size": 50,
        }
        if cursor:
            params["cursor"] = cursor
        reply = await self.http.request("GET", "/api/v2/order/get_order_list", params=params)
        numbers = [str(o["order_sn"]) for o in dig(reply.body, "response.order_list", []) or [] if "order_sn" in o]
        orders = []
        if numbers:
            detail = await self.http.request(
                "GET", "/api/v2/order/get_order_detail", params={"order_sn_list": ",".join(numbers)}
            )
            for raw in dig(detail.body, "response.order_list", []) or []:
                try:
                    orders.append(mapper.remote_order(raw))
                except SkippableError:
                    continue
        more = bool(dig(reply.body, "response.more", False))
        next_cursor = dig(reply.body, "response.next_cursor") or None
        return OrderPage(orders=tuple(orders), next_cursor=str(next_cursor) if more and next_cursor else None)

    # -- helpers ------------------------------------------------------------------------------

    def _response(self, body: Any) -> Mapping[str, Any]:
        response = dig(body, "response")
        if not isinstance(response, Mapping) or "item_id" not in response:
            raise RetriableError("market.retriable", marketplace=self.key, detail="no item in the answer")
        return response

    def _raise_failures(self, body: Any, remote_id: str) -> None:
        for failure in dig(body, "response.failure_list", []) or []:
            if not isinstance(failure, Mapping):
                continue
            reason = str(failure.get("failed_reason", ""))
            if reason in _NOT_FOUND:
                raise RemoteNotFoundError("market.not_found", marketplace=self.key, key=remote_id)
            raise RejectedError("market.rejected", marketplace=self.key, detail=reason, fields={"item": reason})
