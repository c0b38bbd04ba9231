"""Property tests of the ledger: any page sequence gives the final states' totals and stock; a closed
period never changes; old-district and new-commune reports of Bắc Kạn add up; local-midnight periods."""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import Session

from adapters.base import OrderStatus, RemoteOrder
from catalog.admin_units import DATA_DIR
from catalog.periods import parse_period
from catalog.products import Product
from connector.ledger.booking import Booking
from connector.ledger.close import close_period
from connector.ledger.models import LedgerEntry
from connector.ledger.policy import CountingPolicy
from connector.ledger.reports import turnover
from connector.orders.ingest import ingest_orders
from tests.connector.orders.fakes import make_shop, order

ICT = timezone(timedelta(hours=7))
BASE = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
STATUSES = list(OrderStatus)
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
_shops = itertools.count(1)


def _bac_kan_communes() -> list[str]:
    with (DATA_DIR / "vn2004.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    districts = {r["code"] for r in rows if r["parent_code"] == "06"}
    return sorted(r["code"] for r in rows if r["parent_code"] in districts)


BAC_KAN = _bac_kan_communes()


@st.composite
def order_histories(draw: st.DrawFn) -> list[list[RemoteOrder]]:
    """Orders, each a list of states with rising ``updated_at`` (any statuses, in any order)."""
    histories = []
    for i in range(draw(st.integers(1, 5))):
        placed = BASE + timedelta(hours=draw(st.integers(0, 24 * 200)))
        quantity = draw(st.integers(1, 4))
        lines = [("MIEN-500", quantity, draw(st.integers(1, 500)) * 1_000)]
        if draw(st.booleans()):
            lines.append(("GAO-2KG", draw(st.integers(1, 3)), 60_000))
        steps = draw(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=5))
        histories.append([order(f"H{i}", status, placed=placed, updated=placed + timedelta(hours=k), lines=lines)
                          for k, status in enumerate(steps)])
    return histories


@st.composite
def page_sequences(draw: st.DrawFn, histories: list[list[RemoteOrder]]) -> list[list[RemoteOrder]]:
    """Every state at least once, plus duplicates, shuffled, cut into pages."""
    states = [s for h in histories for s in h]
    extra = draw(st.lists(st.sampled_from(states), max_size=len(states)))
    stream = draw(st.permutations(states + extra))
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=4)))
    bounds = [0, *cuts, len(stream)]
    return [list(stream[a:b]) for a, b in itertools.pairwise(bounds) if b > a]


def _account_total(session: Session, account_id: int | None) -> int:
    return int(session.execute(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.account_id == account_id)).scalar_one())


@PROPERTY
@given(data=st.data(), basis=st.sampled_from(["net", "gmv"]))
def test_any_page_sequence_gives_the_final_states(session: Session, data: st.DataObject, basis: str) -> None:
    policy = CountingPolicy(basis="gmv" if basis == "gmv" else "net")
    histories = data.draw(order_histories())
    pages = data.draw(page_sequences(histories))
    _producer, products, account = make_shop(session, code=f"P-{next(_shops)}", stock=1000)
    for page in pages:
        ingest_orders(session=session, account=account, orders=page, policy=policy)
    finals = [max(h, key=lambda s: s.updated_at) for h in histories]
    expected_total = sum(f.total for f in finals if policy.counts(f.status.value))
    assert _account_total(session, account.id) == expected_total
    for product in products:
        sold = sum(line.quantity for f in finals if policy.takes_stock(f.status.value)
                   for line in f.lines if line.sku == product.sku)
        stock = session.execute(select(Product.stock).where(Product.id == product.id)).scalar_one()
        assert stock == 1000 - sold
        version = session.execute(select(Product.content_version).where(Product.id == product.id)).scalar_one()
        assert version == 1


@PROPERTY
@given(data=st.data())
def test_a_closed_period_stays_stable(session: Session, data: st.DataObject) -> None:
    try:
        _closed_period_example(session, data)
    finally:
        session.rollback()  # the close belongs to this example only


