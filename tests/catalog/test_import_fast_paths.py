"""The fast paths of an import give exactly what their plain references give.

Each fast path (bulk folding, the table's fast lane, the legacy pre-filter, the CSV block reader,
the re-import written forms, column-wise inserts) is compared with the slower code it stands in
for, on open-ended input.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import Session

from catalog.errors import CatalogueValidationError
from catalog.importing import readers
from catalog.importing import table as table_module
from catalog.importing.bulk import insert_columns, insert_rows
from catalog.importing.catalogue_columns import COMBINED_COLUMNS
from catalog.importing.cells import Cell
from catalog.importing.legacy import encode_tcvn3, encode_vni, looks_legacy, not_legacy, read_as_is
from catalog.importing.problems import ProblemLog
from catalog.importing.readers import FlaggedRow, Sheet, open_book
from catalog.importing.table import read_table
from catalog.producers import Producer, ProducerKind
from catalog.products import Product
from catalog.text import fold, fold_many
from tests.catalog.import_helpers import write_xlsx
from tests.catalog.test_import_reimport import BASE, HEADER, _base, _both_ways, _outcome

VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
LATIN1 = "".join(chr(c) for c in range(0xA1, 0x100))
FOLD_ALPHABET = VIET + VIET.upper() + LATIN1 + " \t\n-.,'0123456789€中" + "ĐđtpTPbac can"
fold_text = st.text(alphabet=FOLD_ALPHABET, max_size=30) | st.sampled_from(
    ["TP Bắc Cạn", "tt Chợ Mới", "bac can", "Đàm Thị Lụa", "HTX  Tài-Hoan", "", "a\nb", "Cà phê", "a€b"])


@given(st.lists(fold_text, max_size=12))
def test_fold_many_is_fold_of_each(texts: list[str]) -> None:
    assert fold_many(texts) == [fold(text) for text in texts]


@given(st.lists(st.text(alphabet=VIET + LATIN1 + "abc \n\r", max_size=20) |
                st.sampled_from(["Cà phê", "TiÕng ViÖt", "Tieáng Vieät", "Miến dong", "Chè Shan tuyết"]),
                max_size=12))
def test_not_legacy_is_looks_legacy_false(texts: list[str]) -> None:
    plain = not_legacy(texts)
    assert plain == {t for t in texts if "\n" not in t and not looks_legacy(t)}


# --- the table's fast lane ---------------------------------------------------------------------

# raw cells a support worker's file may hold in each column (clean ones and every kind of trouble)
CELL_VARIANTS: dict[str, list[Cell]] = {
    "Mã chủ thể": ["P1", " P1 ", "", None, 12, "'=P1"],
    "Tên chủ thể": ["HTX Tài Hoan", unicodedata.normalize("NFD", "HTX Tài Hoan"), encode_tcvn3("Hộ Tiếng Việt"),
                    "Cà phê", "  ", None, True],
    "Số điện thoại": ["0912345678", "912345678", 912345678, 912345678.0, "12", "", None],
    "Xã/phường": ["02185", "Xã Na Rì", 2185, ""],
    "Mã SKU": ["SKU-1", "SKU-2", " SKU-3", "sku 4", "'=SKU", "x" * 70, 123, 12.5, "", None, False],
    "Tên sản phẩm": ["Miến dong", "Miến  dong ", unicodedata.normalize("NFD", "Mật ong"), encode_vni("Mật ong rừng"),
                     encode_tcvn3("Măng khô"), "=1+1", "'=1+1", "x" * 300, "", None, 5, 1.0, True],
    "Ngành hàng OCOP": ["1.3.2", "1.3.2 Chế biến", "", None, 1.5],
    "Đơn vị tính": ["gói", "GÓI", "goi", "thúng to", "", None, 1],
    "Khối lượng tịnh": ["500 g", "0,5 kg", "abc", "", 500, 0.5, None],
    "Giá bán (đ)": ["30000", 30000, 30000.0, "30.000 đ", "-5", "12.500,5", 1, 0, True, False, "", None, 1e20],
    "Tồn kho": ["0", "10", 0, 1, 1.0, True, -1, "abc", "", None],
    "Khối lượng đóng gói (g)": ["500", 500, "0,5 kg", "", "x", 1, True],
}
TABLE_HEADER = list(CELL_VARIANTS)


def _read(rows: list[list[Cell]]) -> tuple[list[tuple[int, dict[str, Any], bool]], list[tuple[Any, ...]]]:
    log = ProblemLog()
    sheet = Sheet(name="Sản phẩm", rows=iter([list(TABLE_HEADER), *rows]))
    table = read_table(sheet, COMBINED_COLUMNS, log=log)
    assert table is not None
    parsed = [(p.row, p.values, p.ok) for p in table.rows]
    problems = [(p.code, p.row, p.column, repr(p.value), p.severity.value, sorted(p.params.items(), key=str))
                for p in log.problems]
    return parsed, problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fast_lane_reads_as_the_full_lane(monkeypatch: pytest.MonkeyPatch, data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 12))
    rows: list[list[Cell]] = [[data.draw(st.sampled_from(CELL_VARIANTS[h])) for h in TABLE_HEADER]
                              for _ in range(count)]
    rows += [list(row) for row in rows[: data.draw(st.integers(0, count))]]  # repeats: the memo answers them
    if data.draw(st.booleans()):
        rows.append(rows[0][: data.draw(st.integers(1, len(TABLE_HEADER)))])  # a short row
    fast = _read([list(r) for r in rows])
    with monkeypatch.context() as patch:
        patch.setattr(table_module, "compile_fast_lane", lambda *a: lambda row: None)
        full = _read([list(r) for r in rows])
    assert fast == full


@pytest.fixture
def fast_lane_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For every row the compiled fast lane sees: whether it took the row."""
    calls: list[bool] = []
    real = table_module.compile_fast_lane

    def spy(*args: Any) -> Any:
        lane = real(*args)

        def counted(row: list[Cell]) -> Any:
            found = lane(row)
            calls.append(found is not None)
            return found

        return counted

    monkeypatch.setattr(table_module, "compile_fast_lane", spy)
    return calls


