"""Small helpers the listings tests share: filling in a pack's URL column, sample orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl

from adapters.base import OrderStatus, RemoteOrder, RemoteOrderLine
from connector.listings.layouts import load_layout

T0 = datetime(2024, 6, 3, 2, 30, tzinfo=UTC)


def fill_urls(path: Path, marketplace: str, urls: dict[str, str]) -> None:
    layout = load_layout(marketplace)
    sku_col = [c.field for c in layout.pack_columns].index("sku")
    url_col = [c.field for c in layout.pack_columns].index("url")
    book = openpyxl.load_workbook(path)
    sheet = book[layout.pack_sheet]
    for row in sheet.iter_rows(min_row=2):
        if row[sku_col].value in urls:
            row[url_col].value = urls[row[sku_col].value]
    book.save(path)


def orders(later: OrderStatus, later_at: timedelta) -> list[RemoteOrder]:
    """Two orders of the cooperative: one completed, one whose status is ``later`` at ``T0 + later_at``."""
    return [
        RemoteOrder("VS001", OrderStatus.completed, "x", T0, T0 + timedelta(hours=5), 62_000,
                    (RemoteOrderLine("MIEN-200", 2, 31_000, 62_000, title="Miến dong 200 g"),)),
        RemoteOrder("VS002", later, "x", T0, T0 + later_at, 187_000,
                    (RemoteOrderLine("MIEN-500", 1, 66_000, 66_000), RemoteOrderLine("MIEN-1", 1, 121_000, 121_000)),
                    buyer_province="Hà Nội"),
    ]
