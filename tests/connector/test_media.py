"""The read-only media app: prepared variants only, strict names, immutable caching."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from PIL import Image
from starlette.types import ASGIApp

from catalog.image_store import ImageStore
from catalog.images import ImageProfile
from catalog.net import ALLOW_LOOPBACK, PUBLIC_ONLY, FetchError, fetch_image_url
from connector.media import IMMUTABLE, create_media_app, mounted_media_app, public_url

SMALL = ImageProfile(name="small", min_side=128, max_side=256, max_bytes=200_000)


def request(app: ASGIApp, *paths: str, method: str = "GET", headers: dict[str, str] | None = None,
            ) -> list[httpx.Response]:
    """Send requests to the app in process, through httpx's ASGI transport."""
    async def send() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://media") as client:
            return [await client.request(method, path, headers=headers) for path in paths]

    return asyncio.run(send())


@pytest.fixture
def stocked(tmp_path: Path) -> Iterator[tuple[ImageStore, str, str]]:
    """A store holding one original and its prepared variant: (store, original sha, variant sha)."""
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (22.0, 8.0, 50.0)}
    Image.new("RGB", (300, 200), (20, 120, 40)).save(out, "JPEG", exif=exif)
    store = ImageStore(tmp_path / "media")
    original, _ = store.put_original(out.getvalue())
    variant = store.prepared_for(original, SMALL).sha256
    yield store, original, variant
    store.close()


def test_serves_a_prepared_variant(stocked: tuple[ImageStore, str, str]) -> None:
    store, _, variant = stocked
    app = create_media_app(store)
    [response] = request(app, f"/{variant}.jpg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.content == store.prepared_path(variant).read_bytes()
    assert request(app, f"/{variant}.jpg", method="HEAD")[0].status_code == 200
    etag = response.headers["etag"]
    assert request(app, f"/{variant}.jpg", headers={"If-None-Match": etag})[0].status_code == 304
    assert request(app, f"/{variant}.jpg", method="POST")[0].status_code == 405


def test_never_serves_originals_or_other_files(stocked: tuple[ImageStore, str, str]) -> None:
    store, original, variant = stocked
    names = [f"/{original}.jpg", f"/{variant}.png", f"/{variant.upper()}.jpg", f"/{variant}", f"/{'0' * 64}.jpg",
             "/index.sqlite3", "/../index.sqlite3", "/..%2Findex.sqlite3", "/%2e%2e/%2e%2e/etc/passwd",
             f"/../originals/{original[:2]}/{original}.jpg", f"/originals/{original[:2]}/{original}.jpg",
             f"/prepared/{variant}.jpg", "/", f"/{variant}.jpg/..", f"/{variant}.jpg%00.txt",
             f"/..%2Foriginals%2F{original[:2]}%2F{original}.jpg"]
    for name, response in zip(names, request(create_media_app(store), *names), strict=True):
        assert response.status_code == 404, name
        assert response.content == b"not found"


def test_mounted_under_the_public_media_path(stocked: tuple[ImageStore, str, str]) -> None:
    store, _, variant = stocked
    base = "http://127.0.0.1:8000/media/"
    assert public_url(base, variant) == f"http://127.0.0.1:8000/media/{variant}.jpg"
    mounted, bare = request(mounted_media_app(store, base), f"/media/{variant}.jpg", f"/{variant}.jpg")
    assert (mounted.status_code, bare.status_code) == (200, 404)


@pytest.fixture
def served(stocked: tuple[ImageStore, str, str]) -> Iterator[tuple[str, str]]:
    """The media app under uvicorn on a free loopback port: (base URL, variant sha)."""
    store, _, variant = stocked
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(mounted_media_app(store, "/media"), lifespan="off", log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/media", variant
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_fetch_image_url_end_to_end_on_loopback(served: tuple[str, str]) -> None:
    base, variant = served
    url = public_url(base, variant)
    dns = {"localhost": ["127.0.0.1"]}
    with httpx.Client() as client:
        data = fetch_image_url(url.replace("127.0.0.1", "localhost"), client=client, policy=ALLOW_LOOPBACK,
                               resolver=lambda host: dns[host], max_bytes=1_000_000, timeout=5)
        assert Image.open(io.BytesIO(data)).size == (256, 256)
        with pytest.raises(FetchError) as caught:
            fetch_image_url(url, client=client, policy=PUBLIC_ONLY, timeout=5)
        assert caught.value.code == "image.url_refused"
        with pytest.raises(FetchError) as caught:
            fetch_image_url(f"{base}/{'0' * 64}.jpg", client=client, policy=ALLOW_LOOPBACK, timeout=5)
        assert caught.value.code == "image.fetch_status"
        with pytest.raises(FetchError) as caught:
            fetch_image_url(url, client=client, policy=ALLOW_LOOPBACK, max_bytes=100, timeout=5)
        assert caught.value.code == "image.fetch_too_large"
