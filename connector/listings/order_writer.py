"""Seller-centre order exports written the way a seller centre writes them, for the sandbox's
download and for tests: the layout (:mod:`connector.listings.layouts`) read backwards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from adapters.base import RemoteOrder, RemoteOrderLine
from catalog.clock import LOCAL_TZ
from catalog.errors import CatalogueValidationError
from connector.listings.layouts import SellerLayout
from connector.listings.pack import make_folder


def write_order_export(*, layout: SellerLayout, orders: Sequence[RemoteOrder], out: Path) -> Path:
    """An order spreadsheet in the seller centre's layout of ``layout``: one row per order line,
    times in Vietnam time, statuses in the seller centre's words."""
    make_folder(out.parent)
    book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False,
                                          "remove_timezone": True})
    try:
        bold = book.add_format({"bold": True})
        when = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
        sheet = book.add_worksheet(layout.order_sheet)
        for c, column in enumerate(layout.order_columns):
            sheet.write_string(0, c, column.header, bold)
            sheet.set_column(c, c, 18)
        r = 1
        for order in orders:
            for line in order.lines:
                for c, column in enumerate(layout.order_columns):
                    _write_order_cell(sheet, r, c, _order_value(layout, order, line, column.field), when)
                r += 1
    finally:
        try:
            book.close()
        except FileCreateError as exc:
            raise CatalogueValidationError("listings.out_unwritable", path=str(out),
                                           detail=getattr(exc.args[0], "strerror", None) or "?") from None
    return out


def _order_value(layout: SellerLayout, order: RemoteOrder, line: RemoteOrderLine, name: str) -> Any:
    values: dict[str, Any] = {
        "order_id": order.remote_id, "placed_at": order.placed_at, "updated_at": order.updated_at,
        "status": layout.word_for(order.status), "sku": line.sku, "title": line.title,
        "quantity": line.quantity, "unit_price": line.unit_price, "amount": line.amount,
        "buyer_province": order.buyer_province,
    }
    return values[name]


def _write_order_cell(sheet: Any, r: int, c: int, value: Any, when: Any) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        local = value.astimezone(LOCAL_TZ) if value.tzinfo else value
        sheet.write_datetime(r, c, local.replace(tzinfo=None), when)
    elif isinstance(value, int):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, str(value))
