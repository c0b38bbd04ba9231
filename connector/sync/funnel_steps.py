"""The sync's step of the onboarding funnel: households with a product on sale.

The funnel (:mod:`connector.onboarding.funnel`) counts steps that sources give it; this one reads the
sync's bindings, so it lives with them and the funnel never imports the sync.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from catalog.clock import local_midnight
from catalog.periods import Period
from catalog.products import Product
from connector.onboarding import FunnelStep, StepMembers
from connector.sync.models import Binding, BindingState

ONE_DAY = timedelta(days=1)


def listing_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    """Households with at least one product live on a marketplace (bound by the end of the period).

    It reads the marketplace state only: a failed push never takes a household out of this step."""
    binding, product = Binding.__table__.c, Product.__table__.c  # type: ignore[attr-defined]
    query = select(product.producer_id).join_from(Binding.__table__, Product.__table__,  # type: ignore[attr-defined]
                                                  binding.product_id == product.id).where(
        binding.state == BindingState.active.value, binding.created_at < local_midnight(period.end + ONE_DAY),
        product.producer_id.is_not(None))
    step = FunnelStep("listed", "Có sản phẩm đang bán", "With an active listing", "account")
    return [(step, query.distinct())]
