"""The header matcher and the row reader every import shares.

An import declares its columns as :class:`ColumnSpec` (field name, header, aliases, converter,
required).  :func:`read_table` finds the header row in a sheet (skipping a title block above
it, joining a header cell merged down from the row above), maps the headers to the specs by
meaning (:mod:`catalog.importing.headers`: "Tên sản phẩm", "Ten san pham", "TÊN SP", "name" are
one column, "Mã HTX/THT" is the producer code), reports unknown and ambiguous columns as warnings
with the columns they could be, and then yields each data row converted, with every bad cell
logged as a :class:`~catalog.importing.problems.Problem`.  A column marked ``soft`` (a phone)
never costs its row: a bad cell is left empty with a warning.

Text is normalised here once per cell (NFC, spaces, legacy TCVN3/VNI decoded by font or by
statistics) before the column's converter sees it; a converter's result is memoised per
distinct raw value of a column (units, categories, producer columns repeat thousands of times).

The hot loop has two lanes.  The *fast lane* takes a whole row in a few C-level calls: each bound
column has a look-up (its memo of clean results for cached columns, :func:`fast_cell` for the
others) that returns the converted value, :data:`BLANK`, or ``None`` when the cell needs the
full treatment (legacy text, not NFC, an error, a required blank…).  A row with any ``None`` takes
the *full lane*, which reuses the fast lane's values and converts only the other cells, logging
every problem; both lanes give the same values (hypothesis tests compare them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from itertools import chain, islice
from typing import Any, Protocol, cast

from catalog.errors import CatalogueValidationError
from catalog.importing import convert as cv
from catalog.importing.cells import Cell, cell_text, clean_text, unescape_formula
from catalog.importing.headers import HeaderIndex, HeaderMatch, count_named
from catalog.importing.headers import header_key as header_key  # re-exported (imports name it here)
from catalog.importing.headers import spec_index as spec_index  # re-exported
from catalog.importing.legacy import (
    HIGH_LATIN1,
    UNICODE_VIET,
    decode,
    detect_legacy,
    looks_legacy,
    read_as_is,
)
from catalog.importing.problems import Problem, ProblemLog
from catalog.importing.readers import FlaggedRow, Sheet

HEADER_SCAN_ROWS = 30
CACHE_LIMIT = 50_000
REPORT_COLUMN = "Lỗi / Errors"  # the column our reports add; ignored when a report is re-imported
_MISS = object()


class _Blank:
    """The fast lane's value of a blank optional cell: the field is left out of the row."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BLANK"


BLANK: Any = _Blank()
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


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
    soft: str = ""  # a warning code: a bad cell is then left empty with it, and the row is kept (phones)

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
SCREEN_ROWS = 512  # rows a batch shortcut screens at a time


class BatchShortcut(Protocol):
    """A :data:`Shortcut` that also screens rows a batch at a time (see :meth:`Table.set_shortcut`)."""

    def __call__(self, row: list[Cell], number: int) -> bool: ...

    def screen(self, rows: list[list[Cell]]) -> list[Any]:
        """Per row, a token for :meth:`take` when the row is surely known (decided for the whole
        batch in a few C-level passes), else ``None``: the row is then offered to ``__call__``."""
        ...

    def take(self, row: list[Cell], number: int, token: Any) -> bool:
        """``True`` when the caller has dealt with a screened row (``False``: it is converted)."""
        ...


@dataclass
class Table:
    sheet: str
    header_row: int  # 1-based
    columns: dict[str, str]  # field → the header as written in the file
    positions: dict[str, int]  # field → 0-based column index
    rows: Iterator[ParsedRow]
    fields_present: frozenset[str] = frozenset()
    reader: _Reader | None = None

    def set_shortcut(self, shortcut: Shortcut | BatchShortcut | None,
                     on_known: Callable[[int], None] | None = None) -> None:
        """Offer every raw row to ``shortcut`` before converting it (see :data:`Shortcut`).

        A :class:`BatchShortcut` screens the rows :data:`SCREEN_ROWS` at a time, in order; the rows
        it takes are not yielded but counted in :attr:`known_rows`, and ``on_known(rows_done)`` is
        called after each batch (a progress bar).  Set it before iterating :attr:`rows`."""
        if self.reader is not None:
            self.reader.shortcut = shortcut
            self.reader.on_known = on_known

    @property
    def known_rows(self) -> int:
        """Rows a batch shortcut took (they are not yielded)."""
        return self.reader.known if self.reader is not None else 0


def _row_matches(row: Sequence[Cell], above: Sequence[Cell] | None, index: HeaderIndex) -> int:
    texts = []
    for c, value in enumerate(row):
        text = value if isinstance(value, str) and value.strip() else None
        if text is None and above is not None and c < len(above) and isinstance(above[c], str):
            text = str(above[c])
        if text:
            texts.append(text)
    return count_named(texts, index)


