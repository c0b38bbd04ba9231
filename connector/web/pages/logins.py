"""Staff open and reset the logins of the households and cooperatives in their area with a one-time code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse

from catalog.errors import NotFoundError
from connector.users import Role, WebUser
from connector.web.auth import NewUser, create_user, issue_code, list_users
from connector.web.deps import Page, RowId, UserPage
from connector.web.scope import scoped_producer, visible_producer_ids, visible_producers

router = APIRouter()
STAFF = (Role.staff, Role.admin)


def _page(ctx: Page, notice: str | None = None) -> HTMLResponse:
    who = ctx.user
    ids = visible_producer_ids(session=ctx.session, who=who)
    users = [u for u in list_users(session=ctx.session, producer_ids=ids) if u.role == Role.producer]
    producers = {p.id: p for p in visible_producers(session=ctx.session, who=who)}
    return ctx.render("logins.html", users=users, producers=producers, notice=notice)


@router.get("/logins", response_class=HTMLResponse)
def logins(ctx: UserPage) -> HTMLResponse:
    ctx.require(*STAFF)
    return _page(ctx)


@router.post("/logins", response_class=HTMLResponse)
def create_login(ctx: UserPage, csrf: Annotated[str, Form()] = "", producer: Annotated[str, Form()] = "",
                 username: Annotated[str, Form()] = "") -> HTMLResponse:
    ctx.check_csrf(csrf)
    who = ctx.require(*STAFF)
    target = scoped_producer(session=ctx.session, who=who, code=producer.strip())
    user = create_user(session=ctx.session, data=NewUser(username=username or target.phone or target.code,
                                                         display_name=target.name, role=Role.producer,
                                                         producer_code=target.code), created_by=who.user_id)
    code = issue_code(session=ctx.session, user=user, created_by=who.user_id)
    return _page(ctx, notice=ctx.t("code_for", name=user.username, code=code))


@router.post("/logins/{user_id}/reset", response_class=HTMLResponse)
def reset_login(ctx: UserPage, user_id: RowId, csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    ctx.check_csrf(csrf)
    who = ctx.require(*STAFF)
    user = ctx.session.get(WebUser, user_id)
    ids = visible_producer_ids(session=ctx.session, who=who)
    if user is None or user.role != Role.producer or user.producer_id not in ids:
        raise NotFoundError(entity="user", key=str(user_id))
    code = issue_code(session=ctx.session, user=user, created_by=who.user_id)
    return _page(ctx, notice=ctx.t("code_for", name=user.username, code=code))
