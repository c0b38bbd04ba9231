"""Serving prepared images to marketplaces that fetch them by URL (Sendo, Tiki, Lazada's migrate).

A read-only ASGI app over an :class:`~catalog.image_store.ImageStore`: ``GET /<sha256>.jpg``
returns a prepared variant and nothing else.  Originals are never served (they may still carry
GPS tags), names are checked against a strict pattern before any file is looked at (so no
``../``), and a variant's name is its content hash, so responses are cacheable for ever.

``agri media serve`` runs it alone, mounted under the path of ``AGRI_PUBLIC_MEDIA_URL``; the
web app can mount the same app.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

from catalog.image_store import ImageStore

_NAME = re.compile(r"(?P<sha>[0-9a-f]{64})\.(?P<ext>jpg|png|webp)")
_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
IMMUTABLE = "public, max-age=31536000, immutable"


def create_media_app(store: ImageStore) -> Starlette:
    """The app serving ``/<variant_sha256>.<ext>`` from ``store``'s prepared variants."""

    async def variant(request: Request) -> Response:
        match = _NAME.fullmatch(request.path_params["name"])
        path = store.find_prepared(match["sha"], match["ext"]) if match else None
        if match is None or path is None:
            return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})
        etag = f'"{match["sha"]}"'
        headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return FileResponse(path, media_type=_TYPES[match["ext"]], headers=headers)

    async def not_found(request: Request) -> Response:
        return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})

    return Starlette(routes=[Route("/{name}", variant, methods=["GET", "HEAD"]),
                             Route("/{rest:path}", not_found, methods=["GET", "HEAD"])])


def mounted_media_app(store: ImageStore, public_media_url: str) -> Starlette:
    """The media app under the path of ``public_media_url`` (``http://host:8000/media`` → ``/media``)."""
    prefix = urlsplit(public_media_url).path.rstrip("/")
    app = create_media_app(store)
    return app if not prefix else Starlette(routes=[Mount(prefix, app=app)])


def public_url(public_media_url: str, variant_sha: str, ext: str = "jpg") -> str:
    """Where a marketplace fetches a prepared variant: ``<AGRI_PUBLIC_MEDIA_URL>/<sha>.<ext>``."""
    return f"{public_media_url.rstrip('/')}/{variant_sha}.{ext}"
