"""The header matcher: aliases in any spelling, title blocks, merged headers, unknown columns."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.importing import convert as cv
from catalog.importing.catalogue_columns import COMBINED_COLUMNS
from catalog.importing.problems import ProblemLog
from catalog.importing.readers import Sheet
from catalog.importing.table import ColumnSpec, header_key, read_table, spec_index
from catalog.text import fold, fold_reference, strip_marks

INDEX = spec_index(COMBINED_COLUMNS)


@pytest.mark.parametrize("header", ["Tên sản phẩm", "Ten san pham", "TÊN SẢN PHẨM", "Tên SP", "name",
                                    "Tên sản phẩm *", "  tên   sản phẩm  ", "1. Tên sản phẩm"])
def test_product_name_aliases(header: str) -> None:
    assert INDEX[header_key(header)].field == "name"


@pytest.mark.parametrize("header", ["Giá bán (đ)", "Giá", "Đơn giá", "price", "GIA BAN (VNĐ)", "Giá bán:"])
def test_price_aliases(header: str) -> None:
    assert INDEX[header_key(header)].field == "price"


def test_every_alias_names_one_column() -> None:
    seen: dict[str, str] = {}
    for spec in COMBINED_COLUMNS:
        for key in spec.keys():  # noqa: SIM118 (a ColumnSpec method, not a dict)
            assert seen.setdefault(key, spec.field) == spec.field, key


ALIASES = [(a, s.field) for s in COMBINED_COLUMNS for a in (s.header, *s.aliases)]


@given(st.sampled_from(ALIASES), st.sampled_from(["NFC", "NFD"]), st.sampled_from([str.upper, str.lower, str.title]),
       st.text(alphabet=" ", max_size=3))
def test_header_matching_ignores_case_accents_and_spacing(alias: tuple[str, str], form: str, case: object,
                                                          pad: str) -> None:
    text, field = alias
    variant = unicodedata.normalize(form, case(text)) + pad  # type: ignore[operator]
    assert INDEX[header_key(variant)].field == field
    assert INDEX[header_key(strip_marks(text))].field == field  # written without diacritics


@given(st.text(max_size=40) | st.sampled_from(["Hoàng Văn Tiến", "TP Bắc Cạn", "HTX  Tài-Hoan", "Đàm\tThị Lụa"]))
def test_fast_fold_is_fold(text: str) -> None:
    assert fold(text) == fold_reference(text)


SPECS = [ColumnSpec("sku", "Mã SKU", ("SKU",), cv.sku, required=True),
         ColumnSpec("price", "Giá bán (đ)", ("Giá",), cv.money())]


def sheet(rows: list[list[object]], merged: list[tuple[tuple[int, int], tuple[int, int]]] | None = None) -> Sheet:
    return Sheet(name="S", rows=iter(rows), merged=merged or [])  # type: ignore[arg-type]


def test_title_block_and_numbering_row_are_skipped() -> None:
    log = ProblemLog()
    table = read_table(sheet([["DANH MỤC SẢN PHẨM", "", ""], ["", "", ""], ["Mã SKU", "Giá", "Ghi chú"],
                              ["(1)", "(2)", "(3)"], ["A-1", "25.000", "x"]]), SPECS, log=log)
    assert table is not None
    assert table.header_row == 3
    rows = list(table.rows)
    assert [(r.row, r.values) for r in rows] == [(5, {"sku": "A-1", "price": 25000})]
    assert [(p.code, p.column) for p in log.problems] == [("import.column_unknown", "Ghi chú")]


def test_header_merged_down_from_the_row_above() -> None:
    rows: list[list[object]] = [["Mã SKU", "Thông tin giá", ""], ["", "Giá", "Giá sỉ"], ["A-1", 1000, 900]]
    table = read_table(sheet(rows, merged=[((0, 0), (1, 0)), ((0, 1), (0, 2))]), SPECS, log=ProblemLog())
    assert table is not None
    assert table.positions == {"sku": 0, "price": 1}
    assert [r.values for r in table.rows] == [{"sku": "A-1", "price": 1000}]


def test_missing_required_column_is_reported() -> None:
    log = ProblemLog()
    assert read_table(sheet([["Giá", "Tên"], [1000, "x"]]), SPECS, log=log) is None
    assert [p.code for p in log.errors] == ["import.header_missing"]


def test_empty_sheet_is_a_warning() -> None:
    log = ProblemLog()
    assert read_table(sheet([["", ""], []]), SPECS, log=log) is None
    assert [(p.code, p.severity.value) for p in log.problems] == [("import.sheet_empty", "warning")]


def test_bad_cells_are_located() -> None:
    log = ProblemLog()
    table = read_table(sheet([["SKU", "Giá"], ["A 1", "-5"], ["B-2", ""]]), SPECS, log=log)
    assert table is not None
    rows = list(table.rows)
    assert [r.ok for r in rows] == [False, True]
    assert [(p.row, p.column, p.code) for p in log.errors] == [(2, "SKU", "sku.invalid"), (2, "Giá", "price.negative")]
