"""The spreadsheet importer shared by the catalogue, onboarding-register and sales imports.

Readers (:mod:`.readers`) turn .xlsx/.ods/.csv into rows of raw cells; the header matcher and
row reader (:mod:`.table`) map columns declared as :class:`ColumnSpec` and convert cells with
plain functions (:mod:`.convert`, legacy TCVN3/VNI text in :mod:`.legacy`); problems are
collected per cell (:mod:`.problems`) and written back as a report (:mod:`.report`).  The
catalogue import (:mod:`.catalogue`) is built on these; other imports declare their own columns
and reuse the rest.
"""

from catalog.importing.catalogue import import_catalogue
from catalog.importing.problems import Problem, ProblemLog, Severity
from catalog.importing.readers import Book, Sheet, open_book
from catalog.importing.result import Counts, ImportResult
from catalog.importing.table import ColumnSpec, ParsedRow, Table, read_table

__all__ = ["Book", "ColumnSpec", "Counts", "ImportResult", "ParsedRow", "Problem", "ProblemLog", "Severity",
           "Sheet", "Table", "import_catalogue", "open_book", "read_table"]
