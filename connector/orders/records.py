"""The rows the order path writes, kept by column: each table's columns are named once, as the
annotated attributes of its :class:`~connector.ledger.entries.Columns`, and every value is appended
to its column by name (see there why).

The *compact* tables are the hot path's: only what varies from row to row.  What a batch shares
(account, platform, producer, units, source, the time) goes as constants, and the nullable columns
a plain API order leaves empty are left out (NULL): binding a value, a NULL most of all, costs the
driver more than storing it.  Times and flags are in the shapes the dialect stores (see
:class:`connector.ledger.entries.Writer`), hence ``Any``.
"""

from __future__ import annotations

from typing import Any

from connector.ledger import ENTRY_COLUMNS, Columns


class Orders(Columns):
    """``sales_order`` rows with every column."""

    id: list[int]
    account_id: list[int]
    remote_id: list[str]
    status: list[str]
    raw_status: list[str]
    placed_at: list[Any]
    updated_at: list[Any]
    total: list[int]
    confirm_by: list[Any]
    buyer_province: list[str | None]
    counted: list[Any]
    stock_taken: list[Any]
    source: list[str]
    recorded_by: list[str | None]
    first_seen_at: list[Any]


class CompactOrders(Columns):
    """``sales_order`` rows without confirm-by and province (+ account, source, recorded by and
    first seen, shared by the batch)."""

    id: list[int]
    remote_id: list[str]
    status: list[str]
    raw_status: list[str]
    placed_at: list[Any]
    updated_at: list[Any]
    total: list[int]
    counted: list[Any]
    stock_taken: list[Any]


class Lines(Columns):
    """``order_line`` rows with every column."""

    id: list[int]
    order_id: list[int]
    sku: list[str]
    quantity: list[int]
    unit_price: list[int]
    amount: list[int]
    product_id: list[int | None]
    remote_listing_id: list[str | None]
    title: list[str | None]


class CompactLines(Columns):
    """``order_line`` rows without remote listing and title."""

    id: list[int]
    order_id: list[int]
    sku: list[str]
    quantity: list[int]
    unit_price: list[int]
    amount: list[int]
    product_id: list[int | None]


class History(Columns):
    """``order_status_change`` rows (+ recorded at, shared by the batch)."""

    order_id: list[int]
    status: list[str]
    raw_status: list[str]
    changed_at: list[Any]
    applied: list[Any]


class Moves(Columns):
    """``stock_movement`` rows (+ created at, shared by the batch)."""

    product_id: list[int]
    order_id: list[int]
    quantity: list[int]
    reason: list[str]


class CompactEntries(Columns):
    """Plain sales' ``ledger_entry`` rows: no stars, no adjustment (+ kind, account, platform,
    producer, units, source and recorded by/at, shared by the batch)."""

    order_id: list[int]
    order_line_id: list[int]
    product_id: list[int | None]
    quantity: list[int]
    amount: list[int]
    occurred_at: list[Any]
    booked_at: list[Any]
    booked_day: list[Any]
    booked_month: list[int]


assert set(CompactEntries.columns()) <= set(ENTRY_COLUMNS)