def find_header(head: list[list[Cell]], specs: Sequence[ColumnSpec], index: HeaderIndex | None = None) -> int | None:
    """Index of the header row among the first rows: the one naming most columns."""
    index = index or HeaderIndex(specs)
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
                  index: HeaderIndex) -> list[str]:
    row = head[r]
    above = head[r - 1] if r else []
    down_merged = {c for (r0, c0), (r1, c1) in merged if r0 == r - 1 and r1 >= r for c in range(c0, c1 + 1)}
    cells: list[str] = []
    for c, value in enumerate(row):
        text = clean_text(cell_text(value))
        if not text and c < len(above):
            upper = clean_text(cell_text(above[c]))
            # a header merged down from the row above (or written there with the cell below empty)
            if upper and (c in down_merged or index.field_of(upper) is not None):
                text = upper
        cells.append(text)
    return cells


def fast_cell(spec: ColumnSpec) -> Callable[[Cell], Any]:
    """The fast lane of one column: the value the full lane would give for a clean cell (ASCII, or
    NFC Unicode that cannot be legacy text; no leading apostrophe), :data:`BLANK` for a blank
    optional cell, ``None`` for anything else (the full lane then converts it and logs problems)."""
    convert, required = spec.convert, spec.required
    blank = None if required else BLANK
    is_nfc = unicodedata.is_normalized

    def fast(raw: Cell) -> Any:
        if type(raw) is str:
            if not raw.isascii() and ((looks_legacy(raw) and not read_as_is(raw)) or not is_nfc("NFC", raw)):
                return None
            value: Cell = " ".join(raw.split())
            if not value:
                return blank
            if value[0] == "'":  # type: ignore[index]
                return None
        elif raw is None:
            return blank
        elif isinstance(raw, str):
            return None
        else:
            value = raw
        try:
            return convert(value)
        except CatalogueValidationError:
            return None

    if convert is cv.sku:
        as_is = cv.SKU_AS_IS

        def fast_sku(raw: Cell) -> Any:
            return raw if type(raw) is str and as_is(raw) is not None else fast(raw)

        return fast_sku
    if convert in cv.TEXT_LIMITS:
        limit = cv.TEXT_LIMITS[convert]

        def fast_text(raw: Cell) -> Any:
            if type(raw) is str and (raw.isascii() or ((not looks_legacy(raw) or read_as_is(raw))
                                                       and is_nfc("NFC", raw))):
                value = " ".join(raw.split())
                if value and value[0] != "'" and (limit is None or len(value) <= limit):
                    return value
            return fast(raw)

        return fast_text
    return fast


def compile_fast_lane(fields: Sequence[str], positions: Sequence[int], lookups: Sequence[Callable[[Cell], Any]],
                      optional: Sequence[bool],
                      texts: dict[int, int | None] | None = None) -> Callable[[list[Cell]], dict[str, Any] | None]:
    """One function for a sheet's whole fast lane: ``row`` → its values, or ``None`` as soon as a
    cell's look-up gives ``None``.  It is generated (as :mod:`dataclasses` generates ``__init__``)
    because a straight run of look-ups costs a third of a loop over the columns.  ``texts``
    (column → length limit) are plain text columns whose clean cells are taken inline, as
    :func:`fast_cell` would take them; any other cell of theirs goes to their look-up."""
    texts = texts or {}
    names = [f"look_{k}" for k in range(len(fields))]
    lines = [f"def make({', '.join(names)}, BLANK):", "    def fast_lane(row):"]
    for k, at in enumerate(positions):
        if k in texts:
            limit = texts[k]
            too_long = f" or len(v{k}) > {int(limit)}" if limit is not None else ""
            lines += [f"        raw = row[{int(at)}]",
                      "        if type(raw) is str and (raw.isascii()"
                      " or ((_viet(raw) is not None or _latin(raw) is None or _as_is(raw))"
                      " and _is_nfc('NFC', raw))):",
                      f"            v{k} = ' '.join(raw.split())",
                      f"            if not v{k} or v{k}[0] == \"'\"{too_long}:",
                      f"                v{k} = look_{k}(raw)",
                      "        else:",
                      f"            v{k} = look_{k}(raw)"]
        else:
            lines.append(f"        v{k} = look_{k}(row[{int(at)}])")
        lines += [f"        if v{k} is None:", "            return None"]
    lines.append("        values = {" + ", ".join(f"{field!r}: v{k}" for k, field in enumerate(fields)) + "}")
    blanks = [f"v{k} is BLANK" for k, may_be_blank in enumerate(optional) if may_be_blank]
    if blanks:
        lines += [f"        if {' or '.join(blanks)}:",
                  "            return {f: v for f, v in values.items() if v is not BLANK}"]
    lines += ["        return values", "    return fast_lane"]
    namespace: dict[str, Any] = {"_viet": UNICODE_VIET.search, "_latin": HIGH_LATIN1.search, "_as_is": read_as_is,
                                 "_is_nfc": unicodedata.is_normalized}
    # the source is built above from the specs' field names (through repr) and integers only
    exec("\n".join(lines), namespace)
    return cast(Callable[[list[Cell]], dict[str, Any] | None], namespace["make"](*lookups, BLANK))