def _closed_period_example(session: Session, data: st.DataObject) -> None:
    histories = data.draw(order_histories())
    _producer, _products, account = make_shop(session, code=f"C-{next(_shops)}")
    first = [h[0] for h in histories]
    ingest_orders(session=session, account=account, orders=first)
    period = parse_period("2024-03..2024-06", today=date(2026, 1, 1))
    before = {(r.group["month"][0], r.group["platform"][0]): r.values["amount"]
              for r in turnover(session=session, period=period, by="month,platform").rows}
    before_total = turnover(session=session, period=period).total.values["amount"]
    close_period(session=session, period=period, today=date(2026, 1, 1))
    later = [s for h in histories for s in h[1:]]
    late_orders = [order(f"LATE{i}", placed=BASE + timedelta(days=data.draw(st.integers(0, 120))))
                   for i in range(data.draw(st.integers(0, 3)))]
    ingest_orders(session=session, account=account, orders=later + late_orders)
    after = {(r.group["month"][0], r.group["platform"][0]): r.values["amount"]
             for r in turnover(session=session, period=period, by="month,platform").rows}
    assert after == before
    assert turnover(session=session, period=period).total.values["amount"] == before_total
    finals = [max(h, key=lambda s: s.updated_at) for h in histories] + late_orders
    policy = CountingPolicy()
    assert _account_total(session, account.id) == sum(f.total for f in finals if policy.counts(f.status.value))


@PROPERTY
@given(shops=st.lists(st.tuples(st.sampled_from([*BAC_KAN, None]), st.booleans(), st.integers(1, 90)),
                      min_size=1, max_size=6))
def test_old_district_and_new_commune_reports_add_up(session: Session,
                                                     shops: list[tuple[str | None, bool, int]]) -> None:
    try:
        _footprint_example(session, shops)
    finally:
        session.rollback()


def _footprint_example(session: Session, shops: list[tuple[str | None, bool, int]]) -> None:
    from catalog.admin_units import UnitLineage

    successor = dict(session.execute(select(UnitLineage.old_code, UnitLineage.new_code)).all())  # type: ignore[call-overload]
    expected = 0
    for old, old_known, price in shops:
        new = successor.get(old) if old else None
        _p, _products, account = make_shop(session, code=f"B-{next(_shops)}", unit_vn2004=old if old_known else None,
                                           unit_vn2025=new)
        ingest_orders(session=session, account=account, orders=[order("X", placed=datetime(2024, 5, 1, tzinfo=ICT),
                                                                      lines=[("MIEN-500", 1, price * 1_000)])])
        expected += price * 1_000
    period = parse_period("2024", today=date(2025, 1, 1))
    by_district = turnover(session=session, period=period, by="district", scheme="vn2004")
    by_commune = turnover(session=session, period=period, by="commune", scheme="vn2025")
    by_old_commune = turnover(session=session, period=period, by="commune", scheme="vn2004")
    for report in (by_district, by_commune, by_old_commune):
        assert sum(r.values["amount"] for r in report.rows) == report.total.values["amount"]
        assert report.total.values["amount"] == expected
    placed = sum(price * 1_000 for old, _known, price in shops if old)
    in_06 = [turnover(session=session, period=period, by=dim, scheme=scheme, province="06")
             for dim, scheme in (("district", "vn2004"), ("commune", "vn2025"))]
    assert [r.total.values["amount"] for r in in_06] == [placed, placed]


@given(moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                           timezones=st.just(UTC)))
def test_periods_follow_the_local_calendar(moment: datetime) -> None:
    booked = Booking([]).book(moment)
    local = moment.astimezone(ICT)
    assert booked.day == local.date()
    assert booked.month == local.year * 100 + local.month


def test_new_year_boundary() -> None:
    book = Booking([]).book
    assert book(datetime(2024, 1, 1, 3, 0, tzinfo=ICT)).day.year == 2024
    assert book(datetime(2023, 12, 31, 23, 30, tzinfo=ICT)).day.year == 2023
    assert book(datetime(2023, 12, 31, 20, 0, tzinfo=UTC)).month == 202401
