"""Manual binding, one at a time and from the pack's spreadsheet with its URL column filled in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from catalog.errors import CatalogueValidationError, ConflictError, NotFoundError
from catalog.producers import ProducerCreate, ProducerKind, create_producer
from catalog.products import ProductCreate, create_product, get_product
from connector.accounts import MarketplaceAccount
from connector.listings.bind import bind_from_pack, bind_manually, parse_listing_ref, unbind_manually
from connector.listings.layouts import load_layout
from connector.listings.pack import build_pack
from connector.sync.models import Binding, BindingState, PushResult
from connector.sync.plan import Action, plan_sync
from tests.connector.listings.conftest import PRODUCER
from tests.connector.listings.helpers import fill_urls


def bindings(session: Session, account: MarketplaceAccount) -> dict[int, Binding]:
    return {b.product_id: b for b in session.exec(select(Binding).where(Binding.account_id == account.id))}


def test_binding_from_the_pack_spreadsheet(session: Session, voso: MarketplaceAccount, media_root: Path,
                                           tmp_path: Path) -> None:
    pack = build_pack(session=session, account=voso, out=tmp_path, media_root=media_root, today=date(2024, 6, 1))
    session.commit()
    fill_urls(pack.spreadsheet, "voso", {
        "MIEN-200": "https://voso.vn/mien-dong-200g-p1001.html?utm_source=zalo",
        "MIEN-500": "1002",
        "BUN-1": "https://shopee.vn/bun-kho-i.1.2",
        "BUN-500": "https://voso.vn/gio-hang",
    })
    result = bind_from_pack(session=session, account=voso, path=pack.spreadsheet)
    session.commit()
    assert result.counts["bindings"].created == 2 and result.counts["bindings"].rejected == 2
    assert result.skipped == 2  # MIEN-1 and TBDONG-1: not listed yet
    assert sorted((p.code, p.row) for p in result.errors) == [("listings.url_foreign", 2), ("listings.url_invalid", 3)]
    bound = bindings(session, voso)
    mien200 = get_product(session=session, ref=f"{PRODUCER}/MIEN-200")
    binding = bound[mien200.id or 0]
    assert (binding.remote_id, binding.remote_url) == ("1001", "https://voso.vn/mien-dong-200g-p1001.html")
    assert binding.state is BindingState.active and binding.manual
    assert binding.content_version == mien200.content_version and binding.last_synced_at is not None
    assert {b.remote_id for b in bound.values()} == {"1001", "1002"}
    # a manual binding is a listing as the sync engine knows one: its plan leaves the product alone
    mien500 = get_product(session=session, ref=f"{PRODUCER}/MIEN-500")
    assert bound[mien500.id or 0].payload == {**(bound[mien500.id or 0].payload or {}), "price": 66_000}
    plan = {item.product_id: item for item in plan_sync(session=session, account=voso).items}
    assert plan[mien500.id or 0].action is Action.unchanged
    assert plan[mien200.id or 0].action is Action.blocked  # its title override is too long for the API

    again = bind_from_pack(session=session, account=voso, path=pack.spreadsheet)
    assert again.counts["bindings"].unchanged == 2 and again.counts["bindings"].created == 0
    # the next pack shows the address the worker recorded
    repack = build_pack(session=session, account=voso, out=tmp_path / "next", media_root=media_root,
                        today=date(2024, 6, 1))
    urls = {r.ref: r.url for r in repack.rows}
    assert urls[f"{PRODUCER}/MIEN-200"] == "https://voso.vn/mien-dong-200g-p1001.html"
    assert urls[f"{PRODUCER}/MIEN-500"] == "1002"


def test_bind_one_listing_and_its_conflicts(session: Session, voso: MarketplaceAccount) -> None:
    mien = get_product(session=session, ref=f"{PRODUCER}/MIEN-1")
    bun = get_product(session=session, ref=f"{PRODUCER}/BUN-1")
    outcome = bind_manually(session=session, account=voso, product=mien, listing="voso.vn/mien-dong-1kg-p77")
    assert (outcome.action, outcome.remote_id, outcome.url) == ("created", "77", "https://voso.vn/mien-dong-1kg-p77")
    with pytest.raises(ConflictError) as caught:
        bind_manually(session=session, account=voso, product=bun, listing="77")
    assert caught.value.code == "listings.remote_id_taken" and caught.value.params["other"] == f"{PRODUCER}/MIEN-1"
    moved = bind_manually(session=session, account=voso, product=mien, listing="https://voso.vn/mien-moi-p78.html")
    assert (moved.action, moved.previous_remote_id, moved.remote_id) == ("updated", "77", "78")
    session.commit()
    assert [b.remote_id for b in bindings(session, voso).values()] == ["78"]


def test_a_product_of_another_producer_is_not_bound(session: Session, voso: MarketplaceAccount) -> None:
    other = create_producer(session=session, data=ProducerCreate(code="HTX-KHAC", name="HTX Khác",
                                                                 kind=ProducerKind.cooperative))
    foreign = create_product(session=session, producer=other,
                             data=ProductCreate(sku="MIEN-1", name="Miến khác", price=50000, unit="gói"))
    with pytest.raises(CatalogueValidationError) as caught:
        bind_manually(session=session, account=voso, product=foreign, listing="https://voso.vn/mien-p79.html")
    assert caught.value.code == "listings.product_foreign"
    assert caught.value.params["producer"] == PRODUCER
    assert bindings(session, voso) == {}


def test_an_api_binding_becomes_manual_when_bound_by_hand(session: Session, voso: MarketplaceAccount) -> None:
    product = get_product(session=session, ref=f"{PRODUCER}/BUN-500")
    assert voso.id is not None and product.id is not None
    session.add(Binding(account_id=voso.id, product_id=product.id, remote_id=None,
                        state=BindingState.pending_create, push_result=PushResult.failed,
                        push_error={"code": "market.retriable"}, attempts=3))
    session.commit()
    outcome = bind_manually(session=session, account=voso, product=product, listing="555")
    session.commit()
    binding = bindings(session, voso)[product.id]
    assert outcome.action == "updated"
    assert (binding.state, binding.manual, binding.last_error, binding.attempts) == (BindingState.active, True,
                                                                                     None, 0)
    assert (binding.push_result, binding.push_error) == (None, None)


@pytest.mark.parametrize(("text", "expected"), [
    ("https://voso.vn/mat-ong-p123.html", ("123", "https://voso.vn/mat-ong-p123.html")),
    ("https://www.voso.vn/mat-ong-p123.html#reviews", ("123", "https://www.voso.vn/mat-ong-p123.html")),
    ("  987654 ", ("987654", None)),
])
def test_parse_voso_listing_refs(text: str, expected: tuple[str, str | None]) -> None:
    ref = parse_listing_ref(load_layout("voso"), text)
    assert (ref.remote_id, ref.url) == expected


@pytest.mark.parametrize(("text", "code"), [
    ("", "listings.url_invalid"), ("ftp://voso.vn/x-p1.html", "listings.url_invalid"),
    ("https://evil.example/x-p1.html", "listings.url_foreign"), ("id with spaces", "listings.url_invalid"),
    ("https://voso.vn/x-p" + "9" * 200 + ".html", "listings.url_invalid"),
])
def test_parse_rejects_bad_refs(text: str, code: str) -> None:
    with pytest.raises(CatalogueValidationError) as caught:
        parse_listing_ref(load_layout("voso"), text)
    assert caught.value.code == code


def test_postmart_listing_addresses() -> None:
    ref = parse_listing_ref(load_layout("postmart"), "https://postmart.vn/san-pham/mien-dong-na-ri-204512")
    assert ref.remote_id == "204512"


def test_unbind_records_the_listing_taken_down(session: Session, voso: MarketplaceAccount) -> None:
    product = get_product(session=session, ref=f"{PRODUCER}/MIEN-1")
    with pytest.raises(NotFoundError):
        unbind_manually(session=session, account=voso, product=product)
    bind_manually(session=session, account=voso, product=product, listing="4040")
    outcome = unbind_manually(session=session, account=voso, product=product)
    session.commit()
    assert outcome.action == "delisted"
    binding = bindings(session, voso)[product.id or 0]
    assert (binding.state, binding.remote_id) == (BindingState.delisted, "4040")
    assert unbind_manually(session=session, account=voso, product=product).action == "unchanged"
    assert bind_manually(session=session, account=voso, product=product, listing="4040").action == "updated"
