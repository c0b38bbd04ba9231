"""The spreadsheet importer shared by the catalogue, onboarding-register and sales imports.

Readers (:mod:`.readers`) turn .xlsx/.ods/.csv into rows of raw cells; the row reader
(:mod:`.table`) maps columns declared as :class:`ColumnSpec`, named by meaning by the header
matcher (:mod:`.headers`), and converts cells with plain functions (:mod:`.convert`, legacy
TCVN3/VNI text in :mod:`.legacy`); problems are collected per cell (:mod:`.problems`) and
written back as a report (:mod:`.report`).  The catalogue import (:mod:`.catalogue`) is built
on these; other imports declare their own columns and reuse the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "COMBINED_COLUMNS",
    "HEADER_SCAN_ROWS",
    "HOME_PROVINCES_2004",
    "HOME_PROVINCES_2025",
    "MODES",
    "PRODUCER_COLUMNS",
    "Book",
    "CatalogueChange",
    "Cell",
    "ColumnSpec",
    "Counts",
    "HeaderIndex",
    "ImportFingerprint",
    "ImportResult",
    "ParsedRow",
    "Problem",
    "ProblemLog",
    "ResolvedUnits",
    "Severity",
    "Sheet",
    "SheetLayout",
    "Table",
    "UnitResolver",
    "cell_text",
    "check_out",
    "check_report_path",
    "convert",
    "escape_formula",
    "export_catalogue",
    "find_header",
    "header_key",
    "import_catalogue",
    "infer_kind",
    "insert_columns",
    "open_book",
    "read_table",
    "spec_index",
    "sql_literal",
    "terminal_progress",
    "write_template",
    "writing",
]

if TYPE_CHECKING:
    from catalog.importing import convert
    from catalog.importing.bulk import insert_columns, sql_literal
    from catalog.importing.catalogue import MODES, import_catalogue
    from catalog.importing.catalogue_columns import COMBINED_COLUMNS, PRODUCER_COLUMNS
    from catalog.importing.catalogue_producers import infer_kind
    from catalog.importing.cells import Cell, cell_text, escape_formula
    from catalog.importing.fingerprint import CatalogueChange, ImportFingerprint
    from catalog.importing.headers import HeaderIndex, header_key, spec_index
    from catalog.importing.outfile import check_out, writing
    from catalog.importing.problems import Problem, ProblemLog, Severity
    from catalog.importing.progress import terminal_progress
    from catalog.importing.readers import Book, Sheet, open_book
    from catalog.importing.report import check_report_path
    from catalog.importing.result import Counts, ImportResult, SheetLayout
    from catalog.importing.table import HEADER_SCAN_ROWS, ColumnSpec, ParsedRow, Table, find_header, read_table
    from catalog.importing.template import export_catalogue, write_template
    from catalog.importing.units import HOME_PROVINCES_2004, HOME_PROVINCES_2025, ResolvedUnits, UnitResolver


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import catalog.importing`` stays cheap."""
    if name == "convert":  # a module offered whole
        import catalog.importing.convert as whole

        return whole
    if name in {"insert_columns", "sql_literal"}:
        from catalog.importing import bulk

        value = getattr(bulk, name)
    elif name in {"MODES", "import_catalogue"}:
        from catalog.importing import catalogue

        value = getattr(catalogue, name)
    elif name in {"COMBINED_COLUMNS", "PRODUCER_COLUMNS"}:
        from catalog.importing import catalogue_columns

        value = getattr(catalogue_columns, name)
    elif name in {"infer_kind"}:
        from catalog.importing import catalogue_producers

        value = getattr(catalogue_producers, name)
    elif name in {"Cell", "cell_text", "escape_formula"}:
        from catalog.importing import cells

        value = getattr(cells, name)
    elif name in {"CatalogueChange", "ImportFingerprint"}:
        from catalog.importing import fingerprint

        value = getattr(fingerprint, name)
    elif name in {"HeaderIndex", "header_key", "spec_index"}:
        from catalog.importing import headers

        value = getattr(headers, name)
    elif name in {"check_out", "writing"}:
        from catalog.importing import outfile

        value = getattr(outfile, name)
    elif name in {"Problem", "ProblemLog", "Severity"}:
        from catalog.importing import problems

        value = getattr(problems, name)
    elif name in {"terminal_progress"}:
        from catalog.importing import progress

        value = getattr(progress, name)
    elif name in {"Book", "Sheet", "open_book"}:
        from catalog.importing import readers

        value = getattr(readers, name)
    elif name in {"check_report_path"}:
        from catalog.importing import report

        value = getattr(report, name)
    elif name in {"Counts", "ImportResult", "SheetLayout"}:
        from catalog.importing import result

        value = getattr(result, name)
    elif name in {"ColumnSpec", "HEADER_SCAN_ROWS", "ParsedRow", "Table", "find_header", "read_table"}:
        from catalog.importing import table

        value = getattr(table, name)
    elif name in {"export_catalogue", "write_template"}:
        from catalog.importing import template

        value = getattr(template, name)
    elif name in {"HOME_PROVINCES_2004", "HOME_PROVINCES_2025", "ResolvedUnits", "UnitResolver"}:
        from catalog.importing import units

        value = getattr(units, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # loaded once
    return value
