"""A cooperative's home: new orders awaiting confirmation (with the marketplace's deadline), rejected
listings and why, stock running low.  Orders and listings come from the order and sync tables; each
panel is scoped to the producers the user may see."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, or_, select

from catalog.producers import Producer
from catalog.products import Product
from connector.accounts import MarketplaceAccount
from connector.orders import SalesOrder
from connector.sync import Binding, BindingState, PushResult
from connector.users import Role
from connector.web.deps import UserPage
from connector.web.scope import Principal

router = APIRouter()
LOW_STOCK = 5


def low_stock(session: Session, who: Principal) -> list[tuple[Product, Producer]]:
    query = (select(Product, Producer).join(Producer).where(who.producer_clause(), col(Product.stock) <= LOW_STOCK,
                                                            Product.status == "active")
             .order_by(col(Product.stock), col(Product.sku)).limit(50))
    return [(p, pr) for p, pr in session.exec(query)]


def pending_orders(session: Session, who: Principal) -> list[Any]:
    """(order, account) pairs waiting for the shop's confirmation, soonest deadline first."""
    order = SalesOrder
    query = (select(order, MarketplaceAccount).join(MarketplaceAccount, col(MarketplaceAccount.id) == order.account_id)
             .join(Producer, col(Producer.id) == col(MarketplaceAccount.producer_id))
             .where(who.producer_clause(), order.status == "pending")
             .order_by(col(order.confirm_by), col(order.placed_at)).limit(50))
    return list(session.exec(query))


def rejected_listings(session: Session, who: Principal) -> list[Any]:
    """(binding, product, account) triples whose marketplace refused the listing, or whose last push
    failed (the listing keeps its marketplace state: "live; last update failed: …")."""
    binding = Binding
    query = (select(binding, Product, MarketplaceAccount).join(Product, col(Product.id) == binding.product_id)
             .join(MarketplaceAccount, col(MarketplaceAccount.id) == binding.account_id)
             .join(Producer, col(Producer.id) == col(Product.producer_id))
             .where(who.producer_clause(), or_(col(binding.state) == BindingState.rejected.value,
                                               col(binding.push_result).in_([PushResult.failed.value,
                                                                             PushResult.refused.value])))
             .order_by(col(binding.updated_at).desc()).limit(50))
    return list(session.exec(query))


def error_text(last_error: Any, lang: str) -> str:
    """A binding's ``last_error`` (the error's to_dict) as one line, with field details when present."""
    if not last_error:
        return ""
    if isinstance(last_error, dict):
        text = str(last_error.get("message") or last_error.get("code") or "")
        fields = last_error.get("fields")
        if isinstance(fields, dict) and fields:
            text += " — " + "; ".join(f"{k}: {v}" for k, v in fields.items())
        return text
    return str(last_error)


@router.get("/home", response_class=HTMLResponse)
def home(ctx: UserPage) -> HTMLResponse:
    who = ctx.require(Role.producer, Role.staff, Role.admin)
    return ctx.render("home.html", low=low_stock(ctx.session, who), orders=pending_orders(ctx.session, who),
                      rejected=rejected_listings(ctx.session, who), error_text=error_text, low_limit=LOW_STOCK)
