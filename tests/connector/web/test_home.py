"""A cooperative's home: orders awaiting confirmation with their deadline, rejected listings and why, low stock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from catalog.producers import Producer
from connector.accounts import MarketplaceAccount
from connector.orders.models import SalesOrder
from connector.sync.models import Binding, BindingState, PushResult
from tests.connector.web.conftest import TestClient, World, login


def _shop(session: Session, code: str, name: str) -> MarketplaceAccount:
    producer = session.exec(select(Producer).where(Producer.code == code)).one()
    account = MarketplaceAccount(name=name, marketplace="voso", producer_id=producer.id or 0)
    session.add(account)
    session.flush()
    return account


def test_home_shows_orders_rejections_and_low_stock_of_its_own_producer(app_client: TestClient,
                                                                        world: World) -> None:
    placed = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)
    with Session(world.engine) as session:
        own, other = _shop(session, world.own_code, "htx-na-voso"), _shop(session, world.other_code, "khac-voso")
        for account, remote in ((own, "VS-1001"), (other, "VS-2002")):
            session.add(SalesOrder(account_id=account.id or 0, remote_id=remote, status="pending",
                                   raw_status="Chờ xác nhận", placed_at=placed, updated_at=placed, total=130000,
                                   confirm_by=datetime(2025, 9, 2, 2, 0, tzinfo=UTC)))
        session.add(Binding(account_id=own.id or 0, product_id=world.own_product, state=BindingState.rejected,
                            last_error={"code": "market.rejected", "message": "Ảnh quá nhỏ",
                                        "fields": {"images": "tối thiểu 800px"}}))
        session.add(Binding(account_id=other.id or 0, product_id=world.other_product, state=BindingState.rejected,
                            last_error={"code": "market.rejected", "message": "Sai danh mục"}))
        session.commit()
    login(app_client, "htx-na")
    page = app_client.get("/home").text
    assert "VS-1001" in page and "VS-2002" not in page
    assert "09:00 02/09/2025" in page  # the deadline in Asia/Ho_Chi_Minh
    assert "Ảnh quá nhỏ — images: tối thiểu 800px" in page and "Sai danh mục" not in page
    assert "Miến dong Nà Rì 500g" in page  # stock 3: running low
    listings = app_client.get("/listings").text
    assert "Ảnh quá nhỏ" in listings and "Chè Shan tuyết" not in listings


def test_a_live_listing_whose_last_update_failed_says_both(app_client: TestClient, world: World) -> None:
    with Session(world.engine) as session:
        own = _shop(session, world.own_code, "htx-na-voso")
        own.credentials_encrypted = "x"  # connected: the page offers a retry
        session.add(own)
        session.add(Binding(account_id=own.id or 0, product_id=world.own_product, state=BindingState.active,
                            remote_id="VS-77", remote_url="https://voso.vn/p/VS-77", push_result=PushResult.failed,
                            push_error={"code": "market.auth", "message": "Sai thông tin đăng nhập"},
                            pushed_at=datetime(2025, 9, 1, 2, 0, tzinfo=UTC)))
        session.commit()
    login(app_client, "htx-na")
    for path in ("/listings", "/home"):
        page = app_client.get(path).text
        assert "Đang bán</span>; <span" in page, path  # live, and then what went wrong
        assert "lần cập nhật gần nhất bị lỗi: Sai thông tin đăng nhập" in page, path
        assert "/retry" in page, path
    data = app_client.get("/api/listings").json()["data"]
    assert [(d["state"], d["last_push"]["result"], d["last_push"]["error"]) for d in data] == [
        ("active", "failed", "Sai thông tin đăng nhập")]
