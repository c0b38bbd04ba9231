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
size), which is what lets a million lines go in at tens of thousands per second.  The hot path
(orders not stored yet) builds plain tuples in one pass, reads what it needs once per batch (the
stored orders in one ``IN`` query, the account's producer, products, bindings and OCOP
certifications, the closed periods), caches per local day what entries of that day share, sums
the stock change per product (one ``UPDATE`` per product per batch), and writes each table with
one ``executemany`` in which only what varies from row to row is bound (see
:meth:`connector.ledger.entries.Writer.insert`).  A million lines make about 4.7 million rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, select, update
from sqlmodel import Session

from adapters.base import OrderStatus, RemoteOrder
from catalog.clock import LOCAL_TZ, as_utc, local_midnight, utcnow
from catalog.errors import LedgerError
from catalog.ocop import CertificationStatus, OcopCertification, default_valid_until
from catalog.producers import Producer, ProducerKind
from catalog.products import Product
from connector.accounts import MarketplaceAccount
from connector.ledger import (
    ENTRY_COLUMNS,
    CountingPolicy,
    EntryRows,
    channel_kind,
    load_booking,
    month_key,
    policy_from_env,
    record_entry_rows,
    sqlite_stamp,
)
from connector.ledger import Writer as BulkWriter

ORDER_COLUMNS = ("id", "account_id", "remote_id", "status", "raw_status", "placed_at", "updated_at", "total",
                 "confirm_by", "buyer_province", "counted", "stock_taken", "source", "recorded_by", "first_seen_at")
LINE_COLUMNS = ("id", "order_id", "sku", "quantity", "unit_price", "amount", "product_id", "remote_listing_id",
                "title")
HISTORY_COLUMNS = ("order_id", "status", "raw_status", "changed_at", "applied")  # + recorded_at, shared
MOVE_COLUMNS = ("product_id", "order_id", "quantity", "reason")  # + created_at, shared
# The hot path's rows: only what varies from row to row.  What a batch shares (account, platform,
# producer, units, source, the time) goes as constants, and the nullable columns a plain API order
# leaves empty are left out (NULL): binding a value, a NULL most of all, costs the driver more than
# storing it (see connector.ledger.entries.Writer.insert).
ORDER_COMPACT = ("id", "remote_id", "status", "raw_status", "placed_at", "updated_at", "total", "counted",
                 "stock_taken")  # + account_id, source, recorded_by, first_seen_at
LINE_COMPACT = tuple(c for c in LINE_COLUMNS if c not in ("remote_listing_id", "title"))
ENTRY_COMPACT = ("order_id", "order_line_id", "product_id", "quantity", "amount", "occurred_at", "booked_at",
                 "booked_day", "booked_month")  # + kind, account, platform, producer, units, source, recorded_*

_PRODUCT = Product.__table__  # type: ignore[attr-defined]
_PRODUCER = Producer.__table__  # type: ignore[attr-defined]
_CERT = OcopCertification.__table__  # type: ignore[attr-defined]

_PRODUCER_QUERY = select(_PRODUCER.c.id, _PRODUCER.c.kind, _PRODUCER.c.unit_vn2004, _PRODUCER.c.unit_vn2025).where(
    _PRODUCER.c.id == bindparam("producer"))
_PRODUCTS_QUERY = select(_PRODUCT.c.sku, _PRODUCT.c.id).where(_PRODUCT.c.producer_id == bindparam("producer"))
_CERTS_QUERY = select(_CERT.c.product_id, _CERT.c.stars, _CERT.c.decision_date, _CERT.c.valid_until,
                      _CERT.c.status).join_from(_CERT, _PRODUCT, _CERT.c.product_id == _PRODUCT.c.id).where(
    _PRODUCT.c.producer_id == bindparam("producer"))
_NEW_STOCK = _PRODUCT.c.stock + bindparam("delta")
_STOCK_UPDATE = update(_PRODUCT).where(_PRODUCT.c.id == bindparam("pid")).values(
    stock=case((_NEW_STOCK < 0, 0), else_=_NEW_STOCK), stock_version=_PRODUCT.c.stock_version + 1)


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


