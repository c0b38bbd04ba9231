"""Totals the province receives from platforms and the postal service, beside the ledger's own.

An officer enters a reported figure for a period (and a platform, when it covers one); the
listing shows it next to the ledger's turnover and transaction count for the same period and
platform, with the difference (reported − ledger), so the two can be reconciled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from catalog.errors import CatalogueValidationError
from catalog.periods import Period
from catalog.text import nfc
from connector.ledger.models import LedgerEntry, ReportedTotal

_E = LedgerEntry.__table__.c  # type: ignore[attr-defined]


def add_reported_total(*, session: Session, period: Period, reporter: str, amount: int,
                       platform: str | None = None, transactions: int | None = None, note: str | None = None,
                       recorded_by: str | None = None) -> ReportedTotal:
    """Record a figure someone reported for ``period`` (whole VND)."""
    if period.start is None:
        raise CatalogueValidationError("ledger.period_open_ended", period=period.label, value=period.label)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise CatalogueValidationError("price.invalid", value=amount)
    if not reporter.strip():
        raise CatalogueValidationError("value.required", column="reporter")
    row = ReportedTotal(period_label=period.label, start=period.start, end=period.end, reporter=nfc(reporter.strip()),
                        platform=platform, amount=amount, transactions=transactions,
                        note=nfc(note) if note else None, recorded_by=recorded_by)
    session.add(row)
    session.flush()
    return row


@dataclass
class Reconciled:
    reported: ReportedTotal
    ledger_amount: int
    ledger_transactions: int

    @property
    def difference(self) -> int:
        return self.reported.amount - self.ledger_amount

    def to_dict(self) -> dict[str, Any]:
        r = self.reported
        return {"id": r.id, "period": r.period_label, "start": r.start, "end": r.end, "reporter": r.reporter,
                "platform": r.platform, "reported": r.amount, "reported_transactions": r.transactions,
                "ledger": self.ledger_amount, "ledger_transactions": self.ledger_transactions,
                "difference": self.difference, "note": r.note, "recorded_by": r.recorded_by,
                "recorded_at": r.recorded_at}


def ledger_figures(*, session: Session, start: Any, end: Any, platform: str | None) -> tuple[int, int]:
    """The ledger's turnover and counted orders (positive net) booked in [start, end] on ``platform``."""
    query = select(_E.order_id, _E.reference, func.sum(_E.amount)).where(_E.booked_day >= start,
                                                                        _E.booked_day <= end)
    if platform:
        query = query.where(_E.platform == platform)
    amount = transactions = 0
    for _oid, _ref, net in session.execute(query.group_by(_E.order_id, _E.reference)):
        amount += int(net or 0)
        transactions += 1 if (net or 0) > 0 else 0
    return amount, transactions


def reported_totals(*, session: Session, period: Period | None = None) -> list[Reconciled]:
    """Every reported figure (within ``period`` when given), beside the ledger's."""
    query = select(ReportedTotal).order_by(col(ReportedTotal.start), col(ReportedTotal.id))
    if period is not None:
        query = query.where(col(ReportedTotal.end) <= period.end)
        if period.start is not None:
            query = query.where(col(ReportedTotal.start) >= period.start)
    out = []
    for row in session.execute(query).scalars():
        amount, transactions = ledger_figures(session=session, start=row.start, end=row.end, platform=row.platform)
        out.append(Reconciled(row, amount, transactions))
    return out