def test_fast_lane_takes_clean_rows(fast_lane_calls: list[bool]) -> None:
    """Clean rows do take the fast lane (the comparison above is not vacuous)."""
    clean = [v[0] for v in CELL_VARIANTS.values()]
    parsed, problems = _read([list(clean) for _ in range(5)])
    assert problems == [] and len(parsed) == 5
    assert fast_lane_calls == [False, True, True, True, True]  # the first row fills the memos


# Latin-1-only words: valid Vietnamese as they stand ("Hoàng", "Cà phê"), legacy-encoded ones, and noise
LATIN1_WORDS = ["Hoàng", "Thanh", "Mai", "Cà", "phê", "Hà", "Tô", "Lò", "Mì", "5076", "ÀÁ", "×", "©",
                encode_tcvn3("Tiếng"), encode_tcvn3("Việt"), encode_vni("Mật"), encode_vni("ong"), encode_tcvn3("Hộ")]
latin1_text = (st.lists(st.sampled_from(LATIN1_WORDS), min_size=1, max_size=5).map(" ".join)
               | st.text(alphabet=LATIN1 + "aeiou ", min_size=1, max_size=12))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(latin1_text, latin1_text), min_size=1, max_size=8))
def test_fast_lane_reads_latin1_names_as_the_full_lane(monkeypatch: pytest.MonkeyPatch,
                                                       names: list[tuple[str, str]]) -> None:
    """Names the legacy pre-filter suspects: the fast lane takes as they stand exactly those the full lane
    would not decode, and leaves the rest (real TCVN3/VNI text) to it."""
    clean = [v[0] for v in CELL_VARIANTS.values()]
    at_name, at_product = TABLE_HEADER.index("Tên chủ thể"), TABLE_HEADER.index("Tên sản phẩm")
    rows: list[list[Cell]] = []
    for k, (producer, product) in enumerate(names):
        row = list(clean)
        row[TABLE_HEADER.index("Mã SKU")] = f"SKU-{k}"
        row[at_name], row[at_product] = producer, product
        rows.append(row)
    fast = _read([list(r) for r in rows])
    with monkeypatch.context() as patch:
        patch.setattr(table_module, "compile_fast_lane", lambda *a: lambda row: None)
        full = _read([list(r) for r in rows])
    assert fast == full


def test_ordinary_latin1_names_take_the_fast_lane(fast_lane_calls: list[bool]) -> None:
    """"Hoàng Thanh Mai 5076" has Latin-1 letters only yet is not legacy text: its row stays on the fast lane."""
    assert looks_legacy("Hoàng Thanh Mai 5076") and read_as_is("Hoàng Thanh Mai 5076")
    assert not read_as_is(encode_tcvn3("Hộ Tiếng Việt")) and not read_as_is(encode_vni("Mật ong rừng"))
    clean = [v[0] for v in CELL_VARIANTS.values()]
    rows = []
    for k in range(4):
        row = list(clean)
        row[TABLE_HEADER.index("Mã SKU")] = f"SKU-{k}"
        row[TABLE_HEADER.index("Tên sản phẩm")] = f"Hoàng Thanh Mai {5076 + k}"
        rows.append(row)
    parsed, problems = _read(rows)
    assert problems == [] and [p[1]["name"] for p in parsed] == [f"Hoàng Thanh Mai {5076 + k}"
                                                                          for k in range(4)]
    assert fast_lane_calls == [False, True, True, True]


# --- the CSV block reader ----------------------------------------------------------------------

LINE_PIECES: list[bytes] = [
    "SKU-1,Miến dong,30000\n".encode(), "SKU-2,\"Mật\nong\",1\n".encode(), "SKU-3,Cà phê,2\r\n".encode(),
    "SKU-4,Cà phê,3\n".encode("cp1258"), b"SKU-5,a\x00b,4\n", b'SKU-6,"x\ry",5\n', b"SKU-7,\x81bad,6\n",
    b"SKU-8,plain,7"]


