"""Bad files: encodings, legacy text, renamed .xls, zip bombs, NUL bytes, formulas, empty sheets."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from sqlmodel import Session

from catalog.importing.legacy import encode_tcvn3, encode_vni
from tests.catalog.import_helpers import SINGLE_HEADER, codes, products, run, single_row, write_csv, write_xlsx

ROWS = [SINGLE_HEADER, single_row("MIEN-500", "Miến dong Bắc Kạn"), single_row("BUN-500", "Bún khô Na Rì", 35000)]


def test_csv_in_every_encoding_excel_writes(session: Session, tmp_path: Path) -> None:
    for n, (encoding, delimiter) in enumerate([("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"),
                                               ("cp1258", ";")]):
        path = write_csv(tmp_path / f"f{n}.csv", [[c for c in r] for r in ROWS], encoding=encoding,
                         delimiter=delimiter) if encoding != "cp1258" else _cp1258(tmp_path / "f.csv", delimiter)
        result = run(session, path, tmp_path)
        assert result.errors == [], (encoding, result.problems)
        names = {p.name for p in products(session).values()}
        assert names == {"Miến dong Bắc Kạn", "Bún khô Na Rì"}, encoding


def _cp1258(path: Path, delimiter: str) -> Path:
    # cp1258 keeps tone marks as combining characters; Python decodes them so, NFC puts them back
    lines = [delimiter.join(str(c) for c in row) for row in ROWS]
    text = "\r\n".join(lines)
    parts = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
        parts.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in tones)) + tones)
    path.write_bytes("".join(parts).encode("cp1258"))
    return path


def test_nfd_text_is_stored_nfc(session: Session, tmp_path: Path) -> None:
    rows = [SINGLE_HEADER, single_row("MIEN-500", unicodedata.normalize("NFD", "Miến dong Bắc Kạn"))]
    run(session, write_csv(tmp_path / "nfd.csv", rows), tmp_path)
    assert products(session)["MIEN-500"].name == unicodedata.normalize("NFC", "Miến dong Bắc Kạn")


def test_tcvn3_cells_by_font_and_vni_by_statistics(session: Session, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(SINGLE_HEADER)
    sheet.append(single_row("MIEN-500", encode_tcvn3("Miến dong Bắc Kạn")))
    sheet["E2"].font = Font(name=".VnTime")
    sheet.append(single_row("RUOU-500", encode_vni("Rượu men lá Bằng Phúc"), 80000))
    book.save(tmp_path / "legacy.xlsx")
    result = run(session, tmp_path / "legacy.xlsx", tmp_path)
    assert result.errors == []
    assert {p.name for p in products(session).values()} == {"Miến dong Bắc Kạn", "Rượu men lá Bằng Phúc"}
    assert [(p.row, p.code) for p in result.problems] == [(2, "import.legacy_text"), (3, "import.legacy_text")]


def test_formulas_use_their_cached_values(session: Session, tmp_path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "f.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, SINGLE_HEADER)
    sheet.write_row(1, 0, single_row("MIEN-500"))
    sheet.write_row(2, 0, single_row("MIEN-1KG", price=None))
    sheet.write_formula(2, 5, "=F2*2-10000", None, 110000)
    book.close()
    assert run(session, tmp_path / "f.xlsx", tmp_path).errors == []
    assert products(session)["MIEN-1KG"].price == 110000


def test_renamed_xls_is_refused_clearly(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "cu.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    result = run(session, path, tmp_path)
    assert codes(result) == [(None, "import.file_is_xls")]
    assert result.unreadable


def test_xlsx_zip_bomb_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 << 20))
    result = run(session, path, tmp_path)
    assert codes(result) == [(None, "import.zip_bomb")]
    assert result.unreadable


def test_garbage_and_empty_files(session: Session, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    assert codes(run(session, tmp_path / "empty.csv", tmp_path)) == [(None, "import.sheet_empty"),
                                                                   (None, "import.no_sheets")]
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    result = run(session, tmp_path / "broken.xlsx", tmp_path)
    assert result.unreadable
    assert codes(result) == [(None, "import.file_corrupt")]


def test_photo_or_binary_named_as_a_spreadsheet_is_refused_clearly(session: Session, tmp_path: Path) -> None:
    (tmp_path / "anh.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    result = run(session, tmp_path / "anh.xlsx", tmp_path)
    assert codes(result) == [(None, "import.file_not_table")]
    assert "PNG" in result.problems[0].message("vi")
    # random bytes (no known magic) used to crash the CSV reader with a csv.Error traceback
    noise = bytes((i * 7919 + 13) % 256 for i in range(3000))
    (tmp_path / "noise.xlsx").write_bytes(noise)
    assert codes(run(session, tmp_path / "noise.xlsx", tmp_path)) == [(None, "import.file_type")]
    # a text head with binary bytes later on: refused as damaged, no traceback
    path = write_csv(tmp_path / "tail.csv", ROWS)
    path.write_bytes(path.read_bytes() + b"MIEN-1\rkg,x\n")
    result = run(session, path, tmp_path)
    assert codes(result) == [(None, "import.file_corrupt")]


def test_empty_sheet_beside_a_good_one(session: Session, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "two.xlsx", {"Sản phẩm": ROWS, "Chứng nhận OCOP": []})
    result = run(session, path, tmp_path)
    assert result.errors == []
    assert result.counts["products"].created == 2


def test_nul_byte_rejects_its_row_only(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nul.csv", ROWS)
    data = path.read_bytes().replace(b"BUN-500", b"BUN\x00500")
    path.write_bytes(data)
    result = run(session, path, tmp_path)
    assert codes(result) == [(3, "import.nul_byte")]
    assert set(products(session)) == {"MIEN-500"}


def test_formula_looking_text_is_kept_and_escaped_in_reports(session: Session, tmp_path: Path) -> None:
    rows = [SINGLE_HEADER, single_row("A-1", "=HYPERLINK(\"http://x\")"), single_row("A-2", "@SUM(1)", "=1+1"),
            single_row("A-3", "+84 đặc sản")]
    result = run(session, write_csv(tmp_path / "f.csv", rows), tmp_path)
    assert products(session)["A-1"].name == '=HYPERLINK("http://x")'
    assert products(session)["A-3"].name == "+84 đặc sản"
    csv_report = result.write_report(tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in csv_report
    xlsx_report = result.write_report(tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(xlsx_report)
    sheet = book[book.sheetnames[0]]
    for ref, text in (("E2", '=HYPERLINK("http://x")'), ("E3", "@SUM(1)"), ("F3", "=1+1")):
        cell = sheet[ref]
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix
