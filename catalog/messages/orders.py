"""Error codes of the orders area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {}
