"""What every request handler is given: a database session, the user, the language, the CSRF check.

Pages get a :class:`Page` (``Depends(page)`` for anyone logged in, ``Depends(anonymous)`` for
the login pages).  Writes check the form's (or the ``X-CSRF-Token`` header's) token against the
one stored with the login session; before login a double-submit cookie plays that part.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlmodel import Session

from catalog.errors import AgriConnectorError
from catalog.image_store import ImageStore
from connector.db import session_scope
from connector.settings import Settings
from connector.users import Role
from connector.web.auth import resolve_session
from connector.web.i18n import LANGS, tr
from connector.web.scope import Principal

SESSION_COOKIE = "agri_session"
LANG_COOKIE = "agri_lang"
ANON_CSRF_COOKIE = "agri_csrf"


class LoginRequired(AgriConnectorError):
    default_code = "web.login_required"


class CsrfError(AgriConnectorError):
    default_code = "web.csrf"


@dataclass
class Page:
    request: Request
    session: Session
    lang: str
    who: Principal | None
    csrf: str
    flashes: list[str] = field(default_factory=list)

    @property
    def user(self) -> Principal:
        if self.who is None:
            raise LoginRequired()
        return self.who

    def require(self, *roles: Role) -> Principal:
        self.user.require(*roles)
        return self.user

    def t(self, key: str, **params: Any) -> str:
        return tr(key, self.lang, **params)

    def check_csrf(self, token: str | None) -> None:
        sent = token or self.request.headers.get("x-csrf-token") or ""
        if not sent or not secrets.compare_digest(sent, self.csrf):
            raise CsrfError()

    @property
    def settings(self) -> Settings:
        settings: Settings = self.request.app.state.settings
        return settings

    @property
    def store(self) -> ImageStore:
        store: ImageStore = self.request.app.state.store
        return store

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        templates: Jinja2Templates = self.request.app.state.templates
        response = templates.TemplateResponse(
            self.request, template, {"page": self, "t": self.t, "who": self.who, "Role": Role, **context},
            status_code=status_code)
        if self.who is None and self.request.cookies.get(ANON_CSRF_COOKIE) != self.csrf:
            response.set_cookie(ANON_CSRF_COOKIE, self.csrf, httponly=True, samesite="strict",
                                secure=self.request.url.scheme == "https")
        return response


def language(request: Request, default: str) -> str:
    chosen = request.cookies.get(LANG_COOKIE, default)
    return chosen if chosen in LANGS else "vi"


def db_session(request: Request) -> Iterator[Session]:
    engine: Engine = request.app.state.engine
    with session_scope(engine) as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]  # committed before the response leaves


def anonymous(request: Request, session: DbSession) -> Page:
    settings: Settings = request.app.state.settings
    lang = language(request, settings.lang)
    token = request.cookies.get(SESSION_COOKIE)
    found = resolve_session(session=session, token=token) if token else None
    if found is not None:
        user, row = found
        return Page(request, session, lang, Principal.of(user), row.csrf_token)
    csrf = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(32)
    return Page(request, session, lang, None, csrf)


def page(ctx: Annotated[Page, Depends(anonymous, scope="function")]) -> Page:
    if ctx.who is None:
        raise LoginRequired()
    return ctx


AnyPage = Annotated[Page, Depends(anonymous, scope="function")]
UserPage = Annotated[Page, Depends(page, scope="function")]
MAX_ROW_ID = 2**63 - 1  # what a database integer key can hold: a longer id in a URL is a 4xx, not an overflow
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
FormRowId = Annotated[int, Form(ge=0, le=MAX_ROW_ID)]


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/login?next={quote(target)}")


def safe_next(target: str | None) -> str:
    """Only a path on this site (no ``//host`` or scheme), so a login link cannot send anyone away."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
