"""Reading back the ids of the households a register import has just written.

The register's rows themselves go in through :func:`catalog.importing.bulk.insert_columns`
(column by column, each typed value processed once per distinct value)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


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
