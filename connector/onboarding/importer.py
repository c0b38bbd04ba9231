"""``agri onboarding import``: the teams' register files, through the catalogue importer's machinery.

The files are read by :mod:`catalog.importing` (readers, header matcher, converters, legacy
text, per-row problems, report writers) with the register's :data:`REGISTER_COLUMNS`; rows are
resolved in memory (:class:`HouseholdBook`, :class:`RegisterBook`) and written at the end with one
executemany per table, in one transaction for every file of the run.  ``keep-valid`` writes every
valid row; ``all-or-nothing`` writes nothing when any row of any file is wrong; ``dry_run``
computes everything and writes nothing.  One audit entry records the run.

    results = import_register(session=session, paths=[Path("to-1.xlsx"), Path("to-2.csv")])
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import Any

from sqlmodel import Session

from catalog.audit import record_change
from catalog.clock import local_today
from catalog.errors import CatalogueValidationError
from catalog.importing import (
    HEADER_SCAN_ROWS,
    Counts,
    HeaderIndex,
    ImportResult,
    Problem,
    ProblemLog,
    Sheet,
    SheetLayout,
    UnitResolver,
    find_header,
    header_key,
    open_book,
    read_table,
    spec_index,
)
from connector.onboarding.columns import ACCOUNT_FIELDS, REGISTER_COLUMNS
from connector.onboarding.households import HouseholdBook
from connector.onboarding.register import MemberBook, MergeNote, RegisterBook

MODES = ("keep-valid", "all-or-nothing")
ENTITIES = ("households", "members", "registrations", "trainings", "accounts")
Progress = Callable[[str, int, int | None], None]
"""``progress(file, rows_done, rows_total_or_None)``."""


@dataclass
class RegisterFileResult(ImportResult):
    """One file's part of a run: its problems, merges and merge candidates, and what it added."""

    merges: list[MergeNote] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {**super().summary(), "joins": len(self.merges), "merges": len(self.merges)}

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {**super().to_dict(lang), "joins": [m.to_dict() for m in self.merges],
                "merges": [m.to_dict() for m in self.merges]}


@dataclass
class RegisterImport:
    mode: str
    dry_run: bool
    files: list[RegisterFileResult]
    committed: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for f in self.files for p in f.errors]

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, Counts] = {e: Counts() for e in ENTITIES}
        for result in self.files:
            for entity, counts in result.counts.items():
                total = out[entity]
                total.created += counts.created
                total.updated += counts.updated
                total.unchanged += counts.unchanged
                total.rejected += counts.rejected
        return {e: c.to_dict() for e, c in out.items()}

    def summary(self) -> dict[str, Any]:
        return {"files": len(self.files), "mode": self.mode, "dry_run": self.dry_run, "committed": self.committed,
                "rows": sum(f.rows_read for f in self.files), **self.totals(),
                "errors": len(self.errors), "joins": sum(len(f.merges) for f in self.files),
                "merges": sum(len(f.merges) for f in self.files),
                "merge_candidates": sum(len(f.merge_candidates) for f in self.files)}


