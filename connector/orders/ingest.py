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
(orders not stored yet) builds its rows in one pass, reads what it needs once per batch (the
stored orders in one ``IN`` query, the account's producer, products, bindings and OCOP
certifications, the closed periods), caches per local day what entries of that day share, sums
the stock change per product (one ``UPDATE`` per product per batch), and writes each table with
one ``executemany`` in which only what varies from row to row is bound (see
:meth:`connector.ledger.entries.Writer.insert`).  A million lines make about 4.7 million rows.

The pieces: :mod:`connector.orders.batch` (a batch reduced to what must be written),
:mod:`connector.orders.context` (what every entry of the account copies),
:mod:`connector.orders.records` (the rows, kept by column: each column named once) and
:mod:`connector.orders.writer` (the rows made and written).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from adapters.base import RemoteOrder
from catalog.clock import as_utc, utcnow
from connector.accounts import MarketplaceAccount
from connector.ledger import CountingPolicy, policy_from_env
from connector.ledger import Writer as BulkWriter
from connector.orders.batch import Fresh, IngestResult, OrderPlan, StoredOrder, load_seen, load_stored, plan_versions
from connector.orders.context import AccountContext
from connector.orders.writer import BatchWriter

__all__ = ["IngestResult", "ingest_orders"]


def ingest_orders(*, session: Session, account: MarketplaceAccount, orders: Sequence[RemoteOrder],
                  source: str = "api", recorded_by: str | None = None,
                  policy: CountingPolicy | None = None, now: datetime | None = None) -> IngestResult:
    """Upsert one account's orders and bring the ledger and the stock in line (see the module doc)."""
    policy = policy or policy_from_env()
    now = as_utc(now or utcnow())
    session.flush()
    out = BulkWriter(session)
    ctx = AccountContext(session, account, out)
    result = IngestResult(account=account.name)
    versions: dict[str, list[RemoteOrder]] = {}
    for order in orders:
        known = versions.get(order.remote_id)
        if known is None:
            versions[order.remote_id] = [order]
        else:
            known.append(order)
    stored = load_stored(out, ctx.account_id, list(versions))
    seen = load_seen(out, [s.id for s in stored.values()]) if stored else {}
    writer = BatchWriter(session, out, ctx, policy, source, recorded_by, now, result)
    fresh: list[Fresh] = []
    changed: list[tuple[StoredOrder, OrderPlan]] = []
    known_plans: list[tuple[int, OrderPlan]] = []
    for rid, group in versions.items():
        held = stored.get(rid)
        if held is None:
            if len(group) == 1:  # the common case: a new order, seen once (its one state is its history)
                fresh.append((rid, group[0], None))
            else:
                plan = plan_versions(group, None, set())
                fresh.append((rid, plan.final, plan.history))
            continue
        plan = plan_versions(group, held, seen[held.id])
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
