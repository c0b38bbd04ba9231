"""Log in, log out (here or everywhere), set a password with a one-time code or on the account page,
switch the language; ``/`` sends each role home."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from catalog.errors import CatalogueValidationError
from connector.users import Role, WebUser
from connector.web.auth import (
    LoginRefused,
    authenticate,
    change_password,
    end_session,
    end_sessions,
    redeem_code,
    start_session,
)
from connector.web.deps import LANG_COOKIE, SESSION_COOKIE, AnyPage, Page, UserPage, redirect, safe_next
from connector.web.i18n import LANGS

router = APIRouter()
HOME = {Role.producer: "/home", Role.staff: "/field", Role.province: "/province", Role.admin: "/products"}


@router.get("/", response_model=None)
def root(ctx: AnyPage) -> Response:
    if ctx.who is None:
        return redirect("/login")
    return redirect(HOME[ctx.who.role])


@router.get("/login", response_class=HTMLResponse)
def login_form(ctx: AnyPage, next: str = "/") -> HTMLResponse:
    return ctx.render("login.html", next=safe_next(next), error=None, username="")


@router.post("/login", response_model=None)
def login(ctx: AnyPage, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> Response:
    ctx.check_csrf(csrf)
    try:
        user = authenticate(session=ctx.session, username=username, password=password, client=client_of(ctx))
    except LoginRefused as error:
        ctx.session.commit()  # keep the failed attempt: it is what the throttle counts
        return ctx.render("login.html", status_code=401, next=safe_next(next), error=error.message(ctx.lang),
                          username=username)
    token, _row = start_session(session=ctx.session, user=user)
    target = safe_next(next)
    response = redirect(target if target != "/" else HOME[Role(user.role)])
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", max_age=14 * 24 * 3600,
                        secure=ctx.request.url.scheme == "https")  # the proxy's scheme when it is trusted
    return response


def client_of(ctx: Page) -> str | None:
    """The client's address: the peer's, or what a proxy of ``AGRI_TRUSTED_PROXIES`` reports."""
    return ctx.request.client.host if ctx.request.client else None


@router.post("/logout")
def logout(ctx: UserPage, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    ctx.check_csrf(csrf)
    token = ctx.request.cookies.get(SESSION_COOKIE)
    if token:
        end_session(session=ctx.session, token=token)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/code", response_class=HTMLResponse)
def code_form(ctx: AnyPage, username: str = "") -> HTMLResponse:
    return ctx.render("code.html", error=None, username=username)


@router.post("/code", response_model=None)
def code(ctx: AnyPage, username: Annotated[str, Form()] = "", code: Annotated[str, Form()] = "",
         password: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
    ctx.check_csrf(csrf)
    try:
        redeem_code(session=ctx.session, username=username, code=code, password=password, client=client_of(ctx))
    except (LoginRefused, CatalogueValidationError) as error:
        ctx.session.commit()
        return ctx.render("code.html", status_code=401, error=error.message(ctx.lang), username=username)
    return ctx.render("login.html", next="/", error=None, username=username, notice=ctx.t("password_set"))


@router.get("/account", response_class=HTMLResponse)
def account(ctx: UserPage) -> HTMLResponse:
    return ctx.render("account.html", error=None)


@router.post("/account/password", response_class=HTMLResponse)
def account_password(ctx: UserPage, csrf: Annotated[str, Form()] = "", current: Annotated[str, Form()] = "",
                     new: Annotated[str, Form()] = "") -> HTMLResponse:
    """A new password; the user's other sessions end, this one stays."""
    ctx.check_csrf(csrf)
    user = ctx.session.get(WebUser, ctx.user.user_id)
    assert user is not None
    try:
        change_password(session=ctx.session, user=user, current=current, new=new,
                        keep_token=ctx.request.cookies.get(SESSION_COOKIE))
    except (LoginRefused, CatalogueValidationError) as error:
        ctx.session.commit()  # a wrong current password counts as a failed login
        return ctx.render("account.html", status_code=422,
                          error=error.message(ctx.lang))
    return ctx.render("account.html", error=None, notice=ctx.t("password_changed"))


@router.post("/account/logout-everywhere")
def logout_everywhere(ctx: UserPage, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    """End every session of this user, on every phone and computer, this one included."""
    ctx.check_csrf(csrf)
    end_sessions(session=ctx.session, user_id=ctx.user.user_id)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{lang}")
def switch_language(ctx: AnyPage, lang: str, next: str = "/") -> RedirectResponse:
    response = redirect(safe_next(next))
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