# a day outside every closed period: its entries' (booked_at: their own time, booked_day as stored,
# booked_month, adjusts: none), by dialect (SQLite stores the day as text)
_PLAIN_DAYS: dict[bool, dict[date, tuple[Any, Any, int, str | None]]] = {True: {}, False: {}}


class _Context:
    """What every entry of one account copies: platform, producer, units, products and their stars,
    and the booking of each local day (its entries' ``booked_*`` values, cached per day)."""

    def __init__(self, session: Session, account: MarketplaceAccount, out: BulkWriter) -> None:
        connection = out.connection
        producer = connection.execute(_PRODUCER_QUERY, {"producer": account.producer_id}).first()
        if producer is None or account.id is None:
            raise LedgerError("ledger.account_unusable", account=account.name)
        self.out = out
        self.account_id: int = account.id
        self.platform = platform_of(account)
        self.channel_kind = channel_kind(self.platform)
        self.producer_id: int = producer[0]
        self.producer_kind: str = ProducerKind(producer[1]).value
        self.unit_vn2004: str | None = producer[2]
        self.unit_vn2025: str | None = producer[3]
        self.booking = load_booking(session=session)
        self.by_sku: dict[str, int] = {sku: pid for sku, pid in connection.execute(
            _PRODUCTS_QUERY, {"producer": self.producer_id})}
        self.by_listing = _bound_listings(connection, account.id)
        spans: dict[int, list[tuple[date, date, int]]] = defaultdict(list)
        for pid, stars, decided, until, status in connection.execute(_CERTS_QUERY, {"producer": self.producer_id}):
            if status != CertificationStatus.withdrawn:  # as catalog.ocop.stars_as_of counts them
                spans[pid].append((decided, until or default_valid_until(decided), stars))
        self.spans = dict(spans)
        self._stars: dict[tuple[int, date], int | None] = {}
        self._days: dict[date, tuple[Any, Any, int, str | None]] = {}

    def stars(self, product_id: int | None, day: date) -> int | None:
        """The OCOP stars of ``product_id`` in force on the local ``day`` (None for none)."""
        if product_id is None:
            return None
        spans = self.spans.get(product_id)
        if spans is None:
            return None
        key = (product_id, day)
        if key in self._stars:
            return self._stars[key]
        found = self._stars[key] = max((s for start, end, s in spans if start <= day < end), default=None)
        return found

    def booked(self, day: date) -> tuple[Any, Any, int, str | None]:
        """For an entry that happened on the local ``day``: (``booked_at`` as stored, or None when it is
        the time it happened; ``booked_day`` as stored; ``booked_month``; ``adjusts``)."""
        hit = self._days.get(day)
        if hit is None:
            if not self.booking.closed or self.booking.closed_on(day) is None:
                plain = _PLAIN_DAYS[self.out.sqlite]  # the same for every account and batch: kept
                hit = plain.get(day)
                if hit is None:
                    hit = plain[day] = (None, self.out.day(day), month_key(day), None)
            else:  # booked at the start of the next open day, as an adjustment of the closed period
                moved = self.booking.book(local_midnight(day))
                hit = (self.out.stamp(moved.at), self.out.day(moved.day), moved.month, moved.adjusts)
            self._days[day] = hit
        return hit


_BINDINGS_QUERY: list[Any] = []  # remote listing id, product id of an account's bindings (built once)


def _bound_listings(connection: Connection, account_id: int) -> dict[str, int]:
    """remote listing id → product id from the sync engine's bindings."""
    if not _BINDINGS_QUERY:
        from connector.sync import Binding

        table = Binding.__table__  # type: ignore[attr-defined]
        _BINDINGS_QUERY.append(select(table.c.remote_id, table.c.product_id).where(
            table.c.account_id == bindparam("account")))
    rows = connection.execute(_BINDINGS_QUERY[0], {"account": account_id})
    return {str(remote): pid for remote, pid in rows if remote}


@dataclass(slots=True)
class _Stored:
    id: int
    status: str
    updated_at: datetime
    counted: bool
    stock_taken: bool


