"""Orders pulled from marketplaces or imported from seller-centre exports: bookmarks, status history."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "MAX_PAGES",
    "IngestResult",
    "OrderBookmark",
    "OrderLine",
    "OrderStatusChange",
    "SalesOrder",
    "ingest_orders",
    "pull_all",
    "windows",
]

if TYPE_CHECKING:
    from connector.orders.batch import IngestResult
    from connector.orders.ingest import ingest_orders
    from connector.orders.models import OrderBookmark, OrderLine, OrderStatusChange, SalesOrder
    from connector.orders.pull import MAX_PAGES, pull_all, windows


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import connector.orders`` stays cheap."""
    if name in {"IngestResult"}:
        from connector.orders import batch

        value = getattr(batch, name)
    elif name in {"ingest_orders"}:
        from connector.orders import ingest

        value = getattr(ingest, name)
    elif name in {"OrderBookmark", "OrderLine", "OrderStatusChange", "SalesOrder"}:
        from connector.orders import models

        value = getattr(models, name)
    elif name in {"MAX_PAGES", "pull_all", "windows"}:
        from connector.orders import pull

        value = getattr(pull, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # loaded once
    return value
