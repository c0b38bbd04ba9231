"""Seller-centre order exports: imported twice without double counting, then with later statuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from adapters.base import OrderStatus
from catalog.products import get_product
from connector.accounts import MarketplaceAccount
from connector.ledger.models import LedgerEntry
from connector.listings.layouts import load_layout
from connector.listings.order_reader import import_order_export, local_datetime
from connector.listings.order_writer import write_order_export
from connector.orders.models import OrderStatusChange, SalesOrder
from tests.connector.listings.conftest import PRODUCER
from tests.connector.listings.helpers import orders


def ledger_total(session: Session, account: MarketplaceAccount) -> int:
    total = session.exec(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.account_id == account.id)).one()
    return int(total or 0)


def stock(session: Session, sku: str) -> int:
    product = get_product(session=session, ref=f"{PRODUCER}/{sku}")
    session.refresh(product)
    return product.stock


@pytest.mark.parametrize("marketplace", ["voso", "postmart"])
def test_same_export_twice_then_later_statuses(session: Session, catalogue: object, tmp_path: Path,
                                               marketplace: str, request: pytest.FixtureRequest) -> None:
    account: MarketplaceAccount = request.getfixturevalue(marketplace)
    layout = load_layout(marketplace)
    first = write_order_export(layout=layout, orders=orders(OrderStatus.confirmed, timedelta(hours=3)),
                               out=tmp_path / "orders-1.xlsx")
    later = write_order_export(layout=layout, orders=orders(OrderStatus.cancelled, timedelta(days=2)),
                               out=tmp_path / "orders-2.xlsx")
    before = {sku: stock(session, sku) for sku in ("MIEN-200", "MIEN-500", "MIEN-1")}

    result = import_order_export(session=session, account=account, path=first)
    session.commit()
    assert not result.problems
    assert (result.counts["orders"].created, result.rows_read, result.orders_read) == (2, 3, 2)
    assert ledger_total(session, account) == 62_000 + 187_000
    assert {sku: stock(session, sku) for sku in before} == {"MIEN-200": before["MIEN-200"] - 2,
                                                           "MIEN-500": before["MIEN-500"] - 1,
                                                           "MIEN-1": before["MIEN-1"] - 1}

    again = import_order_export(session=session, account=account, path=first)
    session.commit()
    assert again.counts["orders"].unchanged == 2 and again.counts["orders"].created == 0
    assert again.ingest is not None and again.ingest.sales == 0 and again.ingest.stock_movements == 0
    assert ledger_total(session, account) == 62_000 + 187_000
    assert stock(session, "MIEN-200") == before["MIEN-200"] - 2

    cancelled = import_order_export(session=session, account=account, path=later)
    session.commit()
    assert cancelled.counts["orders"].updated == 1 and cancelled.counts["orders"].unchanged == 1
    assert ledger_total(session, account) == 62_000  # the cancelled order's sale is reversed
    assert {sku: stock(session, sku) for sku in before} == {"MIEN-200": before["MIEN-200"] - 2,
                                                           "MIEN-500": before["MIEN-500"],
                                                           "MIEN-1": before["MIEN-1"]}
    order = session.exec(select(SalesOrder).where(SalesOrder.remote_id == "VS002")).one()
    assert (order.status, order.raw_status, order.source) == ("cancelled", layout.word_for(OrderStatus.cancelled),
                                                              "export")
    history = session.exec(select(OrderStatusChange.status).where(OrderStatusChange.order_id == order.id)
                           .order_by(col(OrderStatusChange.changed_at))).all()
    assert list(history) == ["confirmed", "cancelled"]


def test_bad_rows_are_reported_and_the_other_orders_go_in(session: Session, voso: MarketplaceAccount,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Báo cáo đơn hàng — xuất ngày 05/06/2024"])  # a title block above the header
    sheet.append(["Mã đơn", "Thời gian đặt hàng", "Trạng thái", "SKU", "Số lượng", "Giá bán", "Thành tiền"])
    sheet.append(["A1", "03/06/2024 09:30", "Đã giao hàng", "MIEN-200", 1, "31.000đ", 31000])
    sheet.append(["A2", "03/06/2024 10:00", "Đang đóng gói", "MIEN-500", 1, 66000, 66000])  # unknown word
    sheet.append(["A3", "03/06/2024 11:00", "Hoàn thành", "MIEN-1", 1, 121000, 121000])
    sheet.append(["A3", "03/06/2024 11:00", "Đã hủy", "BUN-1", 1, 72000, 72000])  # same order, other status
    sheet.append(["A4", "03/06/2024 12:00", "hoan thanh", "KHONG-CO", 2, 10000, None])  # unknown SKU: warning
    sheet.append(["A5", "ngày mai", "Hoàn thành", "BUN-1", 1, 72000, 72000])  # bad date
    book.save(path)
    result = import_order_export(session=session, account=voso, path=path)
    session.commit()
    found = sorted((p.row, p.code, p.severity.value) for p in result.problems)
    assert found == [(4, "listings.status_unknown", "error"), (5, "listings.order_inconsistent", "error"),
                     (6, "listings.order_inconsistent", "error"), (7, "listings.sku_unknown", "warning"),
                     (8, "date.invalid", "error")]
    assert result.counts["orders"].created == 2 and result.counts["orders"].rejected == 3
    stored = dict(session.exec(select(SalesOrder.remote_id, SalesOrder.total)).all())
    assert stored == {"A1": 31_000, "A4": 20_000}
    report = result.write_report(tmp_path / "report.xlsx")
    assert report.is_file()


def test_dry_run_writes_nothing(session: Session, voso: MarketplaceAccount, tmp_path: Path) -> None:
    path = write_order_export(layout=load_layout("voso"), orders=orders(OrderStatus.completed, timedelta(hours=1)),
                              out=tmp_path / "o.xlsx")
    result = import_order_export(session=session, account=voso, path=path, dry_run=True)
    session.commit()
    assert result.counts["orders"].created == 2
    assert session.exec(select(func.count()).select_from(SalesOrder)).one() == 0
    assert ledger_total(session, voso) == 0


def test_another_marketplaces_export_is_named_and_a_stray_file_says_no_sheet(
        session: Session, postmart: MarketplaceAccount, tmp_path: Path) -> None:
    path = write_order_export(layout=load_layout("voso"), orders=orders(OrderStatus.completed, timedelta(hours=1)),
                              out=tmp_path / "voso.xlsx")
    result = import_order_export(session=session, account=postmart, path=path)
    assert "listings.export_foreign" in [p.code for p in result.problems]
    assert "voso" in next(p for p in result.problems if p.code == "listings.export_foreign").message("vi")
    assert session.exec(select(func.count()).select_from(SalesOrder)).one() == 0
    stray = tmp_path / "ghi-chu.csv"
    stray.write_text("Ghi chú,Ngày\nGọi lại,1/6\n", encoding="utf-8")
    codes = [p.code for p in import_order_export(session=session, account=postmart, path=stray).problems]
    assert codes[-1] == "import.no_sheets"  # the file as a whole, not a sheet called 'None'


def test_local_datetime_reads_seller_centre_moments() -> None:
    assert local_datetime("03/06/2024 09:30") == datetime(2024, 6, 3, 2, 30, tzinfo=UTC)
    assert local_datetime(datetime(2024, 6, 3, 9, 30)) == datetime(2024, 6, 3, 2, 30, tzinfo=UTC)
    assert local_datetime("2024-06-03T09:30:00+07:00") == datetime(2024, 6, 3, 2, 30, tzinfo=UTC)
