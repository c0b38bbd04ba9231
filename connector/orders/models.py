"""Tables of connector.orders: orders as the marketplaces (or their exports) gave them.

* :class:`SalesOrder`: one order of one account, unique on (account, remote id); ``status`` is the
  latest state seen (by the marketplace's own ``updated_at``, so an older page read late cannot
  undo a newer state); ``counted`` and ``stock_taken`` say what the ledger and the stock hold for
  it right now, so a second pull of the same order changes nothing.
* :class:`OrderLine`: its lines, with the product they were matched to (by SKU or binding).
* :class:`OrderStatusChange`: every distinct (status, time) seen, in arrival order.
* :class:`OrderBookmark`: where the next incremental pull of an account resumes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from catalog.clock import utcnow


class SalesOrder(SQLModel, table=True):
    __tablename__ = "sales_order"
    __table_args__ = (UniqueConstraint("account_id", "remote_id", name="uq_sales_order_remote"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="marketplace_account.id")  # the unique (account, remote id) serves
    remote_id: str = Field(max_length=80)
    status: str = Field(max_length=16)
    raw_status: str = Field(max_length=60)
    placed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    total: int = Field(sa_type=BigInteger, description="Whole VND for the lines, shipping excluded")
    confirm_by: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    buyer_province: str | None = Field(default=None, max_length=80)
    counted: bool = Field(default=False, description="Its sale entries stand in the ledger now")
    stock_taken: bool = Field(default=False, description="Its quantities are off the stock now")
    source: str = Field(default="api", max_length=120)
    recorded_by: str | None = Field(default=None, max_length=80)
    first_seen_at: datetime = Field(default_factory=utcnow,
                                    sa_column=Column(DateTime(timezone=True), nullable=False))


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    sku: str = Field(max_length=80)
    quantity: int
    unit_price: int = Field(sa_type=BigInteger)
    amount: int = Field(sa_type=BigInteger)
    product_id: int | None = Field(default=None, foreign_key="product.id")
    remote_listing_id: str | None = Field(default=None, max_length=80)
    title: str | None = Field(default=None, max_length=255)


class OrderStatusChange(SQLModel, table=True):
    __tablename__ = "order_status_change"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    status: str = Field(max_length=16)
    raw_status: str = Field(max_length=60)
    changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    applied: bool = Field(default=True, description="False when it arrived after a newer state")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class OrderBookmark(SQLModel, table=True):
    __tablename__ = "order_bookmark"

    account_id: int = Field(foreign_key="marketplace_account.id", primary_key=True)
    pulled_until: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    last_run_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_error: str | None = Field(default=None, max_length=500)
    orders_seen: int = 0
