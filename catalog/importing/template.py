"""The catalogue workbook: the empty template staff fill in, and the export of the current
catalogue in the same layout (edit it in Excel, import it again: nothing changes unless edited).

Headers are the Vietnamese headers of :mod:`.catalogue_columns`, each with a cell comment that
explains it; units, producer kinds, OCOP stars, categories and statuses have drop-downs whose
lists live on a hidden sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlmodel import Session, col

from catalog.admin_units import AdminUnit
from catalog.categories import Category
from catalog.errors import NotFoundError
from catalog.importing.catalogue_columns import (
    CERT_COLUMNS,
    OCOP_SHEET,
    PRODUCER_COLUMNS,
    PRODUCER_SHEET,
    PRODUCT_COLUMNS,
    PRODUCT_SHEET,
)
from catalog.importing.cells import Cell
from catalog.importing.outfile import check_out, writing
from catalog.importing.report import _Formats, write_cell
from catalog.importing.table import ColumnSpec
from catalog.measures import UNITS
from catalog.ocop import OcopCertification
from catalog.phone import display_phone
from catalog.producers import PRODUCER_KIND_LABELS, Producer, ProducerKind
from catalog.products import Product

LISTS_SHEET = "Danh sách"
PRODUCER_TEMPLATE = [c for c in PRODUCER_COLUMNS if c.field not in ("district_old", "province")]
PRODUCT_TEMPLATE = [c for c in PRODUCT_COLUMNS if c.field != "net_unit"]
STATUS_LABELS = {"active": "Đang bán", "draft": "Nháp", "archived": "Ngừng bán"}
CERT_STATUS_LABELS = {"active": "Còn hiệu lực", "expired": "Hết hạn", "withdrawn": "Thu hồi"}
LEVELS = ("Huyện", "Tỉnh", "Trung ương")


@dataclass
class _Lists:
    """Drop-down sources on the hidden sheet: list name → its values, and the range formula."""

    values: dict[str, list[str]]

    @property
    def ranges(self) -> dict[str, str]:
        out = {}
        for c, (name, values) in enumerate(self.values.items()):
            letter = xlsxwriter.utility.xl_col_to_name(c)
            out[name] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        return out

    def write(self, book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet(LISTS_SHEET)
        for c, (name, values) in enumerate(self.values.items()):
            sheet.write_string(0, c, name)
            for r, value in enumerate(values, start=1):
                sheet.write_string(r, c, value)
        sheet.hide()


def _lists(categories: Sequence[str]) -> _Lists:
    return _Lists({
        "unit": list(UNITS),
        "kind": [vi for vi, _ in PRODUCER_KIND_LABELS.values()],
        "stars": ["3", "4", "5"],
        "category": list(categories),
        "status": list(STATUS_LABELS.values()),
        "cert_status": list(CERT_STATUS_LABELS.values()),
        "issuing_level": list(LEVELS),
    })


_VALIDATED = {"unit": "unit", "kind": "kind", "stars": "stars", "category": "category", "status": "status",
              "cert_status": "cert_status", "issuing_level": "issuing_level"}


def _sheet(book: xlsxwriter.Workbook, name: str, specs: Sequence[ColumnSpec], rows: Iterable[Sequence[Cell]],
           lists: _Lists, formats: _Formats) -> None:
    sheet = book.add_worksheet(name)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    for c, spec in enumerate(specs):
        sheet.write_string(0, c, spec.header + (" *" if spec.required else ""), header)
        if spec.comment:
            sheet.write_comment(0, c, spec.comment, {"x_scale": 2, "y_scale": 1.5})
        sheet.set_column(c, c, max(12, min(36, len(spec.header) + 4)))
        if spec.field in _VALIDATED:
            sheet.data_validation(1, c, 5000, c, {"validate": "list", "source": lists.ranges[_VALIDATED[spec.field]],
                                                  "error_type": "warning", "ignore_blank": True})
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            write_cell(sheet, r, c, value, formats)


def category_labels(session: Session | None) -> list[str]:
    if session is None:
        return []
    leaves = session.execute(select(col(Category.code), col(Category.name)).where(col(Category.level) == "leaf")
                             .order_by(col(Category.code))).all()
    return [f"{code} {name}" for code, name in leaves]


def _example_rows() -> tuple[list[list[Cell]], list[list[Cell]], list[list[Cell]]]:
    producer: dict[str, Cell] = {"producer_code": "HTX-TAIHOAN", "producer_name": "HTX Tài Hoan", "kind": "Hợp tác xã",
                                 "representative": "Triệu Thị Hoan", "phone": "0912 345 678",
                                 "address": "Thôn Nà Làng", "commune": "Xã Côn Minh (02185)",
                                 "commune_old": "Xã Quang Phong (02185)"}
    product: dict[str, Cell] = {"producer_code": "HTX-TAIHOAN", "producer_name": "HTX Tài Hoan", "sku": "MIEN-500",
                                "name": "Miến dong Tài Hoan 500 g", "category": "1.3.2 Chế biến từ gạo, ngũ cốc",
                                "unit": "gói", "net_qty": "500 g", "price": 60000, "stock": 100, "weight_g": 550,
                                "status": "Đang bán", "images": "MIEN-500.jpg"}
    cert: dict[str, Cell] = {"producer_code": "HTX-TAIHOAN", "sku": "MIEN-500", "stars": 5,
                             "decision_no": "2616/QĐ-UBND", "decision_date": date(2021, 12, 29),
                             "issuing_level": "Trung ương", "cert_status": "Còn hiệu lực"}
    return ([[producer.get(s.field) for s in PRODUCER_TEMPLATE]], [[product.get(s.field) for s in PRODUCT_TEMPLATE]],
            [[cert.get(s.field) for s in CERT_COLUMNS]])


def write_template(out: Path, *, session: Session | None = None, example: bool = True) -> Path:
    """The empty catalogue workbook (with one example row per sheet unless ``example`` is False)."""
    producers, products, certs = _example_rows() if example else ([], [], [])
    return _write_book(out, session, producers, products, certs)


def write_catalogue_workbook(out: Path, *, producers: Iterable[dict[str, Cell]], products: Iterable[dict[str, Cell]],
                             certifications: Iterable[dict[str, Cell]], session: Session | None = None,
                             created: datetime | None = None) -> Path:
    """A workbook in the template's layout from rows given as ``{field: value}`` (fixtures, tools)."""
    return _write_book(out, session, ([r.get(s.field) for s in PRODUCER_TEMPLATE] for r in producers),
                       ([r.get(s.field) for s in PRODUCT_TEMPLATE] for r in products),
                       ([r.get(s.field) for s in CERT_COLUMNS] for r in certifications), created=created)


