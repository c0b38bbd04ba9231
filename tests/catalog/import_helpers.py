"""Helpers for the import tests: small workbooks and CSV files written in tmp_path."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlmodel import Session

from catalog.image_store import ImageStore
from catalog.importing.catalogue import import_catalogue
from catalog.importing.result import ImportResult
from catalog.producers import Producer
from catalog.products import Product

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "catalogue"
SINGLE_HEADER = ["Tên chủ thể", "Số điện thoại", "Xã/phường", "Mã SKU", "Tên sản phẩm", "Giá bán (đ)",
                 "Đơn vị tính", "Tồn kho"]


def single_row(sku: str, name: str = "Miến dong 500 g", price: Any = 60000, *, producer: str = "HTX Tài Hoan",
               phone: str = "0912345678", commune: str = "02185", unit: str = "gói", stock: Any = 10) -> list[Any]:
    return [producer, phone, commune, sku, name, price, unit, stock]


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
    book.close()
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def run(session: Session, path: Path, tmp_path: Path, **kw: Any) -> ImportResult:
    kw.setdefault("media", ImageStore(tmp_path / "media"))
    return import_catalogue(session=session, path=path, **kw)


def products(session: Session) -> dict[str, Product]:
    return {p.sku: p for p in session.execute(select(Product)).scalars()}


def producers(session: Session) -> list[Producer]:
    return list(session.execute(select(Producer)).scalars())


def codes(result: ImportResult) -> list[tuple[int | None, str]]:
    return [(p.row, p.code) for p in result.problems]
