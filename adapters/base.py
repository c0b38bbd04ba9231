"""The adapter contract and the types every marketplace adapter shares.

An adapter speaks to one marketplace on behalf of one account.  It is built from an
:class:`AccountConfig` (the account's settings and decrypted credentials, given by the connector)
and an injected :class:`httpx.AsyncClient`; it never touches the database.  It declares what the
marketplace can do (:class:`Capabilities`) and its image rules (:class:`~catalog.images.ImageProfile`),
and raises only errors from the shared tree in :mod:`catalog.errors`:

- :class:`~catalog.errors.RetriableError` (with ``retry_after``) and its subclass
  :class:`~catalog.errors.RateLimitedError`: try again later, through the one retry policy;
- :class:`~catalog.errors.AuthExpiredError`: the caller refreshes (``refresh_auth``) and retries once;
- :class:`~catalog.errors.RejectedError`: the marketplace refused the payload, with field messages;
- :class:`~catalog.errors.RemoteNotFoundError`: the remote object is gone;
- :class:`~catalog.errors.SkippableError`: this item cannot be done, the run goes on.

Money is whole VND (``int``) everywhere; times are timezone-aware ``datetime``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Literal

import httpx

from catalog.images import ImageProfile

ImageTransport = Literal["url", "upload"]
Pagination = Literal["page", "offset", "cursor", "token", "link"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a marketplace can do, as far as the connector needs to know."""

    images: ImageTransport = "url"  # images by public URL, or uploaded first for a remote id
    needs_review: bool = False  # new listings may wait in a review queue
    max_order_window: timedelta | None = None  # the longest ``until - since`` list_orders accepts
    pagination: Pagination = "cursor"
    batch_limit: int = 1  # items per batch call (1: no batch endpoint)
    title_max_length: int = 120
    description_max_length: int = 5000
    required_fields: tuple[str, ...] = ("title", "price", "stock", "category_id", "images")
    requests_per_second: float = 10.0  # the documented rate limit, for the per-account limiter
    # sales count under the account's profile name rather than the adapter key (one adapter
    # speaking to many marketplaces: the ledger's platform is the marketplace, not "generic")
    sales_under_profile: bool = False


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """An account as an adapter sees it.  ``credentials`` are secrets: never logged, never shown."""

    name: str
    marketplace: str
    base_url: str
    shop_id: str | None = None
    profile: str | None = None  # the generic adapter's profile name
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)

    def secret_values(self) -> tuple[str, ...]:
        """Every secret string this account carries, for redaction."""
        return tuple(value for value in self.credentials.values() if value)


@dataclass(frozen=True, slots=True)
class RemoteImageRef:
    """An image as the marketplace knows it: a remote id (uploaded) or a URL it fetches itself."""

    kind: Literal["id", "url"]
    value: str
    sha256: str  # of the prepared variant that was sent


@dataclass(frozen=True, slots=True)
class Listing:
    """A product as it should appear on one account, after that channel's rules.

    ``sku`` is the seller SKU on the marketplace (unique within the shop); ``category_id`` is the
    marketplace's own category id from the category mapping.
    """

    sku: str
    title: str
    description: str
    price: int
    stock: int
    unit: str
    category_id: str | None
    images: tuple[RemoteImageRef, ...] = ()
    weight_g: int | None = None
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    barcode: str | None = None
    ocop_stars: int | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


class ListingState(StrEnum):
    active = "active"
    pending_review = "pending_review"
    rejected = "rejected"
    delisted = "delisted"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A reason the marketplace gave about one field (review rejection or validation)."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class RemoteListing:
    """A listing as the marketplace holds it."""

    remote_id: str
    sku: str
    state: ListingState
    price: int | None = None
    stock: int | None = None
    title: str | None = None
    url: str | None = None
    reasons: tuple[FieldProblem, ...] = ()


