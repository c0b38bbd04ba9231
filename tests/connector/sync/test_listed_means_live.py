"""Listed means live: a failed push never moves the official counts.

A binding keeps its marketplace state (only the marketplace's answer changes it) apart from the
result of its last push.  A sync that fails on an authentication error, on a network error or on
a refusal leaves "products listed" and the funnel's "with an active listing" exactly as they were,
and the binding says "live; last update failed: …".
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from catalog.errors import AgriConnectorError, AuthError, RetriableError
from catalog.periods import parse_period
from catalog.products import ProductUpdate, update_product
from connector.accounts import MarketplaceAccount
from connector.db import alembic_config
from connector.ledger.ecommerce import indicators
from connector.sync.apply import apply_plan
from connector.sync.funnel_steps import listing_steps
from connector.sync.models import Binding, BindingState, PushResult
from connector.sync.plan import Action, plan_sync
from connector.sync.report import Outcome, SyncReport
from tests.connector.sync.fakes import CAPS, FakeAdapter, FakeMarket, make_shop, products_of
from tests.connector.sync.test_apply import FAST, IMAGES

YEAR = parse_period(str(date.today().year), today=date.today())


def _run(session: Session, account: MarketplaceAccount, market: FakeMarket) -> SyncReport:
    adapter = FakeAdapter(market)
    plan = plan_sync(session=session, account=account, capabilities=CAPS, image_profile=adapter.image_profile)
    return asyncio.run(apply_plan(session=session, account=account, plan=plan, adapter=adapter, images=IMAGES,
                                  policy=FAST, rounds=1))


def _official(session: Session) -> tuple[object, set[int]]:
    """What the province quotes: the indicators, and the households of the funnel's "listed" step."""
    figures = indicators(session=session, period=YEAR, by="platform").to_dict()
    (_step, members), = listing_steps(session, YEAR)
    households = {row[0] for row in session.execute(members)}
    return figures, households


def _auth() -> AgriConnectorError:
    return AuthError("market.auth", marketplace="fake")


def _network() -> AgriConnectorError:
    return RetriableError("adapters.timeout", marketplace="fake", sent=False)


@pytest.mark.parametrize("fault", [_auth, _network], ids=["auth", "network"])
def test_a_failed_sync_leaves_products_listed_and_the_funnel_as_they_were(session: Session, fault) -> None:  # type: ignore[no-untyped-def]
    account = make_shop(session, count=4)
    market = FakeMarket()
    assert _run(session, account, market).ok
    before = _official(session)
    figures, households = before
    assert figures["total"]["values"]["products_listed"] == 4 and households == {account.producer_id}  # type: ignore[index]
    for product in products_of(session, account):  # every listing has something to send
        update_product(session=session, product=product, data=ProductUpdate(name=product.name + " mới"))
    market.faults = {("update", p.sku): [fault() for _ in range(10)] for p in products_of(session, account)}
    report = _run(session, account, market)
    assert not report.ok and {r.outcome for r in report.results} == {Outcome.failed}
    session.expire_all()
    assert _official(session) == before  # exactly as before the failed run
    rows = list(session.exec(select(Binding).where(Binding.account_id == account.id)))
    assert {(b.state, b.push_result) for b in rows} == {(BindingState.active, PushResult.failed)}
    assert all(b.push_error and b.push_error["code"] == fault().code and b.pushed_at for b in rows)
    assert all(b.last_error is None for b in rows)  # the marketplace said nothing against them
    # the next run retries the updates; once through, the push result is ok again
    market.faults = {}
    assert {i.action for i in plan_sync(session=session, account=account, capabilities=CAPS,
                                        image_profile=FakeAdapter(market).image_profile).items} == {Action.update}
    assert _run(session, account, market).ok
    session.expire_all()
    rows = list(session.exec(select(Binding).where(Binding.account_id == account.id)))
    assert {(b.state, b.push_result, b.attempts) for b in rows} == {(BindingState.active, PushResult.ok, 0)}


def test_a_refused_update_keeps_the_listing_live_and_waits_for_new_content(session: Session) -> None:
    account = make_shop(session, count=2)
    market = FakeMarket()
    assert _run(session, account, market).ok
    before = _official(session)
    first = products_of(session, account)[0]
    update_product(session=session, product=first, data=ProductUpdate(name="Tên mới bị từ chối"))
    market.reject_skus = {first.sku}
    report = _run(session, account, market)
    assert [r.outcome for r in report.results if r.sku == first.sku] == [Outcome.rejected]
    session.expire_all()
    assert _official(session) == before  # the old content is still on sale
    binding = session.exec(select(Binding).where(Binding.product_id == first.id)).one()
    assert (binding.state, binding.push_result) == (BindingState.active, PushResult.refused)
    actions = {i.sku: i.action for i in plan_sync(session=session, account=account, capabilities=CAPS,
                                                   image_profile=FakeAdapter(market).image_profile).items}
    assert actions[first.sku] == Action.unchanged  # refused as it is: not sent again until it changes


def test_a_listing_the_marketplace_no_longer_knows_is_off_sale_and_created_again(session: Session) -> None:
    account = make_shop(session, count=1)
    market = FakeMarket()
    assert _run(session, account, market).ok
    product = products_of(session, account)[0]
    market.listings.clear()  # taken down on the marketplace's side
    update_product(session=session, product=product, data=ProductUpdate(name="Miến dong đổi tên"))
    assert _run(session, account, market).ok  # the update finds it gone: created again (after a look-up)
    session.expire_all()
    binding = session.exec(select(Binding).where(Binding.product_id == product.id)).one()
    assert (binding.state, binding.push_result) == (BindingState.active, PushResult.ok)
    assert binding.remote_id in market.listings


def test_migration_0014_moves_error_bindings_to_their_last_known_marketplace_state(engine: Engine) -> None:
    """An ``error`` binding with a remote id was live; without one it never got listed."""
    with Session(engine) as session:
        account = make_shop(session, count=3)
        ids = [p.id for p in products_of(session, account)]
        account_id = account.id
    command.downgrade(alembic_config(engine), "0013_login_client")
    insert = text("INSERT INTO binding (account_id, product_id, remote_id, state, image_refs, last_error, attempts, "
                  "manual, created_at, updated_at) VALUES (:a, :p, :r, :s, '[]', :e, 1, false, :t, :t)")
    now = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
    with engine.begin() as connection:
        for product_id, remote_id, state in zip(ids, ("R1", None, "R3"), ("error", "error", "rejected"), strict=True):
            connection.execute(insert, {"a": account_id, "p": product_id, "r": remote_id, "s": state, "t": now,
                                        "e": '{"code": "market.auth"}'})
    command.upgrade(alembic_config(engine), "head")
    with Session(engine) as session:
        rows = {b.product_id: b for b in session.exec(select(Binding))}
        assert [(rows[i].state, rows[i].push_result) for i in ids] == [
            (BindingState.active, PushResult.failed), (BindingState.pending_create, PushResult.failed),
            (BindingState.rejected, None)]
        assert rows[ids[0]].push_error == {"code": "market.auth"} and rows[ids[0]].last_error is None
        assert rows[ids[2]].last_error == {"code": "market.auth"}  # a refusal's reasons stay where they were
