"""Error codes of the listings area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {}
