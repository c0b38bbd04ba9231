"""The rows the order path writes, as named records whose fields are the columns they fill.

The bulk writer (:meth:`connector.ledger.entries.Writer.insert`) takes rows as tuples in the order
of a column list.  Each record here *is* such a tuple, and its column list is its ``_fields``, so
that the list and the rows cannot drift apart; rows are built by keyword, so that no value can land
in its neighbour's column (two integers swapped would pass every type check and corrupt the ledger
silently).  The *compact* records are the hot path's: only what varies from row to row.  What a
batch shares (account, platform, producer, units, source, the time) goes as constants, and the
nullable columns a plain API order leaves empty are left out (NULL): binding a value, a NULL most
of all, costs the driver more than storing it.  Times and flags are in the shapes the dialect
stores (see :class:`connector.ledger.entries.Writer`), hence ``Any``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from connector.ledger.entries import ENTRY_COLUMNS


class OrderRow(NamedTuple):
    """A ``sales_order`` row with every column."""

    id: int
    account_id: int
    remote_id: str
    status: str
    raw_status: str
    placed_at: Any
    updated_at: Any
    total: int
    confirm_by: Any
    buyer_province: str | None
    counted: Any
    stock_taken: Any
    source: str
    recorded_by: str | None
    first_seen_at: Any


class CompactOrder(NamedTuple):
    """A ``sales_order`` row without confirm-by and province (+ account, source, recorded by and
    first seen, shared by the batch)."""

    id: int
    remote_id: str
    status: str
    raw_status: str
    placed_at: Any
    updated_at: Any
    total: int
    counted: Any
    stock_taken: Any


class LineRow(NamedTuple):
    """An ``order_line`` row with every column."""

    id: int
    order_id: int
    sku: str
    quantity: int
    unit_price: int
    amount: int
    product_id: int | None
    remote_listing_id: str | None
    title: str | None


class CompactLine(NamedTuple):
    """An ``order_line`` row without remote listing and title."""

    id: int
    order_id: int
    sku: str
    quantity: int
    unit_price: int
    amount: int
    product_id: int | None


class HistoryRow(NamedTuple):
    """An ``order_status_change`` row (+ recorded at, shared by the batch)."""

    order_id: int
    status: str
    raw_status: str
    changed_at: Any
    applied: Any


class MoveRow(NamedTuple):
    """A ``stock_movement`` row (+ created at, shared by the batch)."""

    product_id: int
    order_id: int
    quantity: int
    reason: str


class CompactEntry(NamedTuple):
    """A plain sale's ``ledger_entry`` row: no stars, no adjustment (+ kind, account, platform,
    producer, units, source and recorded by/at, shared by the batch)."""

    order_id: int
    order_line_id: int
    product_id: int | None
    quantity: int
    amount: int
    occurred_at: Any
    booked_at: Any
    booked_day: Any
    booked_month: int


ORDER_COLUMNS: tuple[str, ...] = OrderRow._fields
ORDER_COMPACT: tuple[str, ...] = CompactOrder._fields
LINE_COLUMNS: tuple[str, ...] = LineRow._fields
LINE_COMPACT: tuple[str, ...] = CompactLine._fields
HISTORY_COLUMNS: tuple[str, ...] = HistoryRow._fields
MOVE_COLUMNS: tuple[str, ...] = MoveRow._fields
ENTRY_COMPACT: tuple[str, ...] = CompactEntry._fields
assert set(ENTRY_COMPACT) <= set(ENTRY_COLUMNS)
