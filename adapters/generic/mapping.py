"""The generic adapter's mappers (pure): a listing → the values its templates see; a remote
product or order object → ours, through the paths and vocabularies of the profile's
``[listing]`` and ``[order]`` tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.base import (
    FieldProblem,
    Listing,
    ListingState,
    OrderStatus,
    RemoteListing,
    RemoteOrder,
    RemoteOrderLine,
)
from adapters.common import parse_time
from adapters.generic.profile import Profile
from adapters.http import dig
from catalog.errors import RetriableError, SkippableError


def marketplace_of(profile: Profile) -> str:
    """How errors and logs name the marketplace: ``generic:<profile>``."""
    return f"generic:{profile.name}"


def money(value: Any, *, marketplace: str, what: str) -> int:
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


def id_or_zero(remote_id: str | None) -> int:
    """The remote id as a number, 0 when there is none (Sendo: ``id = 0`` creates)."""
    return int(remote_id) if remote_id and remote_id.isdigit() else 0


def listing_context(listing: Listing, remote_id: str | None) -> dict[str, Any]:
    """The values a listing operation's templates may use (``README.md`` lists them)."""
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
        "remote_id_or_zero": id_or_zero(remote_id),
    }


def remote_listing(
    profile: Profile, obj: Any, *, fallback: Listing | None = None, remote_id: str | None = None
) -> RemoteListing:
    """The listing in a remote product object; without one (an answer carrying only an id), the
    listing sent, as the marketplace now holds it."""
    if not isinstance(obj, Mapping):
        return _sent(profile, fallback, remote_id)
    table = profile.listing
    marketplace = marketplace_of(profile)

    def get(name: str, default: Any = None) -> Any:
        path = getattr(table, name)
        return default if path is None else dig(obj, path, default)

    found = get("reasons", [])
    reasons = tuple(
        FieldProblem(field=str(item.get(table.reason_field, "")), message=str(item.get(table.reason_message, "")))
        for item in (found if isinstance(found, list) else [])
        if isinstance(item, Mapping)
    )
    state = table.states.by_remote().get(str(get("state")), ListingState.pending_review.value)
    price, stock, rid = get("price"), get("stock"), get("id")
    return RemoteListing(
        remote_id=str(rid if rid is not None else remote_id),
        sku=str(get("sku", fallback.sku if fallback else "")),
        state=ListingState(state),
        price=None if price is None else money(price, marketplace=marketplace, what="price"),
        stock=None if stock is None else money(stock, marketplace=marketplace, what="stock"),
        title=get("title"),
        url=get("url"),
        reasons=reasons,
    )


def _sent(profile: Profile, listing: Listing | None, remote_id: str | None) -> RemoteListing:
    if remote_id is None:
        raise RetriableError("market.retriable", marketplace=marketplace_of(profile), detail="no listing in the answer")
    return RemoteListing(
        remote_id=remote_id,
        sku=listing.sku if listing else "",
        state=ListingState.pending_review if profile.capabilities.needs_review else ListingState.active,
        price=listing.price if listing else None,
        stock=listing.stock if listing else None,
        title=listing.title if listing else None,
    )


def remote_order(profile: Profile, obj: Mapping[str, Any], lines_obj: Any) -> RemoteOrder:
    """The order in a remote order object and its lines; SkippableError when it cannot be read."""
    table = profile.order
    marketplace = marketplace_of(profile)
    raw = str(dig(obj, table.status, ""))
    status = table.statuses.by_remote().get(raw)
    if status is None:
        raise SkippableError("market.skippable", marketplace=marketplace, detail=f"unknown status {raw!r}")
    lines = tuple(_order_line(profile, line) for line in (lines_obj if isinstance(lines_obj, list) else []))
    confirm_by = dig(obj, table.confirm_by) if table.confirm_by else None
    total_raw = dig(obj, table.total)
    return RemoteOrder(
        remote_id=str(dig(obj, table.id)),
        status=OrderStatus(status),
        raw_status=raw,
        placed_at=order_time(profile, dig(obj, table.placed_at)),
        updated_at=order_time(profile, dig(obj, table.updated_at)),
        total=sum(line.amount for line in lines)
        if total_raw is None
        else money(total_raw, marketplace=marketplace, what="total"),
        lines=lines,
        confirm_by=order_time(profile, confirm_by) if confirm_by else None,
        buyer_province=dig(obj, table.province) if table.province else None,
    )


def _order_line(profile: Profile, line: Any) -> RemoteOrderLine:
    table = profile.order
    marketplace = marketplace_of(profile)
    quantity = (  # no quantity path: one row per unit (Lazada)
        1 if table.line_quantity is None
        else money(dig(line, table.line_quantity), marketplace=marketplace, what="quantity")
    )
    unit_price = money(dig(line, table.line_unit_price), marketplace=marketplace, what="unit_price")
    amount_raw = dig(line, table.line_amount)
    listing_id = dig(line, table.line_listing_id)
    return RemoteOrderLine(
        sku=str(dig(line, table.line_sku, "")),
        quantity=quantity,
        unit_price=unit_price,
        amount=unit_price * quantity if amount_raw is None else money(amount_raw, marketplace=marketplace,
                                                                       what="amount"),
        remote_listing_id=None if listing_id is None else str(listing_id),
        title=dig(line, table.line_title),
    )


def order_time(profile: Profile, value: Any) -> datetime:
    """A time of an order in the profile's ``time_format`` (ISO text, epoch seconds or milliseconds)."""
    fmt = profile.order.time_format
    marketplace = marketplace_of(profile)
    if fmt in ("epoch", "epoch_ms") and value is not None:
        number = money(value, marketplace=marketplace, what="time")
        return datetime.fromtimestamp(number / 1000 if fmt == "epoch_ms" else number, UTC)
    return parse_time(value, marketplace=marketplace)
