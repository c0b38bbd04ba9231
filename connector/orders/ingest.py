"""The one service path for orders: pulled from an API or read from a seller-centre export.

:func:`ingest_orders` upserts a batch of one account's orders by (account, remote id), keeps each
distinct status seen in the history, and brings the ledger and the stock in line with each
order's latest state, so that any sequence of pages (duplicates, overlaps, out-of-order updates)
leaves the same ledger totals and stock as the orders' final states:

- a state only replaces the stored one when its ``updated_at`` is newer (a late page of older
  states is recorded in the history as not applied);
- an order that reaches a counted status (:mod:`connector.ledger.policy`) gets one sale entry per
  line, dated when it was placed; a counted order that stops counting gets reversals, dated when
  it changed, that net its entries to zero;
- an order takes its quantities off the stock once while it is neither cancelled nor returned,
  and puts them back when it becomes so; only ``stock_version`` is bumped.

Everything is written with bulk statements (a batch costs a handful of round trips whatever its
size), which is what lets a million lines go in at tens of thousands per second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, case, select, update
from sqlmodel import Session

from adapters.base import RemoteOrder
from catalog.errors import LedgerError
from catalog.ocop import OcopCertification, stars_as_of
from catalog.producers import Producer, ProducerKind, utcnow
from catalog.products import Product
from connector.accounts import MarketplaceAccount
from connector.ledger.booking import Booked, Booking, as_utc, load_booking, local_day
from connector.ledger.entries import Writer as BulkWriter
from connector.ledger.entries import record_entries
from connector.ledger.models import LedgerEntry
from connector.ledger.policy import CountingPolicy, channel_kind, policy_from_env
from connector.orders.models import OrderLine, OrderStatusChange, SalesOrder

CHUNK = 900  # ids per IN (...) list
ORDER_COLUMNS = ("id", "account_id", "remote_id", "status", "raw_status", "placed_at", "updated_at", "total",
                 "confirm_by", "buyer_province", "counted", "stock_taken", "source", "recorded_by", "first_seen_at")
LINE_COLUMNS = ("id", "order_id", "sku", "quantity", "unit_price", "amount", "product_id", "remote_listing_id",
                "title")
HISTORY_COLUMNS = ("order_id", "status", "raw_status", "changed_at", "applied", "recorded_at")
MOVE_COLUMNS = ("product_id", "order_id", "quantity", "reason", "created_at")

_ORDER = SalesOrder.__table__  # type: ignore[attr-defined]
_LINE = OrderLine.__table__  # type: ignore[attr-defined]
_HISTORY = OrderStatusChange.__table__  # type: ignore[attr-defined]
_ENTRY = LedgerEntry.__table__  # type: ignore[attr-defined]
_PRODUCT = Product.__table__  # type: ignore[attr-defined]


@dataclass
class IngestResult:
    account: str
    orders_new: int = 0
    orders_updated: int = 0
    orders_unchanged: int = 0
    lines: int = 0
    sales: int = 0
    reversals: int = 0
    adjustments: int = 0
    stock_movements: int = 0
    unknown_skus: list[str] = field(default_factory=list)

    def merge(self, other: IngestResult) -> None:
        for name in ("orders_new", "orders_updated", "orders_unchanged", "lines", "sales", "reversals",
                     "adjustments", "stock_movements"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unknown_skus = sorted(set(self.unknown_skus) | set(other.unknown_skus))


def platform_of(account: MarketplaceAccount) -> str:
    """The platform an account's sales count under (a generic account: its profile's name)."""
    return (account.profile or account.marketplace) if account.marketplace == "generic" else account.marketplace


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class _Context:
    """What every entry of one account copies: platform, producer, units, products and their stars."""

    def __init__(self, session: Session, account: MarketplaceAccount, booking: Booking) -> None:
        producer = session.get(Producer, account.producer_id)
        if producer is None or account.id is None:
            raise LedgerError("ledger.account_unusable", account=account.name)
        self.account_id: int = account.id
        self.booking = booking
        self.platform = platform_of(account)
        self.base = {"account_id": account.id, "platform": self.platform,
                     "channel_kind": channel_kind(self.platform), "producer_id": producer.id,
                     "producer_kind": ProducerKind(producer.kind).value,
                     "unit_vn2004": producer.unit_vn2004, "unit_vn2025": producer.unit_vn2025}
        self.by_sku: dict[str, int] = {sku: pid for sku, pid in session.execute(
            select(_PRODUCT.c.sku, _PRODUCT.c.id).where(_PRODUCT.c.producer_id == producer.id))}
        self.by_listing = _bound_listings(session, account.id)
        certs: dict[int, list[OcopCertification]] = defaultdict(list)
        if self.by_sku:
            for cert in session.execute(select(OcopCertification).where(
                    OcopCertification.product_id.in_(list(self.by_sku.values())))).scalars():  # type: ignore[attr-defined]
                certs[cert.product_id].append(cert)
        self.certs = dict(certs)
        self._stars: dict[tuple[int, date], int | None] = {}
        self._booked: dict[datetime, tuple[Booked, datetime, date]] = {}

    def product_for(self, sku: str, remote_listing_id: str | None) -> int | None:
        found = self.by_sku.get(sku)
        if found is None and remote_listing_id:
            found = self.by_listing.get(remote_listing_id)
        return found

    def stars(self, product_id: int | None, day: date) -> int | None:
        if product_id not in self.certs:
            return None
        assert product_id is not None
        key = (product_id, day)
        if key not in self._stars:
            self._stars[key] = stars_as_of(self.certs[product_id], day)
        return self._stars[key]

    def day_of(self, occurred_at: datetime) -> date:
        return self._booked[occurred_at][2] if occurred_at in self._booked else local_day(occurred_at)

    def entry(self, *, kind: str, order_id: int, line_id: int | None, product_id: int | None, quantity: int,
              amount: int, occurred_at: datetime, source: str, recorded_by: str | None,
              now: datetime) -> dict[str, Any]:
        hit = self._booked.get(occurred_at)
        if hit is None:  # the lines of an order share their times: convert once
            hit = self._booked[occurred_at] = (self.booking.book(occurred_at), as_utc(occurred_at),
                                               local_day(occurred_at))
        booked, utc, day = hit
        return {**self.base, "kind": kind, "order_id": order_id, "order_line_id": line_id, "product_id": product_id,
                "ocop_stars": self.stars(product_id, day) if product_id in self.certs else None,
                "quantity": quantity, "amount": amount, "occurred_at": utc, "booked_at": booked.at,
                "booked_day": booked.day, "booked_month": booked.month, "adjusts": booked.adjusts,
                "source": source, "reference": None, "recorded_by": recorded_by, "recorded_at": now}


def _bound_listings(session: Session, account_id: int) -> dict[str, int]:
    """remote listing id → product id from the sync engine's bindings, when that table exists."""
    try:
        from connector.sync import models as sync_models
    except ImportError:  # pragma: no cover - the sync package is part of the project
        return {}
    binding = getattr(sync_models, "Binding", None)
    if binding is None:
        return {}
    table = binding.__table__
    rows = session.execute(select(table.c.remote_id, table.c.product_id).where(table.c.account_id == account_id))
    return {str(remote): pid for remote, pid in rows if remote}


