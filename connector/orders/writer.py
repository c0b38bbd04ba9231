"""The rows one batch of orders makes, collected by column (:mod:`connector.orders.records`) and
written a table at a time.

New orders (the bulk of a first pull) go through :class:`NewOrders`, the hot loop: one call per
order, then one pass over all their lines with the account's context in locals, the plain cases
(no confirm-by, no listing, no stars, an open period) in the compact tables.  Stored orders whose
state changed get reversals, restocking, late sales and stock takes (:meth:`BatchWriter.update`),
which are few.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, case, update
from sqlmodel import Session

from adapters.base import OrderStatus, RemoteOrder, RemoteOrderLine
from catalog.clock import LOCAL_TZ, as_utc
from catalog.products import Product
from connector.ledger import ENTRY_COLUMNS, CountingPolicy, Entries, EntryRows, record_entry_rows, sqlite_stamp
from connector.ledger import Writer as BulkWriter
from connector.orders.batch import Fresh, IngestResult, OrderPlan, StatusHistory, StoredOrder
from connector.orders.context import AccountContext
from connector.orders.records import CompactEntries, CompactLines, CompactOrders, History, Lines, Moves, Orders

_PRODUCT = Product.__table__  # type: ignore[attr-defined]
_NEW_STOCK = _PRODUCT.c.stock + bindparam("delta")
_STOCK_UPDATE = update(_PRODUCT).where(_PRODUCT.c.id == bindparam("pid")).values(
    stock=case((_NEW_STOCK < 0, 0), else_=_NEW_STOCK), stock_version=_PRODUCT.c.stock_version + 1)

_Line = tuple[int, int | None, int, int]  # line id, product id, quantity, amount
# a counted order's sale: local day, occurred at, booked at, booked day, booked month, adjusts (see
# AccountContext.booked)
_Sale = tuple[date, Any, Any, Any, int, str | None]


class BatchWriter:
    """Collects one batch's rows in the stored shapes, then writes each table at once."""

    def __init__(self, session: Session, out: BulkWriter, ctx: AccountContext, policy: CountingPolicy, source: str,
                 recorded_by: str | None, now: datetime, result: IngestResult) -> None:
        self.session, self.out, self.ctx, self.source = session, out, ctx, source
        self.recorded_by, self.result = recorded_by, result
        self.now = out.stamp(now)
        # per status: its value, whether it counts, whether it takes stock, the reason of a take
        self.status: dict[OrderStatus, tuple[str, bool, bool, str]] = {
            s: (s.value, policy.counts(s.value), policy.takes_stock(s.value),
                "sale" if s is not OrderStatus.pending else "reserved") for s in OrderStatus}
        self.entries = Entries()
        self.compact = CompactEntries()  # plain sales (no stars, no adjustment)
        self.moves = Moves()
        self.stock: dict[int, int] = defaultdict(int)
        self.unknown: set[str] = set()

    def sale(self, *, order_id: int, line_id: int | None, product_id: int | None, stars: int | None, quantity: int,
             amount: int, occurred_at: Any, booked_at: Any, booked_day: Any, month: int, adjusts: str | None) -> None:
        """A sale entry with the account's dimensions (platform, producer, units) and the batch's source."""
        ctx, entries = self.ctx, self.entries
        entries.kind.append("sale")
        entries.order_id.append(order_id)
        entries.order_line_id.append(line_id)
        entries.account_id.append(ctx.account_id)
        entries.platform.append(ctx.platform)
        entries.channel_kind.append(ctx.channel_kind)
        entries.producer_id.append(ctx.producer_id)
        entries.producer_kind.append(ctx.producer_kind)
        entries.product_id.append(product_id)
        entries.ocop_stars.append(stars)
        entries.unit_vn2004.append(ctx.unit_vn2004)
        entries.unit_vn2025.append(ctx.unit_vn2025)
        entries.quantity.append(quantity)
        entries.amount.append(amount)
        entries.occurred_at.append(occurred_at)
        entries.booked_at.append(booked_at)
        entries.booked_day.append(booked_day)
        entries.booked_month.append(month)
        entries.adjusts.append(adjusts)
        entries.source.append(self.source)
        entries.reference.append(None)
        entries.recorded_by.append(self.recorded_by)
        entries.recorded_at.append(self.now)

    def create(self, fresh: list[Fresh]) -> None:
        """Orders not stored yet: their rows, lines, history, and the sales and stock they make."""
        if not fresh:
            return
        out = self.out
        ids = out.reserve_ids("sales_order", len(fresh))
        line_ids = iter(out.reserve_ids("order_line", sum(len(o.lines) for _rid, o, _h in fresh)))
        rows = NewOrders(self)
        add = rows.add
        for oid, (rid, order, history) in zip(ids, fresh, strict=True):
            add(oid, rid, order, history)
        rows.add_lines(line_ids)
        rows.write()

    def _sell(self, oid: int, order: RemoteOrder, lines: list[_Line]) -> None:
        """Sale entries for a stored order that starts to count, dated when it was placed."""
        ctx = self.ctx
        placed = as_utc(order.placed_at)
        placed_at = self.out.stamp(placed)
        day = placed.astimezone(LOCAL_TZ).date()
        booked_at, booked_day, month, adjusts = ctx.booked(day)
        when = {"occurred_at": placed_at, "booked_at": booked_at or placed_at, "booked_day": booked_day,
                "month": month, "adjusts": adjusts}
        for lid, pid, quantity, amount in lines:
            self.sale(order_id=oid, line_id=lid, product_id=pid, stars=ctx.stars(pid, day), quantity=quantity,
                      amount=amount, **when)
        if not lines:
            self.sale(order_id=oid, line_id=None, product_id=None, stars=None, quantity=0, amount=order.total, **when)
        sales = len(lines) or 1
        self.result.sales += sales
        if adjusts is not None:
            self.result.adjustments += sales

    def _move(self, product_id: int | None, oid: int, quantity: int, reason: str) -> None:
        if product_id is None or quantity == 0:
            return
        self.moves.add(product_id=product_id, order_id=oid, quantity=quantity, reason=reason)
        self.stock[product_id] += quantity

    def update(self, changed: list[tuple[StoredOrder, OrderPlan]]) -> None:
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
        for amount, quantity, dims in nets.values():
            if amount == 0 and quantity == 0:
                continue
            self.entries.add(
                kind="reversal", order_id=oid, **dict(zip(_DIMS, dims, strict=True)), quantity=-quantity,
                amount=-amount, occurred_at=occurred, booked_at=booked_at or occurred, booked_day=booked_day,
                booked_month=month, adjusts=adjusts, source=self.source, reference=None,
                recorded_by=self.recorded_by, recorded_at=self.now)
            self.result.reversals += 1
            if adjusts is not None:
                self.result.adjustments += 1

    def history(self, plans: Iterable[tuple[int, OrderPlan]]) -> None:
        out, rows = self.out, History()
        for oid, plan in plans:
            for status, raw, at, applied in plan.history:
                rows.add(order_id=oid, status=status, raw_status=raw[:60], changed_at=out.stamp(at),
                         applied=out.flag(applied))
        out.insert("order_status_change", History.columns(), rows.rows(), constants={"recorded_at": self.now})

    def flush(self) -> None:
        ctx = self.ctx
        shared = {"kind": "sale", "account_id": ctx.account_id, "platform": ctx.platform,
                  "channel_kind": ctx.channel_kind, "producer_id": ctx.producer_id, "producer_kind": ctx.producer_kind,
                  "unit_vn2004": ctx.unit_vn2004, "unit_vn2025": ctx.unit_vn2025, "source": self.source,
                  "recorded_by": self.recorded_by, "recorded_at": self.now}
        record_entry_rows(self.out, EntryRows(ENTRY_COLUMNS, self.entries.rows()),
                          EntryRows(CompactEntries.columns(), self.compact.rows(), shared))
        self.out.insert("stock_movement", Moves.columns(), self.moves.rows(), constants={"created_at": self.now})
        self.result.stock_movements += len(self.moves)
        deltas = [{"pid": pid, "delta": d} for pid, d in self.stock.items() if d]
        if deltas:
            self.out.connection.execute(_STOCK_UPDATE, deltas)
            for d in deltas:  # a Product loaded in this session must not show the old stock
                held = self.session.identity_map.get(self.session.identity_key(Product, d["pid"]))
                if held is not None:
                    self.session.expire(held)
        self.result.unknown_skus = sorted(self.unknown)


