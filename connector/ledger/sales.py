"""Sales on channels without an API (Facebook, Zalo, TikTok livestreams, websites, fairs, Alibaba).

``agri sales import FILE`` reads an Excel/ODS/CSV file through the catalogue importer's machinery
(header matching with aliases, legacy Vietnamese text, per-row problems and report); each valid
row becomes one ``manual`` ledger entry keeping its source and who recorded it.  A row whose
(source, reference) is already in the ledger, or earlier in the file, is refused; the source is
the file's "Nguồn" column, or the channel when it is blank.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlmodel import Session

from catalog.clock import LOCAL_TZ, as_utc, utcnow
from catalog.errors import CatalogueValidationError
from catalog.importing import (
    ColumnSpec,
    Counts,
    ImportResult,
    Problem,
    ProblemLog,
    escape_formula,
    open_book,
    read_table,
)
from catalog.importing import convert as cv
from catalog.ocop import OcopCertification, stars_as_of
from catalog.producers import Producer, ProducerKind
from catalog.products import Product
from connector.ledger.booking import load_booking
from connector.ledger.entries import record_entries
from connector.ledger.models import LedgerEntry
from connector.ledger.policy import channel_kind
from connector.onboarding import PLATFORMS, parse_platform

SALES_SHEET = "Bán hàng"
_E = LedgerEntry.__table__.c  # type: ignore[attr-defined]


def _spec(field: str, header: str, *aliases: str, en: str, comment: str = "", **kw: Any) -> ColumnSpec:
    return ColumnSpec(field=field, header=header, aliases=aliases, header_en=en, comment=comment, **kw)


SALES_COLUMNS: list[ColumnSpec] = [
    _spec("day", "Ngày bán", "Ngày", "Ngày giao dịch", "Ngày bán hàng", en="Date", convert=cv.excel_date,
          required=True, comment="dd/mm/yyyy"),
    _spec("platform", "Kênh bán", "Kênh", "Sàn", "Nền tảng", "Kênh bán hàng", en="Channel", convert=parse_platform,
          required=True, comment="Facebook, Zalo, TikTok, Alibaba, Khác…"),
    _spec("producer_code", "Mã hộ", "Mã chủ thể", "Mã HTX", "Mã hộ sản xuất", en="Producer code",
          convert=cv.code(40), required=True),
    _spec("sku", "Mã SKU", "SKU", "Mã sản phẩm", en="SKU", convert=cv.sku),
    _spec("quantity", "Số lượng", "SL", en="Quantity", convert=cv.integer(minimum=1)),
    _spec("amount", "Thành tiền", "Số tiền", "Doanh thu", "Tổng tiền", "Giá trị", en="Amount", convert=cv.money(),
          required=True, comment="Đồng, số nguyên (vd. 1.250.000)."),
    _spec("reference", "Số chứng từ", "Mã đơn", "Số hóa đơn", "Mã giao dịch", "Số phiếu", en="Reference",
          convert=cv.text(120), required=True, cache=False),
    _spec("source", "Nguồn", "Nguồn ghi nhận", "Nơi bán", en="Source", convert=cv.text(120),
          comment="Trang/nhóm, hội chợ… Để trống: lấy theo kênh bán."),
    _spec("recorded_by", "Người ghi", "Người nhập", "Người báo cáo", en="Recorded by", convert=cv.text(80)),
]


LISTS_SHEET = "Danh mục"  # the template's sheet of channels (its drop-down's source)


@dataclass
class SalesImport(ImportResult):
    amount: int = 0


class _Lookups:
    def __init__(self, session: Session) -> None:
        self.producers: dict[str, tuple[int, str, str | None, str | None]] = {
            code: (pid, ProducerKind(kind).value, old, new) for code, pid, kind, old, new in session.execute(
                select(Producer.code, Producer.id, Producer.kind, Producer.unit_vn2004,  # type: ignore[call-overload]
                       Producer.unit_vn2025))}
        self.products: dict[tuple[int, str], int] = {
            (producer, sku): pid for pid, producer, sku in session.execute(
                select(Product.id, Product.producer_id, Product.sku))}  # type: ignore[call-overload]
        self.certs: dict[int, list[OcopCertification]] = defaultdict(list)
        for cert in session.execute(select(OcopCertification)).scalars():
            self.certs[cert.product_id].append(cert)


def import_sales(*, session: Session, path: Path, recorded_by: str | None = None, dry_run: bool = False,
                 lang: str = "vi") -> SalesImport:
    """Record every valid row of ``path`` as a manual sale (nothing when ``dry_run``)."""
    result = SalesImport(path=path, mode="keep-valid", dry_run=dry_run, lang=lang)
    log = ProblemLog()
    rows: list[dict[str, Any]] = []
    try:
        with open_book(path) as book:
            for name in book.sheet_names:
                if name == LISTS_SHEET and len(book.sheet_names) > 1:
                    continue  # the template's own list of channels, not sales
                table = read_table(book.sheet(name), SALES_COLUMNS, log=log, optional=len(book.sheet_names) > 1)
                if table is None:
                    continue
                for parsed in table.rows:
                    result.rows_read += 1
                    if parsed.ok:
                        rows.append({**parsed.values, "_sheet": name, "_row": parsed.row,
                                     "_columns": table.columns})
    except CatalogueValidationError as error:
        log.add(Problem.from_error(error, sheet=None, row=None, column=None))
    entries, unchanged = _entries(session, rows, log, recorded_by)
    if entries and not dry_run:
        session.flush()
        record_entries(session, entries)
        result.committed = True
    result.amount = sum(e["amount"] for e in entries)
    result.problems = log.problems
    result.counts = {"sales": Counts(created=len(entries), unchanged=unchanged,
                                     rejected=sum(len(r) for r in log.rejected.values()))}
    return result


def _recorded(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[Any, ...]]:
    """The sales already in the ledger under these (source, reference) keys, as :func:`_content` shows them."""
    found: dict[tuple[str, str], tuple[Any, ...]] = {}
    for part in _chunked(sorted(keys), 400):
        query = select(_E.source, _E.reference, _E.producer_id, _E.product_id, _E.platform, _E.quantity,
                       _E.amount, _E.occurred_at).where(_E.kind == "manual", _E.source.in_({s for s, _ in part}),
                                                        _E.reference.in_({ref for _, ref in part}))
        for source, reference, *content, occurred in session.execute(query):
            found[(source, reference)] = (*content, as_utc(occurred).astimezone(LOCAL_TZ).date())
    return found


def _entries(session: Session, rows: list[dict[str, Any]], log: ProblemLog,
             recorded_by: str | None) -> tuple[list[dict[str, Any]], int]:
    """The new entries of ``rows``, and how many rows the ledger already holds exactly (a re-import: unchanged).

    A row's key is its source and reference (receipt or order number); a key recorded with other content
    (producer, product, channel, quantity, amount or day) is a conflict to fix, never a second sale."""
    lookups = _Lookups(session)
    booking = load_booking(session=session)
    recorded = _recorded(session, {(r.get("source") or r["platform"], r["reference"]) for r in rows})
    taken: set[tuple[str, str]] = set()
    unchanged = 0
    now = utcnow()
    out = []
    for r in rows:
        sheet, row, columns = r["_sheet"], r["_row"], r["_columns"]
        producer = lookups.producers.get(r["producer_code"])
        if producer is None:
            log.error("entity.not_found", sheet=sheet, row=row, column=columns.get("producer_code"),
                      value=r["producer_code"], entity="producer", key=r["producer_code"])
            continue
        pid, kind, old, new = producer
        product = lookups.products.get((pid, r["sku"])) if r.get("sku") else None
        if r.get("sku") and product is None:
            log.error("entity.not_found", sheet=sheet, row=row, column=columns.get("sku"), value=r["sku"],
                      entity="product", key=f"{r['producer_code']}/{r['sku']}")
            continue
        source = r.get("source") or r["platform"]
        key = (source, r["reference"])
        if key in taken:  # twice in this file
            log.error("ledger.sale_duplicate", sheet=sheet, row=row, column=columns.get("reference"),
                      value=r["reference"], source=source, reference=r["reference"])
            continue
        taken.add(key)
        if key in recorded:
            if recorded[key] == (pid, product, r["platform"], r.get("quantity") or 1, r["amount"], r["day"]):
                unchanged += 1  # imported before, as it is: "fix the rows, upload again" works
            else:
                log.error("ledger.sale_changed", sheet=sheet, row=row, column=columns.get("reference"),
                          value=r["reference"], source=source, reference=r["reference"])
            continue
        booked = booking.book(datetime.combine(r["day"], time(0), tzinfo=LOCAL_TZ))
        out.append({"kind": "manual", "order_id": None, "order_line_id": None, "account_id": None,
                    "platform": r["platform"], "channel_kind": channel_kind(r["platform"]), "producer_id": pid,
                    "producer_kind": kind, "product_id": product,
                    "ocop_stars": stars_as_of(lookups.certs.get(product, []), r["day"]) if product else None,
                    "unit_vn2004": old, "unit_vn2025": new, "quantity": r.get("quantity") or 1,
                    "amount": r["amount"], "occurred_at": as_utc(datetime.combine(r["day"], time(0), tzinfo=LOCAL_TZ)),
                    "booked_at": booked.at,
                    "booked_day": booked.day, "booked_month": booked.month, "adjusts": booked.adjusts,
                    "source": source, "reference": r["reference"],
                    "recorded_by": r.get("recorded_by") or recorded_by, "recorded_at": now})
    return out, unchanged


def _chunked(values: list[Any], size: int) -> list[list[Any]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def write_sales_template(out: Path) -> Path:
    """The empty sales file, with one example row and a list of channels."""
    out.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": '#,##0 "đ"'})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet(SALES_SHEET)
    for c, spec in enumerate(SALES_COLUMNS):
        label = spec.header + (" *" if spec.required else "")
        sheet.write_string(0, c, label, head)
        if spec.comment:
            sheet.write_comment(0, c, spec.comment)
        sheet.set_column(c, c, 22 if spec.field in ("reference", "source") else 16)
    example = [datetime(2024, 5, 18), "Facebook", "HTX-01", "MIEN-500", 3, 135_000, "FB-2024-0001",
               "Fanpage HTX Tân Thành", "Nguyễn Văn An"]
    for c, value in enumerate(example):
        if isinstance(value, datetime):
            sheet.write_datetime(1, c, value, day)
        elif isinstance(value, int):
            sheet.write_number(1, c, value, money if SALES_COLUMNS[c].field == "amount" else None)
        else:
            sheet.write_string(1, c, escape_formula(str(value)))
    lists = book.add_worksheet(LISTS_SHEET)
    lists.write_string(0, 0, "Kênh bán", head)
    for r, (label, _spellings) in enumerate(PLATFORMS.values(), start=1):
        lists.write_string(r, 0, label)
    sheet.data_validation(1, 1, 5000, 1, {"validate": "list", "source": f"='Danh mục'!$A$2:$A${len(PLATFORMS) + 1}",
                                          "error_type": "warning"})
    sheet.freeze_panes(1, 0)
    book.close()
    return out