def import_register(
    *, session: Session, paths: Sequence[Path], mode: str = "keep-valid", dry_run: bool = False, lang: str = "vi",
    progress: Progress | None = None, actor: str = "import", today: date | None = None, commit: bool = True,
) -> RegisterImport:
    """Import the register files in ``paths`` in one transaction; see the module docstring.

    ``commit=False`` leaves a kept import flushed for the caller to commit or roll back (the web's
    field form does, after checking that nothing outside the user's area changed)."""
    if mode not in MODES:
        raise CatalogueValidationError("import.mode_unknown", value=mode)
    run = RegisterImport(mode=mode, dry_run=dry_run, files=[])
    log = ProblemLog()
    households = HouseholdBook(session=session, log=log, units=UnitResolver(session))
    members = MemberBook(session=session, log=log)
    book = RegisterBook(session=session, log=log, households=households, members=members,
                        today=today or local_today())
    with _without_cycle_collection():
        try:
            households.load()
            members.load()
            book.load()
            for path in paths:
                run.files.append(_import_file(book, Path(path), mode=mode, dry_run=dry_run, lang=lang,
                                              progress=progress))
            book.flush()
        except BaseException:
            session.rollback()
            raise
        _finish(run, book, session=session, actor=actor, commit=commit)
    return run


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Run without Python's cyclic garbage collector, and hand what the run built to its oldest generation.

    A province's files put millions of short- and long-lived containers in memory (the household
    index, the staged rows) and make almost no reference cycles; at its usual pace the collector
    walks the young ones again and again and the long-lived ones at every full pass, about a
    tenth of the run.  Memory is still freed by reference counting while it is paused.  At the
    end, what the run allocated goes straight to the oldest generation (``freeze`` + ``unfreeze``)
    instead of being swept as young objects on the next allocation; the next full collection,
    whenever the process makes one, still examines it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # nothing frozen by someone else: unfreeze moves only ours
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def _import_file(book: RegisterBook, path: Path, *, mode: str, dry_run: bool, lang: str,
                 progress: Progress | None) -> RegisterFileResult:
    result = RegisterFileResult(path=path, mode=mode, dry_run=dry_run, lang=lang)
    log = ProblemLog()
    book.start_file(path.name, log)
    first_candidate, first_merge = len(book.households.candidates), len(book.merges)
    try:
        with open_book(path) as workbook:
            for name in workbook.sheet_names:
                _import_sheet(book, workbook.sheet(name), result, log, progress)
    except CatalogueValidationError as error:  # the file as a whole is unusable
        log.add(Problem.from_error(error, sheet=None, row=None, column=None))
    if result.rows_read == 0 and not log.file_errors:
        log.error("import.no_sheets", sheet=None, row=None,
                  columns=", ".join(f"'{s.header}'" for s in REGISTER_COLUMNS[:4]))
    result.problems = log.problems
    result.merge_candidates = list(book.households.candidates[first_candidate:])
    result.merges = book.merges[first_merge:]
    counts = book.counts.get(path.name, {})
    result.counts = {e: counts.get(e, Counts()) for e in ENTITIES}
    result.counts["households"] = _household_counts(book, path.name)
    result.counts["households"].rejected = sum(len(r) for r in log.rejected.values())
    result.counts["members"] = Counts(created=list(book.members.origin.values()).count(path.name))
    return result


def _household_counts(book: RegisterBook, source: str) -> Counts:
    households = book.households
    created = list(households.origin.values()).count(source)
    touched = {pid for pid in households.touched.get(source, ()) if pid > 0}
    updated = len(households.completed.get(source, set()) & touched)
    return Counts(created=created, updated=updated, unchanged=len(touched) - updated)


def _register_sheet(sheet: Sheet) -> Sheet | None:
    """The sheet if its header names a household column, else ``None``: a workbook's other sheets
    (instructions, drop-down lists, a summary) are not register rows."""
    head = list(islice(sheet.rows, HEADER_SCAN_ROWS))
    names = HeaderIndex(REGISTER_COLUMNS)  # by meaning: a compound header ("Tên cơ sở / hộ") counts too
    r = find_header(head, REGISTER_COLUMNS)
    found = {field for c in (head[r] if r is not None else ()) if isinstance(c, str)
             and (field := names.field_of(c)) is not None}
    if not found & {"producer_name", "phone", "producer_code"}:
        return None
    return replace(sheet, rows=chain(head, sheet.rows))


_REGISTER_ONLY = frozenset({"member_name", "member_phone", "training_date", "training_topic", "platform", "shop",
                            "opened_on", "status", "registered_on", "login_phone", "shop_id"})


