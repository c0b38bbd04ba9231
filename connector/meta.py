"""A small key-value table for facts about the database itself (reference-data fingerprints)."""

from __future__ import annotations

from sqlmodel import Field, Session, SQLModel


class Meta(SQLModel, table=True):
    __tablename__ = "agri_meta"

    key: str = Field(primary_key=True, max_length=80)
    value: str


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return row.value if row else None


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key) or Meta(key=key, value=value)
    row.value = value
    session.add(row)
