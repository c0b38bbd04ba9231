"""An in-memory marketplace behind the adapter contract, with scripted faults, and catalogue helpers."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import ClassVar

import httpx
from sqlmodel import Session

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
from catalog.categories import set_category_mapping
from catalog.errors import AuthExpiredError, RejectedError, RemoteNotFoundError, RetriableError
from catalog.images import DEFAULT_PROFILE, ImageProfile
from catalog.producers import Producer, ProducerCreate, create_producer
from catalog.products import Product, ProductCreate, ProductImage, create_product
from connector.accounts import MarketplaceAccount

CAPS = Capabilities(images="upload", required_fields=("title", "price", "stock", "category_id", "images"),
                    requests_per_second=1000.0)


@dataclass
class FakeMarket:
    """The remote side: listings by id, every request counted, faults by (operation, sku)."""

    listings: dict[str, RemoteListing] = field(default_factory=dict)
    sent: dict[str, Listing] = field(default_factory=dict)
    images: dict[str, RemoteImageRef] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    # (operation, sku) -> errors to raise, in order; "commit" before a create error means the
    # listing was created although the caller sees the error (commit-then-drop)
    faults: dict[tuple[str, str], list[Exception]] = field(default_factory=dict)
    commit_then_fail: set[str] = field(default_factory=set)
    review: bool = False
    reject_skus: set[str] = field(default_factory=set)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    on_call: Callable[[str, str], None] | None = None

    def skus(self) -> Counter[str]:
        return Counter(listing.sku for listing in self.listings.values())

    def _fault(self, operation: str, sku: str) -> None:
        self.calls[operation] += 1
        if self.on_call is not None:
            self.on_call(operation, sku)
        queue = self.faults.get((operation, sku))
        if queue:
            raise queue.pop(0)


class FakeAdapter(Adapter):
    key: ClassVar[str] = "fake"

    def __init__(self, market: FakeMarket, config: AccountConfig | None = None) -> None:
        super().__init__(config or AccountConfig(name="fake", marketplace="fake", base_url="http://fake"),
                         httpx.AsyncClient())
        self.market = market
        self.refreshed = 0

    @property
    def capabilities(self) -> Capabilities:
        return CAPS

    @property
    def image_profile(self) -> ImageProfile:
        return DEFAULT_PROFILE

    async def upsert_listing(self, listing: Listing, *, remote_id: str | None = None) -> RemoteListing:
        await asyncio.sleep(0)
        m = self.market
        if remote_id is None:
            if listing.sku in m.commit_then_fail:
                m.commit_then_fail.discard(listing.sku)
                self._store(listing, f"R{next(m.ids)}")
                m.calls["create"] += 1
                raise RetriableError("market.retriable", marketplace="fake", detail="dropped", sent=True)
            m._fault("create", listing.sku)
        else:
            m._fault("update", listing.sku)
            if remote_id not in m.listings:
                raise RemoteNotFoundError("market.not_found", marketplace="fake", key=remote_id)
        if listing.sku in m.reject_skus:
            raise RejectedError("market.rejected", marketplace="fake", detail="bad title", fields={"title": "xấu"})
        return self._store(listing, remote_id or f"R{next(m.ids)}")

    def _store(self, listing: Listing, remote_id: str) -> RemoteListing:
        state = ListingState.pending_review if self.market.review else ListingState.active
        remote = RemoteListing(remote_id=remote_id, sku=listing.sku, state=state, price=listing.price,
                               stock=listing.stock, title=listing.title, url=f"http://fake/p/{remote_id}")
        self.market.listings[remote_id] = remote
        self.market.sent[remote_id] = listing
        return remote

    async def find_by_sku(self, sku: str) -> RemoteListing | None:
        self.market._fault("find", sku)
        return next((r for r in self.market.listings.values() if r.sku == sku), None)

    async def get_listing(self, remote_id: str) -> RemoteListing:
        self.market._fault("get", remote_id)
        if remote_id not in self.market.listings:
            raise RemoteNotFoundError("market.not_found", marketplace="fake", key=remote_id)
        return self.market.listings[remote_id]

    async def update_stock_price(self, remote_id: str, *, price: int, stock: int) -> RemoteListing:
        remote = self.market.listings[remote_id]
        self.market._fault("stock", remote.sku)
        self.market.listings[remote_id] = replace(remote, price=price, stock=stock)
        return self.market.listings[remote_id]

    async def delist(self, remote_id: str) -> None:
        remote = self.market.listings[remote_id]
        self.market._fault("delist", remote.sku)
        self.market.listings[remote_id] = replace(remote, state=ListingState.delisted)

    async def upload_image(self, data: bytes, *, filename: str, sha256: str) -> RemoteImageRef:
        self.market._fault("upload", sha256)
        ref = RemoteImageRef(kind="id", value=f"IMG-{sha256[:8]}", sha256=sha256)
        self.market.images[sha256] = ref
        return ref

    async def list_orders(self, *, since: datetime, until: datetime, cursor: str | None = None) -> OrderPage:
        return OrderPage(orders=())

    async def refresh_auth(self) -> None:
        self.refreshed += 1


def expired() -> AuthExpiredError:
    return AuthExpiredError("market.auth_expired", marketplace="fake")


def retriable() -> RetriableError:
    return RetriableError("market.retriable", marketplace="fake", detail="503")


def make_shop(session: Session, *, count: int = 3, code: str = "HTX-A", marketplace: str = "fake",
              rules: dict[str, object] | None = None, image_sha: str | None = "a" * 64) -> MarketplaceAccount:
    """A producer with ``count`` active products in a mapped category, and an account on ``marketplace``."""
    producer: Producer = create_producer(session=session, data=ProducerCreate(code=code, name=f"HTX {code}"))
    set_category_mapping(session=session, category_code="1.1.1", marketplace=marketplace, remote_id="C-11")
    for i in range(count):
        product = create_product(session=session, producer=producer, data=ProductCreate(
            sku=f"SKU-{i:04d}", name=f"Miến dong {i}", price=50_000 + i, stock=10 + i, category_code="1.1.1",
            description="Miến dong Bắc Kạn"))
        if image_sha:
            session.add(ProductImage(product_id=product.id, position=1, sha256=image_sha, size_bytes=1,
                                     width=800, height=800, format="JPEG"))
    assert producer.id is not None
    account = MarketplaceAccount.model_validate({"name": f"{code.lower()}-{marketplace}", "marketplace": marketplace,
                                                 "producer_id": producer.id, "rules": rules or {},
                                                 "base_url": "http://fake"})
    account.credentials_encrypted = "x"
    session.add(account)
    session.commit()
    return account


def products_of(session: Session, account: MarketplaceAccount) -> list[Product]:
    from sqlmodel import col, select

    return list(session.exec(select(Product).where(Product.producer_id == account.producer_id)
                             .order_by(col(Product.sku))))
