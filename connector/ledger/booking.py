"""When an entry counts: local (Asia/Ho_Chi_Minh) days and months, and the closed periods.

Periods are cut at local midnight, never UTC: an order at 2024-01-01 03:00+07:00 (2023-12-31
20:00 UTC) counts in January 2024.  An entry whose time falls in a closed period is booked at
the first local midnight after it (after every closed period that follows without a gap) and
marked as an adjustment of the closed period, so a closed period's figures never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session

from connector.ledger.models import PeriodClose
from connector.onboarding.periods import LOCAL_TZ


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive time (as SQLite hands them back) is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_midnight(day: date) -> datetime:
    """The start of a local day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def month_key(day: date) -> int:
    return day.year * 100 + day.month


@dataclass(frozen=True, slots=True)
class Booked:
    at: datetime  # UTC
    day: date  # local
    month: int  # YYYYMM, local
    adjusts: str | None  # the closed period this entry corrects


@dataclass
class Booking:
    closed: list[tuple[date, date, str]]  # (start, end, label), sorted by start

    def closed_on(self, day: date) -> tuple[date, date, str] | None:
        return next((c for c in self.closed if c[0] <= day <= c[1]), None)

    def book(self, occurred_at: datetime) -> Booked:
        at = as_utc(occurred_at)
        day = at.astimezone(LOCAL_TZ).date()
        first = self.closed_on(day)
        if first is None:
            return Booked(at, day, month_key(day), None)
        hit: tuple[date, date, str] | None = first
        while hit is not None:
            day = hit[1] + timedelta(days=1)
            hit = self.closed_on(day)
        return Booked(local_midnight(day), day, month_key(day), first[2])


_CLOSE = PeriodClose.__table__  # type: ignore[attr-defined]
_CLOSED_QUERY = select(_CLOSE.c.start, _CLOSE.c.end, _CLOSE.c.label).order_by(_CLOSE.c.start)


def load_booking(*, session: Session) -> Booking:
    rows = session.execute(_CLOSED_QUERY).all()  # through the session: pending closes are flushed first
    return Booking([(s, e, label) for s, e, label in rows])
