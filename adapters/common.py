"""Small pure helpers the built-in mappers share (times, integers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from catalog.errors import SkippableError

VN_TZ = timezone(timedelta(hours=7), "ICT")


def parse_time(value: Any, *, marketplace: str) -> datetime:
    """An aware datetime from ISO 8601 text (no offset: Asia/Ho_Chi_Minh) or epoch seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value:
        text = value.strip().replace("Z", "+00:00")
        if text.isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)
    raise SkippableError("market.skippable", marketplace=marketplace, detail=f"unreadable time {value!r}")


def as_int(value: Any, *, marketplace: str, what: str) -> int:
    """A whole number from an int or digit text (VND has no minor unit: fractions are refused)."""
    if isinstance(value, bool):
        raise SkippableError("market.skippable", marketplace=marketplace, detail=f"{what}: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise SkippableError("market.skippable", marketplace=marketplace, detail=f"{what}: {value!r}")


def iso(moment: datetime) -> str:
    """ISO 8601 with the +07:00 offset (what the Vietnamese marketplaces print)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).isoformat()
