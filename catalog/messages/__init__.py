"""Error messages of the later areas, one module per area so that each keeps its own file.

Each module defines ``CODES: dict[str, tuple[str, str]]`` (code: (Vietnamese, English));
:mod:`catalog.codes` merges them into the one registry.  Codes are never renamed once released.
"""

from catalog.messages import adapters, cli, ledger, listings, orders, sync, web

__all__ = ["adapters", "cli", "ledger", "listings", "orders", "sync", "web"]
