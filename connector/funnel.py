"""The province's onboarding funnel, composed: the register's steps, then the sync's and the ledger's.

:func:`connector.onboarding.build_funnel` counts whatever step sources it is given; this module, which
sits above the onboarding register, the sync and the ledger, names the full list once for the faces
(``agri onboarding funnel``, the province page and API, the demo)::

    build_funnel(session=session, period=period, sources=FUNNEL_STEPS)
"""

from __future__ import annotations

from connector.ledger import sale_steps
from connector.onboarding import ONBOARDING_STEPS, StepSource
from connector.sync import listing_steps

FUNNEL_STEPS: tuple[StepSource, ...] = (*ONBOARDING_STEPS, listing_steps, sale_steps)
"""registered → trained → with an account (and per platform) → with an active listing → with a sale."""
