"""Periods and "today" are Vietnamese: from 17:00 UTC it is already the next day in Việt Nam."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import clock
from catalog.clock import local_today
from catalog.periods import parse_period


def _frozen_at(moment: datetime) -> type[datetime]:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return moment.astimezone(tz) if tz else moment

    return Frozen


@pytest.mark.parametrize(("utc", "expected"), [
    (datetime(2026, 12, 1, 16, 59, tzinfo=UTC), date(2026, 12, 1)),
    (datetime(2026, 12, 1, 17, 0, tzinfo=UTC), date(2026, 12, 2)),   # midnight in Hà Nội
    (datetime(2026, 12, 31, 20, 8, tzinfo=UTC), date(2027, 1, 1)),   # already next year there
])
def test_today_is_the_date_in_viet_nam_whatever_the_server_zone(utc, expected, monkeypatch) -> None:
    monkeypatch.setattr(clock, "datetime", _frozen_at(utc))
    assert local_today() == expected
    assert parse_period("all", today=local_today()).end == expected


@given(st.integers(min_value=2000, max_value=2100), st.integers(min_value=1, max_value=12))
def test_a_month_period_covers_the_whole_month(year: int, month: int) -> None:
    period = parse_period(f"{year}-{month:02d}", today=date(2100, 12, 31))
    assert period.start == date(year, month, 1)
    assert period.end.month == month and (period.end.replace(day=1) == period.start)
    assert date(year, month, 1) in period and period.end in period
