"""Readers: a spreadsheet or CSV file as sheets of raw cell rows.

* **.xlsx / .ods** through python-calamine, which returns formulas' cached values and holds one
  sheet's values at a time; openpyxl is opened only when some cell looks like legacy TCVN3/VNI
  text, to read the fonts of those cells.
* **.csv** streamed line by line in bounded memory: UTF-8 with or without BOM, UTF-16 (Excel's
  "Unicode text"), or cp1258; the delimiter (tab, semicolon, comma) is sniffed from the head.
  The file is decoded a block of whole lines at a time (split into lines in C); a block that does
  not decode as a whole, or holds a NUL byte, is read line by line, so a file that is UTF-8
  except for a few pasted cp1258 lines still reads, and a line with a NUL byte or undecodable
  bytes is flagged for the table reader.

Memory: a CSV is never held whole (a 1,000,000-row CSV imports in bounded memory, a slow test);
a workbook holds one sheet's values at a time: ``bench/import_catalogue.py`` measures a peak of
about 250 MB for a 100,000-row .xlsx against about 120 MB for the same rows as .csv.

The kind of file is taken from its first bytes, not its name: a renamed .xls (OLE2) is refused
with a clear message, and a zip whose declared sizes expand too far is refused before any
reader touches it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, cast

import python_calamine

from catalog.errors import CatalogueValidationError
from catalog.importing.cells import Cell
from catalog.importing.legacy import looks_legacy

MAX_UNPACKED_BYTES = 1 << 30  # a spreadsheet that expands past 1 GiB is refused
MAX_RATIO = 250  # XML compresses ~10–40×; a few hundred is a bomb
_SNIFF_BYTES = 64 * 1024
_BLOCK_BYTES = 1 << 20  # CSV lines are decoded a block at a time
_DELIMITERS = ("\t", ";", ",")


class FlaggedRow(list[Cell]):
    """A CSV row that came from a damaged line (NUL byte, undecodable bytes)."""

    flags: frozenset[str] = frozenset()


@dataclass
class Sheet:
    name: str
    rows: Iterator[list[Cell]]  # every row from the first, possibly one-shot (CSV)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    font_of: Callable[[int, int], str | None] | None = None  # 0-based row, column → font name
    encoding: str | None = None  # CSV only: what the head of the file was read as
    total: int | None = None  # number of rows when known (workbooks), for progress bars


@dataclass
class Book:
    path: Path
    kind: str  # xlsx | ods | csv
    sheet_names: list[str]
    _open: Callable[[str], Sheet]
    _close: Callable[[], None] = lambda: None
    _prefetch: Callable[[str], None] = lambda name: None

    def sheet(self, name: str) -> Sheet:
        return self._open(name)

    def prefetch(self, name: str) -> None:
        """Start reading this sheet in the background (workbooks: python-calamine parses without the
        GIL, so the caller's own work — loading producers and products — runs meanwhile); the next
        :meth:`sheet` of that name takes the result.  One sheet at a time, so memory stays one sheet's."""
        self._prefetch(name)

    def close(self) -> None:
        self._close()


def _refuse(code: str, path: Path, **params: Any) -> CatalogueValidationError:
    return CatalogueValidationError(code, path=path.name, **params)


# first bytes of files people pick by mistake (a photo, a scan, an archive) — never a table
_NOT_TABLES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"%PDF", "PDF"),
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7z"),
    (b"\x1f\x8b", "gzip"), (b"BM", "BMP"),
)
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1A}


