"""``plan_sync``: what a run would do on one account, worked out without sending any request.

Each product of the account's producer becomes one :class:`PlannedItem`: ``create``, ``update``
(with the field diff), ``stock_price`` (only price and stock changed: the fast path),
``unchanged``, ``delist`` (archived products still on sale) or ``blocked`` (with reasons).  The
comparison is against the binding's payload hash, so a re-sync of unchanged products sends nothing.
Images enter the payload by identity (original SHA-256 and the marketplace's image-profile
fingerprint), so a plan never prepares or uploads an image.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from adapters.base import Capabilities, Listing, RemoteImageRef
from catalog.categories import CategoryMapping
from catalog.clock import local_today
from catalog.images import ImageProfile
from catalog.ocop import OcopCertification, stars_as_of
from catalog.products import Product, ProductImage, ProductStatus
from connector.accounts import MarketplaceAccount
from connector.sync.models import Binding, BindingState, PushResult
from connector.sync.rules import (
    PRICE_FIELDS,
    Blocked,
    BlockReason,
    ChannelRules,
    field_diff,
    listing_for,
    listing_payload,
    payload_hash,
)


class Action(StrEnum):
    create = "create"
    update = "update"
    stock_price = "stock_price"
    unchanged = "unchanged"
    delist = "delist"
    blocked = "blocked"


ACTION_LABELS: dict[Action, str] = {
    Action.create: "Tạo mới / create",
    Action.update: "Cập nhật / update",
    Action.stock_price: "Giá, tồn kho / price & stock",
    Action.unchanged: "Không đổi / unchanged",
    Action.delist: "Gỡ xuống / delist",
    Action.blocked: "Bị chặn / blocked",
}


@dataclass(slots=True)
class PlannedItem:
    """One product on one account: what to do, and what with."""

    account_id: int
    product_id: int
    sku: str
    action: Action
    content_version: int
    stock_version: int
    binding_id: int | None = None
    remote_id: str | None = None
    resolve: bool = False  # a create or delist recorded earlier without a remote id: find_by_sku first
    listing: Listing | None = None  # images are placeholders (identity only) until apply prepares them
    payload: dict[str, Any] | None = None
    payload_hash: str | None = None
    diff: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    reasons: tuple[BlockReason, ...] = ()
    state: BindingState | None = None  # the marketplace state
    push_result: str | None = None  # how the last push ended (a PushResult)
    image_shas: tuple[str, ...] = ()  # originals, in position order
    plan_key: str | None = None  # what the listing is built from; equal keys → equal listings

    @property
    def sends(self) -> bool:
        return self.action not in (Action.unchanged, Action.blocked)

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {"sku": self.sku, "action": self.action.value, "remote_id": self.remote_id,
                "state": self.state.value if self.state else None, "resolve": self.resolve,
                "diff": {k: {"from": a, "to": b} for k, (a, b) in self.diff.items()},
                "reasons": [reason.to_dict(lang) for reason in self.reasons]}


@dataclass(slots=True)
class AccountPlan:
    account_id: int
    account_name: str
    marketplace: str
    items: list[PlannedItem]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys((a.value for a in Action), 0)
        for item in self.items:
            out[item.action.value] += 1
        return out

    @property
    def to_send(self) -> list[PlannedItem]:
        return [item for item in self.items if item.sends]

    def to_dict(self, lang: str = "vi", *, include_unchanged: bool = False) -> dict[str, Any]:
        return {"account": self.account_name, "marketplace": self.marketplace, "counts": self.counts(),
                "items": [i.to_dict(lang) for i in self.items if include_unchanged or i.action != Action.unchanged]}


def image_placeholders(shas: Collection[str], profile: ImageProfile | str) -> tuple[RemoteImageRef, ...]:
    """Images by identity: what apply will prepare (original × profile fingerprint), in order."""
    fingerprint = profile if isinstance(profile, str) else profile.fingerprint
    return tuple(RemoteImageRef(kind="id", value=f"{sha}:{fingerprint}", sha256=sha) for sha in shas)


# Plain SQL for the two big reads: rows come back without ORM objects or type processing (enum
# columns hold their member names, which equal the values), so 10,000 rows cost little.
_PRODUCTS_SQL = (
    "SELECT id, sku, name, description, category_code, unit, price, stock, weight_g, length_mm, width_mm, "
    "height_mm, barcode, status, content_version, stock_version FROM product "
    "WHERE producer_id = :producer AND status != 'draft'")
_BINDINGS_SQL = text("SELECT id, product_id, remote_id, state, payload_hash, pending_hash, manual, plan_key, "
                     "push_result FROM binding WHERE account_id = :account")
_LIVE = (BindingState.active, BindingState.pending_review)


def context_key(rules: ChannelRules, capabilities: Capabilities, fingerprint: str) -> str:
    """What every listing of an account is built with, besides the product itself."""
    return f"{rules.fingerprint()}|{fingerprint}|{capabilities!r}"


def plan_key(product: Any, *, context: str, category_id: str | None, shas: tuple[str, ...], stars: int | None) -> str:
    """Equal keys give equal listings: product versions, rules, mapping, images and stars."""
    text = f"{product.content_version}|{product.stock_version}|{context}|{category_id}|{','.join(shas)}|{stars}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def plan_sync(
    *,
    session: Session,
    account: MarketplaceAccount,
    capabilities: Capabilities | None = None,
    image_profile: ImageProfile | None = None,
    product_ids: Collection[int] | None = None,
    today: date | None = None,
) -> AccountPlan:
    """The plan for one account (nothing is written, nothing is sent).

    Products and bindings are read as plain rows (no ORM objects): a re-sync of ten thousand
    unchanged listings is decided in well under a second.  Stored payloads are read only for
    the listings that changed, to show their field diff.
    """
    if capabilities is None or image_profile is None:
        from connector.account_adapter import capabilities_of, image_profile_of

        capabilities = capabilities or capabilities_of(account)
        image_profile = image_profile or image_profile_of(account)
    assert account.id is not None
    products = _products(session, account, product_ids)
    bindings = {row.product_id: row for row in session.execute(_BINDINGS_SQL, {"account": account.id})}
    images: dict[int, list[str]] = defaultdict(list)
    for product_id, sha in session.exec(
        select(ProductImage.product_id, ProductImage.sha256).join(Product)
        .where(Product.producer_id == account.producer_id).order_by(col(ProductImage.product_id),
                                                                     col(ProductImage.position))):
        images[product_id].append(sha)
    mapping = {m.category_code: m.remote_id for m in session.exec(
        select(CategoryMapping).where(CategoryMapping.marketplace == account.marketplace))}
    certifications: dict[int, list[OcopCertification]] = defaultdict(list)
    for cert in session.exec(select(OcopCertification).join(Product).where(
            Product.producer_id == account.producer_id)):
        certifications[cert.product_id].append(cert)
    rules = ChannelRules.of(account)
    fingerprint = image_profile.fingerprint
    context = context_key(rules, capabilities, fingerprint)
    day = today or local_today()
    items = []
    for product in products:
        item = _plan_one(product, bindings.get(product.id), account_id=account.id, rules=rules,
                         category_id=mapping.get(product.category_code or ""), capabilities=capabilities,
                         fingerprint=fingerprint, context=context, shas=tuple(images.get(product.id, ())),
                         stars=stars_as_of(certifications[product.id], day) if product.id in certifications else None)
        if item is not None:
            items.append(item)
    _diffs(session, items)
    return AccountPlan(account.id, account.name, account.marketplace, items)


def _products(session: Session, account: MarketplaceAccount, product_ids: Collection[int] | None) -> list[Any]:
    if product_ids is None:
        query = text(_PRODUCTS_SQL + " ORDER BY sku")
        return list(session.execute(query, {"producer": account.producer_id}))
    query = text(_PRODUCTS_SQL + " AND id IN :ids ORDER BY sku").bindparams(bindparam("ids", expanding=True))
    return list(session.execute(query, {"producer": account.producer_id, "ids": list(product_ids)}))


def _plan_one(product: Any, binding: Any, *, account_id: int, rules: ChannelRules, category_id: str | None,
              capabilities: Capabilities, fingerprint: str, context: str, shas: tuple[str, ...],
              stars: int | None) -> PlannedItem | None:
    item = PlannedItem(account_id=account_id, product_id=product.id, sku=product.sku, action=Action.unchanged,
                       content_version=product.content_version, stock_version=product.stock_version,
                       binding_id=binding.id if binding else None,
                       remote_id=binding.remote_id if binding else None,
                       state=BindingState(binding.state) if binding else None,
                       push_result=binding.push_result if binding else None, image_shas=shas)
    if product.status == ProductStatus.archived:
        if binding is None or binding.state == BindingState.delisted:
            return None  # never listed, or already off sale: nothing to say
        item.action, item.resolve = Action.delist, binding.remote_id is None
        return item
    item.plan_key = plan_key(product, context=context, category_id=category_id, shas=shas, stars=stars)
    if (binding is not None and binding.plan_key == item.plan_key and binding.remote_id is not None
            and binding.state in _LIVE):
        return item  # built from exactly what the remote listing was built from: unchanged, nothing to build
    result = listing_for(product, rules=rules, category_id=category_id, capabilities=capabilities,
                         images=image_placeholders(shas, fingerprint), stars=stars)
    if isinstance(result, Blocked):
        item.action, item.reasons = Action.blocked, result.reasons
        return item
    item.listing, item.payload = result, listing_payload(result)
    item.payload_hash = payload_hash(item.payload)
    if (binding is not None and binding.pending_hash == item.payload_hash
            and (binding.state == BindingState.rejected or binding.push_result == PushResult.refused)):
        return item  # refused as it is: unchanged until its content changes
    if binding is None or binding.remote_id is None:
        if binding is not None and binding.manual:
            return item  # bound by hand without a remote id yet: never created by the engine
        item.action, item.resolve = Action.create, binding is not None
        item.diff = field_diff(None, item.payload)
        return item
    if binding.payload_hash == item.payload_hash and binding.state != BindingState.delisted:
        return item  # unchanged (a rejected listing waits for a change of content)
    item.action = Action.update  # refined by _diffs once the stored payload is read
    return item


def _diffs(session: Session, items: list[PlannedItem]) -> None:
    """Field diffs for the updates (stored payloads read in one query); price/stock-only → fast path."""
    updates = {item.binding_id: item for item in items if item.action == Action.update and item.binding_id}
    if not updates:
        return
    stored: dict[int, Any] = dict(session.execute(sa_select(Binding.id, Binding.payload)  # type: ignore[call-overload]
                                  .where(col(Binding.id).in_(list(updates)))).all())
    for binding_id, item in updates.items():
        assert item.payload is not None
        item.diff = field_diff(stored.get(binding_id), item.payload)
        live = item.state in _LIVE
        if live and item.diff and set(item.diff) <= PRICE_FIELDS:
            item.action = Action.stock_price
