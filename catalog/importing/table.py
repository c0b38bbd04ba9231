"""The header matcher and the row reader every import shares.

An import declares its columns as :class:`ColumnSpec` (field name, header, aliases, converter,
required).  :func:`read_table` finds the header row in a sheet (skipping a title block above
it, joining a header cell merged down from the row above), maps the headers to the specs
case- and diacritic-insensitively ("Tên sản phẩm", "Ten san pham", "TÊN SP", "name" are one
column), reports unknown columns as warnings, and then yields each data row converted, with
every bad cell logged as a :class:`~catalog.importing.problems.Problem`.

Text is normalised here once per cell (NFC, spaces, legacy TCVN3/VNI decoded by font or by
statistics) before the column's converter sees it; a converter's result is memoised per
distinct raw value of a column (units, categories, producer columns repeat thousands of times).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, cast

from catalog.errors import CatalogueValidationError
from catalog.importing import convert as cv
from catalog.importing.cells import Cell, cell_text, clean_text, unescape_formula
from catalog.importing.legacy import decode, detect_legacy, looks_legacy
from catalog.importing.problems import Problem, ProblemLog
from catalog.importing.readers import FlaggedRow, Sheet
from catalog.text import fold

HEADER_SCAN_ROWS = 30
CACHE_LIMIT = 50_000
REPORT_COLUMN = "Lỗi / Errors"  # the column our reports add; ignored when a report is re-imported
_MISS = object()
_DECORATION = re.compile(r"\([^)]*\)|\[[^\]]*\]|[*:]|^\s*\d+\s*[.)]\s+")
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


def header_key(text: str) -> str:
    """The comparison key of a header: no case, no diacritics, no "(đ)", "*" or "1." decoration."""
    return fold(_DECORATION.sub(" ", text))


@dataclass(frozen=True)
class ColumnSpec:
    """One column an import understands."""

    field: str
    header: str  # the Vietnamese header our template writes
    aliases: tuple[str, ...] = ()
    convert: cv.Converter = dc_field(default_factory=cv.text)
    required: bool = False
    cache: bool = True  # memoise conversions by raw value (False for columns of unique values)
    comment: str = ""  # what the template's cell comment says about it
    header_en: str = ""

    def keys(self) -> set[str]:
        return {header_key(a) for a in (self.header, self.field, self.header_en, *self.aliases) if a}


@dataclass(slots=True)
class ParsedRow:
    row: int  # 1-based, as Excel shows it
    values: dict[str, Any]
    ok: bool
    known: bool = False  # taken by the table's shortcut (raw cells the caller already knows): no values


Shortcut = Callable[[list[Cell], int], bool]
"""Given a row's raw cells and its 1-based number, ``True`` when the caller has dealt with the row
without its conversion (a re-imported row identical to what is stored); it is then yielded as ``known``."""


@dataclass
class Table:
    sheet: str
    header_row: int  # 1-based
    columns: dict[str, str]  # field → the header as written in the file
    positions: dict[str, int]  # field → 0-based column index
    rows: Iterator[ParsedRow]
    fields_present: frozenset[str] = frozenset()
    reader: _Reader | None = None

    def set_shortcut(self, shortcut: Shortcut | None) -> None:
        """Offer every raw row to ``shortcut`` before converting it (see :data:`Shortcut`)."""
        if self.reader is not None:
            self.reader.shortcut = shortcut


def spec_index(specs: Sequence[ColumnSpec]) -> dict[str, ColumnSpec]:
    index: dict[str, ColumnSpec] = {}
    for spec in specs:
        for key in spec.keys():  # noqa: SIM118 (a method of ColumnSpec, not a dict)
            index.setdefault(key, spec)
    return index


def _row_matches(row: Sequence[Cell], above: Sequence[Cell] | None, index: dict[str, ColumnSpec]) -> int:
    found = set()
    for c, value in enumerate(row):
        text = value if isinstance(value, str) and value.strip() else None
        if text is None and above is not None and c < len(above) and isinstance(above[c], str):
            text = str(above[c])
        if text and (spec := index.get(header_key(text))) is not None:
            found.add(spec.field)
    return len(found)


def find_header(head: list[list[Cell]], specs: Sequence[ColumnSpec]) -> int | None:
    """Index of the header row among the first rows: the one naming most columns."""
    index = spec_index(specs)
    best, best_count = None, 0
    for r, row in enumerate(head):
        count = _row_matches(row, head[r - 1] if r else None, index)
        if count > best_count:
            best, best_count = r, count
    required = [s for s in specs if s.required]
    if best is None or (best_count < 2 and not required):
        return None
    return best


def _header_cells(head: list[list[Cell]], r: int, merged: Iterable[tuple[tuple[int, int], tuple[int, int]]],
                  index: dict[str, ColumnSpec]) -> list[str]:
    row = head[r]
    above = head[r - 1] if r else []
    down_merged = {c for (r0, c0), (r1, c1) in merged if r0 == r - 1 and r1 >= r for c in range(c0, c1 + 1)}
    cells: list[str] = []
    for c, value in enumerate(row):
        text = clean_text(cell_text(value))
        if not text and c < len(above):
            upper = clean_text(cell_text(above[c]))
            # a header merged down from the row above (or written there with the cell below empty)
            if upper and (c in down_merged or header_key(upper) in index):
                text = upper
        cells.append(text)
    return cells


class _Reader:
    """Converts the rows of one sheet once its header is known (the hot loop of an import)."""

    def __init__(self, sheet: Sheet, bound: list[tuple[int, ColumnSpec, str]], log: ProblemLog) -> None:
        self.sheet, self.log = sheet, log
        self.shortcut: Shortcut | None = None
        self.bound: list[tuple[int, str, str, bool, dict[Cell, Any] | None, ColumnSpec]] = [
            (i, spec.field, header, spec.required, {} if spec.cache else None, spec) for i, spec, header in bound]

    def text(self, raw: str, r: int, c: int, header: str) -> tuple[str, bool]:
        """Clean text, and whether it was legacy text (decoded, and logged for this cell)."""
        if not raw.isascii() and looks_legacy(raw):
            font = self.sheet.font_of(r, c) if self.sheet.font_of else None
            found = detect_legacy(raw, font)
            if found is not None:
                converted = clean_text(decode(raw, found[0], capitals=found[1]))
                self.log.warning("import.legacy_text", sheet=self.sheet.name, row=r + 1, column=header,
                                 value=raw, encoding=found[0].value.upper(), converted=converted)
                return converted, True
        text = clean_text(raw)
        return (unescape_formula(text) if text[:1] == "'" else text), False

    def rows(self, rows: Iterator[list[Cell]], start: int) -> Iterator[ParsedRow]:
        name, log, bound = self.sheet.name, self.log, self.bound
        # without legacy fonts in the workbook, a cell's conversion depends on its text alone
        font_free = self.sheet.font_of is None
        for r, row in enumerate(rows, start=start):
            if type(row) is FlaggedRow:
                if self._damaged(row, r):
                    continue
            elif self.shortcut is not None and self.shortcut(row, r + 1):
                yield ParsedRow(r + 1, {}, True, True)
                continue
            values: dict[str, Any] = {}
            ok, missing = True, None
            n = len(row)
            for i, field, header, required, cache, spec in bound:
                raw = row[i] if i < n else None
                if raw is None or raw == "":
                    if required:
                        missing = [*(missing or []), header]
                    continue
                hit = _MISS
                if cache is not None and type(raw) is not bool and (font_free or type(raw) is not str or raw.isascii()):
                    hit = cache.get(raw, _MISS)
                if hit is _MISS:
                    hit = self._convert(spec, raw, r, i, header, cache)
                if hit is None:  # blank after cleaning
                    if required:
                        missing = [*(missing or []), header]
                elif type(hit) is tuple:
                    values[field] = hit[0]
                else:
                    ok = False
                    values[field] = None
                    log.add(_problem(cast(CatalogueValidationError, hit), name, r + 1, header, raw))
            if not values:
                continue
            if missing:
                ok = False
                for header in missing:
                    log.error("value.required", sheet=name, row=r + 1, column=header)
            yield ParsedRow(r + 1, values, ok)

    def _convert(self, spec: ColumnSpec, raw: Cell, r: int, c: int, header: str,
                 cache: dict[Cell, Any] | None) -> Any:
        value, legacy = self.text(raw, r, c, header) if isinstance(raw, str) else (raw, False)
        if isinstance(value, str) and not value:
            out: Any = None
        else:
            try:
                out = (spec.convert(value),)
            except CatalogueValidationError as error:
                out = error
        if cache is not None and not legacy and type(raw) is not bool:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[raw] = out
        return out

    def _damaged(self, row: FlaggedRow, r: int) -> bool:
        if "nul" in row.flags:
            self.log.error("import.nul_byte", sheet=self.sheet.name, row=r + 1)
            return True
        self.log.warning("import.bad_bytes", sheet=self.sheet.name, row=r + 1,
                         encoding=self.sheet.encoding or "?")
        return False


def _problem(error: CatalogueValidationError, sheet: str, row: int, column: str, raw: Cell) -> Problem:
    return Problem.from_error(error, sheet=sheet, row=row, column=column, value=raw)


def read_table(sheet: Sheet, specs: Sequence[ColumnSpec], *, log: ProblemLog, optional: bool = False) -> Table | None:
    """Locate the header of ``sheet`` and return its rows as they convert; ``None`` (logged) if none.

    ``optional``: a sheet that may hold something else (notes, a report); no header is a warning.
    """
    head: list[list[Cell]] = []
    for row in sheet.rows:
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not any(any(not _blank(v) for v in row) for row in head):
        log.warning("import.sheet_empty", sheet=sheet.name)
        return None
    r = find_header(head, specs)
    index = spec_index(specs)
    if r is None:
        wanted = ", ".join(f"'{s.header}'" for s in specs if s.required) or f"'{specs[0].header}'"
        (log.warning if optional else log.error)("import.header_missing", sheet=sheet.name, row=None, columns=wanted)
        return None
    headers = _header_cells(head, r, sheet.merged, index)
    bound: list[tuple[int, ColumnSpec, str]] = []
    seen: dict[str, str] = {}
    for c, text in enumerate(headers):
        if not text or text == REPORT_COLUMN:
            continue
        spec = index.get(header_key(text))
        if spec is None:
            log.warning("import.column_unknown", sheet=sheet.name, row=r + 1, column=text)
        elif spec.field in seen:
            log.warning("import.column_duplicate", sheet=sheet.name, row=r + 1, column=text, other=seen[spec.field])
        else:
            seen[spec.field] = text
            bound.append((c, spec, text))
    missing = [s.header for s in specs if s.required and s.field not in seen]
    if missing:
        (log.warning if optional else log.error)("import.header_missing", sheet=sheet.name, row=None,
                                                 columns=", ".join(f"'{m}'" for m in missing))
        return None
    start = r + 1
    if start < len(head) and _is_numbering(head[start]):
        start += 1  # a "(1) (2) (3)…" row under the header, as official templates have
    reader = _Reader(sheet, bound, log)
    rest = _chain(head[start:], sheet.rows)
    return Table(sheet=sheet.name, header_row=r + 1, columns=seen,
                 positions={spec.field: c for c, spec, _ in bound}, rows=reader.rows(rest, start),
                 fields_present=frozenset(seen), reader=reader)


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_numbering(row: Sequence[Cell]) -> bool:
    cells = [cell_text(v).strip() for v in row if not _blank(v)]
    return len(cells) >= 3 and all(_NUMBERING.match(c) for c in cells)


def _chain(head: list[list[Cell]], rest: Iterator[list[Cell]]) -> Iterator[list[Cell]]:
    yield from head
    yield from rest