def _looks_binary(head: bytes) -> bool:
    """Control bytes a text file never has (UTF-16 text, mostly NULs, is left to the CSV reader)."""
    sample = head[:4096]
    if not sample or sample.count(b"\x00") > len(sample) // 4:
        return False
    return sum(1 for b in sample if b in _CONTROL) > max(len(sample) // 100, 2)


def sniff_kind(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise CatalogueValidationError("file.unreadable", path=path.name, detail=exc.strerror) from exc
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse("import.file_is_xls", path)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    for magic, kind in _NOT_TABLES:
        if head.startswith(magic) and (kind != "BMP" or _looks_binary(head)):
            raise _refuse("import.file_not_table", path, kind=kind)
    if head[4:8] == b"ftyp":  # HEIC photo, MP4 video
        raise _refuse("import.file_not_table", path, kind="HEIC/MP4")
    if _looks_binary(head):
        raise _refuse("import.file_type", path)
    return "csv"  # anything else is read as text, whatever its name says


def check_zip_sizes(archive: zipfile.ZipFile, path: Path, *, max_total: int = MAX_UNPACKED_BYTES) -> None:
    """Refuse a zip whose declared sizes expand past ``max_total`` or by more than ``MAX_RATIO``."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > MAX_RATIO:
            raise _refuse("import.zip_bomb", path, detail=f"{info.filename}: ×{ratio:,.0f}")
        if total > max_total:
            raise _refuse("import.zip_bomb", path, detail=f"> {max_total // (1 << 20)} MiB")


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip_sizes(archive, path)
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and b"spreadsheet" in archive.read("mimetype")[:100]:
                return "ods"
    except zipfile.BadZipFile as exc:
        raise _refuse("import.file_corrupt", path, detail=str(exc)) from exc
    raise _refuse("import.file_type", path)


@contextmanager
def open_book(path: Path) -> Iterator[Book]:
    kind = sniff_kind(path)
    book = _open_csv(path) if kind == "csv" else _open_calamine(path, kind)
    try:
        yield book
    finally:
        book.close()


# --- xlsx / ods ---------------------------------------------------------------------------------

def _open_calamine(path: Path, kind: str) -> Book:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError as exc:
        raise _refuse("import.file_encrypted", path) from exc
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise _refuse("import.file_corrupt", path, detail=str(exc)[:200]) from exc

    reading: dict[str, Future[python_calamine.CalamineSheet]] = {}

    def prefetch(name: str) -> None:
        if reading or name not in workbook.sheet_names:
            return
        future: Future[python_calamine.CalamineSheet] = Future()

        def read() -> None:
            try:
                future.set_result(workbook.get_sheet_by_name(name))
            except BaseException as exc:  # handed to whoever opens the sheet
                future.set_exception(exc)

        reading[name] = future
        threading.Thread(target=read, name="agri-sheet-reader", daemon=True).start()

    def settle() -> None:
        """Wait for a background read (the workbook is not to be used by two threads at once)."""
        for future in reading.values():
            future.exception()
        reading.clear()

    def parsed(name: str) -> python_calamine.CalamineSheet:
        future = reading.pop(name, None)
        if future is not None:
            return future.result()
        settle()
        return workbook.get_sheet_by_name(name)

    def close() -> None:
        settle()
        workbook.close()

    def open_sheet(name: str) -> Sheet:
        try:
            sheet = parsed(name)
            values = cast(list[list[Cell]], sheet.to_python(skip_empty_area=False))
            merged = list(getattr(sheet, "merged_cell_ranges", None) or [])
        except (python_calamine.CalamineError, ValueError) as exc:
            raise _refuse("import.file_corrupt", path, detail=str(exc)[:200]) from exc
        font_of = _legacy_fonts(path, name, values) if kind == "xlsx" and _has_legacy_fonts(path) else None
        return Sheet(name=name, rows=iter(values), merged=merged, font_of=font_of, total=len(values))

    return Book(path, kind, list(workbook.sheet_names), open_sheet, close, prefetch)


_LEGACY_FONT = re.compile(rb'<(?:\w+:)?(?:name|rFont) val="(?:\.vn|vni)', re.IGNORECASE)


def _has_legacy_fonts(path: Path) -> bool:
    """Whether the workbook's styles (or shared strings' rich text) name a TCVN3/VNI font at all."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            return any(_LEGACY_FONT.search(archive.read(part)) for part in ("xl/styles.xml", "xl/sharedStrings.xml")
                       if part in names)
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def _legacy_fonts(path: Path, sheet: str, values: list[list[Cell]]) -> Callable[[int, int], str | None]:
    """Fonts of the cells that look like legacy text, read with openpyxl on first use only."""
    fonts: dict[tuple[int, int], str | None] | None = None

    def load() -> dict[tuple[int, int], str | None]:
        wanted = {(r, c) for r, row in enumerate(values) for c, v in enumerate(row)
                  if isinstance(v, str) and not v.isascii() and looks_legacy(v)}
        found: dict[tuple[int, int], str | None] = dict.fromkeys(wanted)
        if not wanted:
            return found
        import openpyxl  # slow to import and to open: only when legacy text is suspected

        last = max(r for r, _ in wanted)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for r, row in enumerate(workbook[sheet].iter_rows(max_row=last + 1)):
                for c, cell in enumerate(row):
                    if (r, c) in found:
                        found[(r, c)] = getattr(getattr(cell, "font", None), "name", None)
        finally:
            workbook.close()
        return found

    def font_of(row: int, column: int) -> str | None:
        nonlocal fonts
        if fonts is None:
            fonts = load()
        return fonts.get((row, column))

    return font_of


