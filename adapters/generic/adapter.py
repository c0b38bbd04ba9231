"""The generic adapter: the contract's operations, each one call the profile describes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

import httpx

from adapters.base import (
    AccountConfig,
    Adapter,
    Capabilities,
    Listing,
    ListingState,
    OrderPage,
    RemoteImageRef,
    RemoteListing,
)
from adapters.generic.auth import auth_for, credentials, lifetime
from adapters.generic.calls import build_call
from adapters.generic.classify import make_classifier
from adapters.generic.mapping import (
    id_or_zero,
    listing_context,
    marketplace_of,
    remote_listing,
    remote_order,
)
from adapters.generic.paging import next_cursor, page_request
from adapters.generic.profile import Operation, get_profile
from adapters.http import HttpCore, Refreshable, Reply, Token, dig, limiter_for
from catalog.errors import (
    AuthError,
    ConfigurationError,
    RejectedError,
    RemoteNotFoundError,
    RetriableError,
    SkippableError,
)
from catalog.images import ImageProfile

DEFAULT_PROFILE = "sandbox"
logger = logging.getLogger("adapters.generic")


class GenericAdapter(Adapter):
    key: ClassVar[str] = "generic"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)  # of the default (sandbox) profile

    @classmethod
    def required_credentials(cls, profile: str | None = None) -> tuple[str, ...]:
        return get_profile(profile or DEFAULT_PROFILE).auth.credentials

    def __init__(self, config: AccountConfig, client: httpx.AsyncClient) -> None:
        super().__init__(config, client)
        self.profile = get_profile(config.profile or DEFAULT_PROFILE)
        self.marketplace = marketplace_of(self.profile)
        self._capabilities = replace(self.profile.capabilities.contract(), sales_under_profile=True)
        self.auth = auth_for(self.profile, config, self._login)
        self.http = HttpCore(
            client=client,
            marketplace=self.marketplace,
            account=config.name,
            base_url=config.base_url,
            secrets=config.secret_values(),
            rate=self._capabilities.requests_per_second,
            auth=self.auth,
            classify=make_classifier(self.profile),
        )

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    @property
    def image_profile(self) -> ImageProfile:
        return self.profile.image_profile

    # -- auth and calls -----------------------------------------------------------------------

    async def _login(self) -> Token:
        """The ``bearer_login`` scheme's login call (its auth flow asks for it)."""
        auth = self.profile.auth
        assert auth.login is not None  # the profile's schema requires it for this scheme
        reply = await self._call(auth.login, credentials(self.profile, self.config), authenticated=False)
        token = dig(reply.body, auth.token_path)
        if not isinstance(token, str) or not token:
            raise AuthError("market.auth", marketplace=self.marketplace, detail="no token in the login answer")
        self.http.add_secret(token)
        return Token(token, lifetime(dig(reply.body, auth.expires_path), marketplace=self.marketplace))

    async def refresh_auth(self) -> None:
        if isinstance(self.auth, Refreshable):
            await self.auth.refresh()

    async def _call(
        self,
        op: Operation,
        context: Mapping[str, Any],
        *,
        authenticated: bool = True,
        files: Mapping[str, Any] | None = None,
        url: str | None = None,
        paging: Mapping[str, Any] | None = None,
    ) -> Reply:
        call = build_call(op, context, profile_file=self.profile.file, files=files, url=url, paging=paging,
                          authenticated=authenticated)
        if op.rate is not None:  # the endpoint's own limit, on top of the account's
            endpoint = f"{self.config.name}:{op.name}"
            await limiter_for(self.marketplace, endpoint, self.config.base_url, op.rate).acquire()
        return await self.http.send(call)

    def _op(self, name: str) -> Operation:
        op = self.profile.operations.named(name)
        if op is None:
            raise ConfigurationError("adapters.operation_unsupported", profile=self.profile.name, operation=name)
        return op

    # -- listings -----------------------------------------------------------------------------

    async def upsert_listing(self, listing: Listing, *, remote_id: str | None = None) -> RemoteListing:
        update = remote_id is not None and self.profile.operations.update is not None
        op = self._op("update" if update else "create")
        reply = await self._call(op, listing_context(listing, remote_id))
        if op.item_path is not None:
            obj = dig(reply.body, op.item_path)
            if isinstance(obj, Mapping):
                return remote_listing(self.profile, obj, fallback=listing)
        new_id = dig(reply.body, op.id_path) if op.id_path is not None else None
        return remote_listing(
            self.profile, None, fallback=listing, remote_id=str(new_id) if new_id is not None else remote_id
        )

    async def find_by_sku(self, sku: str) -> RemoteListing | None:
        op = self._op("find")
        reply = await self._call(op, {"sku": sku})
        items = dig(reply.body, op.items_path, []) if op.items_path else reply.body
        sku_path = self.profile.listing.sku
        for item in items if isinstance(items, list) else []:
            if isinstance(item, Mapping) and (sku_path is None or str(dig(item, sku_path)) == sku):
                return remote_listing(self.profile, item)
        return None

    async def get_listing(self, remote_id: str) -> RemoteListing:
        op = self._op("get")
        reply = await self._call(op, {"remote_id": remote_id})
        obj = dig(reply.body, op.item_path) if op.item_path else reply.body
        if not isinstance(obj, Mapping):
            raise RemoteNotFoundError("market.not_found", marketplace=self.marketplace, key=remote_id)
        return remote_listing(self.profile, obj)

    async def update_stock_price(self, remote_id: str, *, price: int, stock: int) -> RemoteListing:
        op = self._op("stock_price")
        context = {
            "remote_id": remote_id,
            "price": price,
            "stock": stock,
            "in_stock": stock > 0,
            "remote_id_or_zero": id_or_zero(remote_id),
        }
        reply = await self._call(op, context)
        obj = dig(reply.body, op.item_path) if op.item_path else None
        if isinstance(obj, Mapping):
            return remote_listing(self.profile, obj)
        return RemoteListing(remote_id=remote_id, sku="", state=ListingState.active, price=price, stock=stock)

    async def delist(self, remote_id: str) -> None:
        await self._call(self._op("delist"), {"remote_id": remote_id, "remote_id_or_zero": id_or_zero(remote_id)})

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

    # -- orders -------------------------------------------------------------------------------

    async def list_orders(self, *, since: datetime, until: datetime, cursor: str | None = None) -> OrderPage:
        window = self.capabilities.max_order_window
        if window is not None and until - since > window:
            raise RejectedError("adapters.window_too_long", marketplace=self.marketplace, max_days=window.days)
        op = self._op("orders")
        page = page_request(op.pagination, since=since, until=until, cursor=cursor, base_url=self.http.base_url)
        reply = await self._call(op, page.context, url=page.url, paging=page.paging)
        items = dig(reply.body, op.items_path, []) if op.items_path else reply.body
        items = items if isinstance(items, list) else []
        orders = []
        for obj in items:
            if not isinstance(obj, Mapping):
                continue
            lines = await self._order_lines(obj)
            try:
                orders.append(remote_order(self.profile, obj, lines))
            except SkippableError as error:
                logger.warning("skipped an order: %s", error, extra={"marketplace": self.marketplace})
        return OrderPage(orders=tuple(orders), next_cursor=next_cursor(op.pagination, reply, len(items), page.context))

    async def _order_lines(self, obj: Mapping[str, Any]) -> Any:
        """An order's lines: inside the order object, or from the order_lines operation."""
        table = self.profile.order
        op = self.profile.operations.order_lines
        if op is None:
            return dig(obj, table.lines, [])
        reply = await self._call(op, {"order_id": str(dig(obj, table.id))})
        return dig(reply.body, op.items_path, []) if op.items_path else reply.body
