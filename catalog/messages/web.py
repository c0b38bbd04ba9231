"""Error codes of the web area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {}
