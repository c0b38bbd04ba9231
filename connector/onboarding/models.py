"""Register entities: team members of the community digital-technology teams and trainings."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class TeamMember(SQLModel, table=True):
    """A member of a Tổ công nghệ số cộng đồng, recorded by name and phone."""

    __tablename__ = "team_member"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=16, unique=True)
    unit_vn2025: str | None = Field(default=None, max_length=5)
    user_id: int | None = Field(default=None, description="Linked web user, once there is one")


class TrainingRecord(SQLModel, table=True):
    __tablename__ = "training_record"

    id: int | None = Field(default=None, primary_key=True)
    producer_id: int = Field(foreign_key="producer.id", index=True)
    day: date
    topic: str = Field(max_length=200)
    trainer: str | None = Field(default=None, max_length=200)
    team_member_id: int | None = Field(default=None, foreign_key="team_member.id")