@dataclass
class _Stored:
    id: int
    status: str
    updated_at: datetime
    counted: bool
    stock_taken: bool


@dataclass
class _Plan:
    """One remote order's versions in this batch, reduced to what must be written."""

    final: RemoteOrder
    changed: bool = False
    history: list[tuple[str, str, datetime, bool]] = field(default_factory=list)  # status, raw, at, applied


def _plan(versions: list[RemoteOrder], stored: _Stored | None,
          seen: set[tuple[str, datetime]]) -> _Plan:
    current_at = as_utc(stored.updated_at) if stored else None
    plan = _Plan(final=versions[0], changed=stored is None)
    for i, version in enumerate(versions):
        at = as_utc(version.updated_at)
        applied = (stored is None and i == 0) or current_at is None or at > current_at
        if applied:
            plan.final, current_at = version, at
            plan.changed = plan.changed or stored is not None
        key = (version.status.value, at)
        if key not in seen:
            seen.add(key)
            plan.history.append((version.status.value, version.raw_status, at, applied))
    return plan


def ingest_orders(*, session: Session, account: MarketplaceAccount, orders: Sequence[RemoteOrder],
                  source: str = "api", recorded_by: str | None = None,
                  policy: CountingPolicy | None = None, now: datetime | None = None) -> IngestResult:
    """Upsert one account's orders and bring the ledger and the stock in line (see the module doc)."""
    policy = policy or policy_from_env()
    now = as_utc(now or utcnow())
    session.flush()
    ctx = _Context(session, account, load_booking(session=session))
    result = IngestResult(account=account.name)
    versions: dict[str, list[RemoteOrder]] = defaultdict(list)
    for order in orders:
        versions[order.remote_id].append(order)
    stored = _load_stored(session, ctx.account_id, list(versions))
    seen = _load_seen(session, [s.id for s in stored.values()])
    plans = {rid: _plan(v, stored.get(rid), seen[stored[rid].id] if rid in stored else set())
             for rid, v in versions.items()}
    writer = _Writer(session, ctx, policy, source, recorded_by, now, result)
    writer.create([(rid, p) for rid, p in plans.items() if rid not in stored])
    changed = [(stored[rid], p) for rid, p in plans.items() if rid in stored and p.changed]
    result.orders_unchanged = sum(1 for rid, p in plans.items() if rid in stored and not p.changed)
    writer.update(changed)
    writer.history([(stored[rid].id, p) for rid, p in plans.items() if rid in stored])
    writer.flush()
    return result


