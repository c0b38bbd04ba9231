"""apply_plan against an in-memory marketplace: bindings, images once, no duplicates, stale writes."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from adapters.base import ListingState
from adapters.http import RetryPolicy
from catalog.images import ImageProfile, PreparedImage
from catalog.products import ProductStatus, ProductUpdate, update_product
from connector.accounts import MarketplaceAccount
from connector.sync import ImageSource, apply_plan
from connector.sync.models import Binding, BindingState, PushResult, RemoteImage
from connector.sync.plan import Action, plan_sync
from connector.sync.report import Outcome, SyncReport, write_report
from tests.connector.sync.fakes import CAPS, FakeAdapter, FakeMarket, expired, make_shop, products_of, retriable

FAST = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002, deadline=5)


def _prepare(sha: str, profile: ImageProfile) -> PreparedImage:
    variant = hashlib.sha256(f"{sha}:{profile.name}".encode()).hexdigest()
    return PreparedImage(data=b"jpeg-bytes", size=(800, 800), sha256=variant, profile=profile)


IMAGES = ImageSource(prepare=_prepare, public_url=lambda sha, ext: f"http://media/{sha}.{ext}")


def run(session: Session, account: MarketplaceAccount, market: FakeMarket, **kw: object) -> SyncReport:
    adapter = FakeAdapter(market)
    plan = plan_sync(session=session, account=account, capabilities=CAPS, image_profile=adapter.image_profile)
    return asyncio.run(apply_plan(session=session, account=account, plan=plan, adapter=adapter, images=IMAGES,
                                  policy=FAST, **kw))  # type: ignore[arg-type]


def bindings(session: Session, account: MarketplaceAccount) -> dict[int, Binding]:
    session.expire_all()
    return {b.product_id: b for b in session.exec(select(Binding).where(Binding.account_id == account.id))}


def test_create_then_nothing_to_do(session: Session) -> None:
    account = make_shop(session, count=3)
    market = FakeMarket()
    report = run(session, account, market)
    assert report.ok and report.counts()["done"] == 3
    assert market.calls["create"] == 3
    assert market.calls["upload"] == 1  # three products share one photo: uploaded once
    bound = bindings(session, account)
    assert {b.state for b in bound.values()} == {BindingState.active}
    assert {b.remote_id for b in bound.values()} == set(market.listings)
    assert all(b.image_refs and b.image_refs[0]["kind"] == "id" for b in bound.values())
    assert session.exec(select(RemoteImage)).one().value.startswith("IMG-")
    market.calls.clear()
    again = run(session, account, market)
    assert again.counts()["unchanged"] == 3 and sum(market.calls.values()) == 0


def test_commit_then_drop_never_duplicates(session: Session) -> None:
    account = make_shop(session, count=4)
    market = FakeMarket(commit_then_fail={"SKU-0001", "SKU-0002"})
    report = run(session, account, market)
    assert report.ok, report.failures
    assert market.skus() == {f"SKU-{i:04d}": 1 for i in range(4)}
    bound = bindings(session, account)
    by_sku = {r.sku: r.remote_id for r in market.listings.values()}
    for product in products_of(session, account):
        assert product.id is not None
        assert bound[product.id].remote_id == by_sku[product.sku]


def test_pending_create_from_a_crash_is_resolved_by_sku(session: Session) -> None:
    account = make_shop(session, count=1)
    product = products_of(session, account)[0]
    market = FakeMarket()
    profile = FakeAdapter(market).image_profile
    plan = plan_sync(session=session, account=account, capabilities=CAPS, image_profile=profile)
    item = plan.items[0]
    # the earlier run recorded the create, sent it, and died before binding the answer
    session.add(Binding(account_id=account.id, product_id=product.id, state=BindingState.pending_create,
                        pending_hash=item.payload_hash))
    session.commit()
    assert item.listing is not None
    FakeAdapter(market)._store(item.listing, "R-OLD")
    report = run(session, account, market)
    assert report.ok
    assert market.calls["create"] == 0 and market.calls["update"] == 0 and market.calls["find"] == 1
    assert bindings(session, account)[product.id].remote_id == "R-OLD"  # type: ignore[index]


def test_product_changed_mid_request_is_sent_again(session: Session) -> None:
    account = make_shop(session, count=1)
    product = products_of(session, account)[0]
    market = FakeMarket()
    changed: list[str] = []

    def sale(operation: str, sku: str) -> None:  # a sale lands while the create is in flight
        if operation == "create" and not changed:
            changed.append(sku)
            update_product(session=session, product=product, data=ProductUpdate(stock=3))
            session.commit()

    market.on_call = sale
    report = run(session, account, market)
    assert report.ok
    assert report.results[0].replanned == 1
    remote = next(iter(market.listings.values()))
    assert remote.stock == 3
    binding = bindings(session, account)[product.id]  # type: ignore[index]
    assert binding.stock_version == product.stock_version


def test_partial_failures_do_not_stop_others(session: Session) -> None:
    account = make_shop(session, count=4)
    market = FakeMarket(reject_skus={"SKU-0000"},
                        faults={("create", "SKU-0001"): [retriable() for _ in range(20)],
                                ("find", "SKU-0001"): []})
    report = run(session, account, market)
    outcomes = {r.sku: r.outcome for r in report.results}
    assert outcomes == {"SKU-0000": Outcome.rejected, "SKU-0001": Outcome.failed,
                        "SKU-0002": Outcome.done, "SKU-0003": Outcome.done}
    assert not report.ok
    rejected = next(r for r in report.results if r.sku == "SKU-0000")
    assert rejected.fields == {"title": "xấu"} and "từ chối" in rejected.message
    bound = {b.state: b for b in bindings(session, account).values()}
    assert set(bound) == {BindingState.rejected, BindingState.pending_create, BindingState.active}
    # the failed create never got listed: it stays "not listed yet", its push result says why
    failed = bound[BindingState.pending_create]
    assert failed.push_result == PushResult.failed and failed.push_error and failed.pushed_at is not None
    assert bound[BindingState.rejected].push_result == PushResult.refused
    assert bound[BindingState.active].push_result == PushResult.ok
    actions = {i.sku: i.action for i in plan_sync(session=session, account=account, capabilities=CAPS,
                                                   image_profile=FakeAdapter(market).image_profile).items}
    assert actions["SKU-0000"] == Action.unchanged  # refused as it is: waits for a change
    assert actions["SKU-0001"] == Action.create  # failed: retried (after a look-up by SKU)


def test_expired_session_is_refreshed(session: Session) -> None:
    account = make_shop(session, count=2)
    market = FakeMarket(faults={("create", "SKU-0000"): [expired()]})
    adapter = FakeAdapter(market)
    plan = plan_sync(session=session, account=account, capabilities=CAPS, image_profile=adapter.image_profile)
    report = asyncio.run(apply_plan(session=session, account=account, plan=plan, adapter=adapter, images=IMAGES,
                                    policy=FAST))
    assert report.ok and adapter.refreshed == 1
    assert len(market.listings) == 2


def test_stock_update_delist_and_recreate_gone_listing(session: Session) -> None:
    account = make_shop(session, count=3, rules={"stock_buffer_percent": "50"})
    market = FakeMarket()
    assert run(session, account, market).ok
    p = products_of(session, account)
    update_product(session=session, product=p[0], data=ProductUpdate(stock=40))
    update_product(session=session, product=p[1], data=ProductUpdate(status=ProductStatus.archived))
    update_product(session=session, product=p[2], data=ProductUpdate(name="Miến dong mới"))
    session.commit()
    gone = bindings(session, account)[p[2].id].remote_id  # type: ignore[index]
    del market.listings[gone]  # type: ignore[arg-type]
    market.calls.clear()
    report = run(session, account, market)
    assert report.ok, report.failures
    assert market.calls["stock"] == 1 and market.calls["delist"] == 1 and market.calls["create"] == 1
    bound = bindings(session, account)
    assert market.listings[bound[p[0].id].remote_id].stock == 20  # type: ignore[index,arg-type]
    assert bound[p[1].id].state == BindingState.delisted  # type: ignore[index]
    assert market.listings[bound[p[1].id].remote_id].state == ListingState.delisted  # type: ignore[index,arg-type]
    assert market.skus()["SKU-0002"] == 1


def test_review_state_is_recorded(session: Session) -> None:
    account = make_shop(session, count=1)
    run(session, account, FakeMarket(review=True))
    assert {b.state for b in bindings(session, account).values()} == {BindingState.pending_review}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_report_files(session: Session, tmp_path: Path, suffix: str) -> None:
    account = make_shop(session, count=2)
    report = run(session, account, FakeMarket(reject_skus={"SKU-0001"}))
    path = write_report(tmp_path / f"report{suffix}", report)
    if suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))["results"]
        assert {r["outcome"] for r in rows} == {"done", "rejected"}
    elif suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        assert "Sàn từ chối" in text and "SKU-0001" in text
    else:
        sheet = load_workbook(path).active
        assert sheet is not None
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert values[0][0] == "Tài khoản" and len(values) == 3


def test_one_preparation_per_photo_and_calls_bounded(session: Session) -> None:
    """Many listings sharing a photo: it is prepared once; adapter calls in flight stay within the
    account's concurrency (an answer waiting for its batch commit holds no slot)."""
    account = make_shop(session, count=12)
    market = FakeMarket()
    prepared: list[str] = []

    def prepare(sha: str, profile: ImageProfile) -> PreparedImage:
        prepared.append(sha)
        return _prepare(sha, profile)

    adapter = FakeAdapter(market)
    in_flight, peak = 0, 0
    upsert = adapter.upsert_listing

    async def counted(listing: object, *, remote_id: str | None = None) -> object:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.001)
            return await upsert(listing, remote_id=remote_id)  # type: ignore[arg-type]
        finally:
            in_flight -= 1

    adapter.upsert_listing = counted  # type: ignore[assignment,method-assign]
    plan = plan_sync(session=session, account=account, capabilities=CAPS, image_profile=adapter.image_profile)
    report = asyncio.run(apply_plan(session=session, account=account, plan=plan, adapter=adapter, policy=FAST,
                                    images=ImageSource(prepare=prepare, public_url=IMAGES.public_url),
                                    concurrency=3))
    assert report.counts()["done"] == 12 and market.calls["create"] == 12
    assert len(prepared) == 1
    assert 1 <= peak <= 3
