"""The one writer of ledger entries, and the bulk writes of the order path.

A million order lines make about 4.7 million rows (orders, lines, entries, stock movements,
history); building SQLAlchemy parameters costs ~15 µs a row, more than the database does.  So the
hot path sends plain tuples through the driver's ``executemany`` (:meth:`Writer.insert`), with the
ids rows refer to reserved first (:meth:`Writer.reserve_ids`): on SQLite inside the write lock the
transaction holds, on PostgreSQL from the table's sequence.  What every row of a statement shares
goes into it as a literal when that is safe (binding a value, a NULL most of all, costs the
SQLite driver more than storing it), and times are formatted by :func:`sqlite_stamp` (the text
SQLAlchemy stores, at a third of ``isoformat``'s cost).  :func:`record_entries` and
:func:`record_entry_rows` append entries and keep :class:`~connector.ledger.models.LedgerSummary`
in step, in the same transaction.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlmodel import Session

from catalog.clock import as_utc
from catalog.importing import sql_literal


class Columns:
    """New rows of one table, kept as one list per column: the annotated attributes of a subclass
    are the table's columns, in the order :meth:`Writer.insert` takes them.

    A value is appended to its column by name (``lines.sku.append(sku)`` on the hot path, or
    :meth:`add` by keyword elsewhere), so that no value can land in its neighbour's column: two
    integers swapped in a positional tuple would pass every type check and corrupt the ledger
    silently.  :meth:`rows` zips the columns into the plain tuples the driver binds fastest, and
    fails when a column was left behind.  Appending to a list per column costs about what building
    a tuple per row does; a record built by keyword per row would cost several times more.
    """

    def __init__(self) -> None:
        for name in self.columns():
            setattr(self, name, [])

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(vars(cls)["__annotations__"])

    def add(self, **values: Any) -> None:
        """One row by keyword (the paths that are not hot); every column must be given."""
        names = self.columns()
        if values.keys() != set(names):
            raise TypeError(f"{type(self).__name__}: columns {sorted(set(names) ^ values.keys())}")
        for name in names:
            getattr(self, name).append(values[name])

    def rows(self) -> list[tuple[Any, ...]]:
        return list(zip(*(getattr(self, name) for name in self.columns()), strict=True))

    def __len__(self) -> int:
        return len(getattr(self, self.columns()[0]))


class Entries(Columns):
    """``ledger_entry`` rows with every column, in the shapes the dialect stores (times by
    :meth:`Writer.when` or :func:`sqlite_stamp`, days by :meth:`Writer.day`)."""

    kind: list[str]
    order_id: list[int | None]
    order_line_id: list[int | None]
    account_id: list[int | None]
    platform: list[str]
    channel_kind: list[str]
    producer_id: list[int | None]
    producer_kind: list[str | None]
    product_id: list[int | None]
    ocop_stars: list[int | None]
    unit_vn2004: list[str | None]
    unit_vn2025: list[str | None]
    quantity: list[int]
    amount: list[int]
    occurred_at: list[Any]
    booked_at: list[Any]
    booked_day: list[Any]
    booked_month: list[int]
    adjusts: list[str | None]
    source: list[str]
    reference: list[str | None]
    recorded_by: list[str | None]
    recorded_at: list[Any]


ENTRY_COLUMNS: tuple[str, ...] = Entries.columns()

_SUMMARY_KEY = ("booked_month", "platform", "unit_vn2004", "unit_vn2025", "channel_kind", "producer_kind",
                "ocop_stars")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.date()
_DAY_PREFIX: dict[int, str] = {}  # days since the epoch → "YYYY-MM-DD " (a few hundred a year of data)
_MINUTE_PREFIX = [f"{m // 60:02d}:{m % 60:02d}:" for m in range(24 * 60)]  # minute of the day → "HH:MM:"
_TWO_DIGITS = [f"{s:02d}" for s in range(60)]


def sqlite_stamp(moment: datetime) -> str:
    """``moment`` (aware, any zone; naive is UTC) as SQLAlchemy stores a time in SQLite: naive UTC text
    ``YYYY-MM-DD HH:MM:SS.ffffff``.  The same text as ``isoformat``, in a third of its time (the order
    path writes a million of them)."""
    delta = (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)) - _EPOCH
    days = delta.days
    prefix = _DAY_PREFIX.get(days)
    if prefix is None:
        prefix = _DAY_PREFIX[days] = (_EPOCH_DAY + timedelta(days=days)).isoformat() + " "
    minute, second = divmod(delta.seconds, 60)
    micro = delta.microseconds
    return prefix + _MINUTE_PREFIX[minute] + _TWO_DIGITS[second] + (f".{micro:06d}" if micro else ".000000")


class Writer:
    """Driver-level inserts on the session's connection, with the value shapes the dialect stores."""

    def __init__(self, session: Session) -> None:
        self.connection: Connection = session.connection()
        self.dialect = self.connection.dialect.name
        self.sqlite = self.dialect == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self._quote = self.connection.dialect.identifier_preparer.quote
        self._times: dict[datetime, Any] = {}

    def stamp(self, moment: datetime) -> Any:
        """An aware time as the column stores it, without the cache of :meth:`when` (for times that
        are each used once, like the times orders were placed)."""
        return sqlite_stamp(moment) if self.sqlite else as_utc(moment)

    def when(self, moment: datetime | None) -> Any:
        """A time as the column stores it (SQLite: naive UTC text, as SQLAlchemy writes it)."""
        if moment is None:
            return None
        hit = self._times.get(moment)  # equal instants hash alike whatever their zone: one conversion each
        if hit is None:
            hit = self._times[moment] = sqlite_stamp(moment) if self.sqlite else as_utc(moment)
        return hit

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    def flag(self, value: bool) -> Any:
        return int(value) if self.sqlite else value

    def read_time(self, value: Any) -> datetime:
        """A time column read through the driver, as an aware UTC time."""
        if isinstance(value, str):  # SQLite: naive UTC text
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return as_utc(value)

    def _cursor(self) -> Any:
        return self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """``sql`` written with ``?`` marks, run once per row."""
        if not rows:
            return
        cursor = self._cursor()
        try:
            cursor.executemany(sql if self.sqlite else sql.replace("?", "%s"), rows)
        finally:
            cursor.close()

    def select_in(self, sql: str, params: Sequence[Any], values: Sequence[Any], *, size: int = 900
                  ) -> list[tuple[Any, ...]]:
        """The rows of ``sql`` (``?`` marks, and ``{in}`` where ``IN (…)`` goes) for all ``values``,
        in as few statements as the driver allows."""
        if not values:
            return []
        cursor = self._cursor()
        try:
            if not self.sqlite:  # one array parameter, whatever the count
                cursor.execute(sql.replace("?", "%s").replace("{in}", "= ANY(%s)"), (*params, list(values)))
                return list(cursor.fetchall())
            found: list[tuple[Any, ...]] = []
            for start in range(0, len(values), size):
                part = values[start:start + size]
                cursor.execute(sql.replace("{in}", f"IN ({', '.join('?' * len(part))})"), (*params, *part))
                found.extend(cursor.fetchall())
            return found
        finally:
            cursor.close()

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
               suffix: str = "", constants: Mapping[str, Any] | None = None) -> None:
        """``rows`` (tuples in ``columns`` order) into ``table``.  ``constants`` are columns with the
        same value in every row: a plain one (NULL, an integer, text of letters, digits and
        ``_ .:+-/@``) goes into the statement as a literal, so that the driver binds per row only
        what varies (it costs more to bind a value than to store it); any other is bound per row."""
        if not rows:
            return
        names = [self._quote(c) for c in columns]
        marks = [self.mark] * len(columns)
        extra: list[Any] = []
        for name, value in (constants or {}).items():
            names.append(self._quote(name))
            literal = sql_literal(value)
            if literal is None:
                marks.append(self.mark)
                extra.append(value)
            else:
                marks.append(literal)
        if extra:
            tail = tuple(extra)
            rows = [(*r, *tail) for r in rows]
        cursor = self._cursor()
        try:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(marks)}){suffix}", rows)
        finally:
            cursor.close()

    def reserve_ids(self, table: str, count: int) -> list[int]:
        """``count`` ids for new rows of ``table``, that no other writer can take."""
        if count == 0:
            return []
        cursor = self._cursor()
        try:
            if self.sqlite:
                # any write statement takes the database's write lock until commit; then max(id) is ours
                cursor.execute(f"UPDATE {table} SET id = id WHERE 0")
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                top = int(cursor.fetchone()[0])
                return list(range(top + 1, top + 1 + count))
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                           f"FROM generate_series(1, {int(count)})")
            return [int(r[0]) for r in cursor.fetchall()]
        finally:
            cursor.close()