class NewOrders:
    """The rows of the orders of one batch not stored yet.  The hot path of a first pull, written for
    speed: one call per order, the plain cases in the compact tables, values appended by column."""

    def __init__(self, writer: BatchWriter) -> None:
        out = writer.out
        self.writer, self.ctx = writer, writer.ctx
        self.stamp: Callable[[datetime], Any] = sqlite_stamp if out.sqlite else as_utc
        self.yes, self.no = out.flag(True), out.flag(False)
        self.status, self.unknown = writer.status, writer.unknown
        self.compact, self.moves, self.stock = writer.compact, writer.moves, writer.stock
        self.orders = Orders()
        self.compact_orders = CompactOrders()
        self.lines = Lines()
        self.compact_lines = CompactLines()
        self.history = History()
        self.with_lines: list[tuple[int, Sequence[RemoteOrderLine], _Sale | None, str | None]] = []
        self.sales = self.adjustments = 0

    def add(self, oid: int, rid: str, o: RemoteOrder, history: StatusHistory | None) -> None:
        """One new order: its row, its history, its sale when it counts; its lines wait for
        :meth:`add_lines`, with the sale (``None`` when it does not count) and what takes stock."""
        value, counts, takes, reason = self.status[o.status]
        stamp, yes, no = self.stamp, self.yes, self.no
        placed = o.placed_at
        if placed.tzinfo is None:
            placed = placed.replace(tzinfo=UTC)
        placed_at = stamp(placed)
        updated_at = placed_at if o.updated_at == placed else stamp(o.updated_at)
        raw = o.raw_status[:60]
        if o.confirm_by is None and o.buyer_province is None:
            orders = self.compact_orders
            orders.id.append(oid)
            orders.remote_id.append(rid)
            orders.status.append(value)
            orders.raw_status.append(raw)
            orders.placed_at.append(placed_at)
            orders.updated_at.append(updated_at)
            orders.total.append(o.total)
            orders.counted.append(yes if counts else no)
            orders.stock_taken.append(yes if takes else no)
        else:
            writer = self.writer
            self.orders.add(
                id=oid, account_id=self.ctx.account_id, remote_id=rid, status=value, raw_status=raw,
                placed_at=placed_at, updated_at=updated_at, total=o.total,
                confirm_by=stamp(o.confirm_by) if o.confirm_by is not None else None,
                buyer_province=o.buyer_province, counted=yes if counts else no, stock_taken=yes if takes else no,
                source=writer.source, recorded_by=writer.recorded_by, first_seen_at=writer.now)
        states = self.history
        if history is None:  # seen once: its one state, applied
            states.order_id.append(oid)
            states.status.append(value)
            states.raw_status.append(raw)
            states.changed_at.append(updated_at)
            states.applied.append(yes)
        else:
            for status, raw_status, at, applied in history:
                states.add(order_id=oid, status=status, raw_status=raw_status[:60],
                           changed_at=updated_at if at == o.updated_at else stamp(at), applied=yes if applied else no)
        sale: _Sale | None = None
        if counts:
            day = placed.astimezone(LOCAL_TZ).date()
            booked_at, booked_day, month, adjusts = self.ctx.booked(day)
            sale = (day, placed_at, booked_at or placed_at, booked_day, month, adjusts)
            if adjusts is not None:
                self.adjustments += len(o.lines) or 1
            if not o.lines:
                self.writer.sale(order_id=oid, line_id=None, product_id=None, stars=None, quantity=0, amount=o.total,
                                 occurred_at=placed_at, booked_at=sale[2], booked_day=booked_day, month=month,
                                 adjusts=adjusts)
                self.sales += 1
        if o.lines:
            self.with_lines.append((oid, o.lines, sale, reason if takes else None))

    def add_lines(self, line_ids: Iterator[int]) -> None:
        """The lines of the orders :meth:`add` kept, the sales they make and the stock they take, in
        one pass (every column's list at hand)."""
        ctx, unknown, stock, sale_entry = self.ctx, self.unknown, self.stock, self.writer.sale
        by_sku, by_listing, spans, stars_of = ctx.by_sku, ctx.by_listing, ctx.spans, ctx.stars
        lines, compact_lines, compact, moves = self.lines, self.compact_lines, self.compact, self.moves
        sales = 0
        for oid, order_lines, sale, take in self.with_lines:
            if sale is not None:
                day, placed_at, booked_at, booked_day, month, adjusts = sale
            for line in order_lines:
                lid = next(line_ids)
                sku, quantity, amount, listing = line.sku, line.quantity, line.amount, line.remote_listing_id
                pid = by_sku.get(sku)
                if pid is None:
                    if listing:
                        pid = by_listing.get(listing)
                    if pid is None:
                        unknown.add(sku)
                if listing is None and not line.title:
                    compact_lines.id.append(lid)
                    compact_lines.order_id.append(oid)
                    compact_lines.sku.append(sku[:80])
                    compact_lines.quantity.append(quantity)
                    compact_lines.unit_price.append(line.unit_price)
                    compact_lines.amount.append(amount)
                    compact_lines.product_id.append(pid)
                else:
                    lines.add(id=lid, order_id=oid, sku=sku[:80], quantity=quantity, unit_price=line.unit_price,
                              amount=amount, product_id=pid, remote_listing_id=listing,
                              title=line.title[:255] if line.title else None)
                if sale is not None:
                    stars = stars_of(pid, day) if pid in spans else None
                    if adjusts is None and stars is None:
                        compact.order_id.append(oid)
                        compact.order_line_id.append(lid)
                        compact.product_id.append(pid)
                        compact.quantity.append(quantity)
                        compact.amount.append(amount)
                        compact.occurred_at.append(placed_at)
                        compact.booked_at.append(booked_at)
                        compact.booked_day.append(booked_day)
                        compact.booked_month.append(month)
                    else:
                        sale_entry(order_id=oid, line_id=lid, product_id=pid, stars=stars, quantity=quantity,
                                   amount=amount, occurred_at=placed_at, booked_at=booked_at, booked_day=booked_day,
                                   month=month, adjusts=adjusts)
                    sales += 1
                if take is not None and pid is not None and quantity:
                    moves.product_id.append(pid)
                    moves.order_id.append(oid)
                    moves.quantity.append(-quantity)
                    moves.reason.append(take)
                    stock[pid] -= quantity
        self.sales += sales

    def write(self) -> None:
        """The batch's new orders, lines and history, each table at once (entries and moves wait for
        :meth:`BatchWriter.flush`)."""
        writer = self.writer
        out, now = writer.out, writer.now
        out.insert("sales_order", CompactOrders.columns(), self.compact_orders.rows(), constants={
            "account_id": self.ctx.account_id, "source": writer.source, "recorded_by": writer.recorded_by,
            "first_seen_at": now})
        out.insert("sales_order", Orders.columns(), self.orders.rows())
        out.insert("order_line", CompactLines.columns(), self.compact_lines.rows())
        out.insert("order_line", Lines.columns(), self.lines.rows())
        out.insert("order_status_change", History.columns(), self.history.rows(), constants={"recorded_at": now})
        result = writer.result
        result.orders_new += len(self.orders) + len(self.compact_orders)
        result.lines += len(self.lines) + len(self.compact_lines)
        result.sales += self.sales
        result.adjustments += self.adjustments


def _load_lines(out: BulkWriter, order_ids: list[int]) -> dict[int, list[_Line]]:
    found: dict[int, list[_Line]] = defaultdict(list)
    for lid, oid, qty, amount, pid in out.select_in(
            "SELECT id, order_id, quantity, amount, product_id FROM order_line WHERE order_id {in} ORDER BY id", (),
            order_ids):
        found[oid].append((lid, pid, qty, amount))
    return found


# the dimensions a reversal copies from the sale it reverses
_DIMS = ("order_line_id", "account_id", "platform", "channel_kind", "producer_id", "producer_kind", "product_id",
         "ocop_stars", "unit_vn2004", "unit_vn2025")
assert set(_DIMS) <= set(ENTRY_COLUMNS)


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
