"""A workbook sheet read in the background while the import loads the catalogue gives the very same
rows, errors and clean-up as one read in place; the products loaded meanwhile equal a plain load."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from catalog.errors import CatalogueValidationError
from catalog.importing.catalogue_products import CONTENT_FIELDS, StoredProducts, load_stored
from catalog.importing.readers import open_book
from tests.catalog.import_helpers import SINGLE_HEADER, run, single_row, write_xlsx

SHEETS = {"Sản phẩm": [["Tên", "Giá"], ["Miến dong", 60000], ["Mật ong", 250000.5]],
          "Chứng nhận OCOP": [["Mã SKU", "Số sao"], ["MIEN-1", 4]], "Trống": []}


def _rows(path: Path, prefetch: str | None) -> dict[str, list[list[object]]]:
    with open_book(path) as book:
        if prefetch is not None:
            book.prefetch(prefetch)
        return {name: list(book.sheet(name).rows) for name in book.sheet_names}


@pytest.mark.parametrize("prefetch", [None, "Sản phẩm", "Chứng nhận OCOP", "Trống", "không có"])
def test_a_sheet_read_in_the_background_is_the_same(tmp_path: Path, prefetch: str | None) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", SHEETS)
    assert _rows(path, prefetch) == _rows(path, None)


def test_closing_while_a_sheet_is_being_read_waits_for_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", {"Sản phẩm": [["Tên", "Giá"], *([f"Miến {i}", i] for i in range(20_000))]})
    with open_book(path) as book:
        book.prefetch("Sản phẩm")  # never taken: closing must not fail under the reading thread
    with open_book(path) as book:
        book.prefetch("Sản phẩm")
        book.prefetch("Sản phẩm")  # one read at a time; a second request is ignored
        assert book.sheet("Sản phẩm").total == 20_001


def test_a_damaged_sheet_fails_where_it_is_opened(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", SHEETS)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet1"):
                data = data[: len(data) // 2]  # cut in the middle of the XML
            target.writestr(item, data)
    with open_book(broken) as book:
        book.prefetch("Sản phẩm")
        with pytest.raises(CatalogueValidationError) as info:
            book.sheet("Sản phẩm")
    assert info.value.code == "import.file_corrupt"


def test_a_broken_workbook_is_still_reported_by_the_import(session: Session, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"Sản phẩm": [SINGLE_HEADER, single_row("MIEN-1")]})
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    result = run(session, broken, tmp_path)
    assert [p.code for p in result.file_errors] == ["import.file_corrupt"] and not result.committed


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.lists(st.sampled_from(CONTENT_FIELDS), unique=True, max_size=6))
def test_products_loaded_ahead_equal_a_plain_load(session: Session, tmp_path: Path, fields: list[str]) -> None:
    if not load_stored(session, ()):
        rows = [single_row(sku=f"S-{i}", price=str(1000 * (i + 1))) for i in range(5)]
        path = write_xlsx(tmp_path / "c.xlsx", {"Sản phẩm": [SINGLE_HEADER, *rows]})
        assert run(session, path, tmp_path).errors == []
    chosen = tuple(f for f in CONTENT_FIELDS if f in fields)
    assert sorted(StoredProducts.load(session).project(chosen)) == sorted(load_stored(session, chosen))
