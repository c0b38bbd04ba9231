"""The per-account lease: one holder at a time, expiry, a dead holder, and two real processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from sqlmodel import Session

from catalog.clock import utcnow
from catalog.errors import ConflictError
from connector.sync.lease import acquire_lease, release_lease, renew_lease
from tests.connector.sync.fakes import make_shop


def test_one_holder_at_a_time(session: Session) -> None:
    account = make_shop(session, count=0)
    assert account.id is not None
    first = acquire_lease(session=session, account_id=account.id, account_name=account.name, holder="h:1:a:web")
    with pytest.raises(ConflictError) as info:
        acquire_lease(session=session, account_id=account.id, account_name=account.name, holder="h:1:b:worker")
    assert info.value.code == "sync.lease_held"
    renew_lease(session=session, lease=first)
    release_lease(session=session, lease=first)
    second = acquire_lease(session=session, account_id=account.id, account_name=account.name, holder="h:1:b:worker")
    with pytest.raises(ConflictError) as lost:
        renew_lease(session=session, lease=first)
    assert lost.value.code == "sync.lease_lost"
    release_lease(session=session, lease=second)


def test_expired_lease_is_taken(session: Session) -> None:
    account = make_shop(session, count=0)
    assert account.id is not None
    past = utcnow() - timedelta(minutes=5)
    acquire_lease(session=session, account_id=account.id, account_name=account.name, holder="other:1:a:sync",
                  ttl=timedelta(seconds=1), now=lambda: past)
    lease = acquire_lease(session=session, account_id=account.id, account_name=account.name)
    assert lease.holder != "other:1:a:sync"


HOLDER = textwrap.dedent("""
    import sys, time
    from sqlmodel import Session
    from connector.db import make_engine
    from connector.sync.lease import acquire_lease
    engine = make_engine(sys.argv[1])
    with Session(engine) as session:
        acquire_lease(session=session, account_id=int(sys.argv[2]), account_name="a")
        print("held", flush=True)
        time.sleep(120)
""")


def test_two_processes(session: Session, db_url: str) -> None:
    account = make_shop(session, count=0)
    assert account.id is not None
    with subprocess.Popen([sys.executable, "-c", HOLDER, db_url, str(account.id)], stdout=subprocess.PIPE,
                          text=True) as other:
        try:
            assert other.stdout is not None and other.stdout.readline().strip() == "held"
            with pytest.raises(ConflictError):  # the other process holds it and is alive
                acquire_lease(session=session, account_id=account.id, account_name=account.name)
            other.kill()
            other.wait(timeout=10)
            # the holder died (kill -9): its lease is seen as dead at once, no need to wait for expiry
            lease = acquire_lease(session=session, account_id=account.id, account_name=account.name)
            release_lease(session=session, lease=lease)
        finally:
            other.kill()
