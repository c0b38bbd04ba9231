"""Error codes of the sync area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {}
