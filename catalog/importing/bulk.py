"""Bulk inserts through the database driver's ``executemany``.

SQLAlchemy's ``session.execute(insert(table), rows)`` builds and processes every row's
parameters in Python (and, on SQLite, rewrites the batch into multi-row ``VALUES``), which costs
more than the insert itself at 100,000 rows.  :func:`insert_rows` applies the same per-type bind
processors once per value (dates, JSON, enums come out as the dialect expects) and hands plain
tuples to the driver, on SQLite and PostgreSQL alike.  :func:`insert_columns` takes the rows
column by column (what a bulk import builds anyway), with values shared by every row processed once
and, when plain enough to be safe (:func:`sql_literal`), written into the statement instead of bound
per row (binding costs the driver more than storing: 0.65–0.77 s against 0.54–0.56 s for 100,000
product rows with five shared values, measured with sqlite3).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

from sqlalchemy import JSON, Dialect, Table
from sqlalchemy.types import TypeEngine
from sqlmodel import Session

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": None, "named": None}
_PLAIN_TEXT = re.compile(r"[\w .:+\-/@]{0,200}")


def sql_literal(value: Any) -> str | None:
    """``value`` as an SQL literal when it is plain enough to be one safely (NULL, an int, or text in
    which no quote, backslash, percent sign or question mark can appear), else None."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and _PLAIN_TEXT.fullmatch(value):
        return f"'{value}'"
    return None


def _processor(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None and isinstance(column_type, JSON):
        # the psycopg dialect leaves JSON to a driver-level adapter that a raw executemany skips
        return json.dumps
    return process


def _each(process: Callable[[Any], Any], cells: Sequence[Any]) -> list[Any]:
    """``process`` applied to every non-null cell, once per distinct value when the values can be
    hashed (600 training days, four statuses: most typed columns of an import repeat)."""
    try:
        once = {value: process(value) for value in set(cells) if value is not None}
    except TypeError:  # unhashable values (JSON lists): one call per cell
        return [None if value is None else process(value) for value in cells]
    once[None] = None
    return [once[value] for value in cells]


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
    # column by column: one list comprehension per column costs less than a tuple built per row
    insert_columns(session, table, {key: [row[key] for row in rows] for key in rows[0]}, now=now)


def insert_columns(session: Session, table: Table, columns: Mapping[str, Sequence[Any]], *,
                   now: Sequence[str] = (), constants: Mapping[str, Any] | None = None) -> None:
    """INSERT rows given column by column (``columns``: name → that column's values, all of one
    length) into ``table``, in the session's transaction; ``constants`` (name → one value for every
    row) and the columns named in ``now`` (the current time, UTC) are processed once, not per row;
    other columns are left to their column default."""
    constants = dict(constants or {})
    keys = list(columns)
    count = len(columns[keys[0]]) if keys else 0
    if not count:
        return
    connection = session.connection()
    dialect = connection.dialect
    defaults: dict[str, Any] = {}
    generated = False  # a column default computed per row (a function, SQL): SQLAlchemy must insert
    for column in table.c:
        if column.name in keys or column.name in now or column.name in constants or column.default is None:
            continue
        if column.default.is_scalar:
            defaults[column.name] = column.default.arg  # type: ignore[attr-defined]
        else:
            generated = True
    fixed = {**defaults, **constants}
    names = [*keys, *fixed, *now]
    placeholder = _PLACEHOLDER.get(dialect.paramstyle)
    stamp = datetime.now(UTC)
    if placeholder is None or generated:  # let SQLAlchemy do it
        extra = {**constants, **dict.fromkeys(now, stamp)}
        session.execute(table.insert(), [{**dict(zip(keys, row, strict=True)), **extra}
                                         for row in zip(*(columns[k] for k in keys), strict=True)])
        return
    shared = (*(_process(table, c, v, dialect) for c, v in fixed.items()),
              *(_process(table, c, stamp, dialect) for c in now))
    literals = [sql_literal(value) for value in shared]
    quote = dialect.identifier_preparer.quote
    marks = [placeholder] * len(keys) + [literal or placeholder for literal in literals]
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in names)}) "
           f"VALUES ({', '.join(marks)})")
    values: list[Iterable[Any]] = []
    for key in keys:
        cells = columns[key]
        if len(cells) != count:
            raise ValueError("every column needs one value per row")
        process = _processor(table.c[key].type, dialect)
        values.append(cells if process is None else _each(process, cells))
    values.extend(repeat(value, count) for value, literal in zip(shared, literals, strict=True) if literal is None)
    params = list(zip(*values, strict=False))
    connection.exec_driver_sql(sql, params)
