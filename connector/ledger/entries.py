"""The one writer of ledger entries, and the bulk writes of the order path.

A million order lines make four million rows (orders, lines, entries, stock movements, history);
building SQLAlchemy parameters costs ~15 µs a row, more than the database does.  So the hot path
sends plain tuples through the driver's ``executemany`` (:func:`bulk_insert`), with the ids rows
refer to reserved first (:func:`reserve_ids`): on SQLite inside the write lock the transaction
holds, on PostgreSQL from the table's sequence.  :func:`record_entries` appends entries and
keeps :class:`~connector.ledger.models.LedgerSummary` in step, in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from connector.ledger.booking import as_utc

ENTRY_COLUMNS = ("kind", "order_id", "order_line_id", "account_id", "platform", "channel_kind", "producer_id",
                 "producer_kind", "product_id", "ocop_stars", "unit_vn2004", "unit_vn2025", "quantity", "amount",
                 "occurred_at", "booked_at", "booked_day", "booked_month", "adjusts", "source", "reference",
                 "recorded_by", "recorded_at")
_SUMMARY_KEY = ("booked_month", "platform", "unit_vn2004", "unit_vn2025", "channel_kind", "producer_kind",
                "ocop_stars")


class Writer:
    """Driver-level inserts on the session's connection, with the value shapes the dialect stores."""

    def __init__(self, session: Session) -> None:
        self.connection: Connection = session.connection()
        self.dialect = self.connection.dialect.name
        self.sqlite = self.dialect == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self._quote = self.connection.dialect.identifier_preparer.quote
        self._times: dict[datetime, Any] = {}

    def when(self, moment: datetime | None) -> Any:
        """A time as the column stores it (SQLite: naive UTC text, as SQLAlchemy writes it)."""
        if moment is None:
            return None
        hit = self._times.get(moment)  # equal instants hash alike whatever their zone: one conversion each
        if hit is None:
            utc = as_utc(moment)
            hit = self._times[moment] = utc.replace(tzinfo=None).isoformat(" ", "microseconds") if self.sqlite \
                else utc
        return hit

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    def flag(self, value: bool) -> Any:
        return int(value) if self.sqlite else value

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
               suffix: str = "") -> None:
        if not rows:
            return
        names = ", ".join(self._quote(c) for c in columns)
        marks = ", ".join([self.mark] * len(columns))
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}){suffix}", rows)
        finally:
            cursor.close()

    def reserve_ids(self, table: str, count: int) -> list[int]:
        """``count`` ids for new rows of ``table``, that no other writer can take."""
        if count == 0:
            return []
        if self.sqlite:
            # any write statement takes the database's write lock until commit; then max(id) is ours
            self.connection.exec_driver_sql(f"UPDATE {table} SET id = id WHERE 0")
            top = self.connection.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").scalar_one()
            return list(range(int(top) + 1, int(top) + 1 + count))
        rows = self.connection.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, {int(count)})")
        return [int(r[0]) for r in rows]


def record_entries(session: Session, entries: Sequence[dict[str, Any]], *, writer: Writer | None = None) -> int:
    """Append ``entries`` (dicts with :data:`ENTRY_COLUMNS`) and add them to the monthly summary."""
    if not entries:
        return 0
    out = writer or Writer(session)
    when, day = out.when, out.day
    rows = []
    sums: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for e in entries:
        rows.append((e["kind"], e["order_id"], e["order_line_id"], e["account_id"], e["platform"], e["channel_kind"],
                     e["producer_id"], e["producer_kind"], e["product_id"], e["ocop_stars"], e["unit_vn2004"],
                     e["unit_vn2025"], e["quantity"], e["amount"], when(e["occurred_at"]), when(e["booked_at"]),
                     day(e["booked_day"]), e["booked_month"], e["adjusts"], e["source"], e["reference"],
                     e["recorded_by"], when(e["recorded_at"])))
        total = sums[(e["booked_month"], e["platform"], e["unit_vn2004"] or "", e["unit_vn2025"] or "",
                      e["channel_kind"], e["producer_kind"] or "", e["ocop_stars"] or 0)]
        total[0] += e["amount"]
        total[1] += e["quantity"]
        total[2] += 1
    out.insert("ledger_entry", ENTRY_COLUMNS, rows)
    summary_columns = (*_SUMMARY_KEY, "amount", "quantity", "entries")
    conflict = (f" ON CONFLICT ({', '.join(_SUMMARY_KEY)}) DO UPDATE SET "
                "amount = ledger_summary.amount + excluded.amount, "
                "quantity = ledger_summary.quantity + excluded.quantity, "
                "entries = ledger_summary.entries + excluded.entries")
    out.insert("ledger_summary", summary_columns, [(*k, *v) for k, v in sums.items()], suffix=conflict)
    return len(rows)

