"""Per-channel rules and the listing a product becomes: pure functions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.base import Capabilities, RemoteImageRef
from catalog.products import Product
from connector.sync.rules import Blocked, ChannelRules, field_diff, listing_for, listing_payload, payload_hash

CAPS = Capabilities(required_fields=("title", "price", "stock", "category_id", "images"), title_max_length=20)
IMAGE = (RemoteImageRef(kind="id", value="IMG1", sha256="a" * 64),)


def product(**changes: object) -> Product:
    data: dict[str, object] = {"id": 1, "producer_id": 1, "sku": "MD-1", "name": "Miến dong", "name_key": "mien dong",
                               "price": 45_000, "stock": 10, "category_code": "1.1.1", "unit": "gói"}
    data.update(changes)
    return Product.model_validate(data)


def test_markup_rounds_up_to_the_next_thousand() -> None:
    rules = ChannelRules(markup_percent=Decimal(10), price_round_to=1000)
    assert rules.price_for(45_000) == 50_000  # 49,500 -> 50,000
    assert rules.price_for(50_000) == 55_000  # exactly 55,000 stays
    assert rules.price_for(0) == 0
    assert ChannelRules().price_for(12_345) == 12_345


def test_stock_buffer_rounds_down_and_zero_threshold() -> None:
    rules = ChannelRules(stock_buffer_percent=Decimal(20), stock_zero_below=3)
    assert rules.stock_for(10) == 8
    assert rules.stock_for(7) == 5  # 5.6 -> 5
    assert rules.stock_for(3) == 0  # 2.4 -> 2, below 3 -> 0
    assert rules.stock_for(0) == 0


@given(price=st.integers(min_value=0, max_value=10**9), markup=st.integers(min_value=0, max_value=300),
       step=st.sampled_from([1, 100, 500, 1000, 5000]))
def test_price_is_whole_vnd_never_below_the_marked_up_price(price: int, markup: int, step: int) -> None:
    out = ChannelRules(markup_percent=Decimal(markup), price_round_to=step).price_for(price)
    assert isinstance(out, int)
    assert out % step == 0
    assert out * 100 >= price * (100 + markup)
    assert (out - step) * 100 < price * (100 + markup) or out == 0


@given(stock=st.integers(min_value=0, max_value=10**6), buffer=st.integers(min_value=0, max_value=100),
       below=st.integers(min_value=0, max_value=50))
def test_channel_stock_never_exceeds_what_is_there(stock: int, buffer: int, below: int) -> None:
    out = ChannelRules(stock_buffer_percent=Decimal(buffer), stock_zero_below=below).stock_for(stock)
    assert 0 <= out <= stock
    assert out == 0 or out >= below


def test_listing_applies_rules_and_override() -> None:
    rules = ChannelRules(markup_percent=Decimal(10), price_round_to=1000, title_overrides={"MD-1": "Miến dong BK"},
                         category_overrides={"1.1.1": "C-99"})
    listing = listing_for(product(), rules=rules, category_id="C-11", capabilities=CAPS, images=IMAGE, stars=4)
    assert not isinstance(listing, Blocked)
    assert (listing.title, listing.price, listing.stock, listing.category_id) == ("Miến dong BK", 50_000, 10, "C-99")
    assert listing.ocop_stars == 4


def test_unmapped_category_and_missing_images_block_with_reasons() -> None:
    result = listing_for(product(), rules=ChannelRules(), category_id=None, capabilities=CAPS)
    assert isinstance(result, Blocked)
    assert [r.code for r in result.reasons] == ["sync.category_unmapped", "sync.field_missing"]
    assert "images" in result.message("vi")
    assert "chưa được gắn" in result.message("vi")


def test_title_too_long_blocks() -> None:
    result = listing_for(product(name="x" * 30), rules=ChannelRules(), category_id="C", capabilities=CAPS,
                         images=IMAGE)
    assert isinstance(result, Blocked)
    assert result.reasons[0].code == "sync.title_too_long"
    assert result.reasons[0].params == {"length": 30, "max": 20}


def test_rules_reject_unknown_keys() -> None:
    with pytest.raises(ValueError, match="markup"):
        ChannelRules.model_validate({"markupp": 3})


def test_payload_hash_and_diff() -> None:
    one = listing_for(product(), rules=ChannelRules(), category_id="C", capabilities=CAPS, images=IMAGE)
    two = listing_for(product(stock=11), rules=ChannelRules(), category_id="C", capabilities=CAPS, images=IMAGE)
    assert not isinstance(one, Blocked) and not isinstance(two, Blocked)
    a, b = listing_payload(one), listing_payload(two)
    assert payload_hash(a) != payload_hash(b)
    assert payload_hash(a) == payload_hash(listing_payload(one))
    assert field_diff(a, b) == {"stock": (10, 11)}
    assert a["images"] == ["IMG1"]