def _catalogue_header(head: list[Any]) -> bool:
    """The header of a catalogue file (SKU and price, nothing of a register): imported here, its
    producers would become registered households."""
    from catalog.importing import COMBINED_COLUMNS

    catalogue, register = spec_index(COMBINED_COLUMNS), spec_index(REGISTER_COLUMNS)
    for row in head:
        keys = {header_key(c) for c in row if isinstance(c, str) and c.strip()}
        fields = {catalogue[k].field for k in keys if k in catalogue}
        if {"sku", "price"} <= fields:  # a header both imports know (status, say) is no evidence
            return not {register[k].field for k in keys if k in register and k not in catalogue} & _REGISTER_ONLY
    return False


def _import_sheet(book: RegisterBook, sheet: Sheet, result: RegisterFileResult, log: ProblemLog,
                  progress: Progress | None) -> None:
    head = list(islice(sheet.rows, HEADER_SCAN_ROWS))
    if _catalogue_header(head):
        log.error("onboarding.catalogue_file", sheet=sheet.name, row=None)
        return
    register = _register_sheet(replace(sheet, rows=chain(head, sheet.rows)))
    if register is None:
        return
    table = read_table(register, REGISTER_COLUMNS, log=log)
    if table is None:
        return
    result.layouts[sheet.name] = SheetLayout(sheet.name, table.header_row, table.positions, table.columns)
    source, columns, name = result.path.name, table.columns, sheet.name
    resolve_household, resolve_member, add_row = book.households.resolve, book.members.resolve, book.add_row
    for parsed in table.rows:
        result.rows_read += 1
        if progress is not None and result.rows_read % 1000 == 0:
            progress(source, result.rows_read, sheet.total)
        if not parsed.ok:
            continue
        values, row = parsed.values, parsed.row
        get = values.get
        if ((get("training_topic") and get("training_date") is None) or not get("platform")) and not _consistent(
                values, log, sheet=name, row=row, columns=columns):
            continue
        found = resolve_household(values, sheet=name, row=row, columns=columns, source=source)
        if found is None:
            continue
        member = resolve_member(get("member_name"), get("member_phone"), sheet=name, row=row, columns=columns)
        add_row(values, found, member, sheet=name, row=row)


def _consistent(values: dict[str, Any], log: ProblemLog, *, sheet: str, row: int, columns: dict[str, str]) -> bool:
    """Checks across cells, before the row touches a household (a rejected row creates nothing)."""
    ok = True
    if values.get("training_topic") and values.get("training_date") is None:
        log.error("onboarding.training_without_date", sheet=sheet, row=row, column=columns.get("training_topic"))
        ok = False
    if not values.get("platform") and any(values.get(f) is not None for f in ACCOUNT_FIELDS):
        field_name = next(f for f in ACCOUNT_FIELDS if values.get(f) is not None)
        log.error("onboarding.account_without_platform", sheet=sheet, row=row, column=columns.get(field_name))
        ok = False
    return ok


def _finish(run: RegisterImport, book: RegisterBook, *, session: Session, actor: str, commit: bool) -> None:
    if run.mode == "all-or-nothing" and run.errors:
        session.rollback()
        for result in run.files:
            rejected = len({(e.sheet, e.row) for e in result.errors if e.row is not None}) or len(result.errors)
            if result.errors:
                result.problems.append(Problem("import.all_or_nothing", None, None, None, None, {"count": rejected}))
            result.counts = {e: Counts(rejected=c.rejected) for e, c in result.counts.items()}
        return
    if run.dry_run:
        session.rollback()
        return
    summary = run.summary()
    record_change(session=session, actor=actor, entity="onboarding_import",
                  entity_id=", ".join(f.path.name for f in run.files)[:80], action="import",
                  after={k: v if not isinstance(v, dict) else str(v) for k, v in summary.items()})
    if commit:
        session.commit()
    else:
        session.flush()
    run.committed = True
    for result in run.files:
        result.committed = True
