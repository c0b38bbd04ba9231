"""The reader of seller-centre order exports: the order spreadsheets a shop downloads from
voso.vn or postmart.vn, read into the same path as ``agri orders pull``.

The columns and status words of each marketplace's export are declared in its layout file
(:mod:`connector.listings.layouts`).  Rows (one per order line) are read through the catalog
importer's machinery (header matching with aliases, converters, per-row problems, report),
grouped by order id into :class:`~adapters.base.RemoteOrder` and handed to
:func:`connector.orders.ingest.ingest_orders` with ``source="export"``: idempotent by
(account, order id), with status history, ledger entries and stock movements.  A later export
in which an order was cancelled or returned reverses its sale and returns its stock.

:func:`connector.listings.order_writer.write_order_export` writes such a file (the sandbox uses
it, and tests).

    result = import_order_export(session=session, account=account, path=Path("don-hang.xlsx"))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from adapters.base import RemoteOrder, RemoteOrderLine
from catalog.clock import LOCAL_TZ, utcnow
from catalog.errors import AgriConnectorError, CatalogueValidationError
from catalog.importing import (
    Cell,
    ColumnSpec,
    Counts,
    ImportResult,
    Problem,
    ProblemLog,
    SheetLayout,
    open_book,
    read_table,
)
from catalog.importing import convert as cv
from catalog.producers import Producer
from catalog.products import Product
from connector.accounts import MarketplaceAccount
from connector.ledger import CountingPolicy
from connector.listings.layouts import SellerLayout, layout_names, load_layout
from connector.orders import IngestResult, ingest_orders

_EXCEL_EPOCH = datetime(1899, 12, 30)
_DMY_TIME = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_ORDER_LEVEL = ("placed_at", "updated_at", "status", "buyer_province")


def local_datetime(value: Cell) -> datetime:
    """A moment as a seller centre writes it (Vietnam time unless it says otherwise), made aware."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        moment = _EXCEL_EPOCH + timedelta(days=float(value))
    elif isinstance(value, str):
        moment = _parse_text_moment(value.strip())
    else:
        raise CatalogueValidationError("date.invalid", value=value)
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment


def _parse_text_moment(raw: str) -> datetime:
    try:
        if match := _DMY_TIME.match(raw):
            d, m, y, hh, mm, ss = match.groups()
            return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        return datetime.fromisoformat(raw)
    except ValueError:
        raise CatalogueValidationError("date.invalid", value=raw) from None


def order_columns(layout: SellerLayout) -> list[ColumnSpec]:
    """The layout's order-export columns as the importer's header matcher reads them."""
    converters: dict[str, cv.Converter] = {
        "order_id": cv.code(80), "placed_at": local_datetime, "updated_at": local_datetime,
        "status": cv.text(60), "sku": cv.sku, "title": cv.text(255), "quantity": cv.integer(minimum=1),
        "unit_price": cv.money(), "amount": cv.money(), "buyer_province": cv.text(80),
    }
    return [ColumnSpec(field=c.field, header=c.header, aliases=c.aliases, convert=converters[c.field],
                       required=c.required, cache=c.field not in ("order_id", "placed_at", "updated_at"))
            for c in layout.order_columns]


@dataclass
class OrderExportResult(ImportResult):
    ingest: IngestResult | None = None
    orders_read: int = 0

    def summary(self) -> dict[str, Any]:
        ingest = self.ingest
        extra = {"sales": ingest.sales, "reversals": ingest.reversals, "stock_movements": ingest.stock_movements,
                 "unknown_skus": ingest.unknown_skus} if ingest else {}
        return {**super().summary(), "orders_read": self.orders_read, **extra}


@dataclass
class _Group:
    """The rows of one order, as read."""

    sheet: str
    columns: dict[str, str]  # field -> header as written in that sheet
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    bad: bool = False


def import_order_export(*, session: Session, account: MarketplaceAccount, path: Path, dry_run: bool = False,
                        recorded_by: str | None = None, lang: str = "vi", now: datetime | None = None,
                        policy: CountingPolicy | None = None) -> OrderExportResult:
    """Read a seller-centre order export of ``account`` into the orders path; see the module docstring.

    An order with a bad row is left out whole (the bad row is reported), so no order is recorded
    with missing lines.  ``now`` (default: the clock) is when the orders are recorded and stands
    for a missing "updated" column; ``policy`` is the ledger's counting policy (default: from the
    environment).  Flushes; the caller commits (``dry_run`` rolls the orders back)."""
    layout = load_layout(account.marketplace)
    result = OrderExportResult(path=Path(path), mode="keep-valid", dry_run=dry_run, lang=lang)
    counts = result.counts.setdefault("orders", Counts())
    log = ProblemLog()
    groups = _read_groups(layout, result, log)
    known = _known_skus(session, account)
    moment = now or utcnow()
    orders = []
    for order_id, group in groups.items():
        order = None if group.bad else _order(layout, order_id, group, log, known, moment)
        if order is None:
            counts.rejected += 1
        else:
            orders.append(order)
    result.orders_read = len(groups)
    result.problems = log.problems
    if orders:
        result.ingest = _ingest(session, account, orders, dry_run=dry_run, recorded_by=recorded_by, now=moment,
                                policy=policy)
        counts.created, counts.updated = result.ingest.orders_new, result.ingest.orders_updated
        counts.unchanged = result.ingest.orders_unchanged
    return result


