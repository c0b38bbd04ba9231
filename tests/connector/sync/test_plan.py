"""plan_sync: create, update with diff, stock/price only, unchanged, delist, blocked — and no request."""

from __future__ import annotations

from sqlmodel import Session

from catalog.categories import set_category_mapping
from catalog.images import DEFAULT_PROFILE
from catalog.products import ProductStatus, ProductUpdate, update_product
from connector.sync.models import Binding, BindingState
from connector.sync.plan import Action, plan_sync
from tests.connector.sync.fakes import CAPS, make_shop, products_of


def plan(session: Session, account):  # type: ignore[no-untyped-def]
    return plan_sync(session=session, account=account, capabilities=CAPS, image_profile=DEFAULT_PROFILE)


def bind_all(session: Session, account, state: BindingState = BindingState.active) -> None:  # type: ignore[no-untyped-def]
    for n, item in enumerate(plan(session, account).items):
        session.add(Binding(account_id=account.id, product_id=item.product_id, remote_id=f"R{n}", state=state,
                            payload=item.payload, payload_hash=item.payload_hash, plan_key=item.plan_key,
                            content_version=item.content_version, stock_version=item.stock_version))
    session.commit()


def test_new_products_are_created(session: Session) -> None:
    account = make_shop(session, count=3)
    result = plan(session, account)
    assert [i.action for i in result.items] == [Action.create] * 3
    assert result.counts()["create"] == 3
    assert result.items[0].listing is not None
    assert result.items[0].listing.category_id == "C-11"


def test_every_kind_of_action(session: Session) -> None:
    account = make_shop(session, count=6)
    bind_all(session, account)
    p = products_of(session, account)
    update_product(session=session, product=p[0], data=ProductUpdate(name="Miến dong đặc biệt"))
    update_product(session=session, product=p[1], data=ProductUpdate(stock=99))
    update_product(session=session, product=p[2], data=ProductUpdate(status=ProductStatus.archived))
    update_product(session=session, product=p[3], data=ProductUpdate(category_code="1.1.2"))  # not mapped
    binding = session.get(Binding, 5)
    assert binding is not None and binding.product_id == p[4].id
    session.delete(binding)
    session.commit()
    items = {i.sku: i for i in plan(session, account).items}
    assert items["SKU-0000"].action == Action.update
    assert set(items["SKU-0000"].diff) == {"title"}
    assert items["SKU-0000"].diff["title"] == ("Miến dong 0", "Miến dong đặc biệt")
    assert items["SKU-0001"].action == Action.stock_price
    assert items["SKU-0001"].diff == {"stock": (11, 99)}
    assert items["SKU-0002"].action == Action.delist
    assert items["SKU-0003"].action == Action.blocked
    assert items["SKU-0003"].reasons[0].code == "sync.category_unmapped"
    assert items["SKU-0004"].action == Action.create
    assert items["SKU-0005"].action == Action.unchanged


def test_rule_change_replans_prices(session: Session) -> None:
    account = make_shop(session, count=2)
    bind_all(session, account)
    account.rules = {"markup_percent": "10", "price_round_to": 1000}
    session.add(account)
    session.commit()
    items = plan(session, account).items
    assert [i.action for i in items] == [Action.stock_price] * 2
    assert items[0].diff == {"price": (50_000, 55_000)}


def test_pending_create_is_resolved_first(session: Session) -> None:
    account = make_shop(session, count=1)
    product = products_of(session, account)[0]
    session.add(Binding(account_id=account.id, product_id=product.id, state=BindingState.pending_create))
    session.commit()
    item = plan(session, account).items[0]
    assert (item.action, item.resolve) == (Action.create, True)


def test_archived_never_listed_is_left_out(session: Session) -> None:
    account = make_shop(session, count=2)
    update_product(session=session, product=products_of(session, account)[0],
                   data=ProductUpdate(status=ProductStatus.archived))
    assert [i.sku for i in plan(session, account).items] == ["SKU-0001"]


def test_missing_images_block(session: Session) -> None:
    account = make_shop(session, count=1, image_sha=None)
    item = plan(session, account).items[0]
    assert item.action == Action.blocked
    assert item.reasons[0].params == {"field": "images"}


def test_mapping_change_is_seen_by_the_shortcut(session: Session) -> None:
    account = make_shop(session, count=2)
    bind_all(session, account)
    assert {i.action for i in plan(session, account).items} == {Action.unchanged}
    set_category_mapping(session=session, category_code="1.1.1", marketplace="fake", remote_id="C-12")
    session.commit()
    items = plan(session, account).items
    assert [i.action for i in items] == [Action.update] * 2
    assert items[0].diff == {"category_id": ("C-11", "C-12")}
