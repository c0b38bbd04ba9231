"""One run per account at a time: a lease row in the database.

Taking a lease is one conditional statement (an INSERT, or an UPDATE of a row whose lease has
expired), so it is atomic on SQLite and PostgreSQL alike without row locks.  The holder renews
it while it works; if the holder dies the lease simply expires.  A holder on the same machine
whose process is gone (``kill -9``) is recognised at once, so a re-run does not have to wait.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalog.clock import utcnow
from catalog.errors import ConflictError
from connector.sync.models import SyncLease

DEFAULT_TTL = timedelta(seconds=60)
HOST = socket.gethostname()


def new_holder(label: str = "sync") -> str:
    """``host:pid:random:label`` — says who holds a lease, and lets the same host see it died."""
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}:{label}"


def _holder_dead(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@dataclass
class Lease:
    account_id: int
    account_name: str
    holder: str
    expires_at: datetime
    ttl: timedelta


def acquire_lease(
    *,
    session: Session,
    account_id: int,
    account_name: str,
    holder: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    purpose: str = "sync",
    now: Callable[[], datetime] = utcnow,
) -> Lease:
    """Take the account's lease or raise ConflictError ``sync.lease_held``.  Commits."""
    holder = holder or new_holder(purpose)
    moment = now()
    values = {"holder": holder, "purpose": purpose, "acquired_at": moment, "expires_at": moment + ttl}
    try:
        session.execute(insert(SyncLease).values(account_id=account_id, **values))
        session.commit()
        return Lease(account_id, account_name, holder, moment + ttl, ttl)
    except IntegrityError:
        session.rollback()
    current = session.exec(select(SyncLease.holder).where(SyncLease.account_id == account_id)).first()
    taken = session.execute(update(SyncLease).where(
        col(SyncLease.account_id) == account_id,
        (col(SyncLease.expires_at) < moment) | (col(SyncLease.holder) == holder)
        | (col(SyncLease.holder) == (current if current and _holder_dead(current) else "")),
    ).values(**values).execution_options(synchronize_session=False))
    session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        latest = session.exec(select(SyncLease.holder, SyncLease.expires_at)
                              .where(SyncLease.account_id == account_id)).first()
        session.commit()
        who, until = latest if latest else ("?", None)
        raise ConflictError("sync.lease_held", account=account_name,
                            holder=who.split(":")[-1] + "@" + who.split(":")[0],
                            expires=until.isoformat(timespec="seconds") if until else "?")
    return Lease(account_id, account_name, holder, moment + ttl, ttl)


def renew_lease(*, session: Session, lease: Lease, now: Callable[[], datetime] = utcnow) -> None:
    """Push the expiry on; ConflictError ``sync.lease_lost`` if someone else holds it now.  Commits."""
    expires = now() + lease.ttl
    renewed = session.execute(update(SyncLease).where(
        col(SyncLease.account_id) == lease.account_id, col(SyncLease.holder) == lease.holder,
    ).values(expires_at=expires).execution_options(synchronize_session=False))
    session.commit()
    if renewed.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("sync.lease_lost", account=lease.account_name)
    lease.expires_at = expires


def release_lease(*, session: Session, lease: Lease) -> None:
    session.execute(delete(SyncLease).where(
        col(SyncLease.account_id) == lease.account_id, col(SyncLease.holder) == lease.holder,
    ).execution_options(synchronize_session=False))
    session.commit()
