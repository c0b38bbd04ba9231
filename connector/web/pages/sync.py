"""Run a sync from the web (accounts in the user's scope) and watch its progress live; retry a listing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import col, select

from catalog.errors import CatalogueValidationError, NotFoundError
from catalog.producers import Producer
from connector.accounts import MarketplaceAccount
from connector.sync import Binding
from connector.users import Role
from connector.web.deps import Page, RowId, UserPage, redirect
from connector.web.runs import SyncRuns
from connector.web.scope import Principal

router = APIRouter()
RUNNERS = (Role.producer, Role.staff, Role.admin)


def connected_accounts(ctx: Page, who: Principal) -> list[tuple[MarketplaceAccount, Producer]]:
    query = (select(MarketplaceAccount, Producer)
             .join(Producer, col(Producer.id) == col(MarketplaceAccount.producer_id))
             .where(who.producer_clause(), col(MarketplaceAccount.credentials_encrypted).is_not(None))
             .order_by(col(MarketplaceAccount.name)))
    return [(a, p) for a, p in ctx.session.exec(query)]


def runs(ctx: Page) -> SyncRuns:
    registry: SyncRuns = ctx.request.app.state.sync_runs
    return registry


@router.get("/sync", response_class=HTMLResponse)
def sync_form(ctx: UserPage) -> HTMLResponse:
    who = ctx.require(*RUNNERS)
    return ctx.render("sync.html", accounts=connected_accounts(ctx, who), run=None)


def _start(ctx: Page, who: Principal, names: list[str]) -> RedirectResponse:
    allowed = {a.name: a for a, _p in connected_accounts(ctx, who)}
    chosen = [allowed[n] for n in names if n in allowed]
    if len(chosen) != len(set(names)):
        raise NotFoundError(entity="account", key=", ".join(n for n in names if n not in allowed))
    if not chosen:
        raise CatalogueValidationError("value.required", column="account")
    run = runs(ctx).start(engine=ctx.request.app.state.engine, account_ids=[a.id for a in chosen if a.id],
                          names=[a.name for a in chosen], who=who)
    return redirect(f"/sync/runs/{run.id}")


@router.post("/sync")
def sync_start(ctx: UserPage, csrf: Annotated[str, Form()] = "",
               account: Annotated[list[str] | None, Form()] = None) -> RedirectResponse:
    ctx.check_csrf(csrf)
    who = ctx.require(*RUNNERS)
    return _start(ctx, who, account or [])


@router.get("/sync/runs/{run_id}", response_class=HTMLResponse)
def sync_run(ctx: UserPage, run_id: str) -> HTMLResponse:
    who = ctx.require(*RUNNERS)
    run = runs(ctx).get(run_id, who)
    return ctx.render("sync.html", accounts=[], run=run.to_dict())


@router.post("/listings/{binding_id}/retry")
def retry_listing(ctx: UserPage, binding_id: RowId, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    """Run the sync again for the listing's account: the engine retries what failed or was rejected."""
    ctx.check_csrf(csrf)
    who = ctx.require(*RUNNERS)
    binding = ctx.session.get(Binding, binding_id)
    account = ctx.session.get(MarketplaceAccount, binding.account_id) if binding is not None else None
    producer = ctx.session.get(Producer, account.producer_id) if account is not None else None
    if account is None or producer is None or not who.may_see(producer):
        raise NotFoundError(entity="listing", key=str(binding_id))
    return _start(ctx, who, [account.name])