@dataclass(slots=True)
class _Plan:
    """One remote order's versions in this batch, reduced to what must be written."""

    final: RemoteOrder
    changed: bool = False
    history: list[tuple[str, str, datetime, bool]] = field(default_factory=list)  # status, raw, at, applied


# a new order: its remote id, its latest state, and its history when this batch held several states
_Fresh = tuple[str, RemoteOrder, list[tuple[str, str, datetime, bool]] | None]


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
    out = BulkWriter(session)
    ctx = _Context(session, account, out)
    result = IngestResult(account=account.name)
    versions: dict[str, list[RemoteOrder]] = {}
    for order in orders:
        known = versions.get(order.remote_id)
        if known is None:
            versions[order.remote_id] = [order]
        else:
            known.append(order)
    stored = _load_stored(out, ctx.account_id, list(versions))
    seen = _load_seen(out, [s.id for s in stored.values()]) if stored else {}
    writer = _Writer(session, out, ctx, policy, source, recorded_by, now, result)
    fresh: list[_Fresh] = []
    changed: list[tuple[_Stored, _Plan]] = []
    known_plans: list[tuple[int, _Plan]] = []
    for rid, group in versions.items():
        held = stored.get(rid)
        if held is None:
            if len(group) == 1:  # the common case: a new order, seen once (its one state is its history)
                fresh.append((rid, group[0], None))
            else:
                plan = _plan(group, None, set())
                fresh.append((rid, plan.final, plan.history))
            continue
        plan = _plan(group, held, seen[held.id])
        known_plans.append((held.id, plan))
        if plan.changed:
            changed.append((held, plan))
        else:
            result.orders_unchanged += 1
    writer.create(fresh)
    writer.update(changed)
    writer.history(known_plans)
    writer.flush()
    return result


def _load_stored(out: BulkWriter, account_id: int, remote_ids: list[str]) -> dict[str, _Stored]:
    found: dict[str, _Stored] = {}
    read_time = out.read_time
    for rid, oid, status, at, counted, taken in out.select_in(
            "SELECT remote_id, id, status, updated_at, counted, stock_taken FROM sales_order "
            "WHERE account_id = ? AND remote_id {in}", (account_id,), remote_ids):
        found[rid] = _Stored(oid, status, read_time(at), bool(counted), bool(taken))
    return found


def _load_seen(out: BulkWriter, order_ids: list[int]) -> dict[int, set[tuple[str, datetime]]]:
    found: dict[int, set[tuple[str, datetime]]] = defaultdict(set)
    read_time = out.read_time
    for oid, status, at in out.select_in(
            "SELECT order_id, status, changed_at FROM order_status_change WHERE order_id {in}", (), order_ids):
        found[oid].add((status, read_time(at)))
    return found


_Line = tuple[int, int | None, int, int]  # line id, product id, quantity, amount


