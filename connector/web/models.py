"""Tables of connector.web (filled in by its issue)."""

from __future__ import annotations
