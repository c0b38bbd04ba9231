"""An in-memory marketplace for order tests: a shop, its orders, windows and cursor pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import Session

from adapters.base import (
    AccountConfig,
    Adapter,
    Capabilities,
    Listing,
    OrderPage,
    OrderStatus,
    RemoteImageRef,
    RemoteListing,
    RemoteOrder,
    RemoteOrderLine,
)
from catalog.errors import RejectedError
from catalog.images import DEFAULT_PROFILE, ImageProfile
from catalog.producers import Producer, ProducerCreate, ProducerKind, create_producer
from catalog.products import Product, ProductCreate, create_product
from connector.accounts import MarketplaceAccount

T0 = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


def make_shop(session: Session, *, code: str = "HTX-01", marketplace: str = "voso", unit_vn2004: str | None = "01843",
              unit_vn2025: str | None = "01843", kind: ProducerKind = ProducerKind.cooperative,
              skus: Sequence[str] = ("MIEN-500", "GAO-2KG"), stock: int = 1000,
              account_name: str | None = None) -> tuple[Producer, list[Product], MarketplaceAccount]:
    producer = create_producer(session=session, data=ProducerCreate(
        code=code, name=f"HTX {code}", kind=kind, unit_vn2004=unit_vn2004, unit_vn2025=unit_vn2025))
    products = [create_product(session=session, producer=producer,
                               data=ProductCreate(sku=sku, name=f"Sản phẩm {sku}", price=50_000, stock=stock))
                for sku in skus]
    assert producer.id is not None
    account = MarketplaceAccount(name=account_name or f"{marketplace}-{code.lower()}", marketplace=marketplace,
                                 producer_id=producer.id, base_url="http://fake.invalid")
    session.add(account)
    session.flush()
    return producer, products, account


def order(remote_id: str, status: OrderStatus = OrderStatus.confirmed, *, placed: datetime = T0,
          updated: datetime | None = None, lines: Sequence[tuple[str, int, int]] = (("MIEN-500", 2, 45_000),)
          ) -> RemoteOrder:
    """An order whose lines are (sku, quantity, unit price)."""
    remote_lines = tuple(RemoteOrderLine(sku=sku, quantity=q, unit_price=p, amount=q * p) for sku, q, p in lines)
    return RemoteOrder(remote_id=remote_id, status=status, raw_status=status.value.upper(), placed_at=placed,
                       updated_at=updated or placed, total=sum(x.amount for x in remote_lines), lines=remote_lines)


class FakeAdapter(Adapter):
    """Serves ``orders`` by ``updated_at`` window, ``page_size`` per page, refusing windows over the maximum."""

    key = "fake"

    def __init__(self, orders: Sequence[RemoteOrder] = (), *, page_size: int = 3,
                 max_window: timedelta | None = timedelta(days=7)) -> None:
        super().__init__(AccountConfig(name="fake", marketplace="fake", base_url="http://fake.invalid"),
                         httpx.AsyncClient())
        self.orders = list(orders)
        self.page_size = page_size
        self.max_window = max_window
        self.calls: list[tuple[datetime, datetime, str | None]] = []

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(max_order_window=self.max_window, pagination="cursor")

    @property
    def image_profile(self) -> ImageProfile:
        return DEFAULT_PROFILE

    async def list_orders(self, *, since: datetime, until: datetime, cursor: str | None = None) -> OrderPage:
        self.calls.append((since, until, cursor))
        if self.max_window is not None and until - since > self.max_window:
            raise RejectedError("market.fatal", marketplace="fake", detail="window too long")
        found = sorted((o for o in self.orders if since <= o.updated_at < until), key=lambda o: o.updated_at)
        start = int(cursor or 0)
        page = found[start:start + self.page_size]
        following = start + self.page_size
        return OrderPage(tuple(page), str(following) if following < len(found) else None)

    async def upsert_listing(self, listing: Listing, *, remote_id: str | None = None) -> RemoteListing:
        raise RejectedError("market.fatal", marketplace="fake", detail="orders only")

    async def find_by_sku(self, sku: str) -> RemoteListing | None:
        return None

    async def get_listing(self, remote_id: str) -> RemoteListing:
        raise RejectedError("market.fatal", marketplace="fake", detail="orders only")

    async def update_stock_price(self, remote_id: str, *, price: int, stock: int) -> RemoteListing:
        raise RejectedError("market.fatal", marketplace="fake", detail="orders only")

    async def delist(self, remote_id: str) -> None:
        return None

    async def upload_image(self, data: bytes, *, filename: str, sha256: str) -> RemoteImageRef:
        raise RejectedError("market.fatal", marketplace="fake", detail="orders only")

    async def refresh_auth(self) -> None:
        return None

    async def aclose(self) -> None:
        await self.client.aclose()
