"""The sample catalogue imports cleanly; the messy variant gives the problems its README lists."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from catalog.ocop import OcopCertification, stars_as_of
from catalog.producers import Producer
from catalog.products import Product, ProductImage
from tests.catalog.import_helpers import FIXTURES, codes, products, run


def test_fixture_catalogue_imports_cleanly(session: Session, tmp_path: Path) -> None:
    result = run(session, FIXTURES / "catalogue.xlsx", tmp_path, images=FIXTURES / "images")
    assert result.errors == []
    assert result.problems == []
    assert result.rejected == 0
    assert result.counts["producers"].created >= 20
    assert result.counts["products"].created >= 80
    assert result.counts["images"].created == result.counts["products"].created
    count = session.execute(select(func.count()).select_from(Product)).scalar_one()
    assert count == result.counts["products"].created
    hoan = session.execute(select(Producer).where(Producer.code == "HTX-TAIHOAN")).scalar_one()
    assert (hoan.unit_vn2004, hoan.unit_vn2025) == ("02173", "02185")
    query = select(Product).where(Product.producer_id == hoan.id, Product.sku == "MIEN-500")
    mien = session.execute(query).scalar_one()
    certs = list(session.execute(select(OcopCertification).where(OcopCertification.product_id == mien.id)).scalars())
    assert stars_as_of(certs, certs[0].decision_date) == 5
    units = set(session.execute(select(Producer.unit_vn2025)).scalars())
    assert {"02014", "01933", "01849"} <= units  # Xã Bạch Thông, Xã Đồng Phúc, Xã Phong Quang
    assert session.execute(select(func.count()).select_from(ProductImage)).scalar_one() == count
    again = run(session, FIXTURES / "catalogue.xlsx", tmp_path, images=FIXTURES / "images")
    assert not again.changed
    assert again.counts["products"].unchanged == count


def test_messy_csv(session: Session, tmp_path: Path) -> None:
    result = run(session, FIXTURES / "messy" / "san-pham-cp1258.csv", tmp_path)
    assert codes(result) == [(5, "price.negative"), (6, "unit.unknown"), (7, "stars.invalid"),
                             (8, "admin_unit.unknown"), (9, "import.sku_repeated"), (10, "price.fraction")]
    found = products(session)
    assert set(found) == {"MIEN-1", "MIEN-05", "BUN-05"}
    assert (found["MIEN-1"].price, found["MIEN-05"].price, found["BUN-05"].price) == (1250000, 125000, 85000)
    assert found["MIEN-1"].name == "Miến dong Côn Minh 1 kg"
    producer = session.execute(select(Producer)).scalar_one()
    assert (producer.phone, producer.unit_vn2025) == ("+84912301101", "02185")


def test_messy_workbook(session: Session, tmp_path: Path) -> None:
    run(session, FIXTURES / "catalogue.xlsx", tmp_path)
    before = session.execute(select(func.count()).select_from(Producer)).scalar_one()
    result = run(session, FIXTURES / "messy" / "danh-muc-cu.xlsx", tmp_path)
    errors = [(p.row, p.code) for p in result.errors]
    assert errors == [(9, "value.required")]
    warnings = {p.code for p in result.problems if p.severity.value == "warning"}
    assert warnings == {"import.column_unknown", "import.legacy_text"}
    assert session.execute(select(func.count()).select_from(Producer)).scalar_one() == before
    hoan = session.execute(select(Producer).where(Producer.code == "HTX-TAIHOAN")).scalar_one()
    mine = {p.sku: p for p in session.execute(select(Product).where(Product.producer_id == hoan.id)).scalars()}
    assert mine["TBDONG-1"].price == 70000  # the formula's cached value
    assert mine["BUN-500"].description == "=Sản phẩm mới"
    assert mine["MIEN-500"].name == "Miến dong Tài Hoan 500 g"
