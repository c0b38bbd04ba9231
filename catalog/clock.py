"""Time, one place for the whole project: stored in UTC (timezone-aware), read and cut into days in
Việt Nam (Asia/Ho_Chi_Minh, UTC+7, no daylight saving).

Every layer needs the same clock — the catalogue stamps its rows, the ledger books a sale on its
local day, the faces print local times — so it lives at the bottom, in ``catalog``, which imports
nothing of ``adapters`` or ``connector``.  Reporting periods built on these days are in
:mod:`catalog.periods`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: what every stored time is."""
    return datetime.now(UTC)


def local_today() -> date:
    """Today in Việt Nam: from 17:00 UTC it is already tomorrow there, whatever the server's zone."""
    return datetime.now(LOCAL_TZ).date()


def local_time(moment: datetime | None) -> str:
    """A stored UTC time as people read it: Asia/Ho_Chi_Minh, ``HH:MM dd/mm/yyyy`` (SQLite gives
    times back naive: they are UTC)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive time (as SQLite hands them back) is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_midnight(day: date) -> datetime:
    """The start of a local day, in UTC: periods are cut at local midnight, never UTC."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)