class _Writer:
    """Collects one batch's rows as tuples in the stored shapes, then writes each table at once."""

    def __init__(self, session: Session, out: BulkWriter, ctx: _Context, policy: CountingPolicy, source: str,
                 recorded_by: str | None, now: datetime, result: IngestResult) -> None:
        self.session, self.out, self.ctx, self.source = session, out, ctx, source
        self.recorded_by, self.result = recorded_by, result
        self.now = out.stamp(now)
        # per status: its value, whether it counts, whether it takes stock, the reason of a take
        self.status: dict[OrderStatus, tuple[str, bool, bool, str]] = {
            s: (s.value, policy.counts(s.value), policy.takes_stock(s.value),
                "sale" if s is not OrderStatus.pending else "reserved") for s in OrderStatus}
        self.entries: list[tuple[Any, ...]] = []  # ENTRY_COLUMNS
        self.compact: list[tuple[Any, ...]] = []  # ENTRY_COMPACT: plain sales (no stars, no adjustment)
        self.moves: list[tuple[Any, ...]] = []  # MOVE_COLUMNS
        self.stock: dict[int, int] = defaultdict(int)
        self.unknown: set[str] = set()

    def create(self, fresh: list[_Fresh]) -> None:
        """Orders not stored yet: their rows, lines, history, and the sales and stock they make.  The
        hot loop of a first pull, written for speed: one pass, plain tuples, no per-line calls."""
        if not fresh:
            return
        out, ctx, now = self.out, self.ctx, self.now
        stamp: Callable[[datetime], Any] = sqlite_stamp if out.sqlite else as_utc
        yes, no = out.flag(True), out.flag(False)
        status_of, stars, booked, spans = self.status, ctx.stars, ctx.booked, ctx.spans
        by_sku, by_listing, unknown = ctx.by_sku, ctx.by_listing, self.unknown
        account_id, platform, kind, producer_id = ctx.account_id, ctx.platform, ctx.channel_kind, ctx.producer_id
        producer_kind, unit_vn2004, unit_vn2025 = ctx.producer_kind, ctx.unit_vn2004, ctx.unit_vn2025
        source, recorded_by = self.source, self.recorded_by
        ids = out.reserve_ids("sales_order", len(fresh))
        line_ids = out.reserve_ids("order_line", sum(len(o.lines) for _rid, o, _h in fresh))
        order_rows: list[tuple[Any, ...]] = []
        compact_orders: list[tuple[Any, ...]] = []
        line_rows: list[tuple[Any, ...]] = []
        compact_lines: list[tuple[Any, ...]] = []
        history_rows: list[tuple[Any, ...]] = []
        entries, compact, moves, stock = self.entries, self.compact, self.moves, self.stock
        plain = True
        sales = adjustments = k = 0
        day: date | None = None
        booked_at: Any = None
        booked_day: Any = None
        month = 0
        adjusts: str | None = None
        for oid, (rid, o, history) in zip(ids, fresh, strict=True):
            value, counts, takes, reason = status_of[o.status]
            placed = o.placed_at
            if placed.tzinfo is None:
                placed = placed.replace(tzinfo=UTC)
            placed_at = stamp(placed)
            updated = o.updated_at
            updated_at = placed_at if updated == placed else stamp(updated)
            raw = o.raw_status[:60]
            if o.confirm_by is None and o.buyer_province is None:
                compact_orders.append((oid, rid, value, raw, placed_at, updated_at, o.total, yes if counts else no,
                                       yes if takes else no))
            else:
                order_rows.append((oid, account_id, rid, value, raw, placed_at, updated_at, o.total,
                                   stamp(o.confirm_by) if o.confirm_by is not None else None, o.buyer_province,
                                   yes if counts else no, yes if takes else no, source, recorded_by, now))
            if history is None:  # seen once: its one state, applied
                history_rows.append((oid, value, raw, updated_at, yes))
            else:
                for status, raw_status, at, applied in history:
                    history_rows.append((oid, status, raw_status[:60], updated_at if at == updated else stamp(at),
                                         yes if applied else no))
            lines = o.lines
            if counts:
                day = placed.astimezone(LOCAL_TZ).date()
                booked_at, booked_day, month, adjusts = booked(day)
                booked_at = booked_at or placed_at
                plain = adjusts is None
                if adjusts is not None:
                    adjustments += len(lines) or 1
                if not lines:
                    entries.append(("sale", oid, None, account_id, platform, kind, producer_id, producer_kind, None,
                                    None, unit_vn2004, unit_vn2025, 0, o.total, placed_at, booked_at, booked_day,
                                    month, adjusts, source, None, recorded_by, now))
                    sales += 1
            for line in lines:
                lid = line_ids[k]
                k += 1
                sku, quantity, amount, listing = line.sku, line.quantity, line.amount, line.remote_listing_id
                pid = by_sku.get(sku)
                if pid is None:
                    if listing:
                        pid = by_listing.get(listing)
                    if pid is None:
                        unknown.add(sku)
                title = line.title
                if listing is None and not title:
                    compact_lines.append((lid, oid, sku[:80], quantity, line.unit_price, amount, pid))
                else:
                    line_rows.append((lid, oid, sku[:80], quantity, line.unit_price, amount, pid, listing,
                                      title[:255] if title else None))
                if counts:
                    stars_then = stars(pid, day) if pid in spans and day is not None else None
                    if plain and stars_then is None:
                        compact.append((oid, lid, pid, quantity, amount, placed_at, booked_at, booked_day, month))
                    else:
                        entries.append(("sale", oid, lid, account_id, platform, kind, producer_id, producer_kind, pid,
                                        stars_then, unit_vn2004, unit_vn2025, quantity, amount, placed_at, booked_at,
                                        booked_day, month, adjusts, source, None, recorded_by, now))
                    sales += 1
                if takes and pid is not None and quantity:
                    moves.append((pid, oid, -quantity, reason))
                    stock[pid] -= quantity
        out.insert("sales_order", ORDER_COMPACT, compact_orders, constants={
            "account_id": account_id, "source": source, "recorded_by": recorded_by, "first_seen_at": now})
        out.insert("sales_order", ORDER_COLUMNS, order_rows)
        out.insert("order_line", LINE_COMPACT, compact_lines)
        out.insert("order_line", LINE_COLUMNS, line_rows)
        out.insert("order_status_change", HISTORY_COLUMNS, history_rows, constants={"recorded_at": now})
        self.result.orders_new += len(order_rows) + len(compact_orders)
        self.result.lines += len(line_rows) + len(compact_lines)
        self.result.sales += sales
        self.result.adjustments += adjustments

    def _sell(self, oid: int, order: RemoteOrder, lines: list[_Line]) -> None:
        """Sale entries for a stored order that starts to count, dated when it was placed."""
        ctx, out = self.ctx, self.out
        placed = as_utc(order.placed_at)
        placed_at = out.stamp(placed)
        day = placed.astimezone(LOCAL_TZ).date()
        booked_at, booked_day, month, adjusts = ctx.booked(day)
        booked_at = booked_at or placed_at
        head = ("sale", oid)
        shared = (ctx.account_id, ctx.platform, ctx.channel_kind, ctx.producer_id, ctx.producer_kind)
        tail = (placed_at, booked_at, booked_day, month, adjusts, self.source, None, self.recorded_by, self.now)
        units = (ctx.unit_vn2004, ctx.unit_vn2025)
        rows: list[tuple[Any, ...]] = [(*head, lid, *shared, pid, ctx.stars(pid, day), *units, quantity, amount, *tail)
                for lid, pid, quantity, amount in lines] or [
            (*head, None, *shared, None, None, *units, 0, order.total, *tail)]
        self.entries.extend(rows)
        self.result.sales += len(rows)
        if adjusts is not None:
            self.result.adjustments += len(rows)

    def _move(self, product_id: int | None, oid: int, quantity: int, reason: str) -> None:
        if product_id is None or quantity == 0:
            return
        self.moves.append((product_id, oid, quantity, reason))
        self.stock[product_id] += quantity

    def update(self, changed: list[tuple[_Stored, _Plan]]) -> None:
        if not changed:
            return
        ids = [s.id for s, _ in changed]
        lines = _load_lines(self.out, ids)
        nets = _load_nets(self.out, ids)
        out, updates = self.out, []
        for stored, plan in changed:
            order = plan.final
            value, counts, takes, reason = self.status[order.status]
            held = lines.get(stored.id, [])
            if stored.counted and not counts:
                self._reverse(stored.id, order.updated_at, nets.get(stored.id, {}))
            if stored.stock_taken and not takes:
                for _lid, pid, quantity, _amount in held:
                    self._move(pid, stored.id, quantity, value)
            if not stored.counted and counts:
                self._sell(stored.id, order, held)
            if not stored.stock_taken and takes:
                for _lid, pid, quantity, _amount in held:
                    self._move(pid, stored.id, -quantity, reason)
            updates.append((value, order.raw_status[:60], out.stamp(as_utc(order.updated_at)), order.total,
                            out.stamp(as_utc(order.confirm_by)) if order.confirm_by else None, out.flag(counts),
                            out.flag(takes), stored.id))
        out.execute_many("UPDATE sales_order SET status = ?, raw_status = ?, updated_at = ?, total = ?, "
                         "confirm_by = ?, counted = ?, stock_taken = ? WHERE id = ?", updates)
        self.result.orders_updated += len(updates)

    def _reverse(self, oid: int, at: datetime, nets: dict[int | None, list[Any]]) -> None:
        """Entries that net each line of a counted order to zero, dated when it stopped counting."""
        utc = as_utc(at)
        occurred = self.out.stamp(utc)
        booked_at, booked_day, month, adjusts = self.ctx.booked(utc.astimezone(LOCAL_TZ).date())
        tail = (occurred, booked_at or occurred, booked_day, month, adjusts, self.source, None, self.recorded_by,
                self.now)
        for amount, quantity, dims in nets.values():
            if amount == 0 and quantity == 0:
                continue
            self.entries.append(("reversal", oid, *dims, -quantity, -amount, *tail))
            self.result.reversals += 1
            if adjusts is not None:
                self.result.adjustments += 1

    def history(self, plans: Iterable[tuple[int, _Plan]]) -> None:
        out = self.out
        out.insert("order_status_change", HISTORY_COLUMNS, [
            (oid, status, raw[:60], out.stamp(at), out.flag(applied))
            for oid, plan in plans for status, raw, at, applied in plan.history], constants={"recorded_at": self.now})

    def flush(self) -> None:
        ctx = self.ctx
        shared = {"kind": "sale", "account_id": ctx.account_id, "platform": ctx.platform,
                  "channel_kind": ctx.channel_kind, "producer_id": ctx.producer_id, "producer_kind": ctx.producer_kind,
                  "unit_vn2004": ctx.unit_vn2004, "unit_vn2025": ctx.unit_vn2025, "source": self.source,
                  "recorded_by": self.recorded_by, "recorded_at": self.now}
        record_entry_rows(self.out, EntryRows(ENTRY_COLUMNS, self.entries),
                          EntryRows(ENTRY_COMPACT, self.compact, shared))
        self.out.insert("stock_movement", MOVE_COLUMNS, self.moves, constants={"created_at": self.now})
        self.result.stock_movements += len(self.moves)
        deltas = [{"pid": pid, "delta": d} for pid, d in self.stock.items() if d]
        if deltas:
            self.out.connection.execute(_STOCK_UPDATE, deltas)
            for d in deltas:  # a Product loaded in this session must not show the old stock
                held = self.session.identity_map.get(self.session.identity_key(Product, d["pid"]))
                if held is not None:
                    self.session.expire(held)
        self.result.unknown_skus = sorted(self.unknown)


