"""What every ledger entry of one account's batch copies, read once per batch: the platform its
sales count under, the producer and its units, the products (by SKU and by bound listing) and their
OCOP stars, and the booking of each local day (cached: a million lines fall on a few hundred days)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlmodel import Session

from catalog.clock import local_midnight
from catalog.errors import LedgerError
from catalog.ocop import CertificationStatus, OcopCertification, default_valid_until
from catalog.producers import Producer, ProducerKind
from catalog.products import Product
from connector.account_adapter import sales_platform
from connector.accounts import MarketplaceAccount
from connector.ledger import Writer as BulkWriter
from connector.ledger import channel_kind, load_booking, month_key

_PRODUCT = Product.__table__  # type: ignore[attr-defined]
_PRODUCER = Producer.__table__  # type: ignore[attr-defined]
_CERT = OcopCertification.__table__  # type: ignore[attr-defined]

_PRODUCER_QUERY = select(_PRODUCER.c.id, _PRODUCER.c.kind, _PRODUCER.c.unit_vn2004, _PRODUCER.c.unit_vn2025).where(
    _PRODUCER.c.id == bindparam("producer"))
_PRODUCTS_QUERY = select(_PRODUCT.c.sku, _PRODUCT.c.id).where(_PRODUCT.c.producer_id == bindparam("producer"))
_CERTS_QUERY = select(_CERT.c.product_id, _CERT.c.stars, _CERT.c.decision_date, _CERT.c.valid_until,
                      _CERT.c.status).join_from(_CERT, _PRODUCT, _CERT.c.product_id == _PRODUCT.c.id).where(
    _PRODUCT.c.producer_id == bindparam("producer"))

# a day outside every closed period: its entries' (booked_at: their own time, booked_day as stored,
# booked_month, adjusts: none), by dialect (SQLite stores the day as text)
_PLAIN_DAYS: dict[bool, dict[date, tuple[Any, Any, int, str | None]]] = {True: {}, False: {}}


class AccountContext:
    """What every entry of one account copies: platform, producer, units, products and their stars,
    and the booking of each local day (its entries' ``booked_*`` values, cached per day)."""

    def __init__(self, session: Session, account: MarketplaceAccount, out: BulkWriter) -> None:
        connection = out.connection
        producer = connection.execute(_PRODUCER_QUERY, {"producer": account.producer_id}).first()
        if producer is None or account.id is None:
            raise LedgerError("ledger.account_unusable", account=account.name)
        self.out = out
        self.account_id: int = account.id
        self.platform = sales_platform(account)
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
