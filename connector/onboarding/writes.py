"""The register's bulk inserts, handed to the driver column by column.

:func:`catalog.importing.bulk.insert_rows` takes one dict per row; the register already holds
its staged rows as tuples and columns, and most of its typed values repeat (600 training days,
four statuses, one kind), so :func:`insert_columns` takes the columns as they are and applies
each column's bind processor (dates on SQLite, enums, JSON) once per *distinct* value rather than
once per row.  It falls back to :func:`~catalog.importing.bulk.insert_rows` wherever that one
would let SQLAlchemy do the work (an unknown paramstyle, a column default computed per row).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

from sqlalchemy import JSON, Dialect, Table, select
from sqlmodel import Session

from catalog.importing.bulk import insert_rows

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _processed(table: Table, column: str, values: Sequence[Any], dialect: Dialect) -> Sequence[Any]:
    column_type = table.c[column].type
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    once = {v: process(v) for v in set(values) if v is not None}
    once[None] = None
    return [once[v] for v in values]


def _constant(table: Table, column: str, value: Any, dialect: Dialect) -> Any:
    column_type = table.c[column].type
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if value is None:
        return None
    if process is None and isinstance(column_type, JSON):
        return json.dumps(value)  # the psycopg dialect leaves JSON to a driver adapter that a raw executemany skips
    return process(value) if process is not None else value


def insert_columns(session: Session, table: Table, columns: Mapping[str, Sequence[Any]], *,
                   constants: Mapping[str, Any] | None = None, now: Sequence[str] = ()) -> None:
    """INSERT one row per position of ``columns`` (column → its values, all the same length; values
    hashable) into ``table`` in the session's transaction.  ``constants`` are the same for every row
    (a JSON ``{}``), ``now`` get the current time (UTC); other columns take their scalar default."""
    constants = dict(constants or {})
    lengths = {len(values) for values in columns.values()}
    if not lengths or lengths == {0}:
        return
    if len(lengths) != 1:
        raise ValueError("every column needs one value per row")
    count = lengths.pop()
    connection = session.connection()
    dialect = connection.dialect
    placeholder = _PLACEHOLDER.get(dialect.paramstyle)
    defaults: dict[str, Any] = {}
    generated = False
    for column in table.c:
        if column.name in columns or column.name in constants or column.name in now or column.default is None:
            continue
        if column.default.is_scalar:
            defaults[column.name] = column.default.arg  # type: ignore[attr-defined]
        else:
            generated = True
    if placeholder is None or generated:
        names = list(columns)
        rows = [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]
        insert_rows(session, table, [{**row, **constants} for row in rows], now=now)
        return
    stamp = datetime.now(UTC)
    fixed = {**constants, **defaults, **dict.fromkeys(now, stamp)}
    names = [*columns, *fixed]
    values: list[Iterable[Any]] = [_processed(table, name, cells, dialect) for name, cells in columns.items()]
    values.extend(repeat(_constant(table, name, value, dialect), count) for name, value in fixed.items())
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in names)}) "
           f"VALUES ({', '.join([placeholder] * len(names))})")
    connection.exec_driver_sql(sql, list(zip(*values, strict=False)))


def ids_above(session: Session, table: Table, key: str, before: int) -> list[tuple[int, Any]]:
    """``(id, key)`` of every row of ``table`` whose id is above ``before``, as the driver returns them
    (plain tuples: a look-up of 150,000 new ids builds no result objects)."""
    connection = session.connection()
    placeholder = _PLACEHOLDER.get(connection.dialect.paramstyle)
    if placeholder is None:
        query = select(table.c.id, table.c[key]).where(table.c.id > before)
        return [(row[0], row[1]) for row in connection.execute(query)]
    quote = connection.dialect.identifier_preparer.quote
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"SELECT id, {quote(key)} FROM {quote(table.name)} WHERE id > {placeholder}", (before,))
        return list(cursor.fetchall())
    finally:
        cursor.close()
