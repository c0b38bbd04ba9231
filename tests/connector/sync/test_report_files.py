"""The sync report's files are safe to open: text a marketplace or a user wrote is never a formula."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from catalog.importing import escape_formula
from catalog.importing.cells import FORMULA_STARTS
from connector.sync.plan import Action
from connector.sync.report import ItemResult, Outcome, SyncReport, write_report

DANGEROUS = st.sampled_from(FORMULA_STARTS).flatmap(lambda start: st.text(max_size=20).map(lambda t: start + t))


@given(DANGEROUS)
def test_text_that_a_spreadsheet_would_evaluate_is_escaped(text: str) -> None:
    assert escape_formula(text).startswith("'")
    assert escape_formula("Miến dong " + text) == "Miến dong " + text


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sku=DANGEROUS, message=DANGEROUS)
def test_the_sync_report_writes_text_not_formulas(tmp_path: Path, sku: str, message: str) -> None:
    report = SyncReport(results=[ItemResult(account="voso-htx", sku=sku, action=Action.create,
                                            outcome=Outcome.rejected, code="=1+1", message=message)])
    with write_report(tmp_path / "r.csv", report).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert all(not cell.startswith(FORMULA_STARTS) for row in rows[1:] for cell in row)
    book = load_workbook(write_report(tmp_path / "r.xlsx", report))
    sheet = book.active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    book.close()
    assert all(cell.data_type == "s" for cell in cells if cell.value is not None)  # text cells, no formula