def _fast_key(raw: Cell) -> bool:
    """Whether a raw cell may key the fast lane's memo: ``True``/``False`` would find the entries of
    1 and 0 (equal in Python), so neither they nor the numbers equal to them are keys."""
    return type(raw) is str or not (type(raw) is bool or raw == 0 or raw == 1)


class _Reader:
    """Converts the rows of one sheet once its header is known (the hot loop of an import)."""

    def __init__(self, sheet: Sheet, bound: list[tuple[int, ColumnSpec, str]], log: ProblemLog) -> None:
        self.sheet, self.log = sheet, log
        self.shortcut: Shortcut | BatchShortcut | None = None
        self.on_known: Callable[[int], None] | None = None
        self.known = 0
        self.bound: list[tuple[int, str, str, bool, dict[Cell, Any] | None, ColumnSpec]] = [
            (i, spec.field, header, spec.required, {} if spec.cache else None, spec) for i, spec, header in bound]
        # the fast lane: per column a memo of clean results (cached columns) or a fast converter
        self.memos: list[dict[Cell, Any] | None] = []
        lookups: list[Callable[[Cell], Any]] = []
        for _i, spec, _header in bound:
            if spec.cache:
                memo = self._fresh_memo(spec)
                self.memos.append(memo)
                lookups.append(memo.get)
            else:
                self.memos.append(None)
                lookups.append(fast_cell(spec))
        self.lookups = lookups
        self.fields = tuple(spec.field for _i, spec, _header in bound)
        positions = [i for i, _spec, _header in bound]
        self.width = 1 + max(positions, default=-1)
        self.fast_lane: Callable[[list[Cell]], dict[str, Any] | None] | None = None
        if positions and sheet.font_of is None:  # with legacy fonts the cell's font decides
            texts = {k: cv.TEXT_LIMITS[spec.convert] for k, (_i, spec, _header) in enumerate(bound)
                     if not spec.cache and spec.convert in cv.TEXT_LIMITS}
            self.fast_lane = compile_fast_lane(self.fields, positions, lookups,
                                               [not spec.required for _i, spec, _header in bound], texts)

    @staticmethod
    def _fresh_memo(spec: ColumnSpec) -> dict[Cell, Any]:
        return {} if spec.required else {None: BLANK, "": BLANK}

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
        fast_lane, width = self.fast_lane, self.width
        shortcut = self.shortcut
        numbered: Iterator[tuple[int, list[Cell]]] = enumerate(rows, start=start)
        if shortcut is not None and hasattr(shortcut, "screen"):
            numbered = self._screened(rows, start, cast(BatchShortcut, shortcut))
            shortcut = None
        for r, row in numbered:
            if type(row) is FlaggedRow:
                if self._damaged(row, r):
                    continue
            elif shortcut is not None and shortcut(row, r + 1):
                yield ParsedRow(r + 1, {}, True, True)
                continue
            if fast_lane is not None and len(row) >= width:
                found = fast_lane(row)
                if found is not None:
                    if found:
                        yield ParsedRow(r + 1, found, True)
                    continue
            values = {}
            ok, missing = True, None
            n = len(row)
            for k, (i, field, header, required, cache, spec) in enumerate(bound):
                raw = row[i] if i < n else None
                if raw is None or raw == "":
                    if required:
                        missing = [*(missing or []), header]
                    continue
                hit = _MISS
                if cache is not None and type(raw) is not bool and (font_free or type(raw) is not str or raw.isascii()):
                    hit = cache.get(raw, _MISS)
                if hit is _MISS:
                    hit = self._convert(spec, raw, r, i, header, cache, k)
                if hit is None:  # blank after cleaning
                    if required:
                        missing = [*(missing or []), header]
                elif type(hit) is tuple:
                    values[field] = hit[0]
                elif spec.soft:  # a bad phone costs its cell, never the row
                    log.warning(spec.soft, sheet=name, row=r + 1, column=header, value=raw)
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

    def _screened(self, rows: Iterator[list[Cell]], start: int,
                  shortcut: BatchShortcut) -> Iterator[tuple[int, list[Cell]]]:
        """The numbered rows a batch shortcut does not take (damaged rows are never offered)."""
        r = start
        screen, take = shortcut.screen, shortcut.take
        while chunk := list(islice(rows, SCREEN_ROWS)):
            known = 0
            for row, token in zip(chunk, screen(chunk), strict=True):
                r += 1
                if type(row) is not FlaggedRow and (shortcut(row, r) if token is None else take(row, r, token)):
                    known += 1
                else:
                    yield r - 1, row
            self.known += known
            if self.on_known is not None:
                self.on_known(r)

    def _convert(self, spec: ColumnSpec, raw: Cell, r: int, c: int, header: str,
                 cache: dict[Cell, Any] | None, k: int = -1) -> Any:
        value, legacy = self.text(raw, r, c, header) if isinstance(raw, str) else (raw, False)
        if isinstance(value, str) and not value:
            out: Any = None
        else:
            try:
                out = (spec.convert(value),)
            except CatalogueValidationError as error:
                out = error
        if cache is not None and not legacy and type(raw) is not bool:
            memo = self.memos[k] if k >= 0 else None
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
                if memo is not None:
                    memo.clear()
                    memo.update(self._fresh_memo(spec))
            cache[raw] = out
            if memo is not None and _fast_key(raw):
                if out is None:
                    if not spec.required:
                        memo[raw] = BLANK
                elif type(out) is tuple and out[0] is not None:
                    memo[raw] = out[0]
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
    index = HeaderIndex(specs)
    r = find_header(head, specs, index)
    if r is None:
        wanted = ", ".join(f"'{s.header}'" for s in specs if s.required) or f"'{specs[0].header}'"
        (log.warning if optional else log.error)("import.header_missing", sheet=sheet.name, row=None, columns=wanted)
        return None
    headers = _header_cells(head, r, sheet.merged, index)
    bound, seen = _bind(headers, index, log, sheet.name, r + 1)
    missing = [s.header for s in specs if s.required and s.field not in seen]
    if missing:
        (log.warning if optional else log.error)("import.header_missing", sheet=sheet.name, row=None,
                                                 columns=", ".join(f"'{m}'" for m in missing))
        return None
    start = r + 1
    if start < len(head) and _is_numbering(head[start]):
        start += 1  # a "(1) (2) (3)…" row under the header, as official templates have
    reader = _Reader(sheet, bound, log)
    rest = chain(head[start:], sheet.rows)
    return Table(sheet=sheet.name, header_row=r + 1, columns=seen,
                 positions={spec.field: c for c, spec, _ in bound}, rows=reader.rows(rest, start),
                 fields_present=frozenset(seen), reader=reader)


