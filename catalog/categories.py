"""The OCOP product taxonomy (6 sectors, their groups, 26 leaves) and its marketplace mapping.

The tree is data (``catalog/data/ocop_categories.csv``, from Decision 148/QĐ-TTg Appendix I),
not an enum.  Legacy labels from older apps ("Thủ công mỹ nghệ gia dụng", "Du lịch – lễ hội")
and common product words resolve through the ``aliases`` column.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import UniqueConstraint, insert
from sqlmodel import Field, Session, SQLModel, select

from catalog.errors import CatalogueValidationError
from catalog.text import fold

DATA_FILE = Path(__file__).resolve().parent / "data" / "ocop_categories.csv"


class Category(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=32)
    parent_code: str | None = Field(default=None, max_length=32)
    level: str = Field(max_length=8)  # sector | group | leaf
    name: str
    name_en: str
    aliases: str = ""  # "|"-separated


class CategoryMapping(SQLModel, table=True):
    """Our category on one marketplace: the remote category id (and path, for listing packs)."""

    __tablename__ = "category_mapping"
    __table_args__ = (UniqueConstraint("category_code", "marketplace", name="uq_category_mapping"),)

    id: int | None = Field(default=None, primary_key=True)
    category_code: str = Field(foreign_key="category.code", max_length=32)
    marketplace: str = Field(max_length=40, index=True)
    remote_id: str = Field(max_length=64)
    remote_path: str | None = None


def seed_categories(session: Session) -> int:
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        rows = [{**r, "parent_code": r["parent_code"] or None} for r in csv.DictReader(fh)]
    existing = set(session.exec(select(Category.code)))
    session.execute(insert(Category), [r for r in rows if r["code"] not in existing])
    for row in rows:
        if row["code"] in existing:
            category = session.get(Category, row["code"])
            assert category is not None
            category.sqlmodel_update(row)
            session.add(category)
    return len(rows)


def resolve_category(*, session: Session, value: str) -> Category:
    """A category by code ("1.3.2"), name or alias in any spelling."""
    text = value.strip()
    category = session.get(Category, text)
    if category is not None:
        return category
    key = fold(text)
    for candidate in session.exec(select(Category)):
        keys = {fold(candidate.name), fold(candidate.name_en)} | {fold(a) for a in candidate.aliases.split("|") if a}
        if key in keys:
            return candidate
    raise CatalogueValidationError("category.unknown", value=value)


def leaf_categories(*, session: Session) -> list[Category]:
    return list(session.exec(select(Category).where(Category.level == "leaf").order_by(Category.code)))


def set_category_mapping(
    *, session: Session, category_code: str, marketplace: str, remote_id: str, remote_path: str | None = None
) -> CategoryMapping:
    mapping = session.exec(select(CategoryMapping).where(
        CategoryMapping.category_code == category_code, CategoryMapping.marketplace == marketplace)).first()
    if mapping is None:
        mapping = CategoryMapping(category_code=category_code, marketplace=marketplace, remote_id=remote_id)
    mapping.remote_id, mapping.remote_path = remote_id, remote_path
    session.add(mapping)
    session.flush()
    return mapping