def _read_groups(layout: SellerLayout, result: OrderExportResult, log: ProblemLog) -> dict[str, _Group]:
    """Every sheet with the export's header, its rows grouped by order id."""
    groups: dict[str, _Group] = {}
    try:
        with open_book(result.path) as book:
            for name in book.sheet_names:
                table = read_table(book.sheet(name), order_columns(layout), log=log, optional=True)
                if table is None:
                    continue
                result.layouts[name] = SheetLayout(name, table.header_row, table.positions, table.columns)
                for parsed in table.rows:
                    result.rows_read += 1
                    order_id = parsed.values.get("order_id")
                    if order_id is None:
                        continue  # reported by the reader (a required column)
                    group = groups.setdefault(order_id, _Group(sheet=name, columns=table.columns))
                    group.rows.append((parsed.row, parsed.values))
                    group.bad = group.bad or not parsed.ok
    except CatalogueValidationError as error:
        log.add(Problem.from_error(error, sheet=None, row=None, column=None))
    if not result.layouts and not log.file_errors:
        other = _layout_of_another_marketplace(layout, result.path)
        if other is not None:  # the right file picked for the wrong account
            log.error("listings.export_foreign", sheet=None, row=None, marketplace=layout.marketplace,
                      other=other.marketplace, label=other.label)
        else:
            log.error("import.no_sheets", sheet=None, row=None,
                      columns=", ".join(f"'{c.header}'" for c in layout.order_columns if c.required))
    return groups


def _layout_of_another_marketplace(layout: SellerLayout, path: Path) -> SellerLayout | None:
    """The other layout whose order-export header the file has, if any."""
    for name in layout_names():
        if name == layout.marketplace:
            continue
        try:
            other = load_layout(name)
            with open_book(path) as book:
                for sheet in book.sheet_names:
                    if read_table(book.sheet(sheet), order_columns(other), log=ProblemLog(), optional=True):
                        return other
        except AgriConnectorError:
            continue
    return None


def _ingest(session: Session, account: MarketplaceAccount, orders: list[RemoteOrder], *, dry_run: bool,
            recorded_by: str | None, now: datetime, policy: CountingPolicy | None) -> IngestResult:
    nested = session.begin_nested()
    try:
        outcome = ingest_orders(session=session, account=account, orders=orders, source="export",
                                recorded_by=recorded_by, policy=policy, now=now)
    except BaseException:
        nested.rollback()
        raise
    if dry_run:
        nested.rollback()
    else:
        nested.commit()
    return outcome


def _known_skus(session: Session, account: MarketplaceAccount) -> tuple[str, set[str]]:
    producer = session.get(Producer, account.producer_id)
    if producer is None:
        return "?", set()
    return producer.code, set(session.exec(select(Product.sku).where(Product.producer_id == producer.id)))


def _order(layout: SellerLayout, order_id: str, group: _Group, log: ProblemLog, known: tuple[str, set[str]],
           now: datetime) -> RemoteOrder | None:
    sheet, columns = group.sheet, group.columns
    first_row, first = group.rows[0]
    for name in _ORDER_LEVEL:
        seen = {repr(v.get(name)) for _, v in group.rows if v.get(name) is not None}
        if len(seen) > 1:
            for row, _ in group.rows:
                log.error("listings.order_inconsistent", sheet=sheet, row=row, column=columns.get(name),
                          order=order_id, field=columns.get(name, name))
            return None
    word = first["status"]
    status = layout.status_of(word)
    if status is None:
        log.error("listings.status_unknown", sheet=sheet, row=first_row, column=columns.get("status"), value=word,
                  marketplace=layout.marketplace, allowed=layout.status_words())
        return None
    lines = []
    for row, values in group.rows:
        if values["sku"] not in known[1]:
            log.warning("listings.sku_unknown", sheet=sheet, row=row, column=columns.get("sku"), value=values["sku"],
                        producer=known[0])
        amount = values.get("amount", values["quantity"] * values["unit_price"])
        lines.append(RemoteOrderLine(sku=values["sku"], quantity=values["quantity"], unit_price=values["unit_price"],
                                     amount=amount, title=values.get("title")))
    placed = first["placed_at"]
    updated = next((v["updated_at"] for _, v in group.rows if v.get("updated_at")), None) or max(placed, now)
    return RemoteOrder(remote_id=order_id, status=status, raw_status=word, placed_at=placed, updated_at=updated,
                       total=sum(line.amount for line in lines), lines=tuple(lines),
                       buyer_province=first.get("buyer_province"))
