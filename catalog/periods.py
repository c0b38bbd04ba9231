"""Reporting periods as the province writes them: a year, a month, a quarter, a half-year, a range,
or everything so far ("lũy kế").  Days are Việt Nam's days (:mod:`catalog.clock`); the onboarding
funnel, the ledger's reports and closes, and the faces all parse periods here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from catalog.errors import CatalogueValidationError

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?q([1-4])$", re.IGNORECASE)
_HALF = re.compile(r"^(\d{4})-?h([12])$", re.IGNORECASE)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the e-commerce figures this tool keeps; beyond them a period is a typo
_ALL = {"all", "luy-ke", "luyke", "lũy-kế", "lũy kế", "tat-ca", "*", ""}


@dataclass(frozen=True)
class Period:
    start: date | None  # inclusive; None: from the beginning
    end: date  # inclusive
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and (self.start is None or day >= self.start) and day <= self.end

    def to_dict(self) -> dict[str, str | None]:
        return {"label": self.label, "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat()}


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _one(text: str) -> tuple[date, date]:
    if m := _YEAR.match(text):
        year = int(m.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    if m := _MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        return date(year, month, 1), _month_end(year, month)
    if m := _QUARTER.match(text):
        year, quarter = int(m.group(1)), int(m.group(2))
        return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if m := _HALF.match(text):
        year, half = int(m.group(1)), int(m.group(2))
        return date(year, 6 * half - 5, 1), _month_end(year, 6 * half)
    raise ValueError(text)


def parse_period(text: str | None, *, today: date) -> Period:
    """``2024``, ``2024-06``, ``2024-Q2``, ``2024-H1``, ``2023-07..2024-06``, or ``all`` (up to today)."""
    raw = (text or "").strip()
    if raw.lower() in _ALL:
        return Period(None, today, "lũy kế / all")
    try:
        if ".." in raw:
            first, last = raw.split("..", 1)
            start, end = _one(first.strip())[0], _one(last.strip())[1]
        else:
            start, end = _one(raw)
    except ValueError:
        raise CatalogueValidationError("onboarding.period_invalid", value=text) from None
    if end < start:
        raise CatalogueValidationError("onboarding.period_invalid", value=text)
    if start.year < FIRST_YEAR or end.year > LAST_YEAR:
        raise CatalogueValidationError("period.out_of_range", value=text, first=FIRST_YEAR, last=LAST_YEAR)
    return Period(start, end, raw)