def record_entries(session: Session, entries: Sequence[dict[str, Any]], *, writer: Writer | None = None) -> int:
    """Append ``entries`` (dicts with :data:`ENTRY_COLUMNS`) and add them to the monthly summary."""
    if not entries:
        return 0
    out = writer or Writer(session)
    when, day = out.when, out.day
    rows = Entries()
    for e in entries:
        rows.add(**{name: e[name] for name in ENTRY_COLUMNS} | {
            "occurred_at": when(e["occurred_at"]), "booked_at": when(e["booked_at"]),
            "booked_day": day(e["booked_day"]), "recorded_at": when(e["recorded_at"])})
    return record_entry_rows(out, EntryRows(ENTRY_COLUMNS, rows.rows()))


class EntryRows(NamedTuple):
    """Entries as tuples in ``columns`` order (a subset of :data:`ENTRY_COLUMNS`; the nullable columns
    left out are NULL), in the shapes the dialect stores (:meth:`Writer.when`, :meth:`Writer.day`),
    with the ``constants`` that every one of them shares (see :meth:`Writer.insert`)."""

    columns: Sequence[str]
    rows: Sequence[tuple[Any, ...]]
    constants: Mapping[str, Any] | None = None


def record_entry_rows(out: Writer, *groups: EntryRows) -> int:
    """Append entries and add them to the monthly summary.  The order path leaves out the columns it
    does not set and passes what a batch shares as constants: binding a value (a NULL most of all)
    costs the driver more than storing it."""
    sums: dict[tuple[Any, ...], list[int]] = {}
    count = 0
    for columns, rows, constants in groups:
        if not rows:
            continue
        count += len(rows)
        present = [c for c in _SUMMARY_KEY if c in columns]
        key_of = itemgetter(*(columns.index(c) for c in present))
        amount, quantity = columns.index("amount"), columns.index("quantity")
        raw: dict[Any, list[int]] = {}
        for r in rows:
            key = key_of(r)
            total = raw.get(key)
            if total is None:
                raw[key] = [r[amount], r[quantity], 1]
            else:
                total[0] += r[amount]
                total[1] += r[quantity]
                total[2] += 1
        for key, (a, q, n) in raw.items():  # blank key parts are '' (and stars 0), as the summary keeps them
            named = {**(constants or {}), **dict(zip(present, key if len(present) > 1 else (key,), strict=True))}
            full = (named["booked_month"], named["platform"], named.get("unit_vn2004") or "",
                    named.get("unit_vn2025") or "", named["channel_kind"], named.get("producer_kind") or "",
                    named.get("ocop_stars") or 0)
            total = sums.setdefault(full, [0, 0, 0])
            total[0] += a
            total[1] += q
            total[2] += n
        out.insert("ledger_entry", columns, rows, constants=constants)
    if not count:
        return 0
    summary_columns = (*_SUMMARY_KEY, "amount", "quantity", "entries")
    conflict = (f" ON CONFLICT ({', '.join(_SUMMARY_KEY)}) DO UPDATE SET "
                "amount = ledger_summary.amount + excluded.amount, "
                "quantity = ledger_summary.quantity + excluded.quantity, "
                "entries = ledger_summary.entries + excluded.entries")
    out.insert("ledger_summary", summary_columns, [(*k, *v) for k, v in sums.items()], suffix=conflict)
    return count
