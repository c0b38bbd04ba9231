"""Tables of connector.listings (filled in by its issue)."""

from __future__ import annotations