def _bind(headers: list[str], index: HeaderIndex, log: ProblemLog, sheet: str,
          row: int) -> tuple[list[tuple[int, ColumnSpec, str]], dict[str, str]]:
    """The columns the headers name, in file order: exact and compound names first, then guesses
    for the optional columns no header names (each one said); the others reported with their
    candidates.  A required column is never guessed: whether a sheet is an export of this
    marketplace, or a catalogue at all, is not a guess."""
    matches = [(c, text, index.match(text)) for c, text in enumerate(headers) if text and text != REPORT_COLUMN]
    bound: list[tuple[int, ColumnSpec, str]] = []
    seen: dict[str, str] = {}
    for sure in (True, False):
        for c, text, match in matches:
            spec = match.spec
            if spec is None or (match.how == "guessed") == sure:
                continue
            if spec.field in seen:
                log.warning("import.column_duplicate", sheet=sheet, row=row, column=text, other=seen[spec.field])
                continue
            if not sure and spec.required:  # a guess never decides what kind of sheet this is
                log.warning("import.column_maybe", sheet=sheet, row=row, column=text, candidates=f"'{spec.header}'")
                continue
            if not sure:
                log.warning("import.column_guessed", sheet=sheet, row=row, column=text, header=spec.header)
            seen[spec.field] = text
            bound.append((c, spec, text))
    for _c, text, match in matches:
        if match.spec is None:
            _unmatched(match, log, sheet, row, text)
    bound.sort(key=lambda entry: entry[0])
    return bound, seen


def _unmatched(match: HeaderMatch, log: ProblemLog, sheet: str, row: int, text: str) -> None:
    if match.how == "numbering":
        return
    if match.how == "ambiguous":
        log.warning("import.column_ambiguous", sheet=sheet, row=row, column=text, candidates=match.named())
    elif match.candidates:
        log.warning("import.column_maybe", sheet=sheet, row=row, column=text, candidates=match.named())
    else:
        log.warning("import.column_unknown", sheet=sheet, row=row, column=text)


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_numbering(row: Sequence[Cell]) -> bool:
    cells = [cell_text(v).strip() for v in row if not _blank(v)]
    return len(cells) >= 3 and all(_NUMBERING.match(c) for c in cells)
