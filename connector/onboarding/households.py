"""Households named by register rows: found by the identity rule, created or completed in bulk.

Every producer is loaded once into a :class:`catalog.identity.IdentityIndex` (plus the identities
of producers absorbed by earlier merges, which point at their survivor), so a row costs no query.
A row is an existing household only on the evidence of ``docs/IDENTITY.md`` (the same code; the
same phone and a compatible name; or, with a phone missing, the same name and commune listed again
by the same file); a name alone never joins two records, it raises a merge candidate.

The register differs from the catalogue import in two ways, both because several teams' files
describe the same household and each may be re-imported at any time:

* a household found again is **completed, never overwritten**: a blank field takes the row's
  value, a filled one keeps its own, so importing file A, then B, then A again changes nothing;
* a possible duplicate (the same phone under another name; the same name in the same old commune)
  is **recorded as its own household and held as a merge candidate** for a person
  (``agri producers merge`` / ``keep-both``), so its trainings and accounts count while it waits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from catalog.admin_units import AdminUnit
from catalog.errors import CatalogueValidationError
from catalog.identity import Decision, Identity, IdentityIndex, Reason, is_system_code, reason_text
from catalog.importing import (
    HOME_PROVINCES_2004,
    HOME_PROVINCES_2025,
    Problem,
    ProblemLog,
    ResolvedUnits,
    UnitResolver,
    infer_kind,
    insert_columns,
)
from catalog.matcher import MatchKind, code_key
from catalog.producers import Producer, ProducerKind
from catalog.text import fold
from connector.onboarding.merge import alias_keys, incoming_key
from connector.onboarding.models import Registration
from connector.onboarding.writes import ids_above

PRODUCERS = Producer.__table__  # type: ignore[attr-defined]
FILLED = ("representative", "phone", "address", "unit_vn2025", "unit_vn2004")
_KIND_VALUE = {kind: kind.value for kind in ProducerKind}
_NEW = MatchKind.new
_KIND_OF = {Reason.code: MatchKind.code, Reason.phone_name: MatchKind.phone, Reason.same_file: MatchKind.same_file}
_ROW_TO_STORED = {"producer_name": "name", "representative": "representative", "phone": "phone",
                  "address": "address"}


class Resolution(NamedTuple):
    producer_id: int  # negative until :meth:`HouseholdBook.flush` for a household new in this run
    kind: MatchKind  # how it was found; ``new`` when created, ``ambiguous`` when held as a candidate
    joined: bool = False  # found by the rule (not an exact repeat of an earlier row of the same file)


@dataclass
class CandidateNote:
    """A row that may be a known household: recorded as ``producer_b``, held against each ``a`` with its reason."""

    sheet: str
    row: int
    source: str
    producer_b: int
    producers_a: tuple[int, ...]
    incoming: dict[str, Any]
    reasons: tuple[Reason, ...] = ()  # one per ``producers_a``
    codes: dict[str, Any] = field(default_factory=dict)  # filled by the book: a and b codes and names

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "source": self.source, **self.codes}


@dataclass
class HouseholdBook:
    session: Session
    log: ProblemLog
    units: UnitResolver
    created: int = 0
    updated: int = 0
    candidates: list[CandidateNote] = field(default_factory=list)
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    origin: dict[int, str] = field(default_factory=dict)  # household new in this run → the file that made it
    touched: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # file → stored households it named
    completed: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # file → blanks it filled
    _known: IdentityIndex = field(default_factory=IdentityIndex)
    _sources: set[tuple[int, str]] | None = None  # (household, file) of stored registrations, loaded on first need
    _cache: dict[tuple[Any, ...], Resolution | None] = field(default_factory=dict)
    _pending: list[dict[str, Any]] = field(default_factory=list)
    _pending_ids: list[int] = field(default_factory=list)
    _candidates_written: int = 0
    _updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    real_ids: dict[int, int] = field(default_factory=dict)  # temporary (negative) id → id once written
    _sequences: dict[str, int] = field(default_factory=dict)
    _unit_cache: dict[tuple[str | None, ...], ResolvedUnits | CatalogueValidationError] = field(default_factory=dict)
    _home_units: set[str] = field(default_factory=set)
    _next_temp: int = -1

    def load(self) -> None:
        """Index every producer and every merge alias once."""
        columns = [PRODUCERS.c.id, PRODUCERS.c.code, PRODUCERS.c.name, *(PRODUCERS.c[f] for f in FILLED)]
        for row in self.session.execute(select(*columns)).mappings():
            data = dict(row)
            self._index(data["id"], data)
            self._count_code(data["code"])
        unit = AdminUnit.__table__.c  # type: ignore[attr-defined]
        self._home_units = set(self.session.execute(select(unit.code).where(
            unit.scheme == "vn2025", unit.parent_code.in_(HOME_PROVINCES_2025))).scalars())
        for alias in alias_keys(session=self.session):
            if alias.id in self.rows:
                self._known.add(_identity(alias.id, alias.code, fold(alias.name), alias.phone, alias.unit_vn2004,
                                          alias.unit_vn2025))

    def _index(self, pid: int, data: dict[str, Any]) -> None:
        self.rows[pid] = data
        self._known.add(_identity(pid, data["code"], fold(data["name"]), data["phone"], data["unit_vn2004"],
                                  data["unit_vn2025"]))

    def _listed(self, pid: int, source: str) -> bool:
        """Whether the file ``source`` listed the household already: in this run, or in an earlier
        import (its registrations remember their file)."""
        if self.origin.get(pid) == source or pid in self.touched.get(source, ()):
            return True
        if pid < 0:
            return False
        if self._sources is None:
            reg = Registration.__table__.c  # type: ignore[attr-defined]
            self._sources = {(p, f) for p, f in self.session.execute(
                select(reg.producer_id, reg.source).where(reg.source.is_not(None)))}
        return (pid, source) in self._sources

    def _count_code(self, code: str) -> None:
        prefix, _, number = code.rpartition("-")
        if prefix and number.isdigit():
            self._sequences[prefix] = max(self._sequences.get(prefix, 0), int(number))

    def code(self, pid: int) -> str:
        return str(self.rows[pid]["code"])

    def real_id(self, pid: int) -> int:
        return self.real_ids.get(pid, pid)

    # --- rows ---------------------------------------------------------------------------------

    def resolve(self, values: dict[str, Any], *, sheet: str, row: int, columns: dict[str, str],
                source: str) -> Resolution | None:
        """The household a row names, or ``None`` (the problem is logged) when the row cannot be used."""
        get = values.get
        code, name, phone = get("producer_code"), get("producer_name"), get("phone")
        unit_key = (get("commune"), get("commune_old"), get("district_old"))
        key = (source, code, name, phone, unit_key)
        if key in self._cache:
            hit = self._cache[key]
            if hit is not None:
                self._complete(hit.producer_id, values, None, source)
                if hit.joined:
                    hit = Resolution(hit.producer_id, hit.kind)  # the same cells again: no new decision
        else:
            hit = self._cache[key] = self._resolve(values, code, name, phone, unit_key, sheet, row, columns, source)
        if hit is not None:
            self.touched[source].add(hit.producer_id)  # counts keep the stored ones (> 0)
        return hit

    def _resolve(self, values: dict[str, Any], code: str | None, name: str | None, phone: str | None,
                 unit_key: tuple[str | None, ...], sheet: str, row: int, columns: dict[str, str],
                 source: str) -> Resolution | None:
        if not (code or name or phone):
            self.log.error("onboarding.household_needed", sheet=sheet, row=row)
            return None
        units = self._unit_cache.get(unit_key)
        if type(units) is not ResolvedUnits:
            units = self._units(unit_key, sheet=sheet, row=row, columns=columns)
            if units is None:
                return None
        name_key = fold(name) if name else ""
        decision = self._known.decide(
            _identity(0, code, name_key, phone, units.vn2004, units.vn2025),
            same_file=lambda pid: self._listed(pid, source))
        if decision.household is not None:
            self._complete(decision.household, values, units, source)
            return Resolution(decision.household, _KIND_OF[decision.reason or Reason.code], True)
        if not name:
            shared = [a for a, reason in decision.candidates if reason is Reason.phone_other_name]
            if shared:
                names = ", ".join(f"{self.rows[a]['name']} ({self.code(a)})" for a in shared)
                self.log.error("import.merge_candidate", sheet=sheet, row=row, column=columns.get("phone"),
                               value=phone, candidates=names)
                return None
            column = columns.get("producer_code" if code else "phone")
            self.log.error("import.producer_unknown", sheet=sheet, row=row, column=column, value=code or phone)
            return None
        if not (units.vn2025 or units.vn2004):
            self.log.warning("onboarding.unit_missing", sheet=sheet, row=row, column=columns.get("commune"))
        pid = self._create(values, units, source, name, name_key)
        if decision.candidates:
            self._hold(values, pid, decision, sheet=sheet, row=row, source=source, columns=columns)
            return Resolution(pid, MatchKind.ambiguous)
        return Resolution(pid, _NEW)

    def _units(self, key: tuple[str | None, ...], *, sheet: str, row: int,
               columns: dict[str, str]) -> ResolvedUnits | None:
        """The units of (commune, old commune, old district), resolved once per distinct triple."""
        hit = self._unit_cache.get(key)
        if hit is None:
            hit = self._unit_cache[key] = self._resolve_units(*key)
        if isinstance(hit, CatalogueValidationError):
            column = columns.get(str(hit.params.get("field", "commune")))
            self.log.add(Problem.from_error(hit, sheet=sheet, row=row, column=column))
            return None
        return hit

    def _resolve_units(self, commune: str | None, old: str | None,
                       district: str | None) -> ResolvedUnits | CatalogueValidationError:
        """A commune with an old district is first read as the old commune (old-district reports need it);
        a name that only a unit outside the province carries is read as an old commune of the province."""
        if commune and district and not old:
            try:
                return self.units.resolve(commune=None, commune_old=commune, district=district)
            except CatalogueValidationError:
                pass  # a new unit written next to its old district
        try:
            units = self.units.resolve(commune=commune, commune_old=old, district=district)
        except CatalogueValidationError as error:
            return error
        if commune and not old and units.vn2025 and units.vn2025 not in self._home_units:
            for province in HOME_PROVINCES_2004:
                try:
                    return self.units.resolve(commune=None, commune_old=commune, province=province)
                except CatalogueValidationError:
                    continue
        return units

    def _stored(self, values: dict[str, Any], units: ResolvedUnits | None) -> dict[str, Any]:
        out = {stored: values[f] for f, stored in _ROW_TO_STORED.items() if values.get(f) is not None}
        if units is not None:
            out.update(unit_vn2025=units.vn2025, unit_vn2004=units.vn2004)
        return out

    def _create(self, values: dict[str, Any], units: ResolvedUnits, source: str, name: str, name_key: str) -> int:
        """A household new in this run; its row dict is also the one inserted (so completing it needs no copy)."""
        get = values.get
        code = get("producer_code")
        if code:
            self._count_code(code)
            folded_code = code_key(code)
        else:
            code, folded_code = self._new_code(units.vn2025)
        phone = get("phone")
        data = {"code": code, "name": name, "representative": get("representative"), "phone": phone,
                "address": get("address"), "unit_vn2025": units.vn2025, "unit_vn2004": units.vn2004,
                "kind": _KIND_VALUE[infer_kind(name)], "name_key": name_key, "registration_code": None}
        pid, self._next_temp = self._next_temp, self._next_temp - 1
        self.rows[pid] = data
        self._known.add(Identity(pid, folded_code, bool(get("producer_code")) and not is_system_code(folded_code),
                                 name_key, phone, units.vn2004, units.vn2025))
        self.origin[pid] = source
        self._pending.append(data)
        self._pending_ids.append(pid)
        return pid

    def _new_code(self, ward: str | None) -> tuple[str, str]:
        """The next code of the ward (``"06001-0042"``) and its folded key (``"06001 0042"``)."""
        prefix = ward or "00000"
        number = self._sequences[prefix] = self._sequences.get(prefix, 0) + 1
        digits = str(number).zfill(4)
        code = prefix + "-" + digits
        return code, (prefix + " " + digits if prefix.isdigit() else code_key(code))

    def _complete(self, pid: int, values: dict[str, Any], units: ResolvedUnits | None, source: str) -> None:
        """Fill the household's blank fields from the row; never overwrite one."""
        current = self.rows[pid]
        blanks = {k: v for k, v in self._stored(values, units).items()
                  if k in FILLED and v is not None and current.get(k) in (None, "")}
        if not blanks:
            return
        current.update(blanks)  # a household new in this run: ``current`` is the row its insert writes
        if pid > 0:
            self._updates.setdefault(pid, {}).update(blanks)
            self.completed[source].add(pid)
        if "phone" in blanks or "unit_vn2025" in blanks or "unit_vn2004" in blanks:
            self._known.add(_identity(pid, current["code"], fold(current["name"]), current["phone"],
                                      current["unit_vn2004"], current["unit_vn2025"]))

    def _hold(self, values: dict[str, Any], pid: int, decision: Decision, *, sheet: str, row: int,
              source: str, columns: dict[str, str]) -> None:
        incoming = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()
                    if isinstance(v, str | int | date)}
        others = tuple(a for a, _ in decision.candidates)
        reasons = tuple(reason for _, reason in decision.candidates)
        note = CandidateNote(sheet, row, source, pid, others, incoming, reasons)
        note.codes = {"code": self.code(pid), "name": values.get("producer_name"), "phone": values.get("phone"),
                      "candidates": [{"code": self.code(a), "name": self.rows[a]["name"], "reason": reason.value}
                                     for a, reason in decision.candidates]}
        self.candidates.append(note)
        names = ", ".join(f"{self.rows[a]['name']} ({self.code(a)}: {reason_text(reason)})"
                          for a, reason in decision.candidates)
        by_phone = Reason.phone_other_name in reasons
        self.log.warning("onboarding.merge_candidate", sheet=sheet, row=row,
                         column=columns.get("phone" if by_phone else "producer_name"),
                         value=values.get("producer_name"), candidates=names, household=self.code(pid))

    # --- writes -------------------------------------------------------------------------------

    def flush(self) -> None:
        """Insert the new households (one executemany), fill blanks, then hold the candidates."""
        if self._pending:
            # no RETURNING: with it SQLAlchemy sends one INSERT per row on SQLite.  The new rows take
            # ids above every id allocated before (SQLite's rowid, PostgreSQL's sequence), in the
            # order they are sent, so when exactly they hold the ids that follow the old maximum, the
            # k-th row sent has the k-th; otherwise (another writer's rows among them) codes decide.
            before = self.session.execute(select(func.coalesce(func.max(PRODUCERS.c.id), 0))).scalar_one()
            pending, temps = self._pending, self._pending_ids
            # in code order, the unique index on codes grows at its end instead of everywhere at once
            codes = [row["code"] for row in pending]
            order = sorted(range(len(pending)), key=codes.__getitem__)
            pending, temps = [pending[k] for k in order], [temps[k] for k in order]
            fields = list(pending[0])
            # one pass over the rows (each dict read once), then transposed in C
            columns = dict(zip(fields, zip(*map(itemgetter(*fields), pending), strict=True), strict=True))
            insert_columns(self.session, PRODUCERS, columns, now=("created_at", "updated_at"))
            self._map_new_ids(before, pending, temps)
            self.created += len(self._pending)
            self._pending, self._pending_ids = [], []
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for pid, changes in self._updates.items():
            groups[tuple(sorted(changes))].append({"_id": pid, **{f"v_{k}": v for k, v in changes.items()}})
        for keys, rows in groups.items():
            self.session.execute(update(PRODUCERS).where(PRODUCERS.c.id == bindparam("_id"))
                                 .values({**{k: bindparam(f"v_{k}") for k in keys}, "updated_at": func.now()}), rows)
        self.updated += len(self._updates)
        self._updates.clear()
        self._flush_candidates()

    def _map_new_ids(self, before: int, written: list[dict[str, Any]], temps: list[int]) -> None:
        c = PRODUCERS.c
        count, low, high = self.session.execute(select(func.count(c.id), func.min(c.id), func.max(c.id))
                                                .where(c.id > before)).one()
        if count == len(written) and low == before + 1 and high == before + len(written):
            self.real_ids.update(zip(temps, range(before + 1, before + 1 + len(written)), strict=True))
            return
        temp_of = {row["code"]: temp for temp, row in zip(temps, written, strict=True)}
        for pid, code in ids_above(self.session, PRODUCERS, "code", before):
            temp = temp_of.get(code)
            if temp is not None:
                self.real_ids[temp] = pid

    def _flush_candidates(self) -> None:
        from connector.onboarding.merge import CANDIDATES

        notes = self.candidates[self._candidates_written:]
        self._candidates_written = len(self.candidates)
        if not notes:
            return
        taken = {(a, k) for a, k in self.session.execute(select(CANDIDATES.c.producer_a_id, CANDIDATES.c.incoming_key))}
        rows = []
        for note in notes:
            phone = note.incoming.get("phone")
            key = incoming_key(phone=phone, name=str(note.incoming.get("producer_name")))
            if not phone:  # a name alone does not tell two incoming households apart: the new one's code does
                key = f"{key}|{self.code(note.producer_b)}"[:300]
            for a, reason in zip(note.producers_a, note.reasons, strict=True):
                if (self.real_id(a), key) in taken:
                    continue
                taken.add((self.real_id(a), key))
                rows.append({"producer_a_id": self.real_id(a), "producer_b_id": self.real_id(note.producer_b),
                             "incoming": note.incoming, "incoming_key": key, "reason": reason.value,
                             "status": "open", "source": f"{note.source}:{note.row}"[:300]})
        if rows:
            self.session.execute(insert(CANDIDATES).values(created_at=func.now()), rows)


def _identity(pid: int, code: str | None, name_key: str, phone: str | None, vn2004: str | None,
              vn2025: str | None) -> Identity:
    """What the identity rule knows of a household or a row (``pid`` 0)."""
    key = code_key(code) if code else None
    return Identity(pid, key, key is not None and not is_system_code(key), name_key, phone, vn2004, vn2025)
