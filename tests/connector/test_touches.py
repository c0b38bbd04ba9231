"""The database's record of which producers a write touched covers what a full comparison finds.

The oracle reads every row that belongs to a producer before and after the write and compares
them; the capture (TEMP triggers on SQLite, migration 0012's row triggers on PostgreSQL) must name
every producer whose rows differ — and nothing beyond them but producers a statement addressed
(an update that wrote the same values) — and the commune each updated producer had before.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlmodel import Session

from connector.db import make_engine
from connector.touches import OWNED, capture_touches

COMMUNES = ("01843", "01849", "01864")
PRODUCERS = 4


def _seed(engine: Engine) -> None:
    with Session(engine) as session:
        for i in range(1, PRODUCERS + 1):
            session.execute(text(
                "INSERT INTO producer (id, kind, name, name_key, code, unit_vn2025, created_at, updated_at) "
                "VALUES (:i, 'household', :n, :n, :c, :u, '2025-01-01', '2025-01-01')"),
                {"i": i, "n": f"ho {i}", "c": f"HO{i}", "u": COMMUNES[i % len(COMMUNES)]})
            session.execute(text(
                "INSERT INTO product (id, producer_id, sku, name, name_key, unit, price, stock, status, "
                "content_version, stock_version, created_at, updated_at) VALUES (:i, :i, :s, 'x', 'x', 'gói', 1000, "
                "1, 'active', 1, 1, '2025-01-01', '2025-01-01')"), {"i": i, "s": f"S{i}"})
        if engine.dialect.name == "postgresql":  # rows given their ids: move the sequences past them
            for table in ("producer", "product"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)"))
        session.commit()


def _owned_rows(session: Session) -> dict[int, list[str]]:
    """The oracle: every row that belongs to each producer, printed."""
    out: dict[int, list[str]] = defaultdict(list)
    for row in session.execute(text("SELECT * FROM producer")).mappings():
        out[row["id"]].append(repr(sorted(row.items())))
    product_owner = dict(session.execute(text("SELECT id, producer_id FROM product")).all())
    for table, (mode, keys) in OWNED.items():
        if mode not in ("direct", "product"):
            continue
        for row in session.execute(text(f"SELECT * FROM {table}")).mappings():
            for key in keys:
                owner = row[key] if mode == "direct" else product_owner.get(row[key])
                if owner is not None:
                    out[owner].append(f"{table}:{sorted(row.items())!r}")
    return {k: sorted(v) for k, v in out.items()}


OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["move", "rename", "add_product", "reprice", "move_product", "drop_product", "training",
                     "candidate", "image", "nothing"]),
    st.integers(1, PRODUCERS), st.integers(1, PRODUCERS), st.sampled_from(COMMUNES)), max_size=5)


def _apply(session: Session, operations: list[tuple[str, int, int, str]]) -> None:
    for n, (kind, a, b, commune) in enumerate(operations):
        product = session.execute(text("SELECT min(id) FROM product WHERE producer_id = :a"), {"a": a}).scalar()
        statements: dict[str, tuple[str, dict[str, Any]]] = {
            "move": ("UPDATE producer SET unit_vn2025 = :c WHERE id = :a", {"c": commune, "a": a}),
            "rename": ("UPDATE producer SET name = name || '!' WHERE id = :a", {"a": a}),
            "add_product": ("INSERT INTO product (producer_id, sku, name, name_key, unit, price, stock, status, "
                            "content_version, stock_version, created_at, updated_at) VALUES (:a, :s, 'y', 'y', "
                            "'gói', 5, 1, 'active', 1, 1, '2025-01-01', '2025-01-01')", {"a": a, "s": f"N{n}-{a}"}),
            "reprice": ("UPDATE product SET price = price + 1 WHERE producer_id = :a", {"a": a}),
            "move_product": ("UPDATE product SET producer_id = :b WHERE id = :p", {"b": b, "p": product}),
            "drop_product": ("DELETE FROM product WHERE id = :p AND NOT EXISTS "
                             "(SELECT 1 FROM product_image WHERE product_id = :p)", {"p": product}),
            "training": ("INSERT INTO training_record (producer_id, day, topic) VALUES (:a, '2025-02-01', :t)",
                         {"a": a, "t": f"t{n}"}),
            "candidate": ("INSERT INTO merge_candidate (producer_a_id, producer_b_id, incoming_key, reason, status, "
                          "created_at) VALUES (:a, :b, :k, 'manual', 'open', '2025-02-01')",
                          {"a": a, "b": b, "k": f"k{n}"}),
            "image": ("INSERT INTO product_image (product_id, position, sha256, size_bytes, width, height, format) "
                      "SELECT :p, :n, :h, 1, 1, 1, 'JPEG' WHERE CAST(:p AS INTEGER) IS NOT NULL",
                      {"p": product, "n": 10 + n, "h": f"{n:064d}"}),
            "nothing": ("SELECT 1", {}),
        }
        statement, params = statements[kind]
        session.execute(text(statement), params)


def _check(engine: Engine, operations: list[tuple[str, int, int, str]]) -> None:
    with Session(engine) as session:
        before = _owned_rows(session)
        communes = dict(session.execute(text("SELECT id, unit_vn2025 FROM producer")).all())
        with capture_touches(session) as touched:
            _apply(session, operations)
        after = _owned_rows(session)
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        addressed = {p for kind, a, b, _c in operations if kind != "nothing" for p in (a, b)}
        assert touched.complete
        # every change is seen; an update that wrote the same values is seen too (it never hides a change)
        assert changed <= touched.producers <= changed | addressed
        assert touched.communes_before == {a: communes[a] for kind, a, _b, _c in operations
                                           if kind in ("move", "rename")}
        session.rollback()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_the_capture_names_exactly_the_producers_a_write_changed(sqlite_template: Path, tmp_path: Path,
                                                                 operations: list[tuple[str, int, int, str]]) -> None:
    path = tmp_path / "touches.db"
    if not path.exists():
        shutil.copy(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        _seed(engine)
        engine.dispose()
    engine = make_engine(f"sqlite:///{path}")
    try:
        _check(engine, operations)
    finally:
        engine.dispose()


def test_the_capture_on_every_database(engine: Engine) -> None:
    _seed(engine)
    _check(engine, [("move", 1, 2, "01864"), ("add_product", 2, 1, "01843"), ("move_product", 3, 4, "01843"),
                    ("candidate", 1, 4, "01843"), ("training", 2, 2, "01843"), ("image", 3, 3, "01843")])
    _check(engine, [])


def test_outside_a_capture_nothing_is_recorded_and_nothing_is_left(engine: Engine) -> None:
    _seed(engine)
    with Session(engine) as session:
        with capture_touches(session) as first:
            _apply(session, [("rename", 1, 1, "01843")])
        _apply(session, [("rename", 2, 2, "01843")])  # after the capture closed: not recorded anywhere
        session.commit()
        with capture_touches(session) as second:
            _apply(session, [("reprice", 3, 3, "01843")])
        session.commit()
    assert (first.producers, second.producers) == ({1}, {3})


def test_a_rollback_inside_the_capture_vouches_for_nothing(engine: Engine) -> None:
    _seed(engine)
    with Session(engine) as session:
        with capture_touches(session) as touched:
            _apply(session, [("rename", 1, 1, "01843")])
            session.rollback()
            _apply(session, [("rename", 2, 2, "01843")])
        assert not touched.complete
        session.rollback()


def test_no_trigger_outlives_its_capture_on_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL's triggers are part of the schema (migration 0012), idle outside a capture
    _seed(engine)

    def temp_triggers(session: Session) -> list[str]:
        return [r[0] for r in session.connection().exec_driver_sql(
            "SELECT name FROM temp.sqlite_master WHERE type = 'trigger'")]

    with Session(engine) as session:
        with capture_touches(session):
            _apply(session, [("rename", 1, 1, "01843")])
        assert temp_triggers(session) == []
        session.commit()
        try:
            with capture_touches(session):
                _apply(session, [("rename", 2, 2, "01843")])
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
        assert temp_triggers(session) == []
