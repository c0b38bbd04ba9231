"""The web app: ``create_app()`` builds the FastAPI application that ``agri serve`` runs.

Server-rendered pages (Jinja2), phone first, Vietnamese by default with an English switch; the
JSON API under ``/api`` (OpenAPI at ``/api/openapi.json``; no Swagger page: it loads from a CDN); the vendored
static files under ``/static``; the prepared-image server of :mod:`connector.media` under the
path of ``AGRI_PUBLIC_MEDIA_URL``.  Errors from below are turned into a page or an API envelope
here, and only here.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog.clock import local_time
from catalog.codes import render
from catalog.errors import AgriConnectorError, CatalogueValidationError, ConflictError, NotFoundError
from catalog.image_store import ImageStore
from catalog.money import format_vnd
from connector.db import database_failure, make_engine
from connector.media import create_media_app
from connector.settings import Settings, get_settings
from connector.web.auth import ForbiddenError, LoginRefused
from connector.web.deps import CsrfError, LoginRequired, language, login_redirect
from connector.web.i18n import tr
from connector.web.runs import SyncRuns
from connector.web.validation import field_of, problem_of

HERE = Path(__file__).resolve().parent
log = logging.getLogger("agri.web")
# pages load only their own files; photo previews are blob: URLs; the API docs page is not a page of ours
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def status_for(error: AgriConnectorError) -> int:
    if isinstance(error, LoginRequired | LoginRefused):
        return 401
    if isinstance(error, ForbiddenError | CsrfError):
        return 403
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, CatalogueValidationError):
        return 422
    return 400


def _security_headers(request: Request, response: Response) -> dict[str, str]:
    """Headers every answer carries; pages, the API and downloads (personal data) are never cached."""
    headers = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
    kind = response.headers.get("content-type", "")
    if kind.startswith("text/html"):
        headers["Content-Security-Policy"] = CSP
    if kind.startswith("text/html") or _is_api(request) or "attachment" in response.headers.get(
            "content-disposition", ""):
        headers["Cache-Control"] = "no-store"
    if request.url.scheme == "https":  # direct, or as a trusted proxy reports it
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    lang = language(request, request.app.state.settings.lang)
    return templates.TemplateResponse(request, "error.html", {
        "page": None, "who": None, "t": lambda key, **p: tr(key, lang, **p), "lang": lang,
        "status": status, "message": message}, status_code=status)


def routers() -> tuple[list[APIRouter], APIRouter]:
    """The page routers and the API router, in the order they are mounted."""
    from connector.web import api
    from connector.web.pages import auth, catalogue, field, home, logins, packs, products, province, sales, sync, work

    modules = (auth, home, products, catalogue, field, logins, province, work, sync, sales, packs)
    return [m.router for m in modules], api.router


def route_table() -> list[tuple[str, str]]:
    """Every (method, path) the app serves, pages and API: what the authorisation test walks."""
    pages, api_router = routers()
    out = []
    for router in [*pages, api_router]:
        for route in router.routes:
            if isinstance(route, APIRoute):
                out += [(method, route.path) for method in sorted((route.methods or set()) - {"HEAD"})]
    return out


def create_app(*, engine: Engine | None = None, settings: Settings | None = None) -> FastAPI:
    """The application; ``engine`` and ``settings`` default to the configured ones (tests pass their own)."""
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(title="agri-connector", version="0.1.0", docs_url=None, redoc_url=None,  # their pages load from a CDN
                  openapi_url="/api/openapi.json",
                  description="Một danh mục, nhiều sàn, một sổ bán hàng. One catalogue, many marketplaces, one ledger.")
    app.state.engine = engine
    app.state.settings = settings
    app.state.store = ImageStore(settings.media_dir)
    app.state.sync_runs = SyncRuns()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["format_vnd"] = format_vnd
    templates.env.filters["local"] = local_time
    app.state.templates = templates

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in _security_headers(request, response).items():
            response.headers.setdefault(name, value)
        return response

    install_error_handlers(app, settings)

    pages, api_router = routers()
    for router in pages:
        app.include_router(router, include_in_schema=False)
    app.include_router(api_router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if settings.trusted_proxies.strip():
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    media_path = urlsplit(settings.public_media_url).path.rstrip("/") or "/media"
    app.mount(media_path, create_media_app(app.state.store), name="media")
    return app


def install_error_handlers(app: FastAPI, settings: Settings) -> None:
    """Errors from below turned into a page or an API envelope, here and only here."""

    @app.exception_handler(AgriConnectorError)
    async def agri_error(request: Request, error: AgriConnectorError) -> Response:
        lang = language(request, settings.lang)
        status = status_for(error)
        if _is_api(request):
            return JSONResponse({"ok": False, "data": None, "errors": [error.to_dict(lang)], "summary": {}},
                                status_code=status)
        if isinstance(error, LoginRequired):
            return login_redirect(request)
        return _error_page(request, status, error.message(lang))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        lang = language(request, settings.lang)
        code = "entity.not_found" if error.status_code == 404 else "usage.invalid"
        message = tr("not_found", lang) if error.status_code == 404 else str(error.detail)
        if _is_api(request):
            return JSONResponse({"ok": False, "data": None, "summary": {},
                                 "errors": [{"code": code, "message": message}]}, status_code=error.status_code)
        return _error_page(request, error.status_code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        """A bug or a failure below: an incident id the log carries, a page or envelope with no traceback."""
        incident = secrets.token_hex(4)
        log.error("incident %s: %s %s", incident, request.method, request.url.path, exc_info=error)
        lang = language(request, settings.lang)
        failure = database_failure(error)  # a machine's failure (read-only, full, locked) is named as such
        code, status = (failure.code, 503) if failure else ("web.unexpected", 500)
        message = failure.message(lang) if failure else render(code, lang, {"incident": incident})
        if _is_api(request):
            response: Response = JSONResponse({"ok": False, "data": None, "summary": {}, "errors": [
                {"code": code, "message": message, "incident": incident}]}, status_code=status)
        else:
            response = _error_page(request, status, message)
        for name, value in _security_headers(request, response).items():  # (outside the middleware's reach)
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        lang = language(request, settings.lang)
        errors = []
        for e in error.errors():
            code, params = problem_of(e)
            errors.append({"code": code, "message": render(code, lang, params), "column": field_of(e, skip=1)})
        if _is_api(request):
            return JSONResponse({"ok": False, "data": None, "errors": errors, "summary": {}}, status_code=422)
        return _error_page(request, 422, "; ".join(f"{e['column']}: {e['message']}" for e in errors))
