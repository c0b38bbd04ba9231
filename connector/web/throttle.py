"""Login throttling without lock-outs: a growing delay per user name, per client address, and per pair.

A fixed lock after N failures lets anyone lock anyone out by typing a wrong password N times.
Here every failure is recorded with the name tried and the client's address (behind a proxy,
the address the trusted proxy reports: ``AGRI_TRUSTED_PROXIES``), and an attempt must wait,
after a few free failures, a delay that doubles with each further failure and stops growing at a
cap.  Three counts, each over the last :data:`WINDOW`:

==========  ===========  ==========================================================
key          free tries   why
==========  ===========  ==========================================================
name+client  5            one person guessing one password: the tightest delay
client       20           one machine trying many names (password spraying)
name         50           many machines guessing one name; capped at a minute, so
                          the owner of the name is slowed, never locked out
==========  ===========  ==========================================================

The delay is counted from the latest failure of that key; while it runs, an attempt is refused
before the password is even looked at, with the seconds left in the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from catalog.clock import utcnow
from connector.users import LoginAttempt

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    free: int
    cap: timedelta


LIMITS = {"pair": Limit(5, timedelta(minutes=15)), "client": Limit(20, timedelta(minutes=15)),
          "name": Limit(50, timedelta(minutes=1))}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def delay_after(failures: int, limit: Limit) -> timedelta:
    """How long to wait after the latest of ``failures`` failures: nothing within the free tries, then 1 s,
    2 s, 4 s… up to the cap."""
    over = failures - limit.free
    if over < 0:
        return timedelta(0)
    return min(limit.cap, timedelta(seconds=2 ** min(over, 20)))


def wait_before_login(*, session: Session, username: str, client: str | None,
                      now: datetime | None = None) -> timedelta:
    """How long this name, from this client, must still wait before its password is checked."""
    now = now or utcnow()
    since = now - WINDOW
    keys: dict[str, ColumnElement[bool]] = {"name": col(LoginAttempt.username) == username}
    if client:
        keys["client"] = col(LoginAttempt.client) == client
        keys["pair"] = and_(col(LoginAttempt.username) == username, col(LoginAttempt.client) == client)
    wait = timedelta(0)
    for key, clause in keys.items():
        count, latest = session.exec(select(func.count(), func.max(LoginAttempt.at))
                                     .where(clause, col(LoginAttempt.at) >= since)).one()
        if latest is not None:
            wait = max(wait, _aware(latest) + delay_after(int(count), LIMITS[key]) - now)
    return wait


def record_failure(*, session: Session, username: str, client: str | None) -> None:
    session.add(LoginAttempt(username=username[:80], client=(client or None) and client[:64]))
    session.flush()


def forget_failures(*, session: Session, username: str) -> None:
    """After a successful login: the name's failures no longer count (a client's other names still do)."""
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.username) == username))
