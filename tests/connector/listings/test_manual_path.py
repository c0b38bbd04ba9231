"""The whole manual path against the sandbox: pack → typed into the seller centre → bound by
hand → orders placed → the seller centre's export imported (twice, then after time passes)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import Session, select

from catalog.errors import CatalogueValidationError, ConfigurationError, MarketplaceError
from catalog.products import Product
from connector.accounts import MarketplaceAccount, set_credentials
from connector.ledger.models import LedgerEntry
from connector.listings.bind import bind_from_pack
from connector.listings.layouts import load_layout
from connector.listings.order_reader import import_order_export
from connector.listings.pack import build_pack
from connector.sandbox import export_sandbox_orders, running_sandbox
from connector.sync.models import Binding, BindingState
from tests.connector.listings.helpers import fill_urls

COUNTED = {"confirmed", "shipping", "delivered", "completed"}


def exported(path: Path, marketplace: str) -> tuple[dict[str, str], Counter[str], int]:
    """The export's statuses by order, the quantities still taken by SKU, and the counted total."""
    layout = load_layout(marketplace)
    fields = [c.field for c in layout.order_columns]
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [dict(zip(fields, row, strict=False)) for row in book[layout.order_sheet].iter_rows(min_row=2,
                                                                                               values_only=True)]
    book.close()
    statuses: dict[str, str] = {}
    taken: Counter[str] = Counter()
    counted = 0
    for row in rows:
        status = layout.status_of(str(row["status"]))
        assert status is not None
        statuses[str(row["order_id"])] = status.value
        if status.value not in ("cancelled", "returned"):
            taken[str(row["sku"])] += int(row["quantity"])
        if status.value in COUNTED:
            counted += int(row["amount"])
    return statuses, taken, counted


def test_listing_by_hand_and_importing_the_seller_centre_export(session: Session, postmart: MarketplaceAccount,
                                                                 media_root: Path, tmp_path: Path) -> None:
    key = SecretStr(Fernet.generate_key().decode())
    pack = build_pack(session=session, account=postmart, out=tmp_path / "pack", media_root=media_root,
                      today=date(2024, 6, 1))
    products = {p.sku: p for p in session.exec(select(Product).where(Product.producer_id == postmart.producer_id))}
    stock_before = {sku: p.stock for sku, p in products.items()}
    with running_sandbox() as sandbox:
        credentials = sandbox.create_account("postmart", "HTX Tài Hoan")
        state = sandbox.sandbox.state
        shop = state.shop_by("postmart", "partner_id", credentials["partner_id"])
        assert shop is not None
        urls = {}
        for row in pack.rows:  # the support worker types each row into the seller centre
            values = row.values
            listed = state.create_product(shop, {
                "sku": values["sku"], "title": values["title"], "description": values["description"],
                "price": values["price"], "stock": values["stock"], "unit": values["unit"],
                "category_id": values["category_id"], "images": []})
            urls[values["sku"]] = f"https://postmart.vn/san-pham/{values['sku'].lower()}-{listed.id}"
        fill_urls(pack.spreadsheet, "postmart", urls)
        bound = bind_from_pack(session=session, account=postmart, path=pack.spreadsheet)
        assert bound.counts["bindings"].created == len(products) and not bound.errors

        postmart.base_url = sandbox.url_for("postmart")
        set_credentials(account=postmart, credentials=credentials, key=key)
        session.add(postmart)
        session.commit()
        assert sandbox.generate_orders(6)

        first = export_sandbox_orders(account=postmart, out=tmp_path / "orders-1.xlsx", key=key)
        assert first.orders >= 6
        for _ in range(2):
            import_order_export(session=session, account=postmart, path=first.path)
            session.commit()
        statuses, taken, counted = exported(first.path, "postmart")
        assert set(statuses.values()) <= {"pending", "confirmed", "cancelled"}
        assert _ledger(session, postmart) == counted

        sandbox.advance_clock(timedelta(days=15))
        later = export_sandbox_orders(account=postmart, out=tmp_path / "orders-2.xlsx", key=key)
        result = import_order_export(session=session, account=postmart, path=later.path)
        session.commit()
        assert not result.errors and result.counts["orders"].updated >= 1
        statuses, taken, counted = exported(later.path, "postmart")
        assert set(statuses.values()) & {"completed", "returned", "cancelled"}
        assert _ledger(session, postmart) == counted
        for sku, product in products.items():
            session.refresh(product)
            assert product.stock == stock_before[sku] - taken[sku]
    bindings = session.exec(select(Binding).where(Binding.account_id == postmart.id)).all()
    assert len(bindings) == len(products) and all(b.manual and b.state is BindingState.active for b in bindings)


def _ledger(session: Session, account: MarketplaceAccount) -> int:
    total = session.exec(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.account_id == account.id)).one()
    return int(total or 0)


def test_sandbox_export_refusals_are_clear(postmart: MarketplaceAccount, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:  # no API address: not a sandbox account
        export_sandbox_orders(account=postmart, out=tmp_path / "orders.xlsx")
    assert caught.value.code == "adapters.sandbox_account"
    postmart.base_url = "http://127.0.0.1:9/postmart"  # nothing listens on the discard port
    with pytest.raises(CatalogueValidationError) as refused:
        export_sandbox_orders(account=postmart, out=tmp_path)
    assert refused.value.code == "listings.out_not_file"
    with pytest.raises(MarketplaceError) as down:
        export_sandbox_orders(account=postmart, out=tmp_path / "orders.xlsx")
    assert down.value.code == "adapters.sandbox_unreachable"
    assert "127.0.0.1:9" in down.value.message("vi") and not (tmp_path / "orders.xlsx").exists()
