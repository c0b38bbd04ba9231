"""Tables of connector.listings: what each account's last listing pack showed, per product.

A :class:`PackSnapshot` keeps the values a pack row held (after the channel's rules) so the
next pack can say whether a row is new, changed (and which fields) or unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from catalog.clock import utcnow


class PackSnapshot(SQLModel, table=True):
    __tablename__ = "listing_pack_snapshot"
    __table_args__ = (UniqueConstraint("account_id", "product_id", name="uq_pack_snapshot"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="marketplace_account.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fingerprint: str = Field(max_length=64)
    packed_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
