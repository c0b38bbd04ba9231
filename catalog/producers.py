"""Producers: households, household businesses, cooperatives, cooperative groups, enterprises."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import DateTime, Index, func
from sqlmodel import Column, Field, Session, SQLModel, col, select

from catalog.clock import utcnow
from catalog.errors import CatalogueValidationError, NotFoundError
from catalog.phone import normalize_phone
from catalog.text import fold, nfc


class ProducerKind(StrEnum):
    household = "household"  # hộ gia đình
    household_business = "household_business"  # hộ kinh doanh
    cooperative = "cooperative"  # hợp tác xã (HTX)
    cooperative_group = "cooperative_group"  # tổ hợp tác (THT)
    enterprise = "enterprise"  # doanh nghiệp


PRODUCER_KIND_LABELS: dict[ProducerKind, tuple[str, str]] = {
    ProducerKind.household: ("Hộ gia đình", "Household"),
    ProducerKind.household_business: ("Hộ kinh doanh", "Household business"),
    ProducerKind.cooperative: ("Hợp tác xã", "Cooperative"),
    ProducerKind.cooperative_group: ("Tổ hợp tác", "Cooperative group"),
    ProducerKind.enterprise: ("Doanh nghiệp", "Enterprise"),
}
_KIND_ALIASES = {fold(label): kind for kind, labels in PRODUCER_KIND_LABELS.items() for label in labels} | {
    "ho": ProducerKind.household, "ho sx": ProducerKind.household, "ho san xuat": ProducerKind.household,
    "hkd": ProducerKind.household_business, "htx": ProducerKind.cooperative,
    "tht": ProducerKind.cooperative_group, "dn": ProducerKind.enterprise, "cong ty": ProducerKind.enterprise,
} | {fold(k.value): k for k in ProducerKind}


def parse_producer_kind(value: str) -> ProducerKind:
    kind = _KIND_ALIASES.get(fold(value))
    if kind is None:
        allowed = ", ".join(v for v, _ in PRODUCER_KIND_LABELS.values())
        raise CatalogueValidationError("producer_kind.unknown", value=value, allowed=allowed)
    return kind


class ProducerBase(SQLModel):
    kind: ProducerKind = ProducerKind.household
    name: str = Field(min_length=1, max_length=200)
    representative: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=16, description="E.164")
    registration_code: str | None = Field(default=None, max_length=40, description="Business or tax code")
    address: str | None = Field(default=None, max_length=300)
    unit_vn2025: str | None = Field(default=None, max_length=5, description="Current ward/commune code")
    unit_vn2004: str | None = Field(default=None, max_length=5, description="Legacy commune code, if known")


class ProducerCreate(ProducerBase):
    code: str | None = Field(default=None, max_length=40)

    @field_validator("name", "representative", "address")
    @classmethod
    def _nfc(cls, value: str | None) -> str | None:
        return nfc(value) if value is not None else None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalize_phone(value) if value else None


class Producer(ProducerBase, table=True):
    __table_args__ = (Index("ix_producer_units", "unit_vn2025", "unit_vn2004"),)  # the funnel's grouping by unit

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=40)
    name_key: str = Field(index=True, max_length=200)
    phone: str | None = Field(default=None, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, onupdate=func.now()),
    )


def next_household_code(*, session: Session, ward_code: str | None) -> str:
    """A code for a producer that has none: its vn2025 ward code and a sequence (``01906-0007``)."""
    prefix = f"{ward_code or '00000'}-"
    taken = session.exec(select(Producer.code).where(col(Producer.code).startswith(prefix))).all()
    numbers = [int(c[len(prefix):]) for c in taken if c[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def create_producer(*, session: Session, data: ProducerCreate) -> Producer:
    code = data.code or next_household_code(session=session, ward_code=data.unit_vn2025)
    if session.exec(select(Producer.id).where(Producer.code == code)).first() is not None:
        raise CatalogueValidationError("producer.code_duplicate", value=code)
    producer = Producer.model_validate(data, update={"code": code, "name_key": fold(data.name)})
    session.add(producer)
    session.flush()
    return producer


def get_producer(*, session: Session, code: str) -> Producer:
    producer = session.exec(select(Producer).where(Producer.code == code)).first()
    if producer is None:
        raise NotFoundError(entity="producer", key=code)
    return producer


def list_producers(
    *, session: Session, search: str | None = None, unit_vn2025: str | None = None, limit: int | None = None
) -> list[Producer]:
    query = select(Producer).order_by(col(Producer.code))
    if search:
        query = query.where(col(Producer.name_key).contains(fold(search)))
    if unit_vn2025:
        query = query.where(Producer.unit_vn2025 == unit_vn2025)
    if limit:
        query = query.limit(limit)
    return list(session.exec(query))
