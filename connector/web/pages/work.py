"""Listings per marketplace (state, rejection reason, retry) and the sync run with live progress.

Both read the sync engine's bindings (:mod:`connector.sync`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from catalog.producers import Producer
from catalog.products import Product
from connector.accounts import MarketplaceAccount
from connector.sync import Binding
from connector.users import Role
from connector.web.deps import UserPage
from connector.web.pages.home import error_text
from connector.web.scope import Principal

router = APIRouter()


def bindings(session: Session, who: Principal, marketplace: str | None) -> list[Any]:
    binding = Binding
    query = (select(binding, Product, MarketplaceAccount).join(Product, col(Product.id) == binding.product_id)
             .join(MarketplaceAccount, col(MarketplaceAccount.id) == binding.account_id)
             .join(Producer, col(Producer.id) == col(Product.producer_id)).where(who.producer_clause()))
    if marketplace:
        query = query.where(MarketplaceAccount.marketplace == marketplace)
    return list(session.exec(query.order_by(col(MarketplaceAccount.marketplace), col(Product.sku)).limit(500)))


@router.get("/listings", response_class=HTMLResponse)
def listings(ctx: UserPage, marketplace: str = "") -> HTMLResponse:
    who = ctx.require(Role.producer, Role.staff, Role.admin)
    rows = bindings(ctx.session, who, marketplace or None)
    markets = sorted(set(ctx.session.exec(select(MarketplaceAccount.marketplace).join(
        Producer, col(Producer.id) == col(MarketplaceAccount.producer_id)).where(who.producer_clause()))))
    from connector.web.pages.packs import manual_accounts
    from connector.web.pages.products import notice_of
    from connector.web.scope import visible_products

    manual = manual_accounts(ctx.session, who)
    products = visible_products(session=ctx.session, who=who) if manual else []
    return ctx.render("listings.html", rows=rows, markets=markets, marketplace=marketplace, error_text=error_text,
                      manual=manual, products=products, notice=notice_of(ctx))
