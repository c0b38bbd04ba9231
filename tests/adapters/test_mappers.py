"""Golden tests of the pure voso and postmart mappers: exact payloads both ways."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest

from adapters.base import FieldProblem, Listing, ListingState, OrderStatus, RemoteImageRef, RemoteOrderLine
from adapters.postmart import mapper as pm
from adapters.voso import mapper as vs
from catalog.errors import SkippableError

ICT = timezone(timedelta(hours=7))

LISTING = Listing(
    sku="GAO-ST25-5KG",
    title="Gạo ST25 Sóc Trăng túi 5kg",
    description="Gạo thơm, hạt dài.",
    price=185_000,
    stock=12,
    unit="túi",
    category_id="1021",
    images=(RemoteImageRef("url", "https://media.example/a.jpg", "aa"),
            RemoteImageRef("url", "https://media.example/b.jpg", "bb")),
    weight_g=5000,
    length_mm=300,
    width_mm=200,
    height_mm=80,
    barcode="8930000000017",
    ocop_stars=4,
    attributes={"xuat_xu": "Sóc Trăng", "loai": "ST25"},
)


def test_voso_listing_payload_golden() -> None:
    assert vs.listing_payload(LISTING) == {
        "id": 0,
        "sku": "GAO-ST25-5KG",
        "name": "Gạo ST25 Sóc Trăng túi 5kg",
        "description": "Gạo thơm, hạt dài.",
        "price": 185000,
        "stock_quantity": 12,
        "stock_availability": True,
        "unit": "túi",
        "category_id": "1021",
        "pictures": [{"picture_url": "https://media.example/a.jpg"}, {"picture_url": "https://media.example/b.jpg"}],
        "attributes": [{"name": "loai", "value": "ST25"}, {"name": "xuat_xu", "value": "Sóc Trăng"}],
        "weight": 5000,
        "length": 300,
        "width": 200,
        "height": 80,
        "barcode": "8930000000017",
        "ocop_stars": 4,
    }
    out_of_stock = Listing(sku="A", title="Tiêu đen", description="", price=90000, stock=0, unit="gói",
                           category_id=None)
    payload = vs.listing_payload(out_of_stock, remote_id="100042")
    assert payload["id"] == 100042 and payload["stock_availability"] is False
    assert "weight" not in payload and payload["pictures"] == []


def test_voso_product_and_order_golden() -> None:
    listing = vs.remote_listing({"id": 100042, "sku": "GAO", "name": "Gạo", "price": 185000, "stock_quantity": 3,
                                 "status": 3, "url": "https://voso.test/p/100042",
                                 "reasons": [{"field": "pictures", "message": "Ảnh mờ"}]})
    assert listing.remote_id == "100042" and listing.state is ListingState.rejected
    assert listing.reasons == (FieldProblem("pictures", "Ảnh mờ"),)
    order = vs.remote_order({
        "order_number": "VO1", "order_status": "tra_hang", "created_at": "2026-03-01T09:30:00+07:00",
        "updated_at": "2026-03-05T10:00:00+07:00", "confirm_by": "2026-03-02T09:30:00+07:00",
        "total_amount": 370000, "receiver_province": "Hà Nội",
        "items": [{"product_id": 100042, "sku": "GAO", "name": "Gạo", "quantity": 2, "price": 185000,
                   "amount": 370000}],
    })
    assert order.status is OrderStatus.returned and order.raw_status == "tra_hang"
    assert order.placed_at == datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    assert order.placed_at.utcoffset() == timedelta(hours=7)
    assert order.lines == (RemoteOrderLine("GAO", 2, 185000, 370000, "100042", "Gạo"),)
    assert order.total == 370000 and order.buyer_province == "Hà Nội"


def test_voso_refuses_fractional_money_and_unknown_status() -> None:
    base = {"order_number": "X", "created_at": "2026-03-01T09:30:00", "updated_at": "2026-03-01T09:30:00",
            "items": []}
    with pytest.raises(SkippableError):
        vs.remote_order({**base, "order_status": "bi_mat", "total_amount": 1})
    with pytest.raises(SkippableError):
        vs.remote_order({**base, "order_status": "moi", "total_amount": 1000.5})
    naive = vs.remote_order({**base, "order_status": "moi", "total_amount": "1000"})
    assert naive.placed_at.utcoffset() == timedelta(hours=7) and naive.total == 1000


def test_postmart_item_payload_golden() -> None:
    listing = Listing(sku="CHE-TN", title="Chè Thái Nguyên 200g", description="Chè búp.", price=120_000, stock=0,
                      unit="gói", category_id="300", images=(RemoteImageRef("id", "img_1", "s"),), weight_g=250)
    assert pm.item_payload(listing, remote_id="7") == {
        "item_sku": "CHE-TN",
        "item_name": "Chè Thái Nguyên 200g",
        "description": "Chè búp.",
        "price_info": [{"original_price": 120000}],
        "seller_stock": [{"stock": 0}],
        "category_id": "300",
        "unit": "gói",
        "image": {"image_id_list": ["img_1"]},
        "attribute_list": [],
        "item_status": "NORMAL",
        "item_id": 7,
        "weight_gram": 250,
    }
    assert pm.price_stock_payload("7", price=1000, stock=3) == {
        "item_list": [{"item_id": 7, "original_price": 1000, "stock": 3}]
    }


def test_postmart_item_and_order_golden() -> None:
    item = pm.remote_listing({"item_id": 9, "item_sku": "CHE", "item_name": "Chè", "item_status": "REVIEWING",
                              "price_info": [{"original_price": 120000}], "stock_info": [{"seller_stock": 4}]})
    assert (item.remote_id, item.state, item.price, item.stock) == ("9", ListingState.pending_review, 120000, 4)
    order = pm.remote_order({
        "order_sn": "PM1", "order_status": "CANCELLED", "create_time": 1_772_335_800, "update_time": 1_772_422_200,
        "total_amount": 240000, "region": "Đà Nẵng",
        "item_list": [{"item_id": 9, "item_sku": "CHE", "item_name": "Chè", "model_quantity_purchased": 2,
                       "model_discounted_price": 120000, "line_amount": 240000}],
    })
    assert order.status is OrderStatus.cancelled
    assert order.placed_at == datetime.fromtimestamp(1_772_335_800, UTC)
    assert order.lines[0].amount == 240000 and order.lines[0].remote_listing_id == "9"


def test_postmart_signature_matches_the_documented_algorithm() -> None:
    # computed here from the contract's words: hex(HMAC-SHA256(partner_key, partner_id + path + timestamp + shop_id))
    key, partner, path, ts = "9f0e", "200001", "/api/v2/product/add_item", 1_700_000_000
    expected = hmac.new(key.encode(), f"{partner}{path}{ts}".encode(), hashlib.sha256).hexdigest()
    base = pm.sign_base(partner, path, ts, None)
    assert hmac.new(key.encode(), base.encode(), hashlib.sha256).hexdigest() == expected
    assert pm.sign_base(partner, path, ts, "55") == f"{partner}{path}{ts}55"
