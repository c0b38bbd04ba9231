"""The area guard at province size: what checking a write against the user's area costs.

A province holds ~150,000 households, ~100,000 products and ~100,000 marketplace accounts.  A
support worker's field-form save (one household, a training, an account, through the register
import) is timed three ways on the same SQLite database, interleaved, best of 5:

- unguarded: the write alone (the floor);
- guarded: the write inside ``area_guard`` (the database records what it touched);
- naive: the write between two full reads of everything each producer owns, compared (the
  first version of the guard; the reference).

With ``AGRI_BENCH_PG`` set to a throw-away PostgreSQL URL, it also measures what migration 0012's
idle triggers cost a bulk insert of 100,000 products outside any capture (triggers enabled vs
disabled, interleaved, best of 5); ``AGRI_BENCH_GUARD_PG_ONLY=1`` runs that figure alone.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, text
from sqlmodel import Session

from bench.common import figure
from connector.db import init_db, make_engine
from connector.touches import OWNED
from connector.users import Role
from connector.web.scope import Principal, area_guard
from connector.web.services import FieldEntry, register_household

HOUSEHOLDS, PRODUCTS, ACCOUNTS = 150_000, 100_000, 100_000
COMMUNES = ("01843", "01849", "01864", "01879")
STAFF = Principal(1, "canbo", "Cán bộ", Role.staff, None, frozenset({"01843"}), None)


def build(engine: Engine) -> None:
    series = "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
    with engine.begin() as c:
        c.exec_driver_sql(series.format(n=HOUSEHOLDS) + (
            "INSERT INTO producer (kind, name, name_key, code, phone, unit_vn2025, created_at, updated_at) "
            "SELECT 'household', 'Hộ Nông Văn ' || i, 'ho nong van ' || i, 'HO' || i, '+8491' || (1000000 + i), "
            "CASE i % 4 WHEN 0 THEN '01843' WHEN 1 THEN '01849' WHEN 2 THEN '01864' ELSE '01879' END, "
            "'2025-01-01', '2025-01-01' FROM s"))
        c.exec_driver_sql(series.format(n=PRODUCTS) + (
            "INSERT INTO product (producer_id, sku, name, name_key, unit, price, stock, status, content_version, "
            "stock_version, created_at, updated_at) SELECT i, 'SKU' || i, 'Miến dong ' || i, 'mien dong ' || i, "
            "'gói', 50000, 10, 'active', 1, 1, '2025-01-01', '2025-01-01' FROM s"))
        c.exec_driver_sql(series.format(n=ACCOUNTS) + (
            "INSERT INTO marketplace_account (name, marketplace, status, producer_id, rules, created_at) "
            "SELECT 'shop-' || i, 'voso', 'active', 1 + (i * 7) % " + str(HOUSEHOLDS) + ", '{}', '2025-01-01' FROM s"))


def naive_snapshot(session: Session) -> dict[int, bytes]:
    """Everything each producer owns, read and digested (the reference the guard replaced)."""
    parts: dict[int, list[str]] = defaultdict(list)
    for row in session.execute(text("SELECT * FROM producer")):
        parts[row[list(row._fields).index("id")]].append(repr(tuple(row)))
    owner = dict(session.execute(text("SELECT id, producer_id FROM product")).all())
    for table, (mode, keys) in OWNED.items():
        if mode not in ("direct", "product"):
            continue
        for mapping in session.execute(text(f"SELECT * FROM {table}")).mappings():
            for key in keys:
                pid = mapping[key] if mode == "direct" else owner.get(mapping[key])
                if pid is not None:
                    parts[pid].append(f"{table}:{tuple(mapping.values())!r}")
    return {p: hashlib.blake2b("\n".join(sorted(v)).encode(), digest_size=16).digest() for p, v in parts.items()}


def field_form_save(engine: Engine, n: int, how: str) -> float:
    entry = FieldEntry(name=f"Hộ Lục Thị {n}", phone=f"0978{n:06d}", commune="01843", member_name="Cán bộ",
                       training_topic="Bán hàng trên sàn")
    with Session(engine) as session:
        start = time.perf_counter()
        if how == "guarded":
            with area_guard(session=session, who=STAFF):
                register_household(session=session, entry=entry, actor="bench")
        elif how == "naive":
            before = naive_snapshot(session)
            register_household(session=session, entry=entry, actor="bench")
            session.flush()
            after = naive_snapshot(session)
            assert {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        else:
            register_household(session=session, entry=entry, actor="bench")
            session.flush()
        elapsed = time.perf_counter() - start
        session.rollback()
    return elapsed



def sqlite_figures() -> None:
    with tempfile.TemporaryDirectory(prefix="agri-bench-guard-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'province.db'}")
        init_db(engine)
        build(engine)
        times: dict[str, list[float]] = {"plain": [], "guarded": [], "naive": []}
        field_form_save(engine, 0, "plain")  # warm the caches once
        for n in range(5):
            for how in ("plain", "guarded", "naive") if n < 2 else ("plain", "guarded"):
                times[how].append(field_form_save(engine, n + 1, how))
        plain, guarded, naive = min(times["plain"]), min(times["guarded"]), min(times["naive"])
        figure("field-form save at province size, guarded vs unguarded (SQLite)", project=guarded,
               reference=plain, unit="s", ratio=guarded / plain, target="≤ 1.2× unguarded",
               met=guarded <= 1.2 * plain)
        figure("field-form save, guard vs the naive before/after comparison", project=guarded, reference=naive,
               unit="s", ratio=naive / guarded, target="informative (× faster than naive)", met=naive > guarded)
        engine.dispose()


def postgres_figures(url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"agri_bench_guard_{os.getpid()}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        init_db(engine)
        with engine.begin() as c:
            c.exec_driver_sql("INSERT INTO producer (id, kind, name, name_key, code, unit_vn2025, created_at, "
                              "updated_at) VALUES (1, 'household', 'Hộ', 'ho', 'HO1', '01843', now(), now())")
        rows = [{"sku": f"S{i}"} for i in range(PRODUCTS)]
        insert = text("INSERT INTO product (producer_id, sku, name, name_key, unit, price, stock, status, "
                      "content_version, stock_version, created_at, updated_at) VALUES (1, :sku, 'x', 'x', 'gói', "
                      "1000, 1, 'active', 1, 1, now(), now())")
        times: dict[str, list[float]] = {"ENABLE": [], "DISABLE": []}
        for _ in range(5):
            for state in ("ENABLE", "DISABLE"):
                with engine.begin() as c:
                    c.exec_driver_sql(f"ALTER TABLE product {state} TRIGGER agri_area_product")
                with engine.begin() as c:
                    start = time.perf_counter()
                    c.execute(insert, rows)
                    times[state].append(time.perf_counter() - start)
                with engine.begin() as c:
                    c.exec_driver_sql("DELETE FROM product")
        with engine.begin() as c:
            c.exec_driver_sql("ALTER TABLE product ENABLE TRIGGER agri_area_product")
        on, off = min(times["ENABLE"]), min(times["DISABLE"])
        figure("PostgreSQL bulk insert of 100,000 products, idle area triggers vs none", project=on, reference=off,
               unit="s", ratio=on / off, target="≤ 1.1×", met=on <= 1.1 * off)
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> None:
    if not os.environ.get("AGRI_BENCH_GUARD_PG_ONLY"):
        sqlite_figures()
    url = os.environ.get("AGRI_BENCH_PG")
    if url:
        postgres_figures(url)
    else:
        print("PostgreSQL figure skipped: set AGRI_BENCH_PG to a throw-away server's URL")


if __name__ == "__main__":
    main()
