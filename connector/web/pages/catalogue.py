"""Catalogue upload (file + zip of photos → the import's report in the page → fix and re-upload →
confirm) and catalogue export to Excel.  Both run :func:`catalog.importing.import_catalogue` and
:func:`catalog.importing.template.export_catalogue`, exactly as ``agri catalog import|export``."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

from catalog.errors import CatalogueValidationError
from catalog.importing import ImportResult, export_catalogue, import_catalogue, write_template
from catalog.producers import Producer
from connector.users import Role
from connector.web.deps import Page, UserPage
from connector.web.scope import OutsideAreaError, area_guard, scoped_producer, visible_producers

router = APIRouter()
UPLOADERS = (Role.staff, Role.admin)
MAX_UPLOAD = 200 * 1024 * 1024
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,64}")
_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
STALE_AFTER = 24 * 3600.0
REPORT = "report.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _uploads(ctx: Page) -> Path:
    return Path(ctx.settings.data_dir) / "web-uploads"


def _save(upload: UploadFile, folder: Path, allowed: tuple[str, ...]) -> Path:
    name = Path(upload.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise CatalogueValidationError("file.unreadable", path=name, detail=", ".join(allowed))
    target = folder / f"upload{suffix}"
    with target.open("wb") as out:
        copied = 0
        while chunk := upload.file.read(1024 * 1024):
            copied += len(chunk)
            if copied > MAX_UPLOAD:
                raise CatalogueValidationError("web.upload_too_large", max_mb=MAX_UPLOAD // (1024 * 1024))
            out.write(chunk)
    return target


def forget_stale_uploads(root: Path, max_age: float = STALE_AFTER) -> None:
    """Staged files nobody confirmed within a day are removed (they may hold personal data)."""
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > max_age:
            shutil.rmtree(folder, ignore_errors=True)


def stage_upload(ctx: Page, file: UploadFile | None, images: UploadFile | None) -> str:
    """Keep the uploaded files for the confirm step; returns the token naming them."""
    if file is None or not file.filename:
        raise CatalogueValidationError("web.upload_missing")
    forget_stale_uploads(_uploads(ctx))
    token = secrets.token_urlsafe(24)
    folder = _uploads(ctx) / token
    folder.mkdir(parents=True)
    try:
        saved = _save(file, folder, _SUFFIXES)
        zipped = _save(images, folder, (".zip",)) if images is not None and images.filename else None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    meta = {"user_id": ctx.user.user_id, "file": saved.name, "name": safe_stem(file.filename) + saved.suffix,
            "images": zipped.name if zipped else None}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def staged(ctx: Page, token: str) -> tuple[Path, Path, Path | None, str]:
    """The staged files of ``token`` if this user uploaded them: (folder, file, images, original name)."""
    folder = _uploads(ctx) / token
    meta_path = folder / "meta.json"
    if not _TOKEN.fullmatch(token) or not meta_path.is_file():
        raise CatalogueValidationError("web.upload_expired")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user_id") != ctx.user.user_id:
        raise CatalogueValidationError("web.upload_expired")
    images = folder / meta["images"] if meta.get("images") else None
    return folder, folder / meta["file"], images, str(meta.get("name") or meta["file"])


def run_import(ctx: Page, token: str, *, dry_run: bool) -> ImportResult:
    """The import of a staged upload.  For staff it runs flushed, not committed, inside the area guard:
    it is kept only when every producer it creates, changes or moves was and stays in their communes;
    otherwise nothing is written and :class:`~connector.web.scope.OutsideAreaError` says so, naming nothing."""
    _folder, path, images, name = staged(ctx, token)
    named = path.with_name(safe_stem(name) + path.suffix)
    if not named.exists():
        path.rename(named)
        meta = json.loads((path.parent / "meta.json").read_text(encoding="utf-8"))
        meta["file"] = named.name
        (path.parent / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    who = ctx.user
    if who.role is Role.admin:
        return import_catalogue(session=ctx.session, path=named, images=images, dry_run=dry_run, lang=ctx.lang,
                                actor=f"web:{who.username}", media=ctx.store)
    with area_guard(session=ctx.session, who=who):
        result = import_catalogue(session=ctx.session, path=named, images=images, lang=ctx.lang, commit=False,
                                  actor=f"web:{who.username}", media=ctx.store)
    if dry_run:
        ctx.session.rollback()
        result.dry_run, result.committed = True, False
    return result


def safe_stem(name: str, max_bytes: int = 120) -> str:
    """A file name's stem as the import report names it, safe to create on any disk: no control characters or
    separators, at most ``max_bytes`` of UTF-8 (80 emoji are 320 bytes, past most file systems' 255)."""
    stem = "".join(ch for ch in Path(name.replace("\\", "/")).stem if ch.isprintable() and ch not in '/:*?"<>|')
    cut = stem.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore").strip(" .")
    return cut or "upload"


def forget_upload(ctx: Page, token: str) -> None:
    """Remove the staged files of ``token`` (they may hold personal data)."""
    shutil.rmtree(_uploads(ctx) / token, ignore_errors=True)


@contextmanager
def discard_on_error(ctx: Page, token: str) -> Iterator[None]:
    """Remove the staged files of ``token`` when what runs inside fails."""
    try:
        yield
    except BaseException:
        forget_upload(ctx, token)
        raise


def _producers(ctx: Page) -> list[Producer]:
    return visible_producers(session=ctx.session, who=ctx.user)


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue_form(ctx: UserPage) -> HTMLResponse:
    ctx.require(*UPLOADERS)
    return ctx.render("catalogue.html", result=None, token=None, done=False, producers=_producers(ctx))


@router.post("/catalogue/check", response_class=HTMLResponse)
def catalogue_check(ctx: UserPage, file: Annotated[UploadFile | None, File()] = None,
                    images: Annotated[UploadFile | None, File()] = None,
                    csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    ctx.check_csrf(csrf)
    ctx.require(*UPLOADERS)
    token = stage_upload(ctx, file, images)
    try:
        with discard_on_error(ctx, token):
            result = run_import(ctx, token, dry_run=True)
    except OutsideAreaError as refused:
        return ctx.render("catalogue.html", status_code=403, result=None, token=None, done=False,
                          producers=_producers(ctx), refused=refused)
    blocked = result.unreadable
    if result.problems and not result.unreadable:
        folder, *_ = staged(ctx, token)
        result.write_report(folder / REPORT, lang=ctx.lang)
    return ctx.render("catalogue.html", result=result, token=None if blocked else token, done=False,
                      producers=_producers(ctx), report=token if result.problems and not result.unreadable else None)


@router.post("/catalogue/confirm", response_class=HTMLResponse)
def catalogue_confirm(ctx: UserPage, token: Annotated[str, Form()] = "",
                      csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    ctx.check_csrf(csrf)
    ctx.require(*UPLOADERS)
    staged(ctx, token)  # refuses a token that is not this user's before anything is removed
    try:
        result = run_import(ctx, token, dry_run=False)
    except OutsideAreaError as refused:
        return ctx.render("catalogue.html", status_code=403, result=None, token=None, done=False,
                          producers=_producers(ctx), refused=refused)
    finally:
        forget_upload(ctx, token)
    return ctx.render("catalogue.html", result=result, token=None, done=result.committed, producers=_producers(ctx))


@router.get("/catalogue/report/{token}.xlsx")
def catalogue_report(ctx: UserPage, token: str) -> FileResponse:
    """The checked file with its bad cells highlighted and explained: what support staff fix and re-upload."""
    ctx.require(*UPLOADERS)
    folder, *_ = staged(ctx, token)
    path = folder / REPORT
    if not path.is_file():
        raise CatalogueValidationError("web.upload_expired")
    return FileResponse(path, media_type=XLSX, filename="bao-cao-kiem-tra.xlsx")


def _send(path: Path, filename: str) -> FileResponse:
    return FileResponse(path, media_type=XLSX, filename=filename,
                        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True))


@router.get("/catalogue/export.xlsx")
def catalogue_export(ctx: UserPage, producer: str = "") -> FileResponse:
    who = ctx.require(Role.producer, Role.staff, Role.admin)
    code: str | None = producer or None
    if who.role is Role.producer:
        own = ctx.session.get(Producer, who.producer_id) if who.producer_id else None
        if own is None or (code and code != own.code):
            scoped_producer(session=ctx.session, who=who, code=code or "")
        code = own.code if own else None
    elif who.role is Role.staff:
        if code is None:
            raise CatalogueValidationError("value.required", column="producer")
        scoped_producer(session=ctx.session, who=who, code=code)
    out = Path(tempfile.mkdtemp(prefix="agri-export-")) / "danh-muc.xlsx"
    export_catalogue(session=ctx.session, out=out, producer_code=code)
    return _send(out, f"danh-muc-{code or 'tat-ca'}.xlsx")


@router.get("/catalogue/template.xlsx")
def catalogue_template(ctx: UserPage) -> FileResponse:
    ctx.require(Role.producer, Role.staff, Role.admin)
    out = Path(tempfile.mkdtemp(prefix="agri-template-")) / "mau-danh-muc.xlsx"
    write_template(out, session=ctx.session)
    return _send(out, "mau-danh-muc.xlsx")