def _write_book(out: Path, session: Session | None, producers: Iterable[Sequence[Cell]],
                products: Iterable[Sequence[Cell]], certs: Iterable[Sequence[Cell]],
                created: datetime | None = None) -> Path:
    check_out(out)
    with writing(out):
        book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
        if created is not None:  # a fixed date makes the file byte-for-byte reproducible
            book.set_properties({"created": created})
        formats = _Formats(book)
        lists = _lists(category_labels(session) or ["1.3.2 Chế biến từ gạo, ngũ cốc"])
        for name, specs, rows in ((PRODUCER_SHEET, PRODUCER_TEMPLATE, producers),
                                  (PRODUCT_SHEET, PRODUCT_TEMPLATE, products), (OCOP_SHEET, CERT_COLUMNS, certs)):
            _sheet(book, name, specs, rows, lists, formats)
        lists.write(book)
        book.close()
    return out


# --- export -------------------------------------------------------------------------------------

def _unit_label(names: dict[tuple[str, str], str], scheme: str, code: str | None) -> str | None:
    if not code:
        return None
    return f"{names.get((scheme, code), '')} ({code})".strip()


def export_catalogue(*, session: Session, out: Path, producer_code: str | None = None) -> dict[str, int]:
    """Write the catalogue (or one producer's part of it) in the template's layout."""
    check_out(out)
    query = select(Producer).order_by(col(Producer.code))
    if producer_code:
        query = query.where(col(Producer.code) == producer_code)
    producers = list(session.execute(query).scalars())
    if producer_code and not producers:
        raise NotFoundError(entity="producer", key=producer_code)
    by_id = {p.id: p for p in producers}
    products = list(session.execute(select(Product).where(col(Product.producer_id).in_(list(by_id)))
                                    .order_by(col(Product.producer_id), col(Product.sku))).scalars())
    certs = list(session.execute(select(OcopCertification).where(
        col(OcopCertification.product_id).in_([p.id for p in products]))
        .order_by(col(OcopCertification.product_id), col(OcopCertification.decision_date))).scalars())
    codes = {u for p in producers for u in (("vn2025", p.unit_vn2025), ("vn2004", p.unit_vn2004)) if u[1]}
    names = {(u.scheme, u.code): u.name for u in session.execute(select(AdminUnit).where(
        AdminUnit.code.in_([c for _, c in codes]))).scalars()}  # type: ignore[attr-defined]
    categories = {c.code: f"{c.code} {c.name}" for c in session.execute(select(Category)).scalars()}
    product_by_id = {p.id: p for p in products}
    producer_rows = [[_producer_cell(p, s.field, names) for s in PRODUCER_TEMPLATE] for p in producers]
    product_rows = [[_product_cell(p, by_id[p.producer_id], s.field, categories) for s in PRODUCT_TEMPLATE]
                    for p in products]
    cert_rows = [[_cert_cell(c, product_by_id[c.product_id], by_id, s.field) for s in CERT_COLUMNS] for c in certs]
    _write_book(out, session, producer_rows, product_rows, cert_rows)
    return {"producers": len(producer_rows), "products": len(product_rows), "certifications": len(cert_rows)}


