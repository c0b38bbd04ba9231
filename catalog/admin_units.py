"""Administrative units in both schemes and the lineage from old communes to new units.

``vn2004``: provinces (2-digit codes), districts (3) and communes (5) before 1 July 2025.
``vn2025``: 34 provinces and 3,321 communes/wards after the reform.  Codes collide across the
schemes (01843 is both the old Phường Phùng Chí Kiên and the new Phường Bắc Kạn), so a unit is
always ``(scheme, code)``.  The facts come from the data files in ``fixtures/admin_units/``
(see its ``SOURCE.md``); :func:`seed_admin_units` loads them.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, insert
from sqlmodel import Field, Session, SQLModel, col, select

from catalog.errors import CatalogueValidationError
from catalog.text import fold

Scheme = Literal["vn2004", "vn2025"]
SCHEMES: tuple[Scheme, ...] = ("vn2004", "vn2025")
DATA_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "admin_units"
_KIND_WORDS = ("thanh pho trung uong", "thanh pho", "tinh", "quan", "huyen", "thi xa", "thi tran",
               "phuong", "xa", "dac khu")


class AdminUnit(SQLModel, table=True):
    __tablename__ = "admin_unit"

    scheme: str = Field(primary_key=True, max_length=6)
    code: str = Field(primary_key=True, max_length=5)
    name: str
    kind: str
    parent_code: str | None = Field(default=None, max_length=5)
    name_key: str = Field(index=True, description="fold(name) without the kind word")


class UnitLineage(SQLModel, table=True):
    """One old (vn2004) commune → one new (vn2025) unit; ``partly`` when the commune was split."""

    __tablename__ = "unit_lineage"

    old_code: str = Field(primary_key=True, max_length=5)
    new_code: str = Field(primary_key=True, max_length=5, index=True)
    partly: bool = False


def kind_word(name: str) -> str | None:
    """The kind word a name starts with ("thanh pho" for "TP. Bắc Kạn"), if any."""
    key = fold(name)
    return next((w for w in _KIND_WORDS if key.startswith(w + " ")), None)


def bare_key(name: str) -> str:
    """Folded name without its leading kind word: "Huyện Ba Bể" → "ba be"."""
    key = fold(name)
    for word in _KIND_WORDS:
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def data_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("vn2004.csv", "vn2025.csv", "lineage.csv"):
        digest.update((DATA_DIR / name).read_bytes())
    return digest.hexdigest()


def seed_admin_units(session: Session) -> int:
    """Replace both schemes and the lineage with the data files' content; returns the unit count."""
    session.execute(delete(UnitLineage))
    session.execute(delete(AdminUnit))
    units = [
        {"scheme": scheme, "code": r["code"], "name": r["name"], "kind": r["kind"],
         "parent_code": r["parent_code"] or None, "name_key": bare_key(r["name"])}
        for scheme in SCHEMES
        for r in _rows(DATA_DIR / f"{scheme}.csv")
    ]
    session.execute(insert(AdminUnit), units)
    lineage = [{"old_code": r["old_code"], "new_code": r["new_code"], "partly": r["partly"] == "1"}
               for r in _rows(DATA_DIR / "lineage.csv")]
    session.execute(insert(UnitLineage), lineage)
    return len(units)


@dataclass
class UnitMatch:
    unit: AdminUnit
    parent: AdminUnit | None = None
    successors: list[AdminUnit] = field(default_factory=list)  # vn2004 → vn2025
    predecessors: list[AdminUnit] = field(default_factory=list)  # vn2025 ← vn2004 communes
    split: bool = False  # a vn2004 district whose communes went to units it shares with others
    communes: list[tuple[AdminUnit, AdminUnit]] = field(default_factory=list)  # district: old → new

    def to_dict(self) -> dict[str, object]:
        def brief(u: AdminUnit) -> dict[str, str]:
            return {"scheme": u.scheme, "code": u.code, "name": u.name, "kind": u.kind}

        out: dict[str, object] = {**brief(self.unit), "parent": brief(self.parent) if self.parent else None}
        out["successors"] = [brief(u) for u in self.successors]
        out["predecessors"] = [brief(u) for u in self.predecessors]
        if self.unit.scheme == "vn2004" and len(self.unit.code) == 3:
            out["split"] = self.split
            out["communes"] = [{"old": o.name, "old_code": o.code, "new": n.name, "new_code": n.code}
                               for o, n in self.communes]
        return out


def get_unit(*, session: Session, scheme: str, code: str) -> AdminUnit | None:
    return session.get(AdminUnit, (scheme, code))


def _by_key(session: Session, key: str, scheme: str | None) -> list[AdminUnit]:
    query = select(AdminUnit).where(AdminUnit.name_key == key)
    if scheme:
        query = query.where(AdminUnit.scheme == scheme)
    return list(session.exec(query.order_by(col(AdminUnit.scheme), col(AdminUnit.code))))