def _csv_rows(path: Path) -> list[tuple[list[Cell], frozenset[str]]] | str:
    try:
        with open_book(path) as book:
            sheet = book.sheet(book.sheet_names[0])
            return [(list(row), row.flags if isinstance(row, FlaggedRow) else frozenset()) for row in sheet.rows]
    except CatalogueValidationError as error:
        return error.code


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(range(len(LINE_PIECES))), min_size=1, max_size=14),
       block=st.integers(1, 64), bom=st.booleans())
def test_csv_blocks_read_as_line_by_line(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                                         pieces: list[int], block: int, bom: bool) -> None:
    path = tmp_path_factory.mktemp("csv") / "rows.csv"
    body = "Mã SKU,Tên sản phẩm,Giá bán (đ)\n".encode() + b"".join(LINE_PIECES[i] for i in pieces)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body)
    whole = _csv_rows(path)
    with monkeypatch.context() as patch:
        patch.setattr(readers, "_BLOCK_BYTES", block)
        assert _csv_rows(path) == whole


def test_csv_block_reader_flags_damaged_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mixed.csv"
    filler = "".join(f"A{i},Miến dong\n" for i in range(5000)).encode()  # past the sniffed head: read as UTF-8
    path.write_bytes("Mã SKU,Tên sản phẩm\n".encode() + filler + "B,Cà phê\n".encode("cp1258")
                     + b"C,a\x00b\nD,ok\n")
    for block in (8, 1 << 20):
        monkeypatch.setattr(readers, "_BLOCK_BYTES", block)
        rows = _csv_rows(path)
        assert not isinstance(rows, str)
        assert rows[0][0] == ["Mã SKU", "Tên sản phẩm"] and rows[5000][0] == ["A4999", "Miến dong"]
        assert [r[0] for r in rows[-3:]] == [["B", "Cà phê"], ["C", "a\x00b"], ["D", "ok"]]  # cp1258 line read
        assert [r[1] for r in rows[-4:]] == [frozenset(), frozenset(), frozenset({"nul"}), frozenset()]


# --- re-imports of workbooks (numbers as numbers) ----------------------------------------------

XLSX_VARIANTS: dict[int, list[Any]] = {
    9: [30000, 30000.0, "30000", 1, True, 31000, 0.5],
    10: [0, 1, 1.0, True, False, 5, 5.5, -1, "3"],
    11: [500, 500.0, "500", True, 0],
    5: ["Miến dong loại 0", encode_tcvn3("Miến dong loại 0"), "Miến dong loại 0 "],
}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(sorted(XLSX_VARIANTS)), st.data()),
                      max_size=5))
def test_workbook_reimport_ends_as_the_full_path_would(session: Session, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       edits: list[tuple[int, int, st.DataObject]]) -> None:
    _base(session, tmp_path)
    rows: list[list[Any]] = [[*r[:9], int(r[9]), int(r[10]), int(r[11])] for r in BASE]
    for r, column, data in edits:
        rows[r][column] = data.draw(st.sampled_from(XLSX_VARIANTS[column]))
    path = write_xlsx(tmp_path / "edited.xlsx", {"Sản phẩm": [HEADER, *rows]})
    fast, full, _ = _both_ways(session, path, tmp_path, monkeypatch)
    assert _outcome(fast) == _outcome(full)


# --- column-wise inserts -----------------------------------------------------------------------

def _stored_products(session: Session) -> Iterator[tuple[Any, ...]]:
    for p in session.execute(select(Product).order_by(Product.sku)).scalars():
        yield (p.sku, p.name, p.name_key, p.price, p.unit, p.stock, p.status, p.content_version, p.stock_version)


def test_insert_columns_stores_what_insert_rows_stores(session: Session) -> None:
    insert_rows(session, Producer.__table__, [  # type: ignore[attr-defined]
        {"code": "A", "name": "Hộ A", "name_key": "ho a", "kind": ProducerKind.household.value}],
        now=("created_at", "updated_at"))
    pid = session.execute(select(Producer.__table__.c.id)).scalar_one()  # type: ignore[attr-defined]
    table = Product.__table__  # type: ignore[attr-defined]
    insert_rows(session, table, [{"producer_id": pid, "sku": "R-1", "name": "Miến", "name_key": "mien",
                                  "price": 100, "stock": 2, "unit": "gói", "status": "active"}],
                now=("created_at", "updated_at"))
    insert_columns(session, table, {"producer_id": [pid], "sku": ["C-1"], "name": ["Miến"], "name_key": ["mien"],
                                    "price": [100], "stock": [2]},
                   constants={"unit": "gói", "status": "active"}, now=("created_at", "updated_at"))
    insert_columns(session, table, {"sku": []})  # nothing to insert
    session.commit()
    by_sku = {row[0]: row[1:] for row in _stored_products(session)}
    assert by_sku["C-1"] == by_sku["R-1"]
    stamps = session.execute(select(table.c.created_at)).scalars().all()
    assert all(abs(datetime.now(UTC) - s.replace(tzinfo=s.tzinfo or UTC)).total_seconds() < 600 for s in stamps)
