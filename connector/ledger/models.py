"""Tables of connector.ledger.

* :class:`LedgerEntry`: append-only.  A sale when an order reaches a counted status, a reversal
  when a counted order is later cancelled or returned, a manual sale from a channel without an
  API, or an adjustment.  Amounts are whole VND.  Each entry carries what reports group by, copied
  at the time it was written (platform, channel kind, producer and its kind, product, OCOP stars
  valid on that day, the unit in both schemes), so a report is one scan of one table.
  ``occurred_at`` is when it happened; ``booked_at`` is when it counts: the same, unless that
  falls in a closed period, in which case the entry is an *adjustment* booked at the start of the
  next open period (``adjusts`` names the closed one).  ``booked_day`` and ``booked_month``
  (``YYYYMM``) are the local (Asia/Ho_Chi_Minh) day and month of ``booked_at``.
* :class:`StockMovement`: each change an order made to a product's stock.
* :class:`PeriodClose`: a frozen period, with the figures it had when it was closed.
* :class:`ReportedTotal`: totals the province received from platforms or the postal service.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, DateTime, Index, UniqueConstraint, text
from sqlmodel import Column, Field, SQLModel

from catalog.clock import utcnow


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        # only manual sales carry a reference: the index skips the million API entries
        Index("uq_ledger_source_reference", "source", "reference", unique=True,
              sqlite_where=text("reference IS NOT NULL"), postgresql_where=text("reference IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12, description="sale, reversal, manual")
    order_id: int | None = Field(default=None, foreign_key="sales_order.id", index=True)
    order_line_id: int | None = Field(default=None, foreign_key="order_line.id")
    account_id: int | None = Field(default=None, foreign_key="marketplace_account.id")
    platform: str = Field(max_length=40)
    channel_kind: str = Field(max_length=12, description="marketplace or other")
    producer_id: int | None = Field(default=None, foreign_key="producer.id")
    producer_kind: str | None = Field(default=None, max_length=24)
    product_id: int | None = Field(default=None, foreign_key="product.id")
    ocop_stars: int | None = None
    unit_vn2004: str | None = Field(default=None, max_length=5)
    unit_vn2025: str | None = Field(default=None, max_length=5)
    quantity: int = 0
    amount: int = Field(sa_type=BigInteger, description="Whole VND; negative for a reversal")
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    booked_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    booked_day: date
    booked_month: int = Field(description="YYYYMM of booked_at in Asia/Ho_Chi_Minh")
    adjusts: str | None = Field(default=None, max_length=40, description="The closed period it corrects")
    source: str = Field(default="api", max_length=120)
    reference: str | None = Field(default=None, max_length=120)
    recorded_by: str | None = Field(default=None, max_length=80)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class LedgerSummary(SQLModel, table=True):
    """The entries summed by local month and every report dimension, kept in step by
    :func:`connector.ledger.entries.record_entries` (the one writer of entries), so a report over
    years of entries reads a few thousand rows.  Blank key parts are '' (and stars 0), not NULL,
    so that rows meet on conflict."""

    __tablename__ = "ledger_summary"
    # the key's order lets month × platform × unit reports aggregate in index order, without a sort
    __table_args__ = {"sqlite_with_rowid": False}

    booked_month: int = Field(primary_key=True)
    platform: str = Field(primary_key=True, max_length=40)
    unit_vn2004: str = Field(primary_key=True, max_length=5)
    unit_vn2025: str = Field(primary_key=True, max_length=5)
    channel_kind: str = Field(primary_key=True, max_length=12)
    producer_kind: str = Field(primary_key=True, max_length=24)
    ocop_stars: int = Field(primary_key=True)
    amount: int = Field(sa_type=BigInteger)
    quantity: int = Field(sa_type=BigInteger)
    entries: int


class StockMovement(SQLModel, table=True):
    __tablename__ = "stock_movement"

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id")
    order_id: int | None = Field(default=None, foreign_key="sales_order.id")
    quantity: int = Field(description="Signed: negative takes off the stock")
    reason: str = Field(max_length=16, description="sale, cancelled, returned, reopened")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class PeriodClose(SQLModel, table=True):
    __tablename__ = "ledger_period_close"
    __table_args__ = (UniqueConstraint("label", name="uq_ledger_close_label"),)

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=40)
    start: date
    end: date
    entries: int
    total: int = Field(sa_type=BigInteger)
    closed_by: str | None = Field(default=None, max_length=80)
    closed_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class ReportedTotal(SQLModel, table=True):
    __tablename__ = "reported_total"

    id: int | None = Field(default=None, primary_key=True)
    period_label: str = Field(max_length=40)
    start: date
    end: date
    reporter: str = Field(max_length=120, description="Who sent the figure: a platform, VNPost…")
    platform: str | None = Field(default=None, max_length=40, description="Which platform it covers, if one")
    amount: int = Field(sa_type=BigInteger)
    transactions: int | None = None
    note: str | None = Field(default=None, max_length=500)
    recorded_by: str | None = Field(default=None, max_length=80)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
