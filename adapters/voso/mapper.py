"""Pure mapping between our types and the voso contract (``CONTRACT.md``); no I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.base import FieldProblem, Listing, ListingState, OrderStatus, RemoteListing, RemoteOrder, RemoteOrderLine
from adapters.common import as_int, parse_time
from catalog.errors import SkippableError

MARKETPLACE = "voso"

# voso product status -> our listing state
PRODUCT_STATES: dict[int, ListingState] = {
    1: ListingState.pending_review,
    2: ListingState.active,
    3: ListingState.rejected,
    4: ListingState.delisted,
}

ORDER_STATUSES: dict[str, OrderStatus] = {
    "moi": OrderStatus.pending,
    "xac_nhan": OrderStatus.confirmed,
    "dang_giao": OrderStatus.shipping,
    "da_giao": OrderStatus.delivered,
    "hoan_thanh": OrderStatus.completed,
    "huy": OrderStatus.cancelled,
    "tra_hang": OrderStatus.returned,
}


def listing_payload(listing: Listing, *, remote_id: str | None = None) -> dict[str, Any]:
    """The body of ``POST /api/products`` (``id`` 0 creates, otherwise updates)."""
    payload: dict[str, Any] = {
        "id": int(remote_id) if remote_id else 0,
        "sku": listing.sku,
        "name": listing.title,
        "description": listing.description,
        "price": listing.price,
        "stock_quantity": listing.stock,
        "stock_availability": listing.stock > 0,
        "unit": listing.unit,
        "category_id": listing.category_id,
        "pictures": [{"picture_url": image.value} for image in listing.images],
        "attributes": [{"name": name, "value": value} for name, value in sorted(listing.attributes.items())],
    }
    optional = {
        "weight": listing.weight_g,
        "length": listing.length_mm,
        "width": listing.width_mm,
        "height": listing.height_mm,
        "barcode": listing.barcode,
        "ocop_stars": listing.ocop_stars,
    }
    payload.update({key: value for key, value in optional.items() if value is not None})
    return payload


def inventory_payload(*, price: int, stock: int) -> dict[str, Any]:
    return {"price": price, "stock_quantity": stock, "stock_availability": stock > 0}


def remote_listing(product: Mapping[str, Any]) -> RemoteListing:
    """A voso product object as a :class:`RemoteListing`."""
    status = as_int(product.get("status"), marketplace=MARKETPLACE, what="status")
    reasons = tuple(
        FieldProblem(field=str(r.get("field", "")), message=str(r.get("message", "")))
        for r in product.get("reasons") or ()
        if isinstance(r, Mapping)
    )
    return RemoteListing(
        remote_id=str(product["id"]),
        sku=str(product.get("sku", "")),
        state=PRODUCT_STATES.get(status, ListingState.pending_review),
        price=_opt_int(product.get("price")),
        stock=_opt_int(product.get("stock_quantity")),
        title=product.get("name"),
        url=product.get("url"),
        reasons=reasons,
    )


def remote_order(order: Mapping[str, Any]) -> RemoteOrder:
    """A voso order object as a :class:`RemoteOrder` (unknown statuses are skipped by the caller)."""
    raw = str(order.get("order_status", ""))
    status = ORDER_STATUSES.get(raw)
    if status is None:
        raise SkippableError("market.skippable", marketplace=MARKETPLACE, detail=f"unknown order status {raw!r}")
    lines = tuple(
        RemoteOrderLine(
            sku=str(item.get("sku", "")),
            quantity=as_int(item.get("quantity"), marketplace=MARKETPLACE, what="quantity"),
            unit_price=as_int(item.get("price"), marketplace=MARKETPLACE, what="price"),
            amount=as_int(item.get("amount"), marketplace=MARKETPLACE, what="amount"),
            remote_listing_id=str(item["product_id"]) if item.get("product_id") is not None else None,
            title=item.get("name"),
        )
        for item in order.get("items") or ()
    )
    confirm_by = order.get("confirm_by")
    return RemoteOrder(
        remote_id=str(order["order_number"]),
        status=status,
        raw_status=raw,
        placed_at=parse_time(order.get("created_at"), marketplace=MARKETPLACE),
        updated_at=parse_time(order.get("updated_at"), marketplace=MARKETPLACE),
        total=as_int(order.get("total_amount"), marketplace=MARKETPLACE, what="total_amount"),
        lines=lines,
        confirm_by=parse_time(confirm_by, marketplace=MARKETPLACE) if confirm_by else None,
        buyer_province=order.get("receiver_province"),
    )


def field_problems(error: Mapping[str, Any]) -> dict[str, str]:
    """``error.details`` as field -> message."""
    out: dict[str, str] = {}
    for detail in error.get("details") or ():
        if isinstance(detail, Mapping):
            out[str(detail.get("field", ""))] = str(detail.get("message", ""))
    return out


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    return as_int(value, marketplace=MARKETPLACE, what="number")
