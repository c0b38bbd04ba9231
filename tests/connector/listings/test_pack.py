"""Listing packs for voso and postmart from the fixture catalogue."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PIL import Image
from sqlmodel import Session, select

from catalog.errors import CatalogueValidationError
from catalog.image_store import ImageStore
from catalog.images import profile_named
from catalog.products import Product, ProductImage, ProductStatus, ProductUpdate, get_product, update_product
from connector.accounts import MarketplaceAccount
from connector.listings.bind import bind_from_pack
from connector.listings.layouts import load_layout
from connector.listings.pack import build_pack
from connector.listings.rows import cut_text, plain_text
from connector.sync.rules import ChannelRules
from tests.connector.listings.conftest import GPS_PHOTO, LONG_TITLE, PRODUCER, make_account
from tests.connector.listings.helpers import fill_urls

DAY = date(2024, 6, 1)


def read_rows(path: Path, marketplace: str) -> list[dict[str, Any]]:
    """The pack's rows keyed by field name, through the layout file's headers."""
    layout = load_layout(marketplace)
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book[layout.pack_sheet].iter_rows(values_only=True))
    finally:
        book.close()
    assert list(rows[0]) == [c.header for c in layout.pack_columns]
    return [{c.field: value for c, value in zip(layout.pack_columns, row, strict=False)} for row in rows[1:]]


@pytest.mark.parametrize("marketplace", ["voso", "postmart"])
def test_pack_applies_the_channel_rules_and_profile(session: Session, catalogue: Any, media_root: Path,
                                                    tmp_path: Path, marketplace: str) -> None:
    account = make_account(session, catalogue, marketplace)
    layout = load_layout(marketplace)
    result = build_pack(session=session, account=account, out=tmp_path / "pack", media_root=media_root, today=DAY)
    session.commit()
    products = {p.sku: p for p in session.exec(select(Product).where(Product.producer_id == catalogue.id))}
    rows = {r["sku"]: r for r in read_rows(result.spreadsheet, marketplace)}
    assert set(rows) == set(products)
    rules = ChannelRules.of(account)
    title_max = layout.max_length("title")
    assert title_max is not None
    for sku, row in rows.items():
        product = products[sku]
        assert row["price"] == rules.price_for(product.price) != product.price
        assert row["price"] % 1000 == 0
        assert row["stock"] == int(product.stock * 0.8)
        assert row["weight_g"] == product.weight_g and row["unit"] == product.unit
        assert row["status"] == "mới" and not row["url"]
        assert len(row["title"]) <= title_max
    long_title = rows["MIEN-200"]["title"]
    assert len(LONG_TITLE) > title_max and LONG_TITLE.startswith(long_title) and len(long_title) > title_max * 0.8
    assert rows["MIEN-500"]["ocop_stars"] == 5 and rows["MIEN-500"]["ocop_decision"] == "2616/QĐ-UBND ngày 29/12/2021"
    assert rows["BUN-1"]["ocop_stars"] is None
    expected_path = {"voso": "Thực phẩm > Đồ khô > Miến, bún, phở", "postmart": "Đặc sản vùng miền > Miến dong"}
    assert rows["MIEN-1"]["category_path"] == expected_path[marketplace]
    assert [p["code"] for p in result.problems] == ["listings.category_unmapped"]  # TBDONG-1 is in 1.3.3
    assert rows["TBDONG-1"]["category_path"] is None

    profile = profile_named(layout.image_profile)
    with zipfile.ZipFile(result.images_zip) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{sku}_1.jpg" for sku in products)
        assert rows["MIEN-500"]["images"] == "MIEN-500_1.jpg"
        for name in names:
            with Image.open(io.BytesIO(archive.read(name))) as image:
                assert image.format == "JPEG"
                assert image.width == image.height and profile.min_side <= image.width <= profile.max_side
                assert not image.getexif() and "exif" not in image.info
            assert len(archive.read(name)) <= profile.max_bytes


def test_the_gps_tags_of_the_original_do_not_reach_the_pack(session: Session, voso: MarketplaceAccount,
                                                             media_root: Path, tmp_path: Path) -> None:
    product = get_product(session=session, ref=f"{PRODUCER}/MIEN-500")
    image = session.exec(select(ProductImage).where(ProductImage.product_id == product.id)).one()
    store = ImageStore(media_root)
    with Image.open(store.original_path(image.sha256)) as original:
        assert original.getexif().get_ifd(0x8825), f"{GPS_PHOTO} should carry GPS tags in the store"
    store.close()
    result = build_pack(session=session, account=voso, out=tmp_path / "pack", media_root=media_root, today=DAY)
    with zipfile.ZipFile(result.images_zip) as archive, Image.open(io.BytesIO(archive.read("MIEN-500_1.jpg"))) as out:
        assert not out.getexif().get_ifd(0x8825)
        assert b"GPS" not in archive.read("MIEN-500_1.jpg")[:4096]


def test_only_changed_after_a_price_edit(session: Session, voso: MarketplaceAccount, media_root: Path,
                                         tmp_path: Path) -> None:
    first = build_pack(session=session, account=voso, out=tmp_path / "1", media_root=media_root, today=DAY)
    session.commit()
    assert first.counts() == {"new": 6, "changed": 0, "unchanged": 0, "removed": 0}
    product = get_product(session=session, ref=f"{PRODUCER}/MIEN-200")
    update_product(session=session, product=product, data=ProductUpdate(price=30_000))
    session.commit()

    second = build_pack(session=session, account=voso, out=tmp_path / "2", media_root=media_root, today=DAY,
                        only_changed=True)
    session.commit()
    assert second.counts() == {"new": 0, "changed": 1, "unchanged": 5, "removed": 0}
    rows = read_rows(second.spreadsheet, "voso")
    assert [r["sku"] for r in rows] == ["MIEN-200"]
    assert rows[0]["status"] == "thay đổi" and rows[0]["price"] == 33_000
    assert rows[0]["changes"] == "Giá bán (đ): 31.000 → 33.000"
    with zipfile.ZipFile(second.images_zip) as archive:
        assert archive.namelist() == ["MIEN-200_1.jpg"]

    third = build_pack(session=session, account=voso, out=tmp_path / "3", media_root=media_root, today=DAY)
    assert third.counts() == {"new": 0, "changed": 0, "unchanged": 6, "removed": 0}
    assert {r["status"] for r in read_rows(third.spreadsheet, "voso")} == {"không đổi"}


def test_a_rule_change_and_a_stock_sale_show_as_changes(session: Session, voso: MarketplaceAccount,
                                                        media_root: Path, tmp_path: Path) -> None:
    build_pack(session=session, account=voso, out=tmp_path / "1", media_root=media_root, today=DAY)
    voso.rules = {**voso.rules, "markup_percent": "20"}
    product = get_product(session=session, ref=f"{PRODUCER}/BUN-1")
    update_product(session=session, product=product, data=ProductUpdate(stock=10))
    session.add(voso)
    session.commit()
    again = build_pack(session=session, account=voso, out=tmp_path / "2", media_root=media_root, today=DAY)
    changed = {r.ref.split("/")[1]: r.changed_fields for r in again.rows}
    assert changed["BUN-1"] == ["price", "stock"]
    assert all(fields == ["price"] for sku, fields in changed.items() if sku != "BUN-1")


def test_plain_text_and_cuts() -> None:
    html = "<p>Miến <b>dong</b> &amp; bún</p><ul><li>không chất bảo quản</li><li>200&nbsp;g</li></ul><script>x</script>"
    assert plain_text(html) == "Miến dong & bún\n\n- không chất bảo quản\n\n- 200 g"
    assert plain_text("Tôm &amp; cá") == "Tôm & cá"
    assert plain_text(None) == ""
    assert cut_text("một hai ba bốn năm", 12) == "một hai ba"
    assert cut_text("abcdefghijkl", 5) == "abcde"
    assert cut_text("ngắn", None) == "ngắn"


def test_a_product_taken_off_sale_is_marked_once_for_removal(session: Session, voso: MarketplaceAccount,
                                                             media_root: Path, tmp_path: Path) -> None:
    build_pack(session=session, account=voso, out=tmp_path / "1", media_root=media_root, today=DAY)
    product = get_product(session=session, ref=f"{PRODUCER}/BUN-500")
    update_product(session=session, product=product, data=ProductUpdate(status=ProductStatus.archived))
    session.commit()
    second = build_pack(session=session, account=voso, out=tmp_path / "2", media_root=media_root, today=DAY,
                        only_changed=True)
    session.commit()
    assert second.counts() == {"new": 0, "changed": 0, "unchanged": 5, "removed": 1}
    rows = read_rows(second.spreadsheet, "voso")
    assert [(r["sku"], r["status"], r["changes"]) for r in rows] == [("BUN-500", "gỡ xuống", "ngừng bán (archived)")]
    fill_urls(second.spreadsheet, "voso", {"BUN-500": "https://voso.vn/bun-p9.html"})
    read_back = bind_from_pack(session=session, account=voso, path=second.spreadsheet)
    assert read_back.skipped == 1 and not read_back.bound and not read_back.problems
    third = build_pack(session=session, account=voso, out=tmp_path / "3", media_root=media_root, today=DAY)
    assert third.counts()["removed"] == 0 and len(third.rows) == 5


def test_a_category_override_of_the_account_fills_the_unmapped_category(session: Session, voso: MarketplaceAccount,
                                                                         media_root: Path, tmp_path: Path) -> None:
    voso.rules = {**voso.rules, "category_overrides": {"1.3.3": "7731"}}
    session.add(voso)
    session.commit()
    calls: list[tuple[str, int, int | None]] = []
    result = build_pack(session=session, account=voso, out=tmp_path, media_root=media_root, today=DAY,
                        progress=lambda *call: calls.append(call))
    assert calls[-1] == ("voso-taihoan", 6, 6) and len(calls) == 6
    row = next(r for r in result.rows if r.ref.endswith("/TBDONG-1"))
    assert (row.values["category_id"], row.values["category_path"]) == ("7731", "7731")
    assert not result.problems


def test_a_pack_folder_that_is_a_file_is_refused_clearly(session: Session, voso: MarketplaceAccount,
                                                         media_root: Path, tmp_path: Path) -> None:
    taken = tmp_path / "goi.xlsx"
    taken.write_bytes(b"keep me")
    with pytest.raises(CatalogueValidationError) as caught:
        build_pack(session=session, account=voso, out=taken, media_root=media_root, today=DAY)
    assert caught.value.code == "listings.out_not_folder"
    with pytest.raises(CatalogueValidationError) as caught:
        build_pack(session=session, account=voso, out=taken / "sub", media_root=media_root, today=DAY)
    assert caught.value.code == "listings.out_unwritable"
    assert taken.read_bytes() == b"keep me"
