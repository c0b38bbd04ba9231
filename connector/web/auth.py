"""Logins: users, argon2 passwords, server-side sessions, one-time codes and login throttling.

Service functions, keyword-only with an explicit session, shared by ``agri users`` and the web
pages.  Nothing here knows about HTTP: the web layer turns a session token into a cookie.

* A session token is 32 random bytes; the cookie carries it, the table only its SHA-256.
* A one-time code (12 characters, without look-alike letters) lets a household set its password;
  staff create one when they open or reset a login.  It lives 7 days and works once.
* Failed logins slow further attempts down, never lock an account (:mod:`connector.web.throttle`).
  An unknown name costs the same password verification as a known one (against a dummy hash),
  so the answer's timing does not tell which names exist.
* Setting a password (a change, a one-time code) and a reset by staff end the user's other
  sessions; "log out everywhere" ends all of them.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from catalog.admin_units import AdminUnit
from catalog.clock import utcnow
from catalog.errors import AgriConnectorError, CatalogueValidationError, ConflictError, NotFoundError
from catalog.producers import get_producer
from catalog.text import fold
from connector.onboarding import TeamMember
from connector.users import OneTimeCode, Role, WebSession, WebUser
from connector.web.throttle import forget_failures, record_failure, wait_before_login

SESSION_LIFETIME = timedelta(days=14)
CODE_LIFETIME = timedelta(days=7)
MIN_PASSWORD = 8
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_hasher = PasswordHasher()


class LoginRefused(AgriConnectorError):
    default_code = "web.login_failed"


class ForbiddenError(AgriConnectorError):
    default_code = "web.forbidden"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for aware columns; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def normalize_username(name: str) -> str:
    """Folded, without spaces; a phone number in any usual spelling becomes its E.164 form."""
    compact = name.strip().replace(" ", "").replace(".", "").replace("-", "")
    if compact.lstrip("+").isdigit() and 9 <= len(compact.lstrip("+")) <= 12:
        from connector.onboarding import fast_phone

        try:
            return fast_phone(compact)
        except CatalogueValidationError:
            pass
    return fold(name).replace(" ", "")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise CatalogueValidationError("web.password_weak", min=MIN_PASSWORD)
    return _hasher.hash(password)


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: Role
    producer_code: str | None = None
    communes: tuple[str, ...] = ()
    team_member_phone: str | None = None


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise CatalogueValidationError("web.role_unknown", value=value, allowed=allowed) from None


def create_user(*, session: Session, data: NewUser, password: str | None = None,
                created_by: int | None = None) -> WebUser:
    """Create a login; without a password it can only be used after a one-time code sets one."""
    username = normalize_username(data.username)
    if not username:
        raise CatalogueValidationError("value.required", column="username")
    if session.exec(select(WebUser.id).where(WebUser.username == username)).first() is not None:
        raise ConflictError("web.username_taken", value=username)
    user = WebUser(username=username, display_name=data.display_name.strip() or username, role=data.role.value,
                   created_by=created_by)
    if data.role is Role.producer:
        if not data.producer_code:
            raise CatalogueValidationError("web.role_needs_producer")
        user.producer_id = get_producer(session=session, code=data.producer_code).id
    if data.role is Role.staff:
        if not data.communes:
            raise CatalogueValidationError("web.role_needs_communes")
        user.communes = _check_communes(session, data.communes)
        if data.team_member_phone:
            user.team_member_id = _team_member(session, data.team_member_phone, user.display_name, user.communes)
    if password is not None:
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    if user.team_member_id is not None:
        member = session.get(TeamMember, user.team_member_id)
        if member is not None and member.user_id is None:
            member.user_id = user.id
            session.add(member)
            session.flush()
    return user


def _check_communes(session: Session, codes: tuple[str, ...]) -> list[str]:
    wanted = [c.strip() for c in codes if c.strip()]
    known = set(session.exec(select(AdminUnit.code).where(AdminUnit.scheme == "vn2025",
                                                          col(AdminUnit.code).in_(wanted))))
    for code in wanted:
        if code not in known:
            raise CatalogueValidationError("web.commune_unknown", value=code)
    return sorted(set(wanted))


def _team_member(session: Session, phone: str, name: str, communes: list[str]) -> int | None:
    from connector.onboarding import fast_phone

    e164 = fast_phone(phone)
    member = session.exec(select(TeamMember).where(TeamMember.phone == e164)).first()
    if member is None:
        member = TeamMember(name=name, phone=e164, unit_vn2025=communes[0] if communes else None)
        session.add(member)
        session.flush()
    return member.id


def get_user(*, session: Session, username: str) -> WebUser:
    user = session.exec(select(WebUser).where(WebUser.username == normalize_username(username))).first()
    if user is None:
        raise NotFoundError(entity="user", key=username)
    return user


def list_users(*, session: Session, producer_ids: set[int] | None = None) -> list[WebUser]:
    query = select(WebUser).order_by(col(WebUser.username))
    if producer_ids is not None:
        query = query.where(col(WebUser.producer_id).in_(producer_ids))
    return list(session.exec(query))


def issue_code(*, session: Session, user: WebUser, created_by: int | None = None) -> str:
    """A fresh one-time code for ``user`` (earlier unused codes stop working); returned once, stored hashed.

    A reset: the user's sessions end (whoever is logged in as them must log in again)."""
    now = utcnow()
    assert user.id is not None
    end_sessions(session=session, user_id=user.id)
    for old in session.exec(select(OneTimeCode).where(OneTimeCode.user_id == user.id,
                                                      col(OneTimeCode.used_at).is_(None))):
        old.used_at = now
        session.add(old)
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    assert user.id is not None
    session.add(OneTimeCode(user_id=user.id, code_hash=_digest(code), created_by=created_by,
                            expires_at=now + CODE_LIFETIME))
    session.flush()
    return code


