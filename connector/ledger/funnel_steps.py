"""The ledger's step of the onboarding funnel: households with a sale.

The funnel (:mod:`connector.onboarding.funnel`) counts steps that sources give it; this one reads the
ledger's entries, so it lives with them and the funnel never imports the ledger.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from catalog.periods import Period
from connector.ledger.models import LedgerEntry
from connector.onboarding import FunnelStep, StepMembers


def sale_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    """Households with at least one sale standing in the ledger (net of reversals) by the end of the period."""
    entry = LedgerEntry.__table__.c  # type: ignore[attr-defined]
    query = select(entry.producer_id).where(entry.booked_day <= period.end, entry.producer_id.is_not(None)).group_by(
        entry.producer_id, entry.order_id, entry.reference).having(func.sum(entry.amount) > 0)
    step = FunnelStep("sold", "Có giao dịch bán", "With a sale", "account")
    return [(step, query)]
