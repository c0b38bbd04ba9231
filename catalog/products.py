"""Products, their images, and the catalogue's service functions for them.

A product is named ``PRODUCER/SKU`` on the command line.  ``content_version`` goes up whenever
what a marketplace shows changes (name, price, images…); ``stock_version`` goes up when only
the stock moves, so a sale does not disturb a sync of the content that is in progress.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import BigInteger, CheckConstraint, DateTime, Numeric, UniqueConstraint, func
from sqlmodel import Column, Field, Session, SQLModel, col, select

from catalog.clock import utcnow
from catalog.errors import CatalogueValidationError, NotFoundError
from catalog.measures import normalize_gtin, normalize_unit
from catalog.money import MAX_PRICE
from catalog.producers import Producer, get_producer
from catalog.text import fold, nfc

STOCK_FIELDS = frozenset({"stock"})


class ProductStatus(StrEnum):
    draft = "draft"
    active = "active"
    archived = "archived"


MAX_STOCK = 1_000_000_000  # bounds a form, an API call and an import all check (a 32-bit-safe count)
MAX_MEASURE = 10_000_000  # grams or millimetres: 10 tonnes, 10 km
MAX_DESCRIPTION = 5000
MAX_SHELF_LIFE_DAYS = 36_500


class ProductBase(SQLModel):
    sku: str = Field(min_length=1, max_length=64, regex=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
    name: str = Field(min_length=1, max_length=255)
    description: str | None = None  # (a TEXT column: its length is checked by ProductCreate and ProductUpdate)
    category_code: str | None = Field(default=None, max_length=32, foreign_key="category.code")
    unit: str = Field(default="gói", max_length=16)
    net_qty: Decimal | None = Field(default=None, sa_type=Numeric(12, 3))
    net_unit: str | None = Field(default=None, max_length=8)
    price: int = Field(ge=0, le=MAX_PRICE, sa_type=BigInteger, description="Whole VND")
    stock: int = Field(default=0, ge=0, le=MAX_STOCK)
    weight_g: int | None = Field(default=None, ge=0, le=MAX_MEASURE)
    length_mm: int | None = Field(default=None, ge=0, le=MAX_MEASURE)
    width_mm: int | None = Field(default=None, ge=0, le=MAX_MEASURE)
    height_mm: int | None = Field(default=None, ge=0, le=MAX_MEASURE)
    barcode: str | None = Field(default=None, max_length=14)
    shelf_life_days: int | None = Field(default=None, ge=0, le=MAX_SHELF_LIFE_DAYS)
    status: ProductStatus = ProductStatus.active


class ProductCreate(ProductBase):
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)

    @field_validator("price", mode="before")
    @classmethod
    def _whole_vnd(cls, value: Any) -> Any:
        if isinstance(value, float) or (isinstance(value, Decimal) and value != value.to_integral_value()):
            if value != int(value):
                raise ValueError("price must be a whole number of đồng")
            return int(value)
        return value

    @field_validator("name", "description")
    @classmethod
    def _nfc(cls, value: str | None) -> str | None:
        return nfc(value) if value is not None else None

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        return normalize_unit(value)

    @field_validator("barcode")
    @classmethod
    def _gtin(cls, value: str | None) -> str | None:
        return normalize_gtin(value) if value else None


class ProductUpdate(SQLModel):
    """The fields an edit may set (any subset), with the same bounds as a new product's: a form, the API and
    the CLI all refuse what the catalogue could not store or show back."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    category_code: str | None = Field(default=None, max_length=32)
    unit: str | None = Field(default=None, min_length=1, max_length=16)
    net_qty: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=3)
    net_unit: str | None = Field(default=None, max_length=8)
    price: int | None = Field(default=None, ge=0, le=MAX_PRICE)
    stock: int | None = Field(default=None, ge=0, le=MAX_STOCK)
    weight_g: int | None = Field(default=None, ge=0, le=MAX_MEASURE)
    length_mm: int | None = Field(default=None, ge=0, le=MAX_MEASURE)
    width_mm: int | None = Field(default=None, ge=0, le=MAX_MEASURE)
    height_mm: int | None = Field(default=None, ge=0, le=MAX_MEASURE)
    barcode: str | None = Field(default=None, max_length=14)
    shelf_life_days: int | None = Field(default=None, ge=0, le=MAX_SHELF_LIFE_DAYS)
    status: ProductStatus | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("a name cannot be blank")
        return value