def _producer_cell(p: Producer, name: str, units: dict[tuple[str, str], str]) -> Cell:
    values: dict[str, Any] = {
        "producer_code": p.code, "producer_name": p.name,
        "kind": PRODUCER_KIND_LABELS[ProducerKind(p.kind)][0], "representative": p.representative,
        "phone": display_phone(p.phone) if p.phone else None, "registration_code": p.registration_code,
        "address": p.address, "commune": _unit_label(units, "vn2025", p.unit_vn2025),
        "commune_old": _unit_label(units, "vn2004", p.unit_vn2004),
    }
    return values.get(name)


def _product_cell(p: Product, producer: Producer, name: str, categories: dict[str, str]) -> Cell:
    net = None
    if p.net_qty is not None:
        qty = p.net_qty.normalize()
        net = f"{qty:f}".replace(".", ",") + (f" {p.net_unit}" if p.net_unit else "")
    values: dict[str, Any] = {
        "producer_code": producer.code, "producer_name": producer.name, "sku": p.sku, "name": p.name,
        "description": p.description, "category": categories.get(p.category_code or ""), "unit": p.unit,
        "net_qty": net, "price": p.price, "stock": p.stock, "weight_g": p.weight_g, "length_mm": p.length_mm,
        "width_mm": p.width_mm, "height_mm": p.height_mm, "barcode": p.barcode,
        "shelf_life_days": p.shelf_life_days, "status": STATUS_LABELS.get(str(p.status.value if hasattr(
            p.status, "value") else p.status)), "images": None,
    }
    return values.get(name)


def _cert_cell(c: OcopCertification, product: Product, producers: dict[int | None, Producer], name: str) -> Cell:
    status = c.status.value if hasattr(c.status, "value") else str(c.status)
    values: dict[str, Any] = {
        "producer_code": producers[product.producer_id].code, "sku": product.sku, "stars": c.stars,
        "decision_no": c.decision_no, "decision_date": c.decision_date, "issuing_level": c.issuing_level,
        "valid_until": c.valid_until, "score": c.score, "cert_status": CERT_STATUS_LABELS.get(status),
    }
    return values.get(name)
