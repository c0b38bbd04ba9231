"""Files made the way commune officers and district teams make them (issue 16): a title block over
compound headers, one flat sheet of producers and products, CSV saved by Excel, prices written with
their unit or the sign first, the units of Vietnamese markets, a phone that is not a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlmodel import Session

from catalog.producers import Producer
from tests.catalog.import_helpers import products, run, write_csv

TITLE = ["DANH SÁCH SẢN PHẨM CỦA CÁC HTX, THT, HỘ SẢN XUẤT HUYỆN NA RÌ",
         "(Kèm theo Báo cáo số 45/BC-UBND ngày 12/3/2025)"]
HEADER = ["STT", "Mã HTX/THT", "Tên cơ sở / hộ", "SĐT liên hệ", "Xã", "Huyện", "Mã SP", "Tên sản phẩm", "ĐVT",
          "Giá bán"]
ROWS: list[list[Any]] = [
    [1, "HTX-TH", "HTX Tài Hoan", "0912 345 678", "Xã Côn Minh", "Huyện Na Rì", "MIEN-500", "Miến dong 500 g",
     "gói", "60.000 đ/gói"],
    [2, "HTX-TH", "HTX Tài Hoan", "0912 345 678", "Xã Côn Minh", "Huyện Na Rì", "GA-DOI", "Gà đồi", "con",
     "₫250,000"],
    [3, "HTX-TH", "HTX Tài Hoan", "0912 345 678", "Xã Côn Minh", "Huyện Na Rì", "TRUNG-GA", "Trứng gà ta", "",
     "35.000đ/chục"],
    [4, "THT-CL", "Tổ hợp tác Chuối Cư Lễ", "0912 34", "Xã Côn Minh", "Huyện Na Rì", "CHUOI-NAI", "Chuối tây", "nải",
     "25k/nải"],
    [5, "THT-CL", "Tổ hợp tác Chuối Cư Lễ", "0912 34", "Xã Côn Minh", "Huyện Na Rì", "CHUOI-BUONG", "Chuối tây",
     "buồng", "180.000 đ/buồng"],
    [6, "THT-CL", "Tổ hợp tác Chuối Cư Lễ", "0912 34", "Xã Côn Minh", "Huyện Na Rì", "GAO-YEN", "Gạo bao thai",
     "kg", "150.000 đ/yến"],
]


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    """A title merged across the columns, a blank line, the header, the "(1) (2)…" numbering row."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("Tổng hợp")
    bold = book.add_format({"bold": True, "align": "center"})
    for r, title in enumerate(TITLE):
        sheet.merge_range(r, 0, r, len(HEADER) - 1, title, bold)
    sheet.write_row(3, 0, HEADER, bold)
    sheet.write_row(4, 0, [f"({n})" for n in range(1, len(HEADER) + 1)])
    for r, row in enumerate(rows, start=5):
        for c, value in enumerate(row):
            (sheet.write_string if isinstance(value, str) else sheet.write)(r, c, value)
    book.close()
    return path


def _producers(session: Session) -> dict[str, Producer]:
    return {p.code: p for p in session.execute(select(Producer)).scalars()}


def _check(session: Session, result: Any) -> None:
    assert [(p.row, p.code) for p in result.errors] == [(11, "price.unit_mismatch")]
    assert "yến" in result.errors[0].message() and "kg" in result.errors[0].message()
    warnings = [(p.row, p.column, p.code) for p in result.problems if p.severity.value == "warning"]
    assert warnings == [(row, "SĐT liên hệ", "import.phone_dropped") for row in (9, 10, 11)]  # each cell
    found = _producers(session)
    assert set(found) == {"HTX-TH", "THT-CL"}  # the flat sheet made its producers, by their codes
    assert (found["HTX-TH"].name, found["HTX-TH"].phone) == ("HTX Tài Hoan", "+84912345678")
    assert (found["THT-CL"].name, found["THT-CL"].phone) == ("Tổ hợp tác Chuối Cư Lễ", None)  # kept, phone empty
    stored = {sku: (p.price, p.unit) for sku, p in products(session).items()}
    assert stored == {"MIEN-500": (60000, "gói"), "GA-DOI": (250000, "con"), "TRUNG-GA": (35000, "chục"),
                      "CHUOI-NAI": (25000, "nải"), "CHUOI-BUONG": (180000, "buồng")}
    assert all(type(price) is int for price, _unit in stored.values())


def test_flat_sheet_with_a_title_block_and_compound_headers(session: Session, tmp_path: Path) -> None:
    result = run(session, _workbook(tmp_path / "na_ri.xlsx", ROWS), tmp_path)
    _check(session, result)
    assert result.counts["producers"].created == 2
    assert result.counts["products"].created == 5


def test_csv_saved_by_excel(session: Session, tmp_path: Path) -> None:
    """Excel's "CSV UTF-8": a byte-order mark, ``;`` between cells (a Vietnamese locale's list separator)."""
    numbering = [f"({n})" for n in range(1, len(HEADER) + 1)]
    rows = [[TITLE[0]], [TITLE[1]], [], HEADER, numbering, *[[str(c) for c in row] for row in ROWS]]
    path = write_csv(tmp_path / "na_ri.csv", rows, encoding="utf-8-sig", delimiter=";")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    _check(session, run(session, path, tmp_path))


def test_a_flat_sheet_updates_its_producers(session: Session, tmp_path: Path) -> None:
    run(session, _workbook(tmp_path / "a.xlsx", ROWS[:1]), tmp_path)
    moved = [[*ROWS[0][:3], "0987 654 321", *ROWS[0][4:]]]
    result = run(session, _workbook(tmp_path / "b.xlsx", moved), tmp_path)
    assert result.errors == []
    assert result.counts["producers"].updated == 1
    assert _producers(session)["HTX-TH"].phone == "+84987654321"