class OrderStatus(StrEnum):
    """Order statuses, normalised across marketplaces; ``raw_status`` keeps the marketplace's own."""

    pending = "pending"  # placed, waiting for the shop to confirm
    confirmed = "confirmed"
    shipping = "shipping"
    delivered = "delivered"
    completed = "completed"
    cancelled = "cancelled"
    returned = "returned"


@dataclass(frozen=True, slots=True)
class RemoteOrderLine:
    sku: str
    quantity: int
    unit_price: int  # whole VND
    amount: int  # whole VND, after line discounts
    remote_listing_id: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteOrder:
    remote_id: str
    status: OrderStatus
    raw_status: str
    placed_at: datetime  # timezone-aware
    updated_at: datetime  # timezone-aware; the order's last status change
    total: int  # whole VND the buyer pays for the lines (shipping excluded)
    lines: tuple[RemoteOrderLine, ...]
    confirm_by: datetime | None = None  # the marketplace's deadline to confirm, if any
    buyer_province: str | None = None


@dataclass(frozen=True, slots=True)
class OrderPage:
    """One page of ``list_orders``; ``next_cursor`` is None on the last page."""

    orders: tuple[RemoteOrder, ...]
    next_cursor: str | None = None


class Adapter(ABC):
    """One marketplace, one account.  Subclasses set ``key`` and implement every operation."""

    key: ClassVar[str]
    credential_fields: ClassVar[tuple[str, ...]] = ()  # names of the secrets an account must hold

    @classmethod
    def required_credentials(cls, profile: str | None = None) -> tuple[str, ...]:
        """The secrets an account on this marketplace needs (the generic adapter reads its profile)."""
        return cls.credential_fields

    def __init__(self, config: AccountConfig, client: httpx.AsyncClient) -> None:
        self.config = config
        self.client = client

    @property
    @abstractmethod
    def capabilities(self) -> Capabilities:
        """What this marketplace can do."""

    @property
    @abstractmethod
    def image_profile(self) -> ImageProfile:
        """This marketplace's image rules."""

    @abstractmethod
    async def upsert_listing(self, listing: Listing, *, remote_id: str | None = None) -> RemoteListing:
        """Create the listing, or update it when ``remote_id`` is given."""

    @abstractmethod
    async def find_by_sku(self, sku: str) -> RemoteListing | None:
        """The shop's listing with this seller SKU, or None."""

    @abstractmethod
    async def get_listing(self, remote_id: str) -> RemoteListing:
        """The listing's current state (review outcome included); RemoteNotFoundError when gone."""

    @abstractmethod
    async def update_stock_price(self, remote_id: str, *, price: int, stock: int) -> RemoteListing:
        """The fast path: only price and stock change."""

    @abstractmethod
    async def delist(self, remote_id: str) -> None:
        """Take the listing off sale."""

    @abstractmethod
    async def upload_image(self, data: bytes, *, filename: str, sha256: str) -> RemoteImageRef:
        """Upload a prepared image; only called when ``capabilities.images == "upload"``."""

    @abstractmethod
    async def list_orders(self, *, since: datetime, until: datetime, cursor: str | None = None) -> OrderPage:
        """Orders updated in ``[since, until)``; the window must not exceed ``max_order_window``."""

    @abstractmethod
    async def refresh_auth(self) -> None:
        """Obtain fresh credentials (a new token); AuthError when the account's secrets are wrong."""

    async def aclose(self) -> None:  # noqa: B027 (optional hook, nothing to do by default)
        """Release anything the adapter holds (the injected client belongs to the caller)."""


def describe(adapter: Adapter) -> dict[str, Any]:
    """A JSON-friendly description of an adapter: key, capabilities and image profile (no secrets)."""
    caps = adapter.capabilities
    return {
        "key": adapter.key,
        "account": adapter.config.name,
        "images": caps.images,
        "needs_review": caps.needs_review,
        "max_order_window_days": caps.max_order_window.days if caps.max_order_window else None,
        "pagination": caps.pagination,
        "batch_limit": caps.batch_limit,
        "image_profile": adapter.image_profile.name,
    }
