"""Producers named by import rows: matched by the one producer matcher, created or updated in bulk.

Every producer of the database is loaded once into a :class:`~catalog.matcher.ProducerMatcher`
and a dict, so a row costs no query.  A producer repeated on many rows (one row per product) is
resolved once.  A possible match that is not certain (same phone, another name) is held as a
merge candidate for a person: the producer is not created and its rows wait.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from catalog.errors import CatalogueValidationError
from catalog.importing.problems import Problem, ProblemLog
from catalog.importing.units import UnitResolver
from catalog.matcher import MatchKind, ProducerKey, ProducerMatcher
from catalog.producers import Producer, ProducerKind
from catalog.text import fold

PRODUCER_TABLE = Producer.__table__  # type: ignore[attr-defined]
ROW_FIELDS = ("producer_code", "producer_name", "kind", "representative", "phone", "registration_code",
              "address", "commune", "commune_old", "district_old", "province")
STORED_FIELDS = ("name", "kind", "representative", "phone", "registration_code", "address",
                 "unit_vn2025", "unit_vn2004")
_FILE_TO_STORED = {"producer_name": "name", "kind": "kind", "representative": "representative", "phone": "phone",
                   "registration_code": "registration_code", "address": "address"}
_KIND_PREFIXES = (("hop tac xa", ProducerKind.cooperative), ("htx", ProducerKind.cooperative),
                  ("to hop tac", ProducerKind.cooperative_group), ("tht", ProducerKind.cooperative_group),
                  ("cong ty", ProducerKind.enterprise), ("doanh nghiep", ProducerKind.enterprise),
                  ("ho kinh doanh", ProducerKind.household_business), ("hkd", ProducerKind.household_business))


_KIND_FIRST_WORDS = frozenset(prefix.split()[0] for prefix, _ in _KIND_PREFIXES)


def infer_kind(name: str) -> ProducerKind:
    key = fold(name)
    if key.partition(" ")[0] not in _KIND_FIRST_WORDS:  # no prefix can match (most names: a bulk import's cost)
        return ProducerKind.household
    for prefix, kind in _KIND_PREFIXES:
        if key.startswith(prefix + " ") or key == prefix:
            return kind
    return ProducerKind.household


@dataclass
class MergeCandidate:
    sheet: str
    row: int
    name: str | None
    phone: str | None
    code: str | None
    candidates: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "name": self.name, "phone": self.phone, "code": self.code,
                "candidates": self.candidates}


@dataclass
class _Rejected:
    row: int


@dataclass
class ProducerBook:
    session: Session
    log: ProblemLog
    units: UnitResolver
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    merge_candidates: list[MergeCandidate] = field(default_factory=list)
    _rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    _matcher: ProducerMatcher = field(default_factory=ProducerMatcher)
    _cache: dict[tuple[Any, ...], int | _Rejected] = field(default_factory=dict)
    _names: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    _pending: list[dict[str, Any]] = field(default_factory=list)
    _pending_ids: list[int] = field(default_factory=list)
    _updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    _real: dict[int, int] = field(default_factory=dict)
    _seen: set[int] = field(default_factory=set)
    _rejected: set[tuple[Any, ...]] = field(default_factory=set)
    _next_temp: int = -1
    _sequences: dict[str, int] = field(default_factory=dict)

    def load(self) -> None:
        """Index every producer once: matcher, names, and the numbers of generated codes."""
        columns = [PRODUCER_TABLE.c.id, PRODUCER_TABLE.c.code, *(PRODUCER_TABLE.c[f] for f in STORED_FIELDS)]
        for row in self.session.execute(select(*columns)).mappings():
            data = dict(row)
            self._index(data["id"], data)
            self._count_code(data["code"])

    def _index(self, pid: int, data: dict[str, Any]) -> None:
        self._rows[pid] = data
        self._matcher.add(ProducerKey(id=pid, code=data["code"], name=data["name"], phone=data["phone"],
                                      unit_vn2025=data["unit_vn2025"]))
        self._names[fold(data["name"])].add(pid)

    def _count_code(self, code: str) -> None:
        prefix, _, number = code.rpartition("-")
        if prefix and number.isdigit():
            self._sequences[prefix] = max(self._sequences.get(prefix, 0), int(number))

    # --- rows ---------------------------------------------------------------------------------

    def from_row(self, values: dict[str, Any], *, sheet: str, row: int, columns: dict[str, str],
                 defining: bool) -> int | None:
        """The producer id a row names (negative until :meth:`flush` for a new one), or ``None``."""
        key = tuple(map(values.get, ROW_FIELDS))
        hit = self._cache.get(key)
        if type(hit) is int:  # the common case: a producer seen on an earlier row
            if defining:
                self._seen.add(hit)
            return hit
        if hit is None:
            hit = self._resolve(values, sheet=sheet, row=row, columns=columns, defining=defining)
            self._cache[key] = hit
            if isinstance(hit, _Rejected):
                self._rejected.add(key)
        elif isinstance(hit, _Rejected) and hit.row != row:
            self.log.error("import.producer_rejected", sheet=sheet, row=row, first_row=hit.row)
        if isinstance(hit, _Rejected):
            return None
        if defining:
            self._seen.add(hit)
        return hit

    def _resolve(self, values: dict[str, Any], *, sheet: str, row: int, columns: dict[str, str],
                 defining: bool) -> int | _Rejected:
        code, name, phone = values.get("producer_code"), values.get("producer_name"), values.get("phone")
        if not (code or name or phone):
            self.log.error("import.producer_needed", sheet=sheet, row=row)
            return _Rejected(row)
        try:
            units = self.units.resolve(commune=values.get("commune"), commune_old=values.get("commune_old"),
                                       district=values.get("district_old"), province=values.get("province"))
        except CatalogueValidationError as error:
            column = columns.get(str(error.params.get("field", "commune")))
            self.log.add(Problem.from_error(error, sheet=sheet, row=row, column=column))
            return _Rejected(row)
        match = self._matcher.match(code=code, phone=phone, name=name, unit_vn2025=units.vn2025)
        if match.kind is MatchKind.ambiguous:
            return self._hold(values, match.candidates, sheet=sheet, row=row, columns=columns)
        if match.producer_id is not None:
            if defining:
                self._update(match.producer_id, values, units.vn2025, units.vn2004, sheet=sheet, row=row)
            return match.producer_id
        bare = not (code or phone or units.vn2025 or units.vn2004)
        if defining and name and not (bare and self._by_name(name) is not None):
            return self._create(values, units.vn2025, units.vn2004)
        pid = self._by_name(name) if name else None
        if pid is None:
            column = columns.get("producer_code" if code else "producer_name" if name else "phone")
            self.log.error("import.producer_unknown", sheet=sheet, row=row, column=column, value=code or name or phone)
            return _Rejected(row)
        return pid

    def _by_name(self, name: str) -> int | None:
        ids = self._names.get(fold(name), set())
        return next(iter(ids)) if len(ids) == 1 else None

    def _hold(self, values: dict[str, Any], candidates: tuple[int, ...], *, sheet: str, row: int,
              columns: dict[str, str]) -> _Rejected:
        found = [{"id": pid if pid > 0 else None, "code": self._rows[pid]["code"], "name": self._rows[pid]["name"]}
                 for pid in candidates]
        self.merge_candidates.append(MergeCandidate(sheet, row, values.get("producer_name"), values.get("phone"),
                                                    values.get("producer_code"), found))
        names = ", ".join(f"{c['name']} ({c['code']})" for c in found)
        self.log.error("import.merge_candidate", sheet=sheet, row=row, column=columns.get("phone"),
                       value=values.get("producer_name") or values.get("phone"), candidates=names)
        return _Rejected(row)

    def _stored(self, values: dict[str, Any], vn2025: str | None, vn2004: str | None) -> dict[str, Any]:
        out = {stored: values[f] for f, stored in _FILE_TO_STORED.items() if f in values}
        if vn2025 is not None or "commune" in values:
            out["unit_vn2025"] = vn2025
        if vn2004 is not None or "commune_old" in values:
            out["unit_vn2004"] = vn2004
        return out

    def _create(self, values: dict[str, Any], vn2025: str | None, vn2004: str | None) -> int:
        data = {f: None for f in STORED_FIELDS} | self._stored(values, vn2025, vn2004)
        data["kind"] = data["kind"] or infer_kind(data["name"])
        data["code"] = values.get("producer_code") or self._new_code(vn2025)
        self._count_code(data["code"])
        pid, self._next_temp = self._next_temp, self._next_temp - 1
        self._index(pid, data)
        self._pending.append({**data, "name_key": fold(data["name"])})
        self._pending_ids.append(pid)
        self._seen.add(pid)
        return pid

    def _new_code(self, ward: str | None) -> str:
        prefix = ward or "00000"
        self._sequences[prefix] = self._sequences.get(prefix, 0) + 1
        return f"{prefix}-{self._sequences[prefix]:04d}"

    def _update(self, pid: int, values: dict[str, Any], vn2025: str | None, vn2004: str | None, *,
                sheet: str, row: int) -> None:
        current = self._rows[pid]
        wanted = self._stored(values, vn2025, vn2004)
        changes = {k: v for k, v in wanted.items() if current.get(k) != v and not (k == "kind" and v is None)}
        if not changes:
            return
        if pid < 0 or pid in self._updates:
            self.log.warning("import.producer_repeated", sheet=sheet, row=row, value=current["code"],
                             first_row="?")
            return
        self._updates[pid] = changes
        current.update(changes)

    # --- writes -------------------------------------------------------------------------------

    def real_id(self, pid: int) -> int:
        return self._real.get(pid, pid)

    def flush(self) -> None:
        """Insert the new producers (one executemany) and apply the pending updates."""
        if self._pending:
            statement = insert(PRODUCER_TABLE).values(created_at=func.now(), updated_at=func.now())
            result = self.session.execute(statement.returning(PRODUCER_TABLE.c.id, sort_by_parameter_order=True),
                                          self._pending)
            for temp, real in zip(self._pending_ids, result.scalars().all(), strict=True):
                self._real[temp] = real
            self.created += len(self._pending)
            self._pending, self._pending_ids = [], []
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for pid, changes in self._updates.items():
            if "name" in changes:
                changes["name_key"] = fold(changes["name"])
            groups[tuple(sorted(changes))].append({"_id": pid, **{f"v_{k}": v for k, v in changes.items()}})
        for keys, rows in groups.items():
            change = (update(PRODUCER_TABLE).where(PRODUCER_TABLE.c.id == bindparam("_id"))
                      .values({**{k: bindparam(f"v_{k}") for k in keys}, "updated_at": func.now()}))
            self.session.execute(change, rows)
        self.updated += len(self._updates)
        self._updates.clear()

    def counts(self) -> dict[str, int]:
        unchanged = len([pid for pid in self._seen if pid > 0]) - self.updated
        return {"created": self.created, "updated": self.updated, "unchanged": max(unchanged, 0),
                "rejected": len(self._rejected)}

    def producer_code(self, pid: int) -> str:
        return str(self._rows[pid]["code"])