def _load_stored(session: Session, account_id: int, remote_ids: list[str]) -> dict[str, _Stored]:
    out: dict[str, _Stored] = {}
    c = _ORDER.c
    for part in chunks(remote_ids):
        query = select(c.remote_id, c.id, c.status, c.updated_at, c.counted, c.stock_taken).where(
            c.account_id == account_id, c.remote_id.in_(part))
        for rid, oid, status, at, counted, taken in session.execute(query):
            out[rid] = _Stored(oid, status, at, bool(counted), bool(taken))
    return out


def _load_seen(session: Session, order_ids: list[int]) -> dict[int, set[tuple[str, datetime]]]:
    out: dict[int, set[tuple[str, datetime]]] = defaultdict(set)
    for part in chunks(order_ids):
        for oid, status, at in session.execute(select(_HISTORY.c.order_id, _HISTORY.c.status, _HISTORY.c.changed_at)
                                               .where(_HISTORY.c.order_id.in_(part))):
            out[oid].add((status, as_utc(at)))
    return out


class _Writer:
    def __init__(self, session: Session, ctx: _Context, policy: CountingPolicy, source: str,
                 recorded_by: str | None, now: datetime, result: IngestResult) -> None:
        self.session, self.ctx, self.policy, self.source = session, ctx, policy, source
        self.recorded_by, self.now, self.result = recorded_by, now, result
        self.out = BulkWriter(session)
        self.entries: list[dict[str, Any]] = []
        self.moves: list[tuple[Any, ...]] = []  # MOVE_COLUMNS
        self.stock: dict[int, int] = defaultdict(int)
        self.unknown: set[str] = set()

    def _order_row(self, order: RemoteOrder) -> dict[str, Any]:
        return {"status": order.status.value, "raw_status": order.raw_status[:60],
                "updated_at": as_utc(order.updated_at), "total": order.total,
                "confirm_by": as_utc(order.confirm_by) if order.confirm_by else None,
                "counted": self.policy.counts(order.status.value),
                "stock_taken": self.policy.takes_stock(order.status.value)}

    def create(self, plans: list[tuple[str, _Plan]]) -> None:
        if not plans:
            return
        out, policy, now = self.out, self.policy, self.out.when(self.now)
        ids = out.reserve_ids("sales_order", len(plans))
        rows = []
        for oid, (rid, plan) in zip(ids, plans, strict=True):
            o, status = plan.final, plan.final.status.value
            rows.append((oid, self.ctx.account_id, rid, status, o.raw_status[:60], out.when(o.placed_at),
                         out.when(o.updated_at), o.total, out.when(o.confirm_by), o.buyer_province,
                         out.flag(policy.counts(status)), out.flag(policy.takes_stock(status)), self.source,
                         self.recorded_by, now))
        out.insert("sales_order", ORDER_COLUMNS, rows)
        self.result.orders_new += len(ids)
        line_ids = iter(out.reserve_ids("order_line", sum(len(p.final.lines) for _rid, p in plans)))
        line_rows: list[tuple[Any, ...]] = []
        product_for = self.ctx.product_for
        for oid, (_rid, plan) in zip(ids, plans, strict=True):
            lines: list[tuple[int, dict[str, Any]]] = []
            for line in plan.final.lines:
                pid = product_for(line.sku, line.remote_listing_id)
                if pid is None:
                    self.unknown.add(line.sku)
                lid = next(line_ids)
                line_rows.append((lid, oid, line.sku[:80], line.quantity, line.unit_price, line.amount, pid,
                                  line.remote_listing_id, line.title[:255] if line.title else None))
                lines.append((lid, {"product_id": pid, "quantity": line.quantity, "amount": line.amount}))
            self._take(oid, plan.final, lines, counted=False, taken=False)
        out.insert("order_line", LINE_COLUMNS, line_rows)
        self.result.lines += len(line_rows)
        self.history([(oid, plan) for oid, (_rid, plan) in zip(ids, plans, strict=True)])

    def _take(self, oid: int, order: RemoteOrder, lines: list[tuple[int, dict[str, Any]]], *, counted: bool,
              taken: bool) -> None:
        """Sales and stock for an order that was neither counted nor taken (as far as the flags say)."""
        status = order.status.value
        if not counted and self.policy.counts(status):
            self._sell(oid, order, lines)
        if not taken and self.policy.takes_stock(status):
            for _lid, row in lines:
                self._move(row["product_id"], oid, -row["quantity"], "sale" if status != "pending" else "reserved")

    def _sell(self, oid: int, order: RemoteOrder, lines: list[tuple[int, dict[str, Any]]]) -> None:
        if not lines:
            self._add(self.ctx.entry(kind="sale", order_id=oid, line_id=None, product_id=None, quantity=0,
                                     amount=order.total, occurred_at=order.placed_at, source=self.source,
                                     recorded_by=self.recorded_by, now=self.now))
            return
        shared = self.ctx.entry(kind="sale", order_id=oid, line_id=None, product_id=None, quantity=0, amount=0,
                                occurred_at=order.placed_at, source=self.source, recorded_by=self.recorded_by,
                                now=self.now)
        day, stars = self.ctx.day_of(order.placed_at), self.ctx.stars
        for lid, row in lines:  # the order's shared part once, then what differs per line
            pid = row["product_id"]
            self._add({**shared, "order_line_id": lid, "product_id": pid, "quantity": row["quantity"],
                       "amount": row["amount"], "ocop_stars": stars(pid, day)})

    def _add(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)
        if entry["kind"] == "sale":
            self.result.sales += 1
        else:
            self.result.reversals += 1
        if entry["adjusts"]:
            self.result.adjustments += 1

    def _move(self, product_id: int | None, oid: int, quantity: int, reason: str) -> None:
        if product_id is None or quantity == 0:
            return
        self.moves.append((product_id, oid, quantity, reason, self.out.when(self.now)))
        self.stock[product_id] += quantity

    def update(self, changed: list[tuple[_Stored, _Plan]]) -> None:
        if not changed:
            return
        ids = [s.id for s, _ in changed]
        lines = _load_lines(self.session, ids)
        nets = _load_nets(self.session, ids)
        updates = []
        for stored, plan in changed:
            order, status = plan.final, plan.final.status.value
            counts, takes = self.policy.counts(status), self.policy.takes_stock(status)
            if stored.counted and not counts:
                self._reverse(stored.id, order.updated_at, nets.get(stored.id, {}))
            if stored.stock_taken and not takes:
                for _lid, row in lines.get(stored.id, []):
                    self._move(row["product_id"], stored.id, row["quantity"], status)
            self._take(stored.id, order, lines.get(stored.id, []), counted=stored.counted, taken=stored.stock_taken)
            updates.append({**self._order_row(order), "oid": stored.id})
        statement = update(_ORDER).where(_ORDER.c.id == bindparam("oid"))
        self.session.execute(statement, updates, execution_options={"synchronize_session": False})
        self.result.orders_updated += len(updates)

    def _reverse(self, oid: int, at: datetime, nets: dict[int | None, dict[str, Any]]) -> None:
        for net in nets.values():
            if net["amount"] == 0 and net["quantity"] == 0:
                continue
            booked = self.ctx.booking.book(at)
            self._add({**net["dims"], "kind": "reversal", "order_id": oid, "amount": -net["amount"],
                       "quantity": -net["quantity"], "occurred_at": as_utc(at), "booked_at": booked.at,
                       "booked_day": booked.day, "booked_month": booked.month, "adjusts": booked.adjusts,
                       "source": self.source, "reference": None, "recorded_by": self.recorded_by,
                       "recorded_at": self.now})

    def history(self, plans: Iterable[tuple[int, _Plan]]) -> None:
        out, now = self.out, self.out.when(self.now)
        self.out.insert("order_status_change", HISTORY_COLUMNS, [
            (oid, status, raw[:60], out.when(at), out.flag(applied), now)
            for oid, plan in plans for status, raw, at, applied in plan.history])

    def flush(self) -> None:
        record_entries(self.session, self.entries, writer=self.out)
        out = self.out
        out.insert("stock_movement", MOVE_COLUMNS, self.moves)
        self.result.stock_movements += len(self.moves)
        deltas = [{"pid": pid, "delta": d} for pid, d in self.stock.items() if d]
        if deltas:
            new_stock = _PRODUCT.c.stock + bindparam("delta")
            statement = update(_PRODUCT).where(_PRODUCT.c.id == bindparam("pid")).values(
                stock=case((new_stock < 0, 0), else_=new_stock), stock_version=_PRODUCT.c.stock_version + 1)
            self.session.execute(statement, deltas, execution_options={"synchronize_session": False})
            for d in deltas:  # a Product loaded in this session must not show the old stock
                held = self.session.identity_map.get(self.session.identity_key(Product, d["pid"]))
                if held is not None:
                    self.session.expire(held)
        self.result.unknown_skus = sorted(self.unknown)


