"""Where a household counts in a report: its commune in either scheme, and its old district.

A household carries ``unit_vn2025`` and, when the team wrote the old commune, ``unit_vn2004``.
Reports by new commune use the first (or the successor of the second); reports by old commune or
old district use the second (or the only predecessor of the first).  A new unit formed from
communes of several old districts (Xã Phong Quang: TP Bắc Kạn + Bạch Thông) cannot be put in one
old district when its household's old commune is unknown: it gets an explicit **split** row, and a
household with no unit at all an **unknown** row, so every grouping adds up to the same total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from catalog.admin_units import AdminUnit, UnitLineage

UNKNOWN = "?"
SPLIT_PREFIX = "split:"
UNKNOWN_LABEL = "Chưa rõ địa bàn / unknown unit"


@dataclass(frozen=True, slots=True)
class Place:
    code: str  # a unit code, "split:<vn2025 code>" or "?"
    label: str


@dataclass
class Geography:
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (scheme, code) → name
    parent: dict[str, str] = field(default_factory=dict)  # vn2004 commune → district
    successor: dict[str, str] = field(default_factory=dict)  # vn2004 commune → vn2025 unit
    predecessors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _cache: dict[tuple[str, str | None, str | None], Place] = field(default_factory=dict)

    def name(self, scheme: str, code: str) -> str:
        return self.names.get((scheme, code), code)

    def new_unit(self, unit_vn2025: str | None, unit_vn2004: str | None) -> str | None:
        return unit_vn2025 or (self.successor.get(unit_vn2004) if unit_vn2004 else None)

    def old_commune(self, unit_vn2025: str | None, unit_vn2004: str | None) -> str | None:
        if unit_vn2004:
            return unit_vn2004
        olds = self.predecessors.get(unit_vn2025, []) if unit_vn2025 else []
        return olds[0] if len(olds) == 1 else None

    def place(self, dimension: str, unit_vn2025: str | None, unit_vn2004: str | None) -> Place:
        """The row a household falls in for ``dimension``: commune:vn2025, commune:vn2004 or district."""
        key = (dimension, unit_vn2025, unit_vn2004)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._place(dimension, unit_vn2025, unit_vn2004)
        return hit

    def _place(self, dimension: str, unit_vn2025: str | None, unit_vn2004: str | None) -> Place:
        new = self.new_unit(unit_vn2025, unit_vn2004)
        if dimension == "commune:vn2025":
            return Place(new, self.name("vn2025", new)) if new else Place(UNKNOWN, UNKNOWN_LABEL)
        old = self.old_commune(unit_vn2025, unit_vn2004)
        if dimension == "commune:vn2004" and old:
            return Place(old, self.name("vn2004", old))
        if dimension == "district":
            districts = ({self.parent[old]} if old and old in self.parent else
                         {self.parent[o] for o in self.predecessors.get(new or "", []) if o in self.parent})
            if len(districts) == 1:
                district = districts.pop()
                return Place(district, self.name("vn2004", district))
            if districts and new:
                names = " + ".join(sorted(self.name("vn2004", d) for d in districts))
                return Place(SPLIT_PREFIX + new, f"Tách / split: {self.name('vn2025', new)} ({names})")
        if new and self.predecessors.get(new):
            olds = ", ".join(self.name("vn2004", o) for o in self.predecessors[new])
            return Place(SPLIT_PREFIX + new, f"Tách / split: {self.name('vn2025', new)} ({olds})")
        return Place(UNKNOWN, UNKNOWN_LABEL)


def load_geography(*, session: Session) -> Geography:
    """Names, parents and lineage of every unit, read once (two queries)."""
    geo = Geography()
    for scheme, code, name, parent in session.execute(
            select(AdminUnit.scheme, AdminUnit.code, AdminUnit.name, AdminUnit.parent_code)):  # type: ignore[call-overload]
        geo.names[(scheme, code)] = name
        if scheme == "vn2004" and len(code) == 5 and parent:
            geo.parent[code] = parent
    rows = session.execute(select(UnitLineage.old_code, UnitLineage.new_code, UnitLineage.partly)  # type: ignore[call-overload]
                           .order_by(UnitLineage.partly))
    for old, new, _partly in rows:
        geo.successor.setdefault(old, new)  # a split commune goes to its main successor
        geo.predecessors[new].append(old)
    return geo
