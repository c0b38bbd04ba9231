"""Tables of the web app: users and their roles, server-side sessions, one-time codes, login attempts.

* :class:`WebUser`: one login.  ``role`` decides what every query may see (:mod:`connector.web.scope`):
  a *producer* user (a cooperative or a household) sees its own producer only; *staff* see the
  producers of their vn2025 communes/wards (``communes``) and are linked to a team member of the
  onboarding register; *province* reads counts, never personal data; *admin* sees everything.
* :class:`WebSession`: a login session.  The cookie holds a random token; only its SHA-256 is
  stored, so a copy of the database does not let anyone in.  The CSRF token lives beside it.
* :class:`OneTimeCode`: a code that staff hand to a household to set (or reset) its password;
  stored hashed, single use, short-lived.
* :class:`LoginAttempt`: failed logins, counted per user name to throttle guessing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime
from sqlmodel import Column, Field, SQLModel

from catalog.clock import utcnow


class Role(StrEnum):
    producer = "producer"  # a cooperative or household: its own producer only
    staff = "staff"  # support staff: the producers of their communes
    province = "province"  # read-only counts
    admin = "admin"


class WebUser(SQLModel, table=True):
    __tablename__ = "web_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True, index=True, description="Folded login name or phone")
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=16, description="A Role value")
    producer_id: int | None = Field(default=None, foreign_key="producer.id", index=True)
    team_member_id: int | None = Field(default=None, foreign_key="team_member.id")
    communes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False),
                                description="vn2025 commune/ward codes a staff member works in")
    password_hash: str | None = Field(default=None, max_length=200, repr=False)
    active: bool = True
    created_by: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="web_user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class OneTimeCode(SQLModel, table=True):
    __tablename__ = "web_one_time_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="web_user.id", index=True)
    code_hash: str = Field(max_length=64, index=True)
    created_by: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "web_login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, index=True)
    client: str | None = Field(default=None, max_length=64, index=True,
                               description="The client's address (the trusted proxy's X-Forwarded-For)")
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False,
                                                                   index=True))
