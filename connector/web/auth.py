"""Logins: users, argon2 passwords, server-side sessions, one-time codes and login throttling.

Service functions, keyword-only with an explicit session, shared by ``agri users`` and the web
pages.  Nothing here knows about HTTP: the web layer turns a session token into a cookie.

* A session token is 32 random bytes; the cookie carries it, the table only its SHA-256.
* A one-time code (12 characters, without look-alike letters) lets a household set its password;
  staff create one when they open or reset a login.  It lives 7 days and works once.
* After :data:`MAX_FAILURES` failed logins for a name within :data:`THROTTLE_WINDOW`, further
  attempts are refused (even with the right password) until the window has passed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from catalog.admin_units import AdminUnit
from catalog.errors import AgriConnectorError, CatalogueValidationError, ConflictError, NotFoundError
from catalog.producers import get_producer, utcnow
from catalog.text import fold
from connector.onboarding.models import TeamMember
from connector.web.models import LoginAttempt, OneTimeCode, Role, WebSession, WebUser

SESSION_LIFETIME = timedelta(days=14)
CODE_LIFETIME = timedelta(days=7)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
MIN_PASSWORD = 8
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_hasher = PasswordHasher()


class LoginRefused(AgriConnectorError):
    """A sign-in refused: wrong name or password, a one-time code spent or unknown, too many
    failures (not :class:`catalog.errors.AuthError`, a marketplace refusing our credentials)."""

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
        from connector.onboarding.columns import fast_phone

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
    from connector.onboarding.columns import fast_phone

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
    """A fresh one-time code for ``user`` (earlier unused codes stop working); returned once, stored hashed."""
    now = utcnow()
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


def redeem_code(*, session: Session, username: str, code: str, password: str) -> WebUser:
    """Set the password of ``username`` with a valid one-time code; the code is spent."""
    try:
        user = get_user(session=session, username=username)
    except NotFoundError:
        raise LoginRefused("web.code_invalid") from None
    _check_throttle(session, user.username)
    cleaned = code.strip().upper().replace(" ", "").replace("-", "")
    row = session.exec(select(OneTimeCode).where(OneTimeCode.user_id == user.id,
                                                 OneTimeCode.code_hash == _digest(cleaned),
                                                 col(OneTimeCode.used_at).is_(None))).first()
    if row is None or _aware(row.expires_at) < utcnow():
        _fail(session, user.username)
        raise LoginRefused("web.code_invalid")
    user.password_hash = hash_password(password)
    row.used_at = utcnow()
    session.add_all([user, row])
    session.flush()
    return user


def _failures(session: Session, username: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    query = select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == username, col(LoginAttempt.at) >= since)
    return int(session.exec(query).one())


def _check_throttle(session: Session, username: str) -> None:
    if _failures(session, username) >= MAX_FAILURES:
        raise LoginRefused("web.login_throttled", minutes=int(THROTTLE_WINDOW.total_seconds() // 60))


def _fail(session: Session, username: str) -> None:
    session.add(LoginAttempt(username=username[:80]))
    session.flush()


def authenticate(*, session: Session, username: str, password: str) -> WebUser:
    """The user with this name and password; throttled per name; the same error for any failure."""
    name = normalize_username(username)
    _check_throttle(session, name)
    user = session.exec(select(WebUser).where(WebUser.username == name)).first()
    ok = False
    if user is not None and user.active and user.password_hash:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    if not ok or user is None:
        _fail(session, name)
        raise LoginRefused("web.login_failed")
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.username) == name))
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