def _load_lines(session: Session, order_ids: list[int]) -> dict[int, list[tuple[int, dict[str, Any]]]]:
    out: dict[int, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    c = _LINE.c
    for part in chunks(order_ids):
        for lid, oid, qty, amount, pid in session.execute(
                select(c.id, c.order_id, c.quantity, c.amount, c.product_id).where(c.order_id.in_(part))
                .order_by(c.id)):
            out[oid].append((lid, {"order_id": oid, "quantity": qty, "amount": amount, "product_id": pid}))
    return out


_DIMS = ("order_line_id", "account_id", "platform", "channel_kind", "producer_id", "producer_kind", "product_id",
         "ocop_stars", "unit_vn2004", "unit_vn2025")


def _load_nets(session: Session, order_ids: list[int]) -> dict[int, dict[int | None, dict[str, Any]]]:
    """Each order's ledger net per line, with the dimensions of its last sale entry (to reverse it)."""
    out: dict[int, dict[int | None, dict[str, Any]]] = defaultdict(dict)
    c = _ENTRY.c
    for part in chunks(order_ids):
        query = select(c.order_id, c.kind, c.amount, c.quantity, *(c[d] for d in _DIMS)).where(
            c.order_id.in_(part)).order_by(c.id)
        for row in session.execute(query).mappings():
            net = out[row["order_id"]].setdefault(row["order_line_id"], {"amount": 0, "quantity": 0, "dims": {}})
            net["amount"] += row["amount"]
            net["quantity"] += row["quantity"]
            if row["kind"] == "sale" or not net["dims"]:
                net["dims"] = {d: row[d] for d in _DIMS}
    return out
