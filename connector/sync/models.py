"""Tables of connector.sync (filled in by its issue)."""

from __future__ import annotations
