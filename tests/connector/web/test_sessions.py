"""Sessions end when a password changes or is reset; failed logins slow down, never lock out.

Service-level tests run on SQLite and PostgreSQL; page-level tests drive the app as a browser would.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select

from catalog.clock import utcnow
from catalog.errors import AgriConnectorError
from connector.settings import Settings
from connector.users import LoginAttempt, Role, WebSession
from connector.web import auth
from connector.web.app import create_app
from connector.web.auth import (
    NewUser,
    authenticate,
    create_user,
    issue_code,
    redeem_code,
    resolve_session,
    start_session,
)
from connector.web.throttle import LIMITS, delay_after, record_failure, wait_before_login
from tests.connector.web.conftest import PASSWORD, TestClient, World, csrf_of, login


def _user(session: Session, name: str = "chi-mai") -> auth.WebUser:
    user = create_user(session=session, data=NewUser(name, "Chị Mai", Role.province), password=PASSWORD)
    session.commit()
    return user


def _sessions(session: Session, user_id: int) -> int:
    return len(session.exec(select(WebSession).where(WebSession.user_id == user_id)).all())


def test_a_reset_and_a_redeemed_code_end_every_session(session: Session) -> None:
    user = _user(session)
    assert user.id is not None
    phone, laptop = start_session(session=session, user=user)[0], start_session(session=session, user=user)[0]
    code = issue_code(session=session, user=user)  # staff reset: whoever is logged in as them is out
    assert resolve_session(session=session, token=phone) is None
    assert resolve_session(session=session, token=laptop) is None
    start_session(session=session, user=user)
    redeem_code(session=session, username="chi-mai", code=code, password="mat-khau-moi-2")
    assert _sessions(session, user.id) == 0
    assert authenticate(session=session, username="chi-mai", password="mat-khau-moi-2").id == user.id


def test_changing_the_password_keeps_only_this_session(session: Session) -> None:
    user = _user(session)
    assert user.id is not None
    here, _row = start_session(session=session, user=user)
    elsewhere, _row = start_session(session=session, user=user)
    with pytest.raises(AgriConnectorError):
        auth.change_password(session=session, user=user, current="sai-mat-khau", new="mat-khau-moi-2",
                             keep_token=here)
    assert resolve_session(session=session, token=elsewhere) is not None  # a wrong current password changes nothing
    auth.change_password(session=session, user=user, current=PASSWORD, new="mat-khau-moi-2", keep_token=here)
    assert resolve_session(session=session, token=here) is not None
    assert resolve_session(session=session, token=elsewhere) is None


def test_the_account_page_changes_the_password_and_logs_out_everywhere(world: World) -> None:
    app = create_app(engine=world.engine, settings=world.settings)
    phone, desk = TestClient(app), TestClient(app)
    login(phone, "htx-na")
    login(desk, "htx-na")
    changed = phone.post("/account/password", data={"csrf": csrf_of(phone), "current": PASSWORD,
                                                    "new": "mat-khau-moi-2"})
    assert changed.status_code == 200
    assert "Các thiết bị khác đã bị đăng xuất" in changed.text
    assert desk.get("/api/me").status_code == 401
    assert phone.get("/api/me").status_code == 200
    login(desk, "htx-na", "mat-khau-moi-2")
    out = phone.post("/account/logout-everywhere", data={"csrf": csrf_of(phone)}, follow_redirects=False)
    assert out.status_code == 303
    assert phone.get("/api/me").status_code == 401
    assert desk.get("/api/me").status_code == 401


def test_an_unknown_name_costs_the_same_verification_as_a_known_one(session: Session,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Structural, not timed: exactly one argon2 verification whether the name exists, is inactive, or not."""
    user = _user(session)
    calls: list[str] = []
    real = auth._hasher

    class Counting:
        def verify(self, stored: str, password: str) -> bool:
            calls.append(stored)
            return bool(real.verify(stored, password))

        def hash(self, password: str) -> str:
            return real.hash(password)

        def check_needs_rehash(self, stored: str) -> bool:
            return bool(real.check_needs_rehash(stored))

    monkeypatch.setattr(auth, "_hasher", Counting())
    for name in ("chi-mai", "khong-co-ai"):
        with pytest.raises(AgriConnectorError):
            authenticate(session=session, username=name, password="sai-mat-khau")
    user.active = False
    session.add(user)
    with pytest.raises(AgriConnectorError):
        authenticate(session=session, username="chi-mai", password=PASSWORD)
    assert len(calls) == 3
    assert calls[1] == calls[2] != calls[0]  # the unknown and the inactive name: the dummy hash


def test_failures_slow_the_guesser_not_the_owner(session: Session) -> None:
    """Sixty wrong passwords from one address: that address waits the longest; the owner, from their phone,
    waits at most the name's cap (a minute), and is never locked out."""
    _user(session)
    for _ in range(60):
        record_failure(session=session, username="chimai", client="203.0.113.9")
    now = utcnow()
    attacker = wait_before_login(session=session, username="chimai", client="203.0.113.9", now=now)
    owner = wait_before_login(session=session, username="chimai", client="198.51.100.7", now=now)
    assert LIMITS["pair"].cap - timedelta(seconds=5) < attacker <= LIMITS["pair"].cap
    assert timedelta(0) < owner <= LIMITS["name"].cap
    later = now + LIMITS["name"].cap + timedelta(seconds=1)
    assert wait_before_login(session=session, username="chimai", client="198.51.100.7", now=later) == timedelta(0)
    # another name from the guesser's address is slowed too (it sprayed past the client's free tries)
    assert wait_before_login(session=session, username="other", client="203.0.113.9", now=now) > timedelta(0)


@given(st.integers(0, 500), st.sampled_from(sorted(LIMITS)))
def test_the_delay_grows_and_stops_at_its_cap(failures: int, key: str) -> None:
    limit = LIMITS[key]
    delay, more = delay_after(failures, limit), delay_after(failures + 1, limit)
    assert timedelta(0) <= delay <= more <= limit.cap
    assert (delay == timedelta(0)) == (failures < limit.free)


def test_a_trusted_proxy_decides_the_client_address_and_the_scheme(web_template: tuple[Path, dict[str, int | str]],
                                                                   tmp_path: Path) -> None:
    import shutil

    from connector.db import make_engine

    path = tmp_path / "web.db"
    shutil.copy(web_template[0], path)
    engine: Engine = make_engine(f"sqlite:///{path}")
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    for trusted, address, secure in (("testclient", "203.0.113.9", True), ("", "testclient", False)):
        settings = Settings(database_url=f"sqlite:///{path}", data_dir=tmp_path / "data", trusted_proxies=trusted)
        client = TestClient(create_app(engine=engine, settings=settings), headers=forwarded)
        page = client.get("/login")
        token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        client.cookies.clear()  # a Secure cookie would not come back over the test's plain http: send it as is
        client.cookies.set("agri_csrf", token)
        client.post("/login", data={"username": "htx-na", "password": "sai", "csrf": token})
        with Session(engine) as session:
            last = session.exec(select(LoginAttempt).order_by(LoginAttempt.id.desc())).first()  # type: ignore[union-attr]
            assert last is not None and last.client == address
        ok = client.post("/login", data={"username": "canbo", "password": PASSWORD, "csrf": token},
                         follow_redirects=False)
        assert ok.status_code == 303
        assert ("secure" in ok.headers["set-cookie"].lower()) is secure
        assert ("strict-transport-security" in ok.headers) is secure
    engine.dispose()
