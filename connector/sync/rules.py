"""Per-channel rules, and the listing a product becomes on one account.

:class:`ChannelRules` live in the account's ``rules`` JSON: a price markup with rounding, a stock
buffer and a zero threshold, title overrides by SKU and category overrides.  :func:`listing_for`
applies them to a product and checks the result against the marketplace's required fields; it is
pure, so the sync engine and the listing-pack spreadsheets share it.  :func:`build_listing` is
the same with the look-ups (category mapping, OCOP stars) done in the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from adapters.base import Capabilities, Listing, RemoteImageRef
from catalog.categories import CategoryMapping
from catalog.clock import local_today
from catalog.codes import render
from catalog.ocop import OcopCertification, stars_as_of
from catalog.products import Product
from connector.accounts import MarketplaceAccount

PRICE_FIELDS = frozenset({"price", "stock"})


class ProductFields(Protocol):
    """What a listing is made of: a :class:`Product`, or a row of its columns (bulk planning)."""

    @property
    def sku(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def category_code(self) -> str | None: ...
    @property
    def unit(self) -> str: ...
    @property
    def price(self) -> int: ...
    @property
    def stock(self) -> int: ...
    @property
    def weight_g(self) -> int | None: ...
    @property
    def length_mm(self) -> int | None: ...
    @property
    def width_mm(self) -> int | None: ...
    @property
    def height_mm(self) -> int | None: ...
    @property
    def barcode(self) -> str | None: ...


class ChannelRules(BaseModel):
    """How one account shows the catalogue.  Stored as JSON in ``MarketplaceAccount.rules``."""

    model_config = ConfigDict(extra="forbid")

    markup_percent: Decimal = Field(default=Decimal(0), ge=-90, le=1000)
    price_round_to: int = Field(default=1, ge=1, description="Round the price up to a multiple (1000 = next 1.000 đ)")
    stock_buffer_percent: Decimal = Field(default=Decimal(0), ge=0, le=100, description="Share of stock held back")
    stock_zero_below: int = Field(default=0, ge=0, description="Show 0 when the channel stock is below this")
    title_overrides: dict[str, str] = Field(default_factory=dict, description="SKU -> title on this channel")
    category_overrides: dict[str, str] = Field(default_factory=dict, description="category code -> remote id")
    description_suffix: str = ""

    @classmethod
    def of(cls, account: MarketplaceAccount) -> ChannelRules:
        return cls.model_validate(account.rules or {})

    def price_for(self, price: int) -> int:
        """Catalogue price → channel price: markup, then rounded up to ``price_round_to`` (whole VND)."""
        marked = Decimal(price) * (Decimal(100) + self.markup_percent) / Decimal(100)
        whole = int(marked.to_integral_value(rounding=ROUND_CEILING))
        step = self.price_round_to
        return -(-whole // step) * step if step > 1 else whole

    def stock_for(self, stock: int) -> int:
        """Catalogue stock → channel stock: the buffer held back (channel stock rounded down),
        and 0 below the threshold, so a channel never sells what is not there."""
        shown = int((Decimal(max(stock, 0)) * (Decimal(100) - self.stock_buffer_percent) / Decimal(100))
                    .to_integral_value(rounding=ROUND_FLOOR))
        return 0 if shown < self.stock_zero_below else shown

    def title_for(self, product: ProductFields) -> str:
        return self.title_overrides.get(product.sku) or product.name

    def description_for(self, product: ProductFields) -> str:
        text = product.description or ""
        return f"{text}\n\n{self.description_suffix}".strip() if self.description_suffix else text

    def fingerprint(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class BlockReason:
    """Why a listing cannot be sent; ``code`` is registered in ``catalog/messages/sync.py``."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "vi") -> str:
        return render(self.code, lang, dict(self.params))

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {"code": self.code, "message": self.message(lang), **dict(self.params)}


@dataclass(frozen=True, slots=True)
class Blocked:
    """A product that cannot be listed on this account yet, and every reason why."""

    sku: str
    reasons: tuple[BlockReason, ...]

    def message(self, lang: str = "vi") -> str:
        return "; ".join(reason.message(lang) for reason in self.reasons)