def redeem_code(*, session: Session, username: str, code: str, password: str, client: str | None = None) -> WebUser:
    """Set the password of ``username`` with a valid one-time code; the code is spent, every session ends."""
    name = normalize_username(username)
    _check_throttle(session, name, client)
    user = session.exec(select(WebUser).where(WebUser.username == name)).first()
    cleaned = code.strip().upper().replace(" ", "").replace("-", "")
    row = None if user is None else session.exec(select(OneTimeCode).where(
        OneTimeCode.user_id == user.id, OneTimeCode.code_hash == _digest(cleaned),
        col(OneTimeCode.used_at).is_(None))).first()
    if user is None or row is None or _aware(row.expires_at) < utcnow():
        record_failure(session=session, username=name, client=client)
        raise LoginRefused("web.code_invalid")
    set_password(session=session, user=user, password=password)
    row.used_at = utcnow()
    session.add(row)
    session.flush()
    return user


def set_password(*, session: Session, user: WebUser, password: str, keep_token: str | None = None) -> None:
    """A new password; every session of the user ends but the one holding ``keep_token``, if given."""
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    assert user.id is not None
    end_sessions(session=session, user_id=user.id, keep_token=keep_token)


def change_password(*, session: Session, user: WebUser, current: str, new: str, keep_token: str | None) -> None:
    """The account page's change: the current password is checked first (a wrong one is a failed login)."""
    if not _verify(user, current):
        record_failure(session=session, username=user.username, client=None)
        raise LoginRefused("web.login_failed")
    set_password(session=session, user=user, password=new, keep_token=keep_token)


def end_sessions(*, session: Session, user_id: int, keep_token: str | None = None) -> int:
    """End the sessions of ``user_id`` (but the one of ``keep_token``); how many ended."""
    query = delete(WebSession).where(col(WebSession.user_id) == user_id)
    if keep_token:
        query = query.where(col(WebSession.token_hash) != _digest(keep_token))
    result = session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


def _check_throttle(session: Session, username: str, client: str | None) -> None:
    wait = wait_before_login(session=session, username=username, client=client)
    if wait.total_seconds() > 0:
        raise LoginRefused("web.login_throttled", seconds=max(1, math.ceil(wait.total_seconds())))


_dummy_hashes: dict[int, str] = {}


def _dummy_hash() -> str:
    """A hash made with the hasher's own parameters, checked when the name is unknown (same work, same time)."""
    key = id(_hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[key]


def _verify(user: WebUser | None, password: str) -> bool:
    """One argon2 verification whatever the user: theirs if they may log in, the dummy hash otherwise."""
    usable = user is not None and user.active and bool(user.password_hash)
    stored = user.password_hash if usable and user is not None and user.password_hash else _dummy_hash()
    try:
        ok: bool = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and usable


def authenticate(*, session: Session, username: str, password: str, client: str | None = None) -> WebUser:
    """The user with this name and password; the same error for any failure, slowed after repeated ones."""
    name = normalize_username(username)
    _check_throttle(session, name, client)
    user = session.exec(select(WebUser).where(WebUser.username == name)).first()
    if not _verify(user, password) or user is None:
        record_failure(session=session, username=name, client=client)
        raise LoginRefused("web.login_failed")
    forget_failures(session=session, username=name)
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return user


def start_session(*, session: Session, user: WebUser) -> tuple[str, WebSession]:
    """A new login session; returns the token for the cookie (shown once) and the row."""
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.execute(delete(WebSession).where(col(WebSession.user_id) == user.id,
                                             col(WebSession.expires_at) < utcnow()))
    row = WebSession(token_hash=_digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                     expires_at=utcnow() + SESSION_LIFETIME)
    session.add(row)
    session.flush()
    return token, row


def resolve_session(*, session: Session, token: str) -> tuple[WebUser, WebSession] | None:
    row = session.exec(select(WebSession).where(WebSession.token_hash == _digest(token))).first()
    if row is None or _aware(row.expires_at) < utcnow():
        return None
    user = session.get(WebUser, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def end_session(*, session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(col(WebSession.token_hash) == _digest(token)))
