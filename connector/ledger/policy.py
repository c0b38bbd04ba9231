"""The counting policy: which order statuses put a sale in the ledger, and whether returns come off.

Default (``net``): an order counts once it is ``confirmed``, ``shipping``, ``delivered`` or
``completed``; a counted order that is later ``cancelled`` or ``returned`` gets a reversal.
``gmv``: the same, except that a return is not reversed (gross merchandise value: what was sold,
whatever came back); a cancellation is always reversed.  A ``pending`` order never counts.

Stock follows the goods, not the accounting: an order takes its quantities off the stock while it
is neither cancelled nor returned, whatever the basis.

Set it with ``AGRI_LEDGER_COUNTED`` (comma-separated statuses) and ``AGRI_LEDGER_BASIS``
(``net`` or ``gmv``), or pass a :class:`CountingPolicy` to :func:`connector.orders.ingest.ingest_orders`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from adapters.base import OrderStatus
from catalog.errors import ConfigurationError

Basis = Literal["net", "gmv"]
DEFAULT_COUNTED = frozenset({OrderStatus.confirmed.value, OrderStatus.shipping.value,
                             OrderStatus.delivered.value, OrderStatus.completed.value})
NO_STOCK = frozenset({OrderStatus.cancelled.value, OrderStatus.returned.value})

# Platforms that are marketplaces; anything else (Facebook, Zalo, a website, a fair) is "other".
MARKETPLACES = frozenset({"voso", "postmart", "shopee", "lazada", "tiktok", "sendo", "tiki", "alibaba"})


@dataclass(frozen=True)
class CountingPolicy:
    counted: frozenset[str] = DEFAULT_COUNTED
    basis: Basis = "net"

    def counts(self, status: str) -> bool:
        """True when an order in ``status`` stands in the ledger as a sale."""
        return status in self.counted or (self.basis == "gmv" and status == OrderStatus.returned.value)

    @staticmethod
    def takes_stock(status: str) -> bool:
        return status not in NO_STOCK

    def describe(self) -> dict[str, object]:
        return {"counted": sorted(self.counted), "basis": self.basis}


def policy_from_env() -> CountingPolicy:
    """The policy set by ``AGRI_LEDGER_COUNTED`` / ``AGRI_LEDGER_BASIS``, or the default."""
    counted = os.environ.get("AGRI_LEDGER_COUNTED", "").strip()
    basis = os.environ.get("AGRI_LEDGER_BASIS", "net").strip().lower() or "net"
    statuses = frozenset(s.strip().lower() for s in counted.split(",") if s.strip()) or DEFAULT_COUNTED
    allowed = {s.value for s in OrderStatus} - NO_STOCK
    if not statuses <= allowed or basis not in ("net", "gmv"):
        raise ConfigurationError("ledger.policy_invalid", counted=counted, basis=basis,
                                 allowed=", ".join(sorted(allowed)))
    return CountingPolicy(statuses, "gmv" if basis == "gmv" else "net")


def channel_kind(platform: str) -> str:
    return "marketplace" if platform in MARKETPLACES else "other"
