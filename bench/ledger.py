"""Ledger speed: 1,000,000 order lines over 3 years, 7 platforms and the 108 old Bắc Kạn communes.

- ingest: every order goes through :func:`connector.orders.ingest.ingest_orders`, the path
  ``agri orders pull`` uses (orders, lines, status history, ledger entries, stock movements, the
  stock update), in pages of ``--page`` orders per account, committed every few pages, on a fresh
  SQLite database.  Target: at least 20,000 lines/s.  About 5 % of the orders are then cancelled
  through the same path (reversals and stock put back), timed separately.
- report: :func:`connector.ledger.reports.turnover` by month × platform × old district over all
  of it, first call of the process (the place tables are read too).  Target: at most 0.5 s.
- reference: the same figures as one plain SQL ``GROUP BY`` over the raw entries table (joined to
  the unit table for the old district), through sqlite3; the two must agree.

    .venv/bin/python bench/ledger.py [--lines 1000000] [--page 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from adapters.base import OrderStatus, RemoteOrder, RemoteOrderLine  # noqa: E402
from bench.common import figure, peak_rss_mb  # noqa: E402
from catalog.admin_units import AdminUnit, UnitLineage  # noqa: E402
from catalog.ocop import OcopCertification  # noqa: E402
from catalog.periods import parse_period  # noqa: E402
from catalog.producers import Producer, ProducerKind  # noqa: E402
from catalog.products import Product  # noqa: E402
from connector.accounts import MarketplaceAccount  # noqa: E402
from connector.db import init_db, make_engine  # noqa: E402
from connector.ledger.reports import turnover  # noqa: E402
from connector.orders.ingest import ingest_orders  # noqa: E402

PLATFORMS = ("voso", "postmart", "shopee", "lazada", "tiktok", "sendo", "tiki")
SKUS = ("MIEN-500", "GAO-2KG", "CHE-200", "MAT-ONG-500")
START = datetime(2022, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)
COMMIT_EVERY = 50  # pages


def seed(session: Session) -> list[tuple[MarketplaceAccount, list[str]]]:
    """One producer per old Bắc Kạn commune (with its new unit; a third without the old code), its
    products (some OCOP) and one account on each of the 7 platforms."""
    districts = {c for c, in session.execute(
        AdminUnit.__table__.select().with_only_columns(AdminUnit.__table__.c.code).where(  # type: ignore[attr-defined]
            AdminUnit.__table__.c.scheme == "vn2004", AdminUnit.__table__.c.parent_code == "06"))}  # type: ignore[attr-defined]
    communes = sorted(c for c, p in session.execute(
        AdminUnit.__table__.select().with_only_columns(AdminUnit.__table__.c.code,  # type: ignore[attr-defined]
                                                       AdminUnit.__table__.c.parent_code).where(  # type: ignore[attr-defined]
            AdminUnit.__table__.c.scheme == "vn2004")) if p in districts)  # type: ignore[attr-defined]
    successor = {o: n for o, n in session.execute(UnitLineage.__table__.select().with_only_columns(  # type: ignore[attr-defined]
        UnitLineage.__table__.c.old_code, UnitLineage.__table__.c.new_code))}  # type: ignore[attr-defined]
    assert len(communes) == 108, len(communes)
    kinds = list(ProducerKind)
    accounts: list[tuple[MarketplaceAccount, list[str]]] = []
    for i, commune in enumerate(communes):
        producer = Producer(code=f"BK-{i:03d}", name=f"HTX {commune}", name_key=f"htx {commune}",
                            kind=kinds[i % len(kinds)], unit_vn2004=None if i % 3 == 0 else commune,
                            unit_vn2025=successor.get(commune))
        session.add(producer)
        session.flush()
        assert producer.id is not None
        for j, sku in enumerate(SKUS):
            product = Product(producer_id=producer.id, sku=sku, name=sku, name_key=sku.lower(), price=50_000,
                              stock=10_000_000)
            session.add(product)
            session.flush()
            if j == 0:
                session.add(OcopCertification(product_id=product.id, stars=3 + i % 3, decision_date=date(2021, 6, 1)))
        for platform in PLATFORMS:
            account = MarketplaceAccount(name=f"{platform}-{i:03d}", marketplace=platform, producer_id=producer.id)
            session.add(account)
            accounts.append((account, list(SKUS)))
    session.flush()
    session.commit()
    return accounts


def make_orders(rng: random.Random, prefix: str, lines_wanted: int, skus: list[str]) -> list[RemoteOrder]:
    """Orders of 1–3 lines holding exactly ``lines_wanted`` lines, over the 3 years."""
    out: list[RemoteOrder] = []
    left = lines_wanted
    while left > 0:
        size = min(rng.choice((1, 1, 2, 2, 3)), left)
        left -= size
        placed = START + timedelta(seconds=rng.randrange(int(SPAN.total_seconds())))
        lines = tuple(RemoteOrderLine(sku=sku, quantity=q, unit_price=p, amount=q * p)
                      for sku in rng.sample(skus, size)
                      for q, p in [(rng.randint(1, 4), rng.randrange(20, 400) * 1_000)])
        status = OrderStatus.completed if rng.random() < 0.9 else rng.choice(
            (OrderStatus.pending, OrderStatus.confirmed, OrderStatus.shipping, OrderStatus.delivered))
        out.append(RemoteOrder(remote_id=f"{prefix}-{len(out)}", status=status, raw_status=status.value,
                               placed_at=placed, updated_at=placed + timedelta(hours=30),
                               total=sum(x.amount for x in lines), lines=lines))
    return out


def run(lines_target: int, page: int) -> None:
    load_before = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="agri-bench-ledger-"))
    db = workdir / "ledger.db"
    engine = make_engine(f"sqlite:///{db}")
    init_db(engine)
    rng = random.Random(2024)
    with Session(engine, expire_on_commit=False) as session:
        accounts = seed(session)
        per_account, remainder = divmod(lines_target, len(accounts))
        ingest_time = ingest_cpu = 0.0
        lines = orders = pages = 0
        cancel_sets: list[tuple[MarketplaceAccount, list[RemoteOrder]]] = []
        for index, (account, skus) in enumerate(accounts):
            generated = make_orders(rng, account.name, per_account + (remainder if index == 0 else 0), skus)
            for start in range(0, len(generated), page):
                kept = generated[start:start + page]
                started, cpu = time.perf_counter(), time.process_time()
                result = ingest_orders(session=session, account=account, orders=kept)
                pages += 1
                if pages % COMMIT_EVERY == 0:
                    session.commit()
                ingest_time += time.perf_counter() - started
                ingest_cpu += time.process_time() - cpu
                lines += result.lines
                orders += result.orders_new
            cancel_sets.append((account, [o for o in generated if o.status == OrderStatus.completed
                                          and rng.random() < 0.05]))
        started = time.perf_counter()
        session.commit()
        ingest_time += time.perf_counter() - started
        assert lines == lines_target, (lines, lines_target)

        cancelled = 0
        started = time.perf_counter()
        for account, chosen in cancel_sets:
            if chosen:
                updates = [RemoteOrder(remote_id=o.remote_id, status=OrderStatus.cancelled, raw_status="cancelled",
                                       placed_at=o.placed_at, updated_at=o.updated_at + timedelta(days=3),
                                       total=o.total, lines=o.lines) for o in chosen]
                cancelled += ingest_orders(session=session, account=account, orders=updates).reversals
        session.commit()
        cancel_time = time.perf_counter() - started

    engine.dispose()
    rate = lines / ingest_time
    figure("ledger ingest through ingest_orders", project=rate, unit="lines/s", target=">= 20,000 lines/s",
           met=rate >= 20_000)
    print(f"  {lines:,} lines in {orders:,} orders, {pages:,} pages, {ingest_time:.1f} s wall-clock, "
          f"{ingest_cpu:.1f} s of this process's CPU ({lines / ingest_cpu:,.0f} lines per CPU-second: the rate "
          "on an unshared core); "
          f"then {cancelled:,} reversals (cancellations) in {cancel_time:.1f} s; load average {load_before:.1f} "
          f"before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs (the wall-clock rate needs a free core)")

    engine = make_engine(f"sqlite:///{db}")
    period = parse_period("2022-01..2025-12", today=date(2026, 1, 1))  # cancellations reach January 2025
    with Session(engine) as session:
        started = time.perf_counter()
        report = turnover(session=session, period=period, by=["month", "platform", "district"], scheme="vn2004")
        report_time = time.perf_counter() - started
    engine.dispose()

    connection = sqlite3.connect(db)
    started = time.perf_counter()
    raw = connection.execute(
        "SELECT e.booked_month, e.platform, u.parent_code, SUM(e.amount) FROM ledger_entry e "
        "LEFT JOIN admin_unit u ON u.scheme = 'vn2004' AND u.code = e.unit_vn2004 "
        "GROUP BY e.booked_month, e.platform, u.parent_code").fetchall()
    reference_time = time.perf_counter() - started
    connection.close()
    reference_total = sum(r[3] for r in raw)
    assert reference_total == report.total.values["amount"], (reference_total, report.total.values)
    figure("turnover month x platform x old district (SQLite)", project=report_time, unit="s",
           reference=reference_time, ratio=report_time / reference_time if reference_time else None,
           target="<= 0.5 s", met=report_time <= 0.5)
    print(f"  {len(report.rows):,} rows, total {report.total.values['amount']:,} đ (the plain GROUP BY agrees); "
          f"{len(raw):,} reference groups; peak RSS {peak_rss_mb():.0f} MB; database {db}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines to ingest (the issue: 1,000,000)")
    parser.add_argument("--page", type=int, default=2000, help="orders per ingest_orders call")
    args = parser.parse_args()
    run(args.lines, args.page)


if __name__ == "__main__":
    main()
