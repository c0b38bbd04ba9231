"""The sandbox's world: shops, listings, images, tokens and orders, on a clock that can be moved.

Everything lives in memory; :meth:`SandboxState.save` writes one JSON file (on shutdown and
periodically when something changed, never per request) and :meth:`SandboxState.load` reads it
back, so accounts made against a sandbox keep working across runs.

Orders carry their whole timeline (placed, confirmed, shipping, delivered, completed — or
cancelled, or returned) drawn from a seeded generator when they are made; an order's status is
the last event at or before the sandbox clock, so moving the clock moves the orders.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import secrets
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from catalog.errors import ConfigurationError

# a new shop's credentials by marketplace (from its id and its number in the sandbox), as each contract names them
_CREDENTIALS: dict[str, Callable[[str, int], dict[str, str]]] = {
    "voso": lambda shop_id, _: {"username": f"shop-{shop_id}", "password": secrets.token_urlsafe(12)},
    "postmart": lambda _, number: {"partner_id": str(200000 + number), "partner_key": secrets.token_hex(16)},
    "generic": lambda _, __: {"api_key": "sk_" + secrets.token_urlsafe(18)},
}
MARKETPLACES = tuple(_CREDENTIALS)

PROVINCES = (
    "Hà Nội",
    "TP Hồ Chí Minh",
    "Đà Nẵng",
    "Hải Phòng",
    "Cần Thơ",
    "Nghệ An",
    "Thanh Hóa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Quảng Ninh",
    "Bắc Giang",
    "Sơn La",
)

REVIEW_DELAY = timedelta(minutes=10)


@dataclass
class Shop:
    shop_id: str
    marketplace: str
    name: str
    credentials: dict[str, str]
    backfilled: bool = False


@dataclass
class Product:
    id: int
    shop_id: str
    sku: str
    title: str
    description: str
    price: int
    stock: int
    unit: str
    category_id: str | None
    images: list[str]
    status: str  # pending | active | rejected | delisted
    created_at: str
    updated_at: str
    review_at: str | None = None
    review_outcome: list[dict[str, str]] | None = None  # None: approve; a list: reject with these reasons
    reasons: list[dict[str, str]] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    weight_g: int | None = None


@dataclass
class Order:
    id: str
    shop_id: str
    placed_at: str
    events: list[tuple[str, str]]  # (iso time, status): pending, confirmed, shipping, delivered, completed,
    lines: list[dict[str, Any]]  # cancelled, returned
    total: int
    province: str


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class SandboxState:
    """All the sandbox knows.  Methods are called from the event loop thread (and the control
    helpers from the test thread), so a lock guards the mutations."""

    def __init__(self, *, review_fraction: float = 0.0, backfill_months: int = 0, seed: int = 7) -> None:
        self.lock = threading.RLock()
        self.review_fraction = review_fraction
        self.backfill_months = backfill_months
        self.rng = random.Random(seed)
        self.seed = seed
        self.clock_offset = timedelta(0)
        self.shops: dict[str, Shop] = {}
        self.products: dict[int, Product] = {}
        self.sku_index: dict[tuple[str, str], list[int]] = {}
        self.pending: set[int] = set()  # ids of listings waiting for review
        self.orders: dict[str, Order] = {}
        self.images: dict[str, dict[str, Any]] = {}  # image id -> {sha256, size, shop_id}
        self.tokens: dict[str, dict[str, Any]] = {}  # token -> {shop_id, used, expires}
        self.page_tokens: dict[str, dict[str, Any]] = {}
        self.counts: Counter[str] = Counter()
        self.next_product_id = 100001
        self.next_order = 1
        self.dirty = False

    # -- clock --------------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    def advance_clock(self, delta: timedelta) -> datetime:
        with self.lock:
            self.clock_offset += delta
            self.dirty = True
            return self.now()

    # -- shops --------------------------------------------------------------------------------

    def create_shop(self, marketplace: str, name: str) -> Shop:
        with self.lock:
            number = len(self.shops) + 1
            shop_id = f"{marketplace[:2]}{number:04d}{secrets.token_hex(2)}"
            creds = _CREDENTIALS[marketplace](shop_id, number)
            shop = Shop(shop_id=shop_id, marketplace=marketplace, name=name, credentials=creds)
            self.shops[shop_id] = shop
            self.dirty = True
            return shop

    def shop_by(self, marketplace: str, key: str, value: str) -> Shop | None:
        for shop in self.shops.values():
            if shop.marketplace == marketplace and shop.credentials.get(key) == value:
                return shop
        return None

    # -- tokens -------------------------------------------------------------------------------

    def issue_token(self, shop: Shop, *, lifetime: timedelta) -> tuple[str, int]:
        with self.lock:
            token = "vt_" + secrets.token_urlsafe(24)
            self.tokens[token] = {"shop_id": shop.shop_id, "used": 0, "expires": _iso(datetime.now(UTC) + lifetime)}
            return token, int(lifetime.total_seconds())

    def use_token(self, token: str, *, ttl_requests: int | None) -> tuple[Shop | None, str]:
        """The token's shop and ``ok``, or None and ``unknown`` / ``expired``."""
        with self.lock:
            record = self.tokens.get(token)
            if record is None:
                return None, "unknown"
            record["used"] += 1
            expired = datetime.now(UTC) >= _time(record["expires"])
            if ttl_requests is not None and record["used"] > ttl_requests:
                expired = True
            if expired:
                return None, "expired"
            return self.shops.get(record["shop_id"]), "ok"

    # -- products -----------------------------------------------------------------------------

    def create_product(self, shop: Shop, fields: dict[str, Any]) -> Product:
        with self.lock:
            now = self.now()
            pid = self.next_product_id
            self.next_product_id += 1
            product = Product(
                id=pid, shop_id=shop.shop_id, status="active", created_at=_iso(now), updated_at=_iso(now), **fields
            )
            if self.review_fraction > 0 and self.rng.random() < self.review_fraction:
                product.status = "pending"
                product.review_at = _iso(now + REVIEW_DELAY)
                if self.rng.random() < 0.3:
                    product.review_outcome = self.rng.choice(
                        [
                            [{"field": "images", "message": "Ảnh chính có chữ hoặc logo chèn lên sản phẩm."}],
                            [{"field": "title", "message": "Tên sản phẩm không được chứa số điện thoại."}],
                            [{"field": "category_id", "message": "Ngành hàng không phù hợp với sản phẩm."}],
                        ]
                    )
            self.products[pid] = product
            if product.status == "pending":
                self.pending.add(pid)
            self.sku_index.setdefault((shop.shop_id, product.sku), []).append(pid)
            self.dirty = True
            return product

    def update_product(self, product: Product, fields: dict[str, Any]) -> Product:
        with self.lock:
            old_sku = product.sku
            for key, value in fields.items():
                setattr(product, key, value)
            if product.sku != old_sku:
                self.sku_index.get((product.shop_id, old_sku), []).remove(product.id)
                self.sku_index.setdefault((product.shop_id, product.sku), []).append(product.id)
            if product.status == "rejected":  # a corrected listing goes back to review
                product.status = "pending"
                product.review_at = _iso(self.now() + REVIEW_DELAY)
                product.review_outcome = None
                product.reasons = []
                self.pending.add(product.id)
            product.updated_at = _iso(self.now())
            self.dirty = True
            return product

    def product(self, shop: Shop, pid: int) -> Product | None:
        self.resolve_reviews()
        product = self.products.get(pid)
        if product is None or product.shop_id != shop.shop_id:
            return None
        return product

    def by_sku(self, shop: Shop, sku: str) -> list[Product]:
        self.resolve_reviews()
        return [self.products[pid] for pid in self.sku_index.get((shop.shop_id, sku), [])]

    def resolve_reviews(self, *, force: bool = False) -> int:
        """Settle pending listings whose review time has come (all of them with ``force``)."""
        if not self.pending:
            return 0
        now = self.now()
        settled = 0
        with self.lock:
            for pid in sorted(self.pending):
                product = self.products[pid]
                if product.status != "pending" or product.review_at is None:
                    self.pending.discard(pid)
                    continue
                if force or _time(product.review_at) <= now:
                    if product.review_outcome:
                        product.status, product.reasons = "rejected", list(product.review_outcome)
                    else:
                        product.status, product.reasons = "active", []
                    product.review_at = None
                    product.updated_at = _iso(now)
                    self.pending.discard(pid)
                    settled += 1
            if settled:
                self.dirty = True
        return settled

    # -- images -------------------------------------------------------------------------------

    def store_image(self, shop: Shop, data: bytes) -> str:
        with self.lock:
            digest = hashlib.sha256(data).hexdigest()
            # ids are per shop: two shops uploading the same photo must not take each other's image
            image_id = "img_" + hashlib.sha256(f"{shop.shop_id}:{digest}".encode()).hexdigest()[:24]
            self.images[image_id] = {"sha256": digest, "size": len(data), "shop_id": shop.shop_id}
            self.dirty = True
            return image_id

    # -- orders -------------------------------------------------------------------------------

    def _make_order(self, shop: Shop, placed: datetime, rng: random.Random) -> Order | None:
        listed = [p for p in self.products.values() if p.shop_id == shop.shop_id and p.status == "active"]
        if not listed:
            return None
        lines = []
        for product in rng.sample(listed, k=min(len(listed), rng.choice((1, 1, 1, 2, 3)))):
            quantity = rng.choice((1, 1, 2, 3, 5))
            lines.append(
                {
                    "product_id": product.id,
                    "sku": product.sku,
                    "title": product.title,
                    "quantity": quantity,
                    "unit_price": product.price,
                    "amount": product.price * quantity,
                }
            )
        events = [(_iso(placed), "pending")]
        moment = placed
        roll = rng.random()
        for status, hours in (
            ("confirmed", rng.uniform(0.5, 20)),
            ("shipping", rng.uniform(4, 30)),
            ("delivered", rng.uniform(24, 96)),
            ("completed", rng.uniform(48, 168)),
        ):
            if status == "confirmed" and roll < 0.08:
                events.append((_iso(moment + timedelta(hours=rng.uniform(1, 24))), "cancelled"))
                break
            if status == "completed" and roll > 0.95:
                events.append((_iso(moment + timedelta(hours=rng.uniform(24, 120))), "returned"))
                break
            moment = moment + timedelta(hours=hours)
            events.append((_iso(moment), status))
        order_id = f"{shop.marketplace[:2].upper()}{placed.strftime('%y%m%d')}{self.next_order:06d}"
        self.next_order += 1
        order = Order(
            id=order_id,
            shop_id=shop.shop_id,
            placed_at=_iso(placed),
            events=events,
            lines=lines,
            total=sum(int(str(line["amount"])) for line in lines),
            province=rng.choice(PROVINCES),
        )
        self.orders[order_id] = order
        return order

    def generate_orders(self, count: int | None = None, *, shop_id: str | None = None) -> list[str]:
        """New orders placed in the last hour for listed products (``count`` per shop, default 1–5)."""
        made: list[str] = []
        with self.lock:
            self.resolve_reviews()
            now = self.now()
            for shop in list(self.shops.values()):
                if shop_id is not None and shop.shop_id != shop_id:
                    continue
                n = count if count is not None else self.rng.randint(1, 5)
                for _ in range(n):
                    order = self._make_order(shop, now - timedelta(minutes=self.rng.uniform(1, 60)), self.rng)
                    if order is not None:
                        made.append(order.id)
            if made:
                self.dirty = True
        return made

    def ensure_backfill(self, shop: Shop) -> int:
        """Months of history for a shop with listings, once (``backfill_months`` of the run)."""
        if self.backfill_months <= 0 or shop.backfilled:
            return 0
        with self.lock:
            if not any(p.shop_id == shop.shop_id and p.status == "active" for p in self.products.values()):
                return 0
            rng = random.Random(f"{self.seed}:{shop.shop_id}")
            now = self.now()
            start = now - timedelta(days=30 * self.backfill_months)
            made = 0
            day = start
            while day < now - timedelta(days=1):
                for _ in range(rng.randint(0, 3)):
                    if self._make_order(shop, day + timedelta(hours=rng.uniform(6, 22)), rng) is not None:
                        made += 1
                day += timedelta(days=1)
            shop.backfilled = True
            self.dirty = True
            return made

    @staticmethod
    def status_at(order: Order, moment: datetime) -> tuple[str, datetime] | None:
        """The order's status and its time at ``moment`` (None: not placed yet)."""
        current = None
        for when, status in order.events:
            at = _time(when)
            if at <= moment:
                current = (status, at)
        return current

    def orders_updated(self, shop: Shop, since: datetime, until: datetime) -> list[tuple[Order, str, datetime]]:
        """The shop's orders whose last status change up to now falls in ``[since, until)``, oldest first."""
        now = self.now()
        out = []
        for order in self.orders.values():
            if order.shop_id != shop.shop_id:
                continue
            state = self.status_at(order, now)
            if state is None:
                continue
            status, at = state
            if since <= at < until:
                out.append((order, status, at))
        out.sort(key=lambda item: (item[2], item[0].id))
        return out

    # -- page tokens --------------------------------------------------------------------------

    def page_token(self, payload: dict[str, Any]) -> str:
        with self.lock:
            token = secrets.token_urlsafe(12)
            self.page_tokens[token] = payload
            if len(self.page_tokens) > 10_000:
                self.page_tokens.pop(next(iter(self.page_tokens)))
            return token

    # -- inspection ---------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        self.resolve_reviews()
        with self.lock:
            accounts: dict[str, Any] = {}
            for shop in self.shops.values():
                mine = [p for p in self.products.values() if p.shop_id == shop.shop_id]
                by_sku = Counter(p.sku for p in mine if p.status != "delisted")
                accounts[shop.shop_id] = {
                    "marketplace": shop.marketplace,
                    "name": shop.name,
                    "listings": len(mine),
                    "by_status": dict(Counter(p.status for p in mine)),
                    "duplicates": {sku: n for sku, n in sorted(by_sku.items()) if n > 1},
                    "orders": sum(1 for o in self.orders.values() if o.shop_id == shop.shop_id),
                }
            return {
                "now": _iso(self.now()),
                "accounts": accounts,
                "listings": sum(a["listings"] for a in accounts.values()),
                "duplicates": sum(n - 1 for a in accounts.values() for n in a["duplicates"].values()),
                "orders": len(self.orders),
                "images": len(self.images),
                "requests": dict(sorted(self.counts.items())),
            }

    # -- persistence --------------------------------------------------------------------------

    def to_json(self) -> str:
        """The whole state as one JSON text, written under the lock straight from the records
        (no intermediate copy: the autosave runs every few seconds while requests are served)."""
        with self.lock:
            return json.dumps({
                "version": 1,
                "clock_offset": self.clock_offset.total_seconds(),
                "next_product_id": self.next_product_id,
                "next_order": self.next_order,
                "shops": list(self.shops.values()),
                "products": list(self.products.values()),
                "orders": list(self.orders.values()),
                "images": self.images,
                "tokens": self.tokens,
            }, ensure_ascii=False, default=vars)  # a record (dataclass) is written as its fields

    def save(self, path: Path) -> None:
        with self.lock:  # re-entrant: a change made after the snapshot keeps the state dirty
            text = self.to_json()
            self.dirty = False
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def load(self, path: Path) -> None:
        if not path.exists():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not {"next_product_id", "next_order", "shops"} <= data.keys():
                raise ValueError("not a sandbox state")
        except (OSError, UnicodeError, ValueError) as exc:  # kept as it is: never saved over
            raise ConfigurationError("adapters.sandbox_state_invalid", path=str(path),
                                     detail=(exc.strerror if isinstance(exc, OSError) else None)
                                     or "không phải JSON trạng thái / not a state JSON") from None
        with self.lock:
            self.clock_offset = timedelta(seconds=float(data.get("clock_offset", 0)))
            self.next_product_id = int(data["next_product_id"])
            self.next_order = int(data["next_order"])
            self.shops = {s["shop_id"]: Shop(**s) for s in data["shops"]}
            self.products = {}
            self.sku_index = {}
            self.pending = set()
            for raw in data["products"]:
                product = Product(**raw)
                self.products[product.id] = product
                self.sku_index.setdefault((product.shop_id, product.sku), []).append(product.id)
                if product.status == "pending":
                    self.pending.add(product.id)
            self.orders = {}
            for raw in data["orders"]:
                raw["events"] = [tuple(e) for e in raw["events"]]
                order = Order(**raw)
                self.orders[order.id] = order
            self.images = dict(data.get("images", {}))
            self.tokens = dict(data.get("tokens", {}))
            self.dirty = False
