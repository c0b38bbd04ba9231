"""Period close: a frozen period's report never changes; later corrections become adjustments.

Closing a period records its entry count and total.  From then on
:class:`connector.ledger.booking.Booking` books any new entry whose time falls in it at the first
open day after it, marked ``adjusts=<period>``; :func:`adjustments` lists them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from catalog.clock import LOCAL_TZ, as_utc
from catalog.errors import LedgerError
from catalog.periods import Period
from connector.ledger.models import LedgerEntry, PeriodClose
from connector.onboarding import platform_label

_E = LedgerEntry.__table__.c  # type: ignore[attr-defined]


def close_period(*, session: Session, period: Period, today: date, closed_by: str | None = None) -> PeriodClose:
    """Freeze ``period`` (it must be over and must not overlap a closed one)."""
    if period.start is None:
        raise LedgerError("ledger.period_open_ended", period=period.label)
    if period.end >= today:
        raise LedgerError("ledger.period_not_over", period=period.label, end=period.end.isoformat())
    for other in session.execute(select(PeriodClose)).scalars():
        if other.start <= period.end and period.start <= other.end:
            if (other.start, other.end) == (period.start, period.end):
                # Said with the local day it was closed on (a close at 23:00 UTC is the next day in Việt Nam).
                raise LedgerError("ledger.period_closed", period=period.label,
                                  closed_at=as_utc(other.closed_at).astimezone(LOCAL_TZ).date().isoformat())
            raise LedgerError("ledger.period_overlaps", period=period.label, other=other.label)
    count, total = session.execute(select(func.count(), func.coalesce(func.sum(_E.amount), 0)).where(
        _E.booked_day >= period.start, _E.booked_day <= period.end)).one()
    row = PeriodClose(label=period.label, start=period.start, end=period.end, entries=int(count), total=int(total),
                      closed_by=closed_by)
    session.add(row)
    session.flush()
    return row


def closed_periods(*, session: Session) -> list[PeriodClose]:
    return list(session.execute(select(PeriodClose).order_by(col(PeriodClose.start))).scalars())


def adjustments(*, session: Session, period: Period | None = None) -> list[dict[str, Any]]:
    """Entries that correct a closed period, booked in the open period after it."""
    query = select(_E.id, _E.kind, _E.adjusts, _E.occurred_at, _E.booked_day, _E.platform, _E.order_id,
                   _E.reference, _E.producer_id, _E.amount).where(_E.adjusts.is_not(None)).order_by(_E.id)
    if period is not None:
        query = query.where(_E.booked_day <= period.end)
        if period.start is not None:
            query = query.where(_E.booked_day >= period.start)
    return [{"id": i, "kind": kind, "adjusts": adj, "occurred_at": at, "booked_on": day, "platform": platform,
             "platform_label": platform_label(platform), "order_id": oid, "reference": ref, "producer_id": pid,
             "amount": amount}
            for i, kind, adj, at, day, platform, oid, ref, pid, amount in session.execute(query)]