def _missing(listing: Listing, name: str) -> bool:
    value = getattr(listing, name, None)
    if name == "price":
        return not value
    if name == "stock":
        return value is None
    return value is None or value == "" or value == () or value == {}


def check_completeness(listing: Listing, capabilities: Capabilities) -> tuple[BlockReason, ...]:
    """What keeps ``listing`` off this marketplace: missing required fields, over-long text."""
    reasons = [BlockReason("sync.category_unmapped", {"sku": listing.sku})
               if name == "category_id" else BlockReason("sync.field_missing", {"field": name})
               for name in capabilities.required_fields if _missing(listing, name)]
    if len(listing.title) > capabilities.title_max_length:
        reasons.append(BlockReason("sync.title_too_long", {"length": len(listing.title),
                                                           "max": capabilities.title_max_length}))
    if len(listing.description) > capabilities.description_max_length:
        reasons.append(BlockReason("sync.description_too_long", {"length": len(listing.description),
                                                                 "max": capabilities.description_max_length}))
    return tuple(reasons)


def listing_for(
    product: ProductFields,
    *,
    rules: ChannelRules,
    category_id: str | None,
    capabilities: Capabilities,
    images: Sequence[RemoteImageRef] = (),
    stars: int | None = None,
) -> Listing | Blocked:
    """The listing ``product`` becomes under ``rules``, or why it cannot be listed.  Pure."""
    if product.category_code and product.category_code in rules.category_overrides:
        category_id = rules.category_overrides[product.category_code]
    listing = Listing(
        sku=product.sku,
        title=rules.title_for(product),
        description=rules.description_for(product),
        price=rules.price_for(product.price),
        stock=rules.stock_for(product.stock),
        unit=product.unit,
        category_id=category_id,
        images=tuple(images),
        weight_g=product.weight_g,
        length_mm=product.length_mm,
        width_mm=product.width_mm,
        height_mm=product.height_mm,
        barcode=product.barcode,
        ocop_stars=stars,
    )
    reasons = check_completeness(listing, capabilities)
    return Blocked(product.sku, reasons) if reasons else listing


def build_listing(
    *,
    session: Session,
    account: MarketplaceAccount,
    product: Product,
    images: Sequence[RemoteImageRef] = (),
    capabilities: Capabilities | None = None,
    today: date | None = None,
) -> Listing | Blocked:
    """:func:`listing_for` with the category mapping and OCOP stars read from the database.

    ``capabilities`` defaults to those of the account's adapter."""
    if capabilities is None:
        from connector.account_adapter import capabilities_of

        capabilities = capabilities_of(account)
    category_id = None
    if product.category_code:
        mapping = session.exec(select(CategoryMapping).where(
            CategoryMapping.category_code == product.category_code,
            CategoryMapping.marketplace == account.marketplace)).first()
        category_id = mapping.remote_id if mapping else None
    certifications = session.exec(select(OcopCertification).where(OcopCertification.product_id == product.id))
    stars = stars_as_of(list(certifications), today or local_today())
    return listing_for(product, rules=ChannelRules.of(account), category_id=category_id,
                       capabilities=capabilities, images=images, stars=stars)


def listing_payload(listing: Listing) -> dict[str, Any]:
    """The listing as plain JSON values; images by identity only (what was prepared, not where)."""
    return {
        "sku": listing.sku, "title": listing.title, "description": listing.description, "price": listing.price,
        "stock": listing.stock, "unit": listing.unit, "category_id": listing.category_id,
        "images": [image.value if image.kind == "id" else image.sha256 for image in listing.images],
        "weight_g": listing.weight_g, "length_mm": listing.length_mm, "width_mm": listing.width_mm,
        "height_mm": listing.height_mm, "barcode": listing.barcode, "ocop_stars": listing.ocop_stars,
        "attributes": dict(listing.attributes),
    }


def payload_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def field_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{field: (before, after)}`` for every field that differs (all of them when ``old`` is None)."""
    old = old or {}
    return {key: (old.get(key), value) for key, value in new.items() if old.get(key) != value}
