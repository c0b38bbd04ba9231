"""One batch of an account's orders reduced to what must be written: the stored state of each
remote order, the versions the batch holds of it, and the counts the ingest reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from adapters.base import RemoteOrder
from catalog.clock import as_utc
from connector.ledger import Writer as BulkWriter


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


@dataclass(slots=True)
class StoredOrder:
    id: int
    status: str
    updated_at: datetime
    counted: bool
    stock_taken: bool


StatusHistory = list[tuple[str, str, datetime, bool]]  # status, raw status, at, applied


@dataclass(slots=True)
class OrderPlan:
    """One remote order's versions in this batch, reduced to what must be written."""

    final: RemoteOrder
    changed: bool = False
    history: StatusHistory = field(default_factory=list)


# a new order: its remote id, its latest state, and its history when this batch held several states
Fresh = tuple[str, RemoteOrder, StatusHistory | None]


def plan_versions(versions: list[RemoteOrder], stored: StoredOrder | None,
                  seen: set[tuple[str, datetime]]) -> OrderPlan:
    """The state to keep (the newest ``updated_at``) and the history rows not ``seen`` before."""
    current_at = as_utc(stored.updated_at) if stored else None
    plan = OrderPlan(final=versions[0], changed=stored is None)
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


def load_stored(out: BulkWriter, account_id: int, remote_ids: list[str]) -> dict[str, StoredOrder]:
    found: dict[str, StoredOrder] = {}
    read_time = out.read_time
    for rid, oid, status, at, counted, taken in out.select_in(
            "SELECT remote_id, id, status, updated_at, counted, stock_taken FROM sales_order "
            "WHERE account_id = ? AND remote_id {in}", (account_id,), remote_ids):
        found[rid] = StoredOrder(oid, status, read_time(at), bool(counted), bool(taken))
    return found


def load_seen(out: BulkWriter, order_ids: list[int]) -> dict[int, set[tuple[str, datetime]]]:
    found: dict[int, set[tuple[str, datetime]]] = defaultdict(set)
    read_time = out.read_time
    for oid, status, at in out.select_in(
            "SELECT order_id, status, changed_at FROM order_status_change WHERE order_id {in}", (), order_ids):
        found[oid].add((status, read_time(at)))
    return found
