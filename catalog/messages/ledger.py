"""Error codes of the ledger area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {}
