from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from catalog.errors import CatalogueValidationError, NotFoundError
from catalog.measures import gtin_is_valid, normalize_unit
from catalog.ocop import CertificationStatus, OcopCertification, OcopCertificationCreate, stars_as_of
from catalog.producers import ProducerCreate, ProducerKind, create_producer, parse_producer_kind
from catalog.products import (
    Product,
    ProductCreate,
    ProductUpdate,
    create_product,
    get_product,
    list_products,
    update_product,
)


def _producer(session: Session, code: str | None = "HTX-TAIHOAN", ward: str | None = "02155"):
    return create_producer(session=session, data=ProducerCreate(
        code=code, kind=ProducerKind.cooperative, name="HTX Tài Hoan", phone="0912345678", unit_vn2025=ward))


def _product(**overrides: object) -> ProductCreate:
    data: dict[str, object] = {"sku": "MIEN-500", "name": "Miến dong Tài Hoan 500g", "unit": "gói",
                               "price": 45000, "stock": 10, "category_code": "1.3.2"}
    data.update(overrides)
    return ProductCreate.model_validate(data)


def test_duplicate_sku_for_one_producer_is_rejected(session: Session) -> None:
    producer = _producer(session)
    create_product(session=session, producer=producer, data=_product())
    with pytest.raises(CatalogueValidationError) as info:
        create_product(session=session, producer=producer, data=_product(name="Khác"))
    assert info.value.code == "sku.duplicate"
    # and the database itself refuses it, whoever writes
    session.add(Product(producer_id=producer.id, sku="MIEN-500", name="x", name_key="x", price=1))
    with pytest.raises(IntegrityError):
        session.flush()


def test_same_sku_for_two_producers_is_fine(session: Session) -> None:
    a = _producer(session)
    b = _producer(session, code="HTX-KHAC")
    create_product(session=session, producer=a, data=_product())
    create_product(session=session, producer=b, data=_product())
    assert len(list_products(session=session)) == 2


@pytest.mark.parametrize("price", [12.5, -1, "12.5", 1e30])
def test_price_must_be_whole_non_negative_vnd(price: object) -> None:
    with pytest.raises((ValidationError, CatalogueValidationError)):
        _product(price=price)


def test_price_from_excel_float_that_is_integral() -> None:
    assert _product(price=45000.0).price == 45000


def test_database_refuses_negative_price(session: Session) -> None:
    producer = _producer(session)
    session.add(Product(producer_id=producer.id, sku="NEG", name="x", name_key="x", price=-5))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize("stars", [0, 1, 2, 6])
def test_stars_outside_three_to_five_are_rejected(stars: int) -> None:
    with pytest.raises(ValidationError):
        OcopCertificationCreate(stars=stars, decision_date=date(2021, 12, 29))


def test_database_refuses_six_stars(session: Session) -> None:
    producer = _producer(session)
    product = create_product(session=session, producer=producer, data=_product())
    session.add(OcopCertification(product_id=product.id, stars=6, decision_date=date(2021, 12, 29)))
    with pytest.raises(IntegrityError):
        session.flush()


def test_stars_derive_from_history_as_of_a_date() -> None:
    history = [
        OcopCertificationCreate(stars=3, decision_no="100/QĐ-UBND", decision_date=date(2019, 6, 1)),
        OcopCertificationCreate(stars=5, decision_no="2616/QĐ-UBND", decision_date=date(2021, 12, 29)),
    ]
    assert stars_as_of(history, date(2019, 5, 31)) is None
    assert stars_as_of(history, date(2020, 1, 1)) == 3
    assert stars_as_of(history, date(2022, 1, 1)) == 5
    assert stars_as_of(history, date(2024, 12, 28)) == 5  # 36 months after 29/12/2021
    assert stars_as_of(history, date(2024, 12, 29)) is None  # both expired
    withdrawn = [OcopCertificationCreate(stars=4, decision_date=date(2023, 1, 1),
                                         status=CertificationStatus.withdrawn)]
    assert stars_as_of(withdrawn, date(2023, 6, 1)) is None


def test_update_bumps_content_or_stock_version(session: Session) -> None:
    product = create_product(session=session, producer=_producer(session), data=_product())
    assert update_product(session=session, product=product, data=ProductUpdate(price=45000)) == {}
    assert (product.content_version, product.stock_version) == (1, 1)
    update_product(session=session, product=product, data=ProductUpdate(stock=7))
    assert (product.content_version, product.stock_version) == (1, 2)
    changes = update_product(session=session, product=product, data=ProductUpdate(price=48000))
    assert changes == {"price": (45000, 48000)}
    assert (product.content_version, product.stock_version) == (2, 2)


def test_household_codes_come_from_ward_and_sequence(session: Session) -> None:
    first = _producer(session, code=None, ward="01906")
    second = _producer(session, code=None, ward="01906")
    assert (first.code, second.code) == ("01906-0001", "01906-0002")


def test_product_lookup_by_ref(session: Session) -> None:
    create_product(session=session, producer=_producer(session), data=_product(net_qty=Decimal("0.5"), net_unit="kg"))
    assert get_product(session=session, ref="HTX-TAIHOAN/MIEN-500").price == 45000
    with pytest.raises(NotFoundError):
        get_product(session=session, ref="HTX-TAIHOAN/NOPE")
    with pytest.raises(CatalogueValidationError):
        get_product(session=session, ref="no-slash")


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Product(producer_id=999_999, sku="ORPHAN", name="x", name_key="x", price=1))
    with pytest.raises(IntegrityError):
        session.flush()


def test_sqlite_runs_in_wal_mode(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("WAL is a SQLite setting")
    assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_units_and_kinds_and_gtin() -> None:
    assert normalize_unit("Gói") == "gói"
    assert normalize_unit("KG") == "kg"
    assert normalize_unit("hũ") == "lọ"
    with pytest.raises(CatalogueValidationError) as info:
        normalize_unit("ta")  # tạ (100 kg) or tá (a dozen): never guessed
    assert info.value.code == "unit.unknown"
    assert parse_producer_kind("HTX") is ProducerKind.cooperative
    assert parse_producer_kind("Hộ kinh doanh") is ProducerKind.household_business
    assert gtin_is_valid("8935049500018")
    assert not gtin_is_valid("8935049500019")
    with pytest.raises(CatalogueValidationError):
        _product(barcode="8935049500019")