def _load_lines(out: BulkWriter, order_ids: list[int]) -> dict[int, list[_Line]]:
    found: dict[int, list[_Line]] = defaultdict(list)
    for lid, oid, qty, amount, pid in out.select_in(
            "SELECT id, order_id, quantity, amount, product_id FROM order_line WHERE order_id {in} ORDER BY id", (),
            order_ids):
        found[oid].append((lid, pid, qty, amount))
    return found


# the dimensions a reversal copies from the sale it reverses: ENTRY_COLUMNS[2:12]
_DIMS = ("order_line_id", "account_id", "platform", "channel_kind", "producer_id", "producer_kind", "product_id",
         "ocop_stars", "unit_vn2004", "unit_vn2025")
assert ENTRY_COLUMNS[2:12] == _DIMS


def _load_nets(out: BulkWriter, order_ids: list[int]) -> dict[int, dict[int | None, list[Any]]]:
    """Each order's ledger net per line ([amount, quantity, dimensions of its last sale entry])."""
    found: dict[int, dict[int | None, list[Any]]] = defaultdict(dict)
    for row in out.select_in(f"SELECT order_id, kind, amount, quantity, {', '.join(_DIMS)} FROM ledger_entry "
                             "WHERE order_id {in} ORDER BY id", (), order_ids):
        oid, kind, amount, quantity, dims = row[0], row[1], row[2], row[3], tuple(row[4:])
        net = found[oid].setdefault(dims[0], [0, 0, None])
        net[0] += amount
        net[1] += quantity
        if kind == "sale" or net[2] is None:
            net[2] = dims
    return found
