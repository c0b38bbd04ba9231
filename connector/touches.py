"""Which producers a write touched, as the database saw it: the ground truth of area checks.

A write decided by a file or a matcher (a catalogue import, the register import behind the field
form, a merge) can reach any producer; which ones is known only after it ran.  Comparing the
whole catalogue before and after costs seconds at province size (150,000 households), so the
database records what each statement touched instead, while a capture is open:

- for every row inserted, updated or deleted in a table that belongs to producers (``OWNED``),
  the producer it belongs to, before and after (a product moved from one producer to another
  touches both; an image touches its product's producer; a merge candidate touches both of its);
- for every producer row updated or deleted, its commune *before* the change, so a producer moved
  out of a commune is checked against the commune it left.

SQLite: TEMP triggers, created inside the capturing transaction when a capture opens and
dropped when it closes; they exist only on the connection of the capturing session, and a
rollback inside the capture removes them (the capture then reports itself incomplete).
PostgreSQL: row triggers installed by migration 0012, each with
``WHEN (current_setting('agri.area_capture', true) = 'on')``, so outside a capture they cost one
setting look-up per row and never call their function; a capture sets the setting for its own
transaction only (``set_config(…, true)``).  Both write into the temporary table
``agri_area_touched`` of the capturing connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from sqlalchemy import Connection, text
from sqlmodel import Session

CAPTURE_TABLE = "agri_area_touched"
SETTING = "agri.area_capture"
# table → (how its key columns lead to a producer, the key columns)
#   direct: the column holds a producer id; product / account / user: the id of a product, a
#   marketplace account or a web user, whose producer is looked up when the row changes.
OWNED: dict[str, tuple[str, tuple[str, ...]]] = {
    "product": ("direct", ("producer_id",)),
    "marketplace_account": ("direct", ("producer_id",)),
    "onboarding_registration": ("direct", ("producer_id",)),
    "training_record": ("direct", ("producer_id",)),
    "merge_candidate": ("direct", ("producer_a_id", "producer_b_id")),
    "web_user": ("direct", ("producer_id",)),
    "ledger_entry": ("direct", ("producer_id",)),
    "ocop_certification": ("product", ("product_id",)),
    "product_image": ("product", ("product_id",)),
    "binding": ("product", ("product_id",)),
    "stock_movement": ("product", ("product_id",)),
    "order_line": ("product", ("product_id",)),
    "listing_pack_snapshot": ("product", ("product_id",)),
    "sales_order": ("account", ("account_id",)),
    "order_bookmark": ("account", ("account_id",)),
    "remote_image": ("account", ("account_id",)),
    "web_one_time_code": ("user", ("user_id",)),
}
_LOOKUP = {"product": "product", "account": "marketplace_account", "user": "web_user"}


@dataclass
class Touched:
    """What a capture saw: every producer touched, and the commune each changed producer had before."""

    producers: set[int] = field(default_factory=set)
    communes_before: dict[int, str | None] = field(default_factory=dict)
    complete: bool = True  # False when the capture vanished (the transaction was rolled back inside)


def _producer_of(mode: str, row: str, key: str) -> str:
    if mode == "direct":
        return f"{row}.{key}"
    return f"(SELECT producer_id FROM {_LOOKUP[mode]} WHERE id = {row}.{key})"


def _sqlite_triggers() -> list[tuple[str, str]]:
    """(name, CREATE TEMP TRIGGER statement) for every owned table and event, and for the producer table."""
    insert = f"INSERT INTO {CAPTURE_TABLE} (producer_id, commune_before, existed)"  # (no schema allowed here)
    out = [
        ("agri_area_producer_ins", f"CREATE TEMP TRIGGER agri_area_producer_ins AFTER INSERT ON main.producer "
                                   f"BEGIN {insert} VALUES (NEW.id, NULL, 0); END"),
        ("agri_area_producer_upd", f"CREATE TEMP TRIGGER agri_area_producer_upd AFTER UPDATE ON main.producer "
                                   f"BEGIN {insert} VALUES (OLD.id, OLD.unit_vn2025, 1); "
                                   f"{insert} VALUES (NEW.id, NULL, 0); END"),
        ("agri_area_producer_del", f"CREATE TEMP TRIGGER agri_area_producer_del AFTER DELETE ON main.producer "
                                   f"BEGIN {insert} VALUES (OLD.id, OLD.unit_vn2025, 1); END"),
    ]
    for table, (mode, keys) in OWNED.items():
        for event, rows in (("ins", ("NEW",)), ("upd", ("OLD", "NEW")), ("del", ("OLD",))):
            name = f"agri_area_{table}_{event}"
            body = " ".join(f"{insert} VALUES ({_producer_of(mode, row, key)}, NULL, 0);"
                            for row in rows for key in keys)
            verb = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}[event]
            out.append((name, f"CREATE TEMP TRIGGER {name} AFTER {verb} ON main.{table} BEGIN {body} END"))
    return out


def _existing_tables(connection: Connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    else:
        rows = connection.exec_driver_sql("SELECT name FROM main.sqlite_master WHERE type = 'table'")
    return {r[0] for r in rows}


def _open(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {CAPTURE_TABLE} (producer_id bigint, commune_before text, "
            f"existed boolean) ON COMMIT DROP")
        connection.exec_driver_sql(f"DELETE FROM {CAPTURE_TABLE}")
        connection.execute(text("SELECT set_config(:name, 'on', true)"), {"name": SETTING})
        return
    connection.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {CAPTURE_TABLE} "
                               f"(producer_id INTEGER, commune_before TEXT, existed INTEGER)")
    # A statement that writes opens the transaction (Python's sqlite3 does not for DDL), so the
    # triggers below belong to it: a rollback takes them away, a commit cannot happen before _close.
    connection.exec_driver_sql(f"DELETE FROM temp.{CAPTURE_TABLE}")
    present = _existing_tables(connection)
    for name, statement in _sqlite_triggers():
        table = name.removeprefix("agri_area_").rsplit("_", 1)[0]
        if table in present:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS temp.{name}")
            connection.exec_driver_sql(statement)


def _close(connection: Connection) -> Touched:
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.execute(text("SELECT set_config(:name, 'off', true)"), {"name": SETTING})
        present = connection.exec_driver_sql(f"SELECT to_regclass('pg_temp.{CAPTURE_TABLE}')").scalar()
    else:
        present = connection.exec_driver_sql(
            "SELECT name FROM temp.sqlite_master WHERE type = 'trigger' AND name = 'agri_area_producer_upd'").scalar()
        for name, _statement in _sqlite_triggers():
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS temp.{name}")
    if present is None:
        return Touched(complete=False)
    touched = Touched()
    qualified = CAPTURE_TABLE if postgresql else f"temp.{CAPTURE_TABLE}"
    for producer_id, commune, existed in connection.exec_driver_sql(
            f"SELECT producer_id, commune_before, existed FROM {qualified}"):
        if producer_id is None:
            continue  # a row of a product or account deleted in the same write: its producer is recorded there
        touched.producers.add(int(producer_id))
        if existed:
            touched.communes_before.setdefault(int(producer_id), commune)
    connection.exec_driver_sql(f"DELETE FROM {qualified}")
    return touched


@contextmanager
def capture_touches(session: Session) -> Iterator[Touched]:
    """Record which producers the writes made inside touch; the result is filled when the block ends.

    The session's transaction must stay open for the whole block (flush, do not commit): the
    capture lives in that transaction.  A block that rolls back inside ends with
    ``complete=False``: what it wrote after the rollback, if anything, was not seen."""
    result = Touched()
    _open(session.connection())
    try:
        yield result
    except BaseException:
        _forget(session)
        raise
    session.flush()
    seen = _close(session.connection())
    result.producers, result.communes_before, result.complete = seen.producers, seen.communes_before, seen.complete


def _forget(session: Session) -> None:
    """After a failed block: the caller rolls back, which takes the capture with it; make sure of it."""
    with suppress(Exception):  # the block's own error is the one to report
        session.rollback()
