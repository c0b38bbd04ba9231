"""Error codes of the adapters area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {}
