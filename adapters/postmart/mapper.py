"""Pure mapping between our types and the postmart contract (``CONTRACT.md``); no I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.base import FieldProblem, Listing, ListingState, OrderStatus, RemoteListing, RemoteOrder, RemoteOrderLine
from adapters.common import as_int, parse_time
from catalog.errors import SkippableError

MARKETPLACE = "postmart"

ITEM_STATES: dict[str, ListingState] = {
    "REVIEWING": ListingState.pending_review,
    "NORMAL": ListingState.active,
    "BANNED": ListingState.rejected,
    "UNLIST": ListingState.delisted,
    "DELETED": ListingState.delisted,
}

ORDER_STATUSES: dict[str, OrderStatus] = {
    "UNPAID": OrderStatus.pending,
    "READY_TO_SHIP": OrderStatus.confirmed,
    "PROCESSED": OrderStatus.confirmed,
    "IN_CANCEL": OrderStatus.confirmed,  # a cancellation was asked for, not granted yet
    "SHIPPED": OrderStatus.shipping,
    "TO_CONFIRM_RECEIVE": OrderStatus.delivered,
    "COMPLETED": OrderStatus.completed,
    "CANCELLED": OrderStatus.cancelled,
    "TO_RETURN": OrderStatus.returned,
}


def item_payload(listing: Listing, *, remote_id: str | None = None) -> dict[str, Any]:
    """The body of ``add_item`` (or ``update_item`` with ``item_id``)."""
    payload: dict[str, Any] = {
        "item_sku": listing.sku,
        "item_name": listing.title,
        "description": listing.description,
        "price_info": [{"original_price": listing.price}],
        "seller_stock": [{"stock": listing.stock}],
        "category_id": listing.category_id,
        "unit": listing.unit,
        "image": {"image_id_list": [image.value for image in listing.images]},
        "attribute_list": [{"attribute_name": k, "value": v} for k, v in sorted(listing.attributes.items())],
        "item_status": "NORMAL",
    }
    if remote_id is not None:
        payload["item_id"] = int(remote_id)
    if listing.weight_g is not None:
        payload["weight_gram"] = listing.weight_g
    dims = (listing.length_mm, listing.width_mm, listing.height_mm)
    if all(d is not None for d in dims):
        payload["dimension_mm"] = {"length": listing.length_mm, "width": listing.width_mm, "height": listing.height_mm}
    if listing.barcode:
        payload["gtin_code"] = listing.barcode
    if listing.ocop_stars is not None:
        payload["ocop_stars"] = listing.ocop_stars
    return payload


def price_stock_payload(remote_id: str, *, price: int, stock: int) -> dict[str, Any]:
    return {"item_list": [{"item_id": int(remote_id), "original_price": price, "stock": stock}]}


def remote_listing(item: Mapping[str, Any]) -> RemoteListing:
    prices = item.get("price_info") or [{}]
    stocks = item.get("stock_info") or [{}]
    price = prices[0].get("original_price") if isinstance(prices[0], Mapping) else None
    stock = stocks[0].get("seller_stock") if isinstance(stocks[0], Mapping) else None
    return RemoteListing(
        remote_id=str(item["item_id"]),
        sku=str(item.get("item_sku", "")),
        state=ITEM_STATES.get(str(item.get("item_status", "")), ListingState.pending_review),
        price=as_int(price, marketplace=MARKETPLACE, what="price") if price is not None else None,
        stock=as_int(stock, marketplace=MARKETPLACE, what="stock") if stock is not None else None,
        title=item.get("item_name"),
        url=item.get("item_url"),
        reasons=tuple(
            FieldProblem(field=str(r.get("field", "")), message=str(r.get("message", "")))
            for r in item.get("review_reasons") or ()
            if isinstance(r, Mapping)
        ),
    )


def remote_order(order: Mapping[str, Any]) -> RemoteOrder:
    raw = str(order.get("order_status", ""))
    status = ORDER_STATUSES.get(raw)
    if status is None:
        raise SkippableError("market.skippable", marketplace=MARKETPLACE, detail=f"unknown order status {raw!r}")
    lines = tuple(
        RemoteOrderLine(
            sku=str(item.get("item_sku", "")),
            quantity=as_int(item.get("model_quantity_purchased"), marketplace=MARKETPLACE, what="quantity"),
            unit_price=as_int(item.get("model_discounted_price"), marketplace=MARKETPLACE, what="price"),
            amount=as_int(item.get("line_amount"), marketplace=MARKETPLACE, what="amount"),
            remote_listing_id=str(item["item_id"]) if item.get("item_id") is not None else None,
            title=item.get("item_name"),
        )
        for item in order.get("item_list") or ()
    )
    ship_by = order.get("ship_by_date")
    return RemoteOrder(
        remote_id=str(order["order_sn"]),
        status=status,
        raw_status=raw,
        placed_at=parse_time(order.get("create_time"), marketplace=MARKETPLACE),
        updated_at=parse_time(order.get("update_time"), marketplace=MARKETPLACE),
        total=as_int(order.get("total_amount"), marketplace=MARKETPLACE, what="total_amount"),
        lines=lines,
        confirm_by=parse_time(ship_by, marketplace=MARKETPLACE) if ship_by else None,
        buyer_province=order.get("region"),
    )


def field_problems(body: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for problem in body.get("field_errors") or ():
        if isinstance(problem, Mapping):
            out[str(problem.get("field", ""))] = str(problem.get("message", ""))
    return out


def sign_base(partner_id: str, api_path: str, timestamp: int, shop_id: str | None) -> str:
    """The signed text: partner_id + API path + timestamp (+ shop_id when the call names a shop)."""
    return f"{partner_id}{api_path}{timestamp}{shop_id or ''}"
