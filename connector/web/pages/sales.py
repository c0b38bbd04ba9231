"""Sales on channels without an API: one sale typed in, a sales file imported, a reported total entered.

The one-sale form writes its row in the sales file's layout and runs it through
:func:`connector.ledger.sales.import_sales` (the same checks as ``agri sales import``); totals go
through :func:`connector.ledger.reported.add_reported_total` (``agri report totals add``).  Every
producer named, in the form or in a file, must be in the user's scope before anything is written.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from catalog.clock import local_today
from catalog.errors import CatalogueValidationError
from catalog.importing import ProblemLog, open_book, read_table
from catalog.money import parse_vnd
from catalog.periods import parse_period
from catalog.producers import Producer
from connector.ledger import SALES_COLUMNS, LedgerEntry, add_reported_total, import_sales, reported_totals
from connector.onboarding import PLATFORMS, parse_platform
from connector.users import Role
from connector.web.deps import Page, UserPage
from connector.web.pages.catalogue import MAX_UPLOAD, safe_stem
from connector.web.scope import Principal, scoped_producer, visible_producers

router = APIRouter()
RECORDERS = (Role.producer, Role.staff, Role.admin)
TOTALS = (Role.staff, Role.admin)


def recent_sales(ctx: Page, who: Principal, limit: int = 50) -> list[tuple[Any, Producer]]:
    """The latest ledger entries of the producers this user may see (sales, reversals, manual sales)."""
    entry = LedgerEntry
    query = (select(entry, Producer).join(Producer, col(Producer.id) == entry.producer_id)
             .where(who.producer_clause()).order_by(col(entry.booked_day).desc(), col(entry.id).desc()).limit(limit))
    return list(ctx.session.exec(query))


def _render(ctx: Page, **extra: Any) -> HTMLResponse:
    who = ctx.user
    producers = visible_producers(session=ctx.session, who=who)
    reported: list[dict[str, Any]] = []
    if who.role in TOTALS:
        reported = [r.to_dict() for r in reported_totals(session=ctx.session)][-20:]
    return ctx.render("sales.html", **{"producers": producers, "platforms": PLATFORMS,
                                       "recent": recent_sales(ctx, who),
                                       "today": local_today().isoformat(), "result": None, "reported": reported,
                                       "notice": None, **extra})


@router.get("/sales", response_class=HTMLResponse)
def sales_page(ctx: UserPage) -> HTMLResponse:
    ctx.require(*RECORDERS)
    return _render(ctx)


def check_file_scope(ctx: Page, who: Principal, path: Path, columns: list[Any]) -> None:
    """Refuse a sales file naming a producer outside the user's scope (read with the importer's reader)."""
    if who.role is Role.admin:
        return
    codes: set[str] = set()
    with open_book(path) as book:
        for name in book.sheet_names:
            table = read_table(book.sheet(name), columns, log=ProblemLog(), optional=True)
            for parsed in table.rows if table is not None else []:
                if parsed.values.get("producer_code"):
                    codes.add(str(parsed.values["producer_code"]))
    for code in sorted(codes):
        scoped_producer(session=ctx.session, who=who, code=code)


@router.post("/sales/entry", response_class=HTMLResponse)
def sale_entry(ctx: UserPage, csrf: Annotated[str, Form()] = "", day: Annotated[str, Form()] = "",
               platform: Annotated[str, Form()] = "", producer: Annotated[str, Form()] = "",
               sku: Annotated[str, Form()] = "", quantity: Annotated[str, Form()] = "",
               amount: Annotated[str, Form()] = "", reference: Annotated[str, Form()] = "",
               source: Annotated[str, Form()] = "") -> HTMLResponse:
    ctx.check_csrf(csrf)
    result = record_one_sale(ctx, day=day, platform=platform, producer=producer, sku=sku, quantity=quantity,
                             amount=amount, reference=reference, source=source)
    notice = ctx.t("sale_recorded") if result.committed else None
    return _render(ctx, result=result, notice=notice)


def record_one_sale(ctx: Page, *, day: str, platform: str, producer: str, sku: str, quantity: str, amount: str,
                    reference: str, source: str) -> Any:
    """One sale, written as one row of the sales file and run through ``import_sales``; its result."""
    who = ctx.require(*RECORDERS)
    target = scoped_producer(session=ctx.session, who=who, code=producer.strip())
    when = date.fromisoformat(day) if day else local_today()
    cells = {"day": when.strftime("%d/%m/%Y"), "platform": platform, "producer_code": target.code, "sku": sku.strip(),
             "quantity": quantity.strip(), "amount": amount.strip(), "reference": reference.strip(),
             "source": source.strip(), "recorded_by": who.display_name}
    specs = SALES_COLUMNS
    folder = Path(tempfile.mkdtemp(prefix="agri-sale-"))
    try:
        path = folder / "ban-hang (web).csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([s.header for s in specs])
            writer.writerow([cells.get(s.field, "") for s in specs])
        return import_sales(session=ctx.session, path=path, recorded_by=f"web:{who.username}", lang=ctx.lang)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.post("/sales/import", response_class=HTMLResponse)
def sales_import(ctx: UserPage, file: Annotated[UploadFile | None, File()] = None,
                 csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    ctx.check_csrf(csrf)
    who = ctx.require(*RECORDERS)
    if file is None or not file.filename:
        raise CatalogueValidationError("web.upload_missing")
    suffix = Path(file.filename).suffix.lower()
    if suffix not in (".xlsx", ".xls", ".ods", ".csv"):
        raise CatalogueValidationError("file.unreadable", path=Path(file.filename).name, detail=".xlsx, .ods, .csv")
    folder = Path(tempfile.mkdtemp(prefix="agri-sales-"))
    try:
        path = folder / (safe_stem(file.filename) + suffix)
        data = file.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise CatalogueValidationError("web.upload_too_large", max_mb=MAX_UPLOAD // (1024 * 1024))
        path.write_bytes(data)
        check_file_scope(ctx, who, path, SALES_COLUMNS)
        result = import_sales(session=ctx.session, path=path, recorded_by=f"web:{who.username}", lang=ctx.lang)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _render(ctx, result=result, notice=ctx.t("sale_recorded") if result.committed else None)


@router.post("/sales/reported", response_class=HTMLResponse)
def reported_total(ctx: UserPage, csrf: Annotated[str, Form()] = "", period: Annotated[str, Form()] = "",
                   reporter: Annotated[str, Form()] = "", amount: Annotated[str, Form()] = "",
                   platform: Annotated[str, Form()] = "", transactions: Annotated[str, Form()] = "",
                   note: Annotated[str, Form()] = "") -> HTMLResponse:
    ctx.check_csrf(csrf)
    enter_reported_total(ctx, period=period, reporter=reporter, amount=amount, platform=platform,
                         transactions=transactions, note=note)
    return _render(ctx, notice=ctx.t("total_recorded"))


def enter_reported_total(ctx: Page, *, period: str, reporter: str, amount: str, platform: str, transactions: str,
                         note: str) -> dict[str, Any]:
    """Record a reported total; returns it beside the ledger's figure."""
    who = ctx.require(*TOTALS)
    count = transactions.strip().replace(".", "")
    if count and not count.isdigit():
        raise CatalogueValidationError("number.not_integer", value=transactions)
    row = add_reported_total(session=ctx.session, period=parse_period(period, today=local_today()),
                                      reporter=reporter, amount=parse_vnd(amount, max_value=10**15),
                                      platform=parse_platform(platform) if platform else None,
                                      transactions=int(count) if count else None, note=note or None,
                                      recorded_by=f"web:{who.username}")
    found: dict[str, Any] = next(r.to_dict() for r in reported_totals(session=ctx.session)
                                 if r.reported.id == row.id)
    return found

