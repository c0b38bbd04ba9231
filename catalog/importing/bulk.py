"""Bulk inserts through the database driver's ``executemany``.

SQLAlchemy's ``session.execute(insert(table), rows)`` builds and processes every row's
parameters in Python (and, on SQLite, rewrites the batch into multi-row ``VALUES``), which costs
more than the insert itself at 100,000 rows.  :func:`insert_rows` applies the same per-type bind
processors once per value (dates, JSON, enums come out as the dialect expects) and hands plain
tuples to the driver, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

from sqlalchemy import JSON, Dialect, Table
from sqlalchemy.types import TypeEngine
from sqlmodel import Session

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": None, "named": None}


def _processor(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None and isinstance(column_type, JSON):
        # the psycopg dialect leaves JSON to a driver-level adapter that a raw executemany skips
        return json.dumps
    return process


def _process(table: Table, column: str, value: Any, dialect: Dialect) -> Any:
    process = _processor(table.c[column].type, dialect)
    return process(value) if process is not None and value is not None else value


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], *,
                now: Sequence[str] = ()) -> None:
    """INSERT every row of ``rows`` (dicts with the same keys) into ``table``, in the session's
    transaction; the columns named in ``now`` get the current time (UTC), the others left out their
    column default."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    defaults: dict[str, Any] = {}
    generated = False  # a column default computed per row (a function, SQL): SQLAlchemy must insert
    for column in table.c:
        if column.name in keys or column.name in now or column.default is None:
            continue
        if column.default.is_scalar:
            defaults[column.name] = column.default.arg  # type: ignore[attr-defined]
        else:
            generated = True
    columns = [*keys, *defaults, *now]
    placeholder = _PLACEHOLDER.get(dialect.paramstyle)
    if placeholder is None or generated:  # let SQLAlchemy do it
        stamp = datetime.now(UTC)
        session.execute(table.insert(), [{**row, **dict.fromkeys(now, stamp)} for row in rows])
        return
    processors = [_processor(table.c[c].type, dialect) for c in keys]
    stamp = datetime.now(UTC)
    stamps = (*(_process(table, c, v, dialect) for c, v in defaults.items()),
              *(_process(table, c, stamp, dialect) for c in now))
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join([placeholder] * len(columns))})")
    # column by column: one list comprehension per column costs less than a tuple built per row
    values: list[Iterable[Any]] = []
    for key, process in zip(keys, processors, strict=True):
        cells = [row[key] for row in rows]
        values.append(cells if process is None else [None if v is None else process(v) for v in cells])
    values.extend(repeat(stamp_value, len(rows)) for stamp_value in stamps)
    params = list(zip(*values, strict=False))
    connection.exec_driver_sql(sql, params)
