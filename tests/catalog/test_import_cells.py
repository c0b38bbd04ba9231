"""Open-ended cells and files: money and phone cells in every form staff type, CSV dialects, ODS."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from catalog.errors import CatalogueValidationError
from catalog.importing import convert as cv
from catalog.importing.readers import open_book, sniff_delimiter
from catalog.money import MAX_PRICE
from tests.catalog.import_helpers import SINGLE_HEADER, products, run, single_row

money = cv.money()
AMOUNTS = st.integers(0, MAX_PRICE)


def _dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(amount=AMOUNTS, form=st.sampled_from(["plain", "dotted", "comma", "dong", "d", "vnd", "float", "int"]))
def test_money_cells_in_every_written_form(amount: int, form: str) -> None:
    written: object = {"plain": str(amount), "dotted": _dotted(amount), "comma": f"{amount:,}",
                       "dong": f"{_dotted(amount)} đ", "d": f"{_dotted(amount)}đ", "vnd": f"{amount:,} VND",
                       "float": float(amount), "int": amount}[form]
    assert money(written) == amount


@given(thousands=st.integers(1, 999_999))
def test_money_in_thousands_and_millions(thousands: int) -> None:
    amount = thousands * 1000
    assert money(f"{thousands}k") == amount
    if thousands % 1000 == 0:
        assert money(f"{thousands // 1000} triệu") == amount
    millions, rest = divmod(thousands, 1000)
    if millions and rest and rest % 100 == 0 and rest < 1000:
        assert money(f"{millions}tr{rest // 100}") == amount


@given(amount=st.integers(1, 10**6), fraction=st.integers(1, 9))
def test_fractions_and_negatives_are_refused(amount: int, fraction: int) -> None:
    with pytest.raises(CatalogueValidationError) as negative:
        money(f"-{_dotted(amount)}")
    assert negative.value.code == "price.negative"
    with pytest.raises(CatalogueValidationError) as fractional:
        money(f"{_dotted(amount)},{fraction}")
    assert fractional.value.code == "price.fraction"


@given(text=st.text(max_size=12))
def test_any_text_is_an_amount_or_a_coded_error(text: str) -> None:
    code = None
    try:
        amount = money(text)
    except CatalogueValidationError as error:
        code = error.code
    assert code.startswith("price.") if code is not None else 0 <= amount <= MAX_PRICE


MOBILE_PREFIXES = ["32", "33", "34", "35", "36", "37", "38", "39", "56", "58", "59", "70", "76", "77", "78", "79",
                   "81", "82", "83", "84", "85", "86", "88", "90", "91", "94", "96", "97", "98"]


@given(prefix=st.sampled_from(MOBILE_PREFIXES), rest=st.integers(0, 9_999_999),
       form=st.sampled_from(["0 3 3 3", "0dotted", "+84", "84", "int", "bare"]))
def test_phone_cells_in_every_written_form(prefix: str, rest: int, form: str) -> None:
    national = f"{prefix}{rest:07d}"
    written: object = {"0 3 3 3": f"0{national[:3]} {national[3:6]} {national[6:]}",
                       "0dotted": f"0{national[:3]}.{national[3:6]}.{national[6:]}", "+84": f"+84 {national}",
                       "84": f"84{national}", "int": int(national), "bare": national}[form]
    assert cv.phone(written) == f"+84{national}"


CELL = st.text(st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from(["\t", ";", ",", '"', " "]),
               max_size=10).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=2, max_size=8),
       delimiter=st.sampled_from(["\t", ";", ","]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_csv_dialects_read_back_cell_for_cell(tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]],
                                              delimiter: str, encoding: str) -> None:
    rows = [["Tên chủ thể", "Mã SKU", "Giá bán (đ)"], *rows]
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(text.getvalue().encode(encoding))
    with open_book(path) as book:
        read = [list(r) for r in book.sheet(book.sheet_names[0]).rows]
    assert [[c for c in r] for r in read if any(r)] == [r for r in rows if any(r)]


@given(header=st.permutations(["Tên chủ thể", "Số điện thoại", "Mã SKU", "Tên sản phẩm", "Giá bán (đ)"]),
       delimiter=st.sampled_from(["\t", ";", ","]))
def test_sniffed_delimiter_splits_the_header(header: list[str], delimiter: str) -> None:
    lines = [delimiter.join(header), delimiter.join(["HTX A", "0912345678", "X-1", "Miến, dong; 500 g", "1.000"])]
    lines[1] = delimiter.join(f'"{c}"' for c in lines[1].split(delimiter))
    assert sniff_delimiter(lines) == delimiter


def _write_ods(path: Path, rows: list[list[object]]) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice saves one (no ODS writer is installed)."""
    def cell(value: object) -> str:
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>' \
                   "</table:table-cell>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Sản phẩm">{body}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_ods_workbook_imports(session: Session, tmp_path: Path) -> None:
    rows: list[list[object]] = [SINGLE_HEADER, single_row("MIEN-500", "Miến dong Bắc Kạn"),
                                single_row("BUN-500", "Bún khô", "35.000 đ"), single_row("BAD-1", price=-5)]
    result = run(session, _write_ods(tmp_path / "danh-muc.ods", rows), tmp_path)
    assert [(p.row, p.code) for p in result.errors] == [(4, "price.negative")]
    assert {k: p.price for k, p in products(session).items()} == {"MIEN-500": 60000, "BUN-500": 35000}