def find_units(*, session: Session, text: str, scheme: str | None = None, limit: int = 20) -> list[UnitMatch]:
    """Units whose code is ``text`` or whose name matches it in any spelling, with their lineage."""
    raw = text.strip()
    if raw.isdigit():
        units = [u for s in ([scheme] if scheme else SCHEMES) if (u := get_unit(session=session, scheme=s,
                 code=raw.zfill(5 if len(raw) > 3 else len(raw)))) is not None]
    else:
        key = bare_key(raw)
        units = _by_key(session, key, scheme)
        typed_kind = kind_word(raw)
        if typed_kind and any(fold(u.kind) == typed_kind for u in units):
            units = [u for u in units if fold(u.kind) == typed_kind]
        if not units:
            like = select(AdminUnit).where(col(AdminUnit.name_key).contains(key))
            if scheme:
                like = like.where(AdminUnit.scheme == scheme)
            units = list(session.exec(like.limit(limit)))
    return [describe_unit(session=session, unit=u) for u in units[:limit]]


def describe_unit(*, session: Session, unit: AdminUnit) -> UnitMatch:
    match = UnitMatch(unit=unit)
    if unit.parent_code:
        match.parent = get_unit(session=session, scheme=unit.scheme, code=unit.parent_code)
    if unit.scheme == "vn2025" and len(unit.code) == 5:
        olds = session.exec(select(UnitLineage.old_code).where(UnitLineage.new_code == unit.code)).all()
        match.predecessors = [u for c in olds if (u := get_unit(session=session, scheme="vn2004", code=c))]
    elif unit.scheme == "vn2004":
        communes = [unit.code] if len(unit.code) == 5 else list(session.exec(
            select(AdminUnit.code).where(AdminUnit.scheme == "vn2004", AdminUnit.parent_code == unit.code)))
        new_codes = sorted(set(session.exec(
            select(UnitLineage.new_code).where(col(UnitLineage.old_code).in_(communes)))))
        match.successors = [u for c in new_codes if (u := get_unit(session=session, scheme="vn2025", code=c))]
        if len(unit.code) == 3:
            match.split = bool(new_codes) and _district_is_split(session, unit.code, new_codes)
            pairs = session.exec(select(UnitLineage.old_code, UnitLineage.new_code)
                                 .where(col(UnitLineage.old_code).in_(communes))
                                 .order_by(col(UnitLineage.old_code))).all()
            match.communes = [(o, n) for old, new in pairs
                              if (o := get_unit(session=session, scheme="vn2004", code=old))
                              and (n := get_unit(session=session, scheme="vn2025", code=new))]
    return match


def _district_is_split(session: Session, district: str, new_codes: list[str]) -> bool:
    """True when some new unit of this district also took communes of another district."""
    olds = session.exec(select(UnitLineage.old_code).where(col(UnitLineage.new_code).in_(new_codes))).all()
    parents = set(session.exec(select(AdminUnit.parent_code).where(
        AdminUnit.scheme == "vn2004", col(AdminUnit.code).in_(olds))))
    return parents != {district}


def resolve_unit(*, session: Session, value: str, scheme: Scheme, within: str | None = None) -> AdminUnit:
    """The one commune-level unit named or coded by ``value`` in ``scheme``.

    ``within`` (a province or district code) narrows a name shared by several units.  Raises
    ``admin_unit.unknown`` with the closest names as a suggestion, or ``admin_unit.ambiguous``.
    """
    raw = value.strip()
    if raw.isdigit():
        unit = get_unit(session=session, scheme=scheme, code=raw.zfill(5))
        if unit is None:
            raise CatalogueValidationError("admin_unit.unknown", value=value, closest="—")
        return unit
    units = [u for u in _by_key(session, bare_key(raw), scheme) if len(u.code) == 5]
    if within:
        units = [u for u in units if u.parent_code == within or _in_province(session, u, within)]
    if len(units) == 1:
        return units[0]
    if len(units) > 1:
        names = ", ".join(f"{u.name} ({u.code})" for u in units[:5])
        raise CatalogueValidationError("admin_unit.ambiguous", value=value, candidates=names)
    raise CatalogueValidationError("admin_unit.unknown", value=value,
                                   closest=_suggest(session, raw, scheme, within))


def _in_province(session: Session, unit: AdminUnit, province: str) -> bool:
    if unit.scheme == "vn2025":
        return unit.parent_code == province
    district = get_unit(session=session, scheme="vn2004", code=unit.parent_code or "")
    return district is not None and district.parent_code == province


def _suggest(session: Session, raw: str, scheme: str, within: str | None) -> str:
    query = select(AdminUnit.name, AdminUnit.name_key, AdminUnit.parent_code).where(AdminUnit.scheme == scheme)
    rows = [r for r in session.exec(query) if within is None or r[2] == within]
    keys = {r[1]: r[0] for r in rows}
    close = difflib.get_close_matches(bare_key(raw), list(keys), n=3, cutoff=0.6)
    return ", ".join(keys[k] for k in close) or "—"
