"""The onboarding register: who onboarded which household, its trainings, and merge candidates.

The register is four tables around ``producer`` (the household) and ``marketplace_account``
(its shops, the one account entity of ``connector/accounts.py``):

* :class:`TeamMember`: a member of a Tổ công nghệ số cộng đồng, by name and phone, linked to a
  web user later (``user_id``);
* :class:`Registration`: a household on a team member's list; one household may be on several
  teams' lists, so the pair is unique, and ``registered_on`` is when that team first recorded it;
* :class:`TrainingRecord`: one training a household attended, unique on (producer, day, topic);
* :class:`MergeCandidate`: two producer records that may be one household (the same phone under
  two names), held for a person to decide (``agri producers merge`` / ``keep-both``).  A decided
  candidate stays as the record of the decision; a merged one keeps the absorbed producer's code,
  name and phone so a re-imported file still finds the survivor.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from catalog.clock import utcnow


class TeamMember(SQLModel, table=True):
    """A member of a Tổ công nghệ số cộng đồng, recorded by name and phone."""

    __tablename__ = "team_member"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=16, unique=True)
    unit_vn2025: str | None = Field(default=None, max_length=5)
    user_id: int | None = Field(default=None, description="Linked web user, once there is one")


class Registration(SQLModel, table=True):
    """A household on one team member's list (``team_member_id`` is empty when the file names none)."""

    __tablename__ = "onboarding_registration"
    __table_args__ = (UniqueConstraint("producer_id", "team_member_id", name="uq_registration_member"),)

    id: int | None = Field(default=None, primary_key=True)
    producer_id: int = Field(foreign_key="producer.id", index=True)
    team_member_id: int | None = Field(default=None, foreign_key="team_member.id", index=True)
    registered_on: date = Field(index=True, description="First date this team recorded the household")
    source: str | None = Field(default=None, max_length=200, description="File the row came from")


class TrainingRecord(SQLModel, table=True):
    __tablename__ = "training_record"
    __table_args__ = (UniqueConstraint("producer_id", "day", "topic", name="uq_training_day_topic"),)

    id: int | None = Field(default=None, primary_key=True)
    producer_id: int = Field(foreign_key="producer.id", index=True)
    day: date
    topic: str = Field(max_length=200)
    trainer: str | None = Field(default=None, max_length=200)
    team_member_id: int | None = Field(default=None, foreign_key="team_member.id")


class CandidateStatus(StrEnum):
    open = "open"
    merged = "merged"
    kept = "kept"


class MergeCandidate(SQLModel, table=True):
    """Two records that may be one household, or a producer and an incoming row's data."""

    __tablename__ = "merge_candidate"
    __table_args__ = (UniqueConstraint("producer_a_id", "incoming_key", name="uq_merge_candidate"),)

    id: int | None = Field(default=None, primary_key=True)
    producer_a_id: int = Field(foreign_key="producer.id", index=True)
    producer_b_id: int | None = Field(default=None, foreign_key="producer.id", index=True)
    incoming: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON), description="The row (or the absorbed producer) as it was")
    incoming_key: str = Field(max_length=300, description="phone|folded name: one candidate per pair")
    reason: str = Field(max_length=40, description="phone_other_name, manual…")
    status: CandidateStatus = Field(default=CandidateStatus.open, index=True)
    source: str | None = Field(default=None, max_length=300, description="file:row that raised it")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    decided_by: str | None = Field(default=None, max_length=80)