# --- csv ----------------------------------------------------------------------------------------

def sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if sample and sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without its BOM
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1258"


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the head lines most consistently (ties: tab, semicolon, comma)."""
    best, best_score = ",", (-1, -1)
    for delimiter in _DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines if line.strip()]
        counts = [c for c in counts if c > 0]
        if not counts:
            continue
        mode = max(set(counts), key=lambda c: (counts.count(c), c))
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _decoded_lines(raw: BinaryIO | io.TextIOWrapper, encoding: str, flags: set[str]) -> Iterator[str]:
    if isinstance(raw, io.TextIOWrapper):  # UTF-16: decoded as a stream
        return _text_lines(raw, flags)
    return chain.from_iterable(_blocks(raw, encoding, flags))


def _text_lines(raw: io.TextIOWrapper, flags: set[str]) -> Iterator[str]:
    for line in raw:
        if "\x00" in line:
            flags.add("nul")
        if "\ufffd" in line:
            flags.add("bad_bytes")
        yield line


def _blocks(raw: BinaryIO, encoding: str, flags: set[str]) -> Iterator[Iterator[str]]:
    """The file in blocks of whole lines: a block without NUL bytes that decodes as a whole (the
    usual case) is split into lines in C; any other block goes line by line (:func:`_lines`),
    which flags the damaged lines and reads pasted cp1258 lines of a UTF-8 file."""
    first = True
    whole = "cp1258" if encoding == "cp1258" else "utf-8"
    while block := raw.read(_BLOCK_BYTES):
        if not block.endswith(b"\n"):
            block += raw.readline()
        if first and block.startswith(codecs.BOM_UTF8):
            block = block[3:]
        first = False
        if b"\x00" not in block:
            try:
                yield io.StringIO(block.decode(whole), newline="\n")  # lines end at "\n" only, as below
                continue
            except UnicodeDecodeError:
                pass
        yield _lines(io.BytesIO(block), encoding, flags)


def _lines(raw: BinaryIO, encoding: str, flags: set[str]) -> Iterator[str]:
    for chunk in raw:
        if b"\x00" in chunk:
            flags.add("nul")
        if chunk.isascii():
            yield chunk.decode("ascii")
            continue
        if encoding != "cp1258":
            try:
                yield chunk.decode("utf-8")
                continue
            except UnicodeDecodeError:
                pass  # a line pasted from an old file: read it as cp1258
        line = chunk.decode("cp1258", errors="replace")
        if "\ufffd" in line:
            flags.add("bad_bytes")
        yield line


def _open_csv(path: Path) -> Book:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    encoding = sniff_encoding(head)
    text_encoding = "cp1258" if encoding == "cp1258" else encoding
    sample = head.decode(text_encoding, errors="replace").splitlines()[:30]
    if sample and len(head) == _SNIFF_BYTES:
        sample = sample[:-1]  # the last line of the sample may be cut
    delimiter = sniff_delimiter(sample)
    files: list[BinaryIO | io.TextIOWrapper] = []

    def rows(raw: BinaryIO | io.TextIOWrapper) -> Iterator[list[Cell]]:
        flags: set[str] = set()
        reader = csv.reader(_decoded_lines(raw, "utf-8" if encoding == "utf-8-sig" else encoding, flags),
                            delimiter=delimiter)
        try:
            for row in reader:
                if flags:
                    flagged = FlaggedRow(row)
                    flagged.flags = frozenset(flags)
                    flags.clear()
                    yield flagged
                else:
                    yield row  # type: ignore[misc]  # a list of str is a list of cells (no cast() call per row)
        except csv.Error as exc:  # binary bytes past the sniffed head
            raise _refuse("import.file_corrupt", path, detail=f"dòng/line {reader.line_num}") from exc

    def open_sheet(name: str) -> Sheet:
        binary = path.open("rb")
        raw: BinaryIO | io.TextIOWrapper = binary
        if encoding.startswith("utf-16"):
            raw = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
        files.append(raw)
        return Sheet(name=name, rows=rows(raw), encoding=encoding.removesuffix("-sig"))

    def close() -> None:
        for raw in files:
            raw.close()

    return Book(path, "csv", [path.stem], open_sheet, close)
