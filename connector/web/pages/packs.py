"""Listing packs to download (spreadsheet + prepared photos for a seller centre) and the bind form that
records the listing a support worker made by hand: :func:`connector.listings.pack.build_pack` and
:func:`connector.listings.bind.bind_manually`, as ``agri listings pack|bind``."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import FileResponse, RedirectResponse
from sqlmodel import Session, col, select
from starlette.background import BackgroundTask

from catalog.errors import NotFoundError
from catalog.producers import Producer
from connector.accounts import MarketplaceAccount
from connector.listings import bind_manually, build_pack, layout_names
from connector.users import Role
from connector.web.deps import FormRowId, RowId, UserPage, redirect
from connector.web.scope import Principal, scoped_product

router = APIRouter()
PACKERS = (Role.producer, Role.staff, Role.admin)


def manual_accounts(session: Session, who: Principal) -> list[MarketplaceAccount]:
    """Accounts in scope on a marketplace reached by hand (one with a listing-pack layout)."""
    names = layout_names()
    query = (select(MarketplaceAccount).join(Producer, col(Producer.id) == col(MarketplaceAccount.producer_id))
             .where(who.producer_clause(), col(MarketplaceAccount.marketplace).in_(names))
             .order_by(col(MarketplaceAccount.name)))
    return list(session.exec(query))


def _account(session: Session, who: Principal, account_id: int) -> MarketplaceAccount:
    for account in manual_accounts(session, who):
        if account.id == account_id:
            return account
    raise NotFoundError(entity="account", key=str(account_id))


@router.get("/listings/pack/{account_id}.zip")
def download_pack(ctx: UserPage, account_id: RowId, only_changed: bool = False) -> FileResponse:
    who = ctx.require(*PACKERS)
    account = _account(ctx.session, who, account_id)
    folder = Path(tempfile.mkdtemp(prefix="agri-pack-"))
    result = build_pack(session=ctx.session, account=account, out=folder / "pack", only_changed=only_changed,
                             media_root=ctx.settings.media_dir, lang=ctx.lang)
    out = folder / f"{account.name}-pack.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(result.spreadsheet, result.spreadsheet.name)
        zipped.write(result.images_zip, result.images_zip.name)
    return FileResponse(out, media_type="application/zip", filename=out.name,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))


@router.post("/listings/bind")
def bind_listing(ctx: UserPage, csrf: Annotated[str, Form()] = "", account: FormRowId = 0,
                 product: FormRowId = 0, listing: Annotated[str, Form()] = "") -> RedirectResponse:
    ctx.check_csrf(csrf)
    who = ctx.require(*PACKERS)
    chosen = _account(ctx.session, who, account)
    item, _producer = scoped_product(session=ctx.session, who=who, product_id=product)
    if item.producer_id != chosen.producer_id:
        raise NotFoundError(entity="product", key=str(product))
    bind_manually(session=ctx.session, account=chosen, product=item, listing=listing,
                       recorded_by=f"web:{who.username}")
    return redirect(f"/listings?marketplace={chosen.marketplace}&notice=saved")