class Product(ProductBase, table=True):
    __table_args__ = (
        UniqueConstraint("producer_id", "sku", name="uq_product_producer_sku"),
        CheckConstraint("price >= 0", name="ck_product_price_nonneg"),
        CheckConstraint("stock >= 0", name="ck_product_stock_nonneg"),
    )

    id: int | None = Field(default=None, primary_key=True)
    producer_id: int = Field(foreign_key="producer.id", index=True)
    name_key: str = Field(index=True, max_length=255)
    content_version: int = 1
    stock_version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, onupdate=func.now()),
    )


class ProductPublic(ProductBase):
    id: int
    producer_code: str
    content_version: int
    stock_version: int
    stars: int | None = None


class ProductImage(SQLModel, table=True):
    """One photo of a product; the file is in the content-addressed store under its SHA-256."""

    __tablename__ = "product_image"
    __table_args__ = (UniqueConstraint("product_id", "position", name="uq_product_image_position"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    position: int = Field(ge=1)
    sha256: str = Field(max_length=64, index=True)
    size_bytes: int
    width: int
    height: int
    format: str = Field(max_length=8)


def parse_product_ref(ref: str) -> tuple[str, str]:
    """``"PRODUCER/SKU"`` → ``("PRODUCER", "SKU")``."""
    producer, sep, sku = ref.strip().partition("/")
    if not sep or not producer or not sku:
        raise CatalogueValidationError("product.ref_invalid", value=ref)
    return producer, sku


def get_product(*, session: Session, ref: str) -> Product:
    producer_code, sku = parse_product_ref(ref)
    producer = get_producer(session=session, code=producer_code)
    product = session.exec(select(Product).where(Product.producer_id == producer.id, Product.sku == sku)).first()
    if product is None:
        raise NotFoundError(entity="product", key=ref)
    return product


def create_product(*, session: Session, producer: Producer, data: ProductCreate) -> Product:
    exists = session.exec(select(Product.id).where(Product.producer_id == producer.id, Product.sku == data.sku))
    if exists.first() is not None:
        raise CatalogueValidationError("sku.duplicate", value=data.sku)
    assert producer.id is not None
    product = Product.model_validate(data, update={"producer_id": producer.id, "name_key": fold(data.name)})
    session.add(product)
    session.flush()
    return product


def update_product(*, session: Session, product: Product, data: ProductUpdate) -> dict[str, tuple[Any, Any]]:
    """Apply the set fields; bump the content or stock version by what changed.  Returns the diff."""
    changes: dict[str, tuple[Any, Any]] = {}
    for key, value in data.model_dump(exclude_unset=True).items():
        if key == "unit" and value is not None:
            value = normalize_unit(value)
        if key in ("name", "description") and value is not None:
            value = nfc(value)
        if getattr(product, key) != value:
            changes[key] = (getattr(product, key), value)
            setattr(product, key, value)
    if "name" in changes:
        product.name_key = fold(product.name)
    if set(changes) - STOCK_FIELDS:
        product.content_version += 1
    if STOCK_FIELDS & set(changes):
        product.stock_version += 1
    if changes:
        session.add(product)
        session.flush()
    return changes


def list_products(
    *,
    session: Session,
    producer_code: str | None = None,
    status: ProductStatus | None = None,
    category_code: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> list[tuple[Product, Producer]]:
    query = select(Product, Producer).join(Producer).order_by(col(Producer.code), col(Product.sku))
    if producer_code:
        query = query.where(Producer.code == producer_code)
    if status:
        query = query.where(Product.status == status)
    if category_code:
        query = query.where(col(Product.category_code).startswith(category_code))
    if search:
        query = query.where(col(Product.name_key).contains(fold(search)))
    if limit:
        query = query.limit(limit)
    return [(p, pr) for p, pr in session.exec(query)]


def product_images(*, session: Session, product: Product) -> list[ProductImage]:
    query = select(ProductImage).where(ProductImage.product_id == product.id).order_by(col(ProductImage.position))
    return list(session.exec(query))
