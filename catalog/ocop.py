"""OCOP certifications.  A product's stars belong to its certification history, not to the
product: :func:`stars_as_of` derives them for a date.  A decision is valid 36 months from its
signing date unless the certificate says otherwise (Decision 148/QĐ-TTg)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from catalog.text import nfc

VALIDITY_MONTHS = 36


class CertificationStatus(StrEnum):
    active = "active"
    expired = "expired"
    withdrawn = "withdrawn"


class OcopCertificationBase(SQLModel):
    stars: int = Field(ge=3, le=5)
    score: int | None = Field(default=None, ge=0, le=100)
    decision_no: str | None = Field(default=None, max_length=40)
    decision_date: date
    issuing_level: str | None = Field(default=None, max_length=40)  # huyện | tỉnh | trung ương
    valid_until: date | None = None
    status: CertificationStatus = CertificationStatus.active


class OcopCertificationCreate(OcopCertificationBase):
    @field_validator("decision_no", "issuing_level")
    @classmethod
    def _nfc(cls, value: str | None) -> str | None:
        return nfc(value) if value else None


class OcopCertification(OcopCertificationBase, table=True):
    __tablename__ = "ocop_certification"
    __table_args__ = (CheckConstraint("stars BETWEEN 3 AND 5", name="ck_ocop_stars"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_valid_until(decision_date: date) -> date:
    return add_months(decision_date, VALIDITY_MONTHS)


def stars_as_of(certifications: Iterable[OcopCertificationBase], day: date) -> int | None:
    """The highest stars of a certification in force on ``day`` (not withdrawn, not expired)."""
    valid = [
        c.stars
        for c in certifications
        if c.status != CertificationStatus.withdrawn
        and c.decision_date <= day
        and day < (c.valid_until or default_valid_until(c.decision_date))
    ]
    return max(valid, default=None)
