"""Products: the list with accent-insensitive search, the edit form, photos from the phone camera."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from catalog.codes import render
from catalog.errors import CatalogueValidationError
from catalog.money import format_vnd, parse_vnd
from catalog.products import ProductStatus, ProductUpdate, product_images, update_product
from connector.users import Role
from connector.web.deps import Page, RowId, UserPage, redirect
from connector.web.scope import scoped_product, visible_products
from connector.web.services import add_product_photo, photo_url
from connector.web.validation import messages_by_field

router = APIRouter()
EDITORS = (Role.producer, Role.staff, Role.admin)
NOTICES = ("saved", "nothing_changed", "photo_added", "decided")
MAX_PHOTO_BYTES = 15 * 1024 * 1024


def media_prefix(ctx: Page) -> str:
    return urlsplit(ctx.settings.public_media_url).path.rstrip("/") or "/media"


@router.get("/products", response_class=HTMLResponse)
def products(ctx: UserPage, q: str = "") -> HTMLResponse:
    who = ctx.require(*EDITORS)
    visible = visible_products(session=ctx.session, who=who, search=q or None)
    return ctx.render("products.html", rows=visible, q=q, format_vnd=format_vnd)


def _photos(ctx: Page, product_id: int) -> list[str]:
    product, _producer = scoped_product(session=ctx.session, who=ctx.user, product_id=product_id)
    urls = [photo_url(store=ctx.store, sha256=i.sha256, media_prefix=media_prefix(ctx))
            for i in product_images(session=ctx.session, product=product)]
    return [u for u in urls if u]


def notice_of(ctx: Page) -> str | None:
    key = ctx.request.query_params.get("notice")
    return ctx.t(key) if key in NOTICES else None


@router.get("/products/{product_id}", response_class=HTMLResponse)
def product_form(ctx: UserPage, product_id: RowId) -> HTMLResponse:
    who = ctx.require(*EDITORS)
    product, producer = scoped_product(session=ctx.session, who=who, product_id=product_id)
    return ctx.render("product.html", product=product, producer=producer, photos=_photos(ctx, product_id),
                      errors={}, statuses=list(ProductStatus), notice=notice_of(ctx))


def _form_update(lang: str, name: str, price: str, stock: str, unit: str, weight_g: str, description: str,
                 status: str) -> tuple[ProductUpdate | None, dict[str, str]]:
    """The form's fields as an edit, checked by the same model as the API; or the message for each bad field."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {"name": name.strip(), "unit": unit.strip() or "gói",
                                 "description": description.strip() or None}
    try:
        values["price"] = parse_vnd(price)
    except CatalogueValidationError as error:
        errors["price"] = error.message(lang)
    for key, raw in (("stock", stock), ("weight_g", weight_g)):
        text = raw.strip().replace(".", "").replace(",", "")
        if not text:
            values[key] = 0 if key == "stock" else None
        elif text.isdigit():
            values[key] = int(text)
        else:
            errors[key] = render("number.not_integer", lang, {"value": raw.strip()[:60]})
    if status in ProductStatus.__members__:
        values["status"] = ProductStatus(status)
    try:
        data = ProductUpdate.model_validate({k: v for k, v in values.items() if k not in errors})
    except ValidationError as invalid:
        return None, {**messages_by_field(invalid.errors(), lang), **errors}
    return (None if errors else data), errors


@router.post("/products/{product_id}", response_model=None)
def product_save(ctx: UserPage, product_id: RowId, csrf: Annotated[str, Form()] = "",
                 name: Annotated[str, Form()] = "", price: Annotated[str, Form()] = "",
                 stock: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "",
                 weight_g: Annotated[str, Form()] = "", description: Annotated[str, Form()] = "",
                 status: Annotated[str, Form()] = "") -> Response:
    ctx.check_csrf(csrf)
    who = ctx.require(*EDITORS)
    product, producer = scoped_product(session=ctx.session, who=who, product_id=product_id)
    data, errors = _form_update(ctx.lang, name, price, stock, unit, weight_g, description, status)
    if data is None:
        return ctx.render("product.html", status_code=422, product=product, producer=producer,
                          photos=_photos(ctx, product_id), errors=errors, statuses=list(ProductStatus),
                          notice=None)
    changes = update_product(session=ctx.session, product=product, data=data)
    notice = "saved" if changes else "nothing_changed"
    return redirect(f"/products/{product_id}?notice={notice}")


@router.post("/products/{product_id}/photos")
def product_photo(ctx: UserPage, product_id: RowId, photo: Annotated[UploadFile | None, File()] = None,
                  csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    ctx.check_csrf(csrf)
    who = ctx.require(*EDITORS)
    product, _producer = scoped_product(session=ctx.session, who=who, product_id=product_id)
    if photo is None or not photo.filename:
        raise CatalogueValidationError("web.upload_missing")
    data = photo.file.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise CatalogueValidationError("web.upload_too_large", max_mb=MAX_PHOTO_BYTES // (1024 * 1024))
    add_product_photo(session=ctx.session, store=ctx.store, product=product, data=data)
    return redirect(f"/products/{product_id}?notice=photo_added")
