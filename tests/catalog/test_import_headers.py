"""The header matcher: aliases in any spelling, title blocks, merged headers, unknown columns."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.importing import convert as cv
from catalog.importing.catalogue_columns import COMBINED_COLUMNS
from catalog.importing.headers import HeaderIndex
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


# --- headers as people write them (issue 16) -------------------------------------------------

HEADERS = HeaderIndex(COMBINED_COLUMNS)


@pytest.mark.parametrize(("header", "field", "how"), [
    ("Mã HTX/THT", "producer_code", "compound"),
    ("Mã HTX / THT", "producer_code", "compound"),
    ("Tên cơ sở / hộ", "producer_name", "compound"),
    ("Tên cơ sở hoặc hộ", "producer_name", "compound"),
    ("Xã / Phường", "commune", "exact"),
    ("Xã", "commune", "exact"),
    ("Huyện", "district_old", "exact"),
    ("Huyện cũ", "district_old", "exact"),
    ("SĐT liên hệ", "phone", "exact"),
    ("SĐT/Zalo", "phone", "compound"),
    ("Số điện thoại di động của hộ", "phone", "guessed"),
    ("Đơn vị tính (ĐVT)", "unit", "exact"),
    ("Tên sản phẩm đầy đủ", "name", "guessed"),
])
def test_headers_by_meaning(header: str, field: str, how: str) -> None:
    match = HEADERS.match(header)
    assert match.spec is not None, (header, match)
    assert (match.spec.field, match.how) == (field, how)


@pytest.mark.parametrize("header", ["Giá bán buôn", "Giá sỉ", "SĐT thành viên tổ trưởng", "SL đã bán", "Ghi chú"])
def test_words_that_change_the_meaning_are_not_guessed(header: str) -> None:
    assert HEADERS.match(header).spec is None


def test_a_compound_of_two_columns_is_ambiguous_with_its_candidates() -> None:
    match = HEADERS.match("Mã hộ / Tên hộ")
    assert match.how == "ambiguous"
    assert {s.field for s in match.candidates} == {"producer_code", "producer_name"}


def test_an_unknown_header_names_what_it_could_be() -> None:
    match = HEADERS.match("Họ tên người đại diện")
    assert match.spec is None
    assert "representative" in {s.field for s in match.candidates}
    assert HEADERS.match("Ghi chú").candidates == ()


def test_flat_sheet_headers_with_a_title_block() -> None:
    log = ProblemLog()
    rows: list[list[object]] = [
        ["DANH SÁCH SẢN PHẨM CỦA CÁC HTX, THT TRÊN ĐỊA BÀN HUYỆN NA RÌ", "", "", "", "", "", "", ""],
        ["(Kèm theo Báo cáo số 12/BC-UBND)", "", "", "", "", "", "", ""],
        ["Mã HTX/THT", "Tên cơ sở / hộ", "SĐT liên hệ", "Xã", "Huyện", "Mã SP", "Tên sản phẩm", "Giá bán"],
        ["HTX-01", "HTX Tài Hoan", "0912345678", "Xã Côn Minh", "Huyện Na Rì", "MIEN-500", "Miến dong", "60.000 đ/gói"],
    ]
    table = read_table(sheet(rows), COMBINED_COLUMNS, log=log)
    assert table is not None
    assert table.header_row == 3
    assert set(table.columns) == {"producer_code", "producer_name", "phone", "commune", "district_old", "sku", "name",
                                  "price"}
    [row] = list(table.rows)
    assert row.values["producer_code"] == "HTX-01"
    assert (row.values["price"], row.values["price"].unit) == (60000, "gói")
    assert log.problems == []


def test_a_guess_is_said_and_never_beats_an_exact_header() -> None:
    log = ProblemLog()
    rows: list[list[object]] = [["Mã SKU", "Tên SP", "Giá", "Số điện thoại di động", "Mô tả sản phẩm chi tiết"],
                                ["A-1", "Miến", 1, 1, "x"]]
    table = read_table(sheet(rows), COMBINED_COLUMNS, log=log)
    assert table is not None
    assert table.columns["phone"] == "Số điện thoại di động"
    assert table.columns["description"] == "Mô tả sản phẩm chi tiết"
    assert [(p.code, p.column, p.params.get("header")) for p in log.problems] == [
        ("import.column_guessed", "Số điện thoại di động", "Số điện thoại"),
        ("import.column_guessed", "Mô tả sản phẩm chi tiết", "Mô tả")]


def test_a_required_column_is_never_guessed_only_suggested() -> None:
    log = ProblemLog()
    rows: list[list[object]] = [["Mã SKU", "Tên sản phẩm đầy đủ", "Giá"], ["A-1", "Miến", 1]]
    assert read_table(sheet(rows), COMBINED_COLUMNS, log=log) is None
    assert [(p.code, p.column) for p in log.problems] == [("import.column_maybe", "Tên sản phẩm đầy đủ"),
                                                          ("import.header_missing", None)]
    assert "'Tên sản phẩm'" in log.problems[0].message()
    log = ProblemLog()
    rows = [["Mã SKU", "Tên sản phẩm", "Tên sản phẩm đầy đủ", "Giá"], ["A-1", "Miến", "Miến dong", 1]]
    table = read_table(sheet(rows), COMBINED_COLUMNS, log=log)
    assert table is not None
    assert table.columns["name"] == "Tên sản phẩm"
    assert [p.code for p in log.problems] == ["import.column_duplicate"]


def test_ambiguous_and_unclear_headers_are_reported_with_candidates() -> None:
    log = ProblemLog()
    rows: list[list[object]] = [["Mã SKU", "Tên SP", "Giá", "Mã hộ / Tên hộ", "Họ tên người đại diện"],
                                ["A-1", "Miến", 1, "x", "y"]]
    assert read_table(sheet(rows), COMBINED_COLUMNS, log=log) is not None
    found = {p.code: p for p in log.problems}
    assert set(found) == {"import.column_ambiguous", "import.column_maybe"}
    assert "'Mã chủ thể'" in found["import.column_ambiguous"].message()
    assert "'Người đại diện'" in found["import.column_maybe"].message("en")


def test_a_bad_phone_keeps_the_row_with_the_phone_empty() -> None:
    log = ProblemLog()
    rows: list[list[object]] = [["Tên chủ thể", "SĐT", "Mã SKU", "Tên SP", "Giá"],
                                ["HTX A", "0123", "A-1", "Miến", 1000], ["HTX A", "0123", "A-2", "Bún", 2000]]
    table = read_table(sheet(rows), COMBINED_COLUMNS, log=log)
    assert table is not None
    parsed = list(table.rows)
    assert [(r.ok, "phone" in r.values) for r in parsed] == [(True, False), (True, False)]
    assert [(p.code, p.severity.value, p.row, p.column) for p in log.problems] == [
        ("import.phone_dropped", "warning", 2, "SĐT"), ("import.phone_dropped", "warning", 3, "SĐT")]
    assert log.rejected == {}
