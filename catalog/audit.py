"""Audit trail: who changed what (a user name or ``cli``), when, and the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlmodel import Column, Field, Session, SQLModel

from catalog.clock import utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    actor: str = Field(max_length=80)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=80, index=True)
    action: str = Field(max_length=20)  # create | update | delete | merge
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v if isinstance(v, str | int | float | bool | type(None)) else str(v) for k, v in values.items()}


def record_change(
    *,
    session: Session,
    actor: str,
    entity: str,
    entity_id: object,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(actor=actor, entity=entity, entity_id=str(entity_id), action=action,
                       before=_jsonable(before), after=_jsonable(after))
    session.add(entry)
    return entry
