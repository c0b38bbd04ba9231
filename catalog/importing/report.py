"""Report writers: .xlsx (the original rows with an error column and the bad cells highlighted,
so staff fix the same file and upload it again), .csv and .json (one line per problem).

The source file is read again row by row, so a report of a large CSV takes bounded memory.
Text that begins with ``=``, ``+``, ``-`` or ``@`` is written as text (XlsxWriter's
``write_string`` with Excel's quote prefix; an apostrophe in CSV), never as a formula.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from catalog.errors import CatalogueValidationError
from catalog.importing.cells import Cell, cell_text, escape_formula, looks_like_formula
from catalog.importing.problems import Problem, Severity
from catalog.importing.readers import open_book
from catalog.importing.table import REPORT_COLUMN

if TYPE_CHECKING:
    from catalog.importing.result import ImportResult

REPORT_SHEET = "Báo cáo lỗi"
_HEADERS_VI = ["Trang", "Dòng", "Cột", "Giá trị", "Mã lỗi", "Mức", "Nội dung"]
_HEADERS_EN = ["Sheet", "Row", "Column", "Value", "Code", "Severity", "Message"]


REPORT_SUFFIXES = (".xlsx", ".csv", ".json")


def check_report_path(out: Path) -> None:
    """Refuse a report path before an import runs: a suffix with no report format, or a folder."""
    if out.suffix.lower() not in REPORT_SUFFIXES:
        raise CatalogueValidationError("import.report_type", path=out.name)
    if out.is_dir():
        raise CatalogueValidationError("import.report_unwritable", path=str(out), detail="là thư mục / a folder")


def write_report(result: ImportResult, out: Path, *, lang: str = "vi") -> Path:
    check_report_path(out)
    suffix = out.suffix.lower()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".json":
            out.write_text(json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2, default=str),
                           encoding="utf-8")
        elif suffix == ".csv":
            _write_csv(result.problems, out, lang)
        else:
            _write_xlsx(result, out, lang)
    except (OSError, FileCreateError) as exc:
        cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
        raise CatalogueValidationError("import.report_unwritable", path=str(out),
                                       detail=getattr(cause, "strerror", None) or type(cause).__name__) from None
    return out


def _problem_row(p: Problem, lang: str) -> list[Any]:
    value = "" if p.value is None else cell_text(p.value)
    return [p.sheet or "", p.row or "", p.column or "", value, p.code, p.severity.value, p.message(lang)]


def _write_csv(problems: list[Problem], out: Path, lang: str) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_HEADERS_EN if lang == "en" else _HEADERS_VI)
        for p in problems:
            writer.writerow([escape_formula(str(v)) for v in _problem_row(p, lang)])


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        fills = {None: {}, Severity.error: {"bg_color": "#F8CBAD"}, Severity.warning: {"bg_color": "#FFE699"}}
        self.cache: dict[tuple[Severity | None, str], Any] = {}
        for severity, fill in fills.items():
            self.cache[(severity, "text")] = book.add_format(fill) if fill else None
            self.cache[(severity, "quote")] = book.add_format({**fill, "quote_prefix": True})
            self.cache[(severity, "date")] = book.add_format({**fill, "num_format": "dd/mm/yyyy"})
        self.bold = book.add_format({"bold": True})
        self.wrap = book.add_format({"text_wrap": True, "font_color": "#9C0006", "valign": "top"})


def write_cell(sheet: Any, r: int, c: int, value: Cell, formats: _Formats, severity: Severity | None = None) -> None:
    """One cell written as the type it is; text that looks like a formula stays text."""
    if value is None or value == "":
        if severity is not None:
            sheet.write_blank(r, c, None, formats.cache[(severity, "text")])
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value, formats.cache[(severity, "text")])
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value, formats.cache[(severity, "text")])
    elif isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        sheet.write_datetime(r, c, moment, formats.cache[(severity, "date")])
    else:
        text = cell_text(value)
        kind = "quote" if looks_like_formula(text) else "text"
        sheet.write_string(r, c, text, formats.cache[(severity, kind)])


def _write_xlsx(result: ImportResult, out: Path, lang: str) -> None:
    by_row: dict[tuple[str | None, int | None], list[Problem]] = defaultdict(list)
    for p in result.problems:
        by_row[(p.sheet, p.row)].append(p)
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False})
    formats = _Formats(book)
    try:
        with open_book(result.path) as source:
            for name in source.sheet_names:
                _copy_sheet(book, source.sheet(name), result, by_row, formats, lang)
    except CatalogueValidationError:
        pass  # the source itself is unreadable: the summary sheet says why
    summary = book.add_worksheet(REPORT_SHEET)
    summary.write_row(0, 0, _HEADERS_EN if lang == "en" else _HEADERS_VI, formats.bold)
    for r, p in enumerate(result.problems, start=1):
        for c, value in enumerate(_problem_row(p, lang)):
            write_cell(summary, r, c, value if value != "" else None, formats)
    summary.set_column(0, 3, 18)
    summary.set_column(6, 6, 80)
    book.close()


def _copy_sheet(book: xlsxwriter.Workbook, sheet: Any, result: ImportResult,
                by_row: dict[tuple[str | None, int | None], list[Problem]], formats: _Formats, lang: str) -> None:
    out = book.add_worksheet(sheet.name[:31])
    layout = result.layouts.get(sheet.name)
    columns = {layout.headers[f]: i for f, i in layout.positions.items()} if layout else {}
    error_column = -1
    for r, row in enumerate(sheet.rows):
        excel_row = r + 1
        if error_column < 0:
            error_column = max(len(row), max(columns.values(), default=0) + 1)
            out.set_column(error_column, error_column, 60)
        problems = by_row.get((sheet.name, excel_row), [])
        marks = {columns[p.column]: p.severity for p in problems if p.column is not None and p.column in columns}
        for c, value in enumerate(row):
            write_cell(out, r, c, value, formats, marks.get(c))
        for c, severity in marks.items():
            if c >= len(row):
                write_cell(out, r, c, None, formats, severity)
        if layout and excel_row == layout.header_row:
            out.write_string(r, error_column, REPORT_COLUMN, formats.bold)
        elif problems:
            out.write_string(r, error_column, "\n".join(p.message(lang) for p in problems), formats.wrap)
