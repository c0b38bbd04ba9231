"""Photos of an import: a folder, a zip (unsafe paths, bombs), the SKU convention, URLs."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import select
from sqlmodel import Session

from catalog.image_store import ImageStore
from catalog.importing.catalogue import import_catalogue
from catalog.net import ALLOW_LOOPBACK, fetch_image_url
from catalog.products import ProductImage
from tests.catalog.import_helpers import SINGLE_HEADER, codes, products, run, single_row, write_csv

HEADER = [*SINGLE_HEADER, "Ảnh"]


def jpeg(colour: str, size: tuple[int, int] = (320, 240)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def images_of(session: Session) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for image in session.execute(select(ProductImage).order_by(ProductImage.position)).scalars():
        out.setdefault(image.product_id, []).append(image.sha256)
    return out


def test_folder_images_by_name_and_by_sku(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "anh"
    folder.mkdir()
    (folder / "Mien Dong.JPG").write_bytes(jpeg("red"))
    (folder / "BUN-500.jpg").write_bytes(jpeg("blue"))
    (folder / "BUN-500_2.jpg").write_bytes(jpeg("green"))
    rows = [HEADER, [*single_row("MIEN-500"), "mien dong.jpg; thieu.jpg"], [*single_row("BUN-500", "Bún"), ""]]
    result = run(session, write_csv(tmp_path / "a.csv", rows), tmp_path, images=folder)
    assert codes(result) == [(2, "import.image_missing")]
    assert result.counts["products"].created == 2
    stored = images_of(session)
    by_sku = products(session)
    assert len(stored[by_sku["MIEN-500"].id or 0]) == 1
    assert len(stored[by_sku["BUN-500"].id or 0]) == 2
    image = session.execute(select(ProductImage)).scalars().first()
    assert image is not None
    assert (image.width, image.height, image.format) == (320, 240, "JPEG")
    assert (tmp_path / "media" / "originals").is_dir()
    again = run(session, write_csv(tmp_path / "a.csv", rows), tmp_path, images=folder)
    assert again.counts["images"].unchanged == 3
    assert not again.changed
    (folder / "BUN-500_2.jpg").write_bytes(jpeg("yellow"))
    changed = run(session, write_csv(tmp_path / "a.csv", rows), tmp_path, images=folder)
    assert changed.counts["images"].updated == 2
    session.expire_all()
    assert products(session)["BUN-500"].content_version == 2


def test_zip_with_bomb_and_unsafe_paths_loses_nothing_valid(session: Session, tmp_path: Path) -> None:
    archive = tmp_path / "anh.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("MIEN-500.jpg", jpeg("red"))
        zf.writestr("../../etc/evil.jpg", jpeg("black"))
        zf.writestr("/abs.jpg", jpeg("black"))
        zf.writestr("BUN-500.jpg", b"\x00" * (40 << 20))  # 40 MB of zeros: a bomb
    rows = [HEADER, [*single_row("MIEN-500"), ""], [*single_row("BUN-500", "Bún"), "BUN-500.jpg"]]
    result = run(session, write_csv(tmp_path / "a.csv", rows), tmp_path, images=archive)
    found = codes(result)
    assert found.count((None, "import.image_unsafe_path")) == 2
    assert (None, "import.zip_bomb") in found
    assert (3, "import.image_missing") in found
    assert result.counts["products"].created == 2
    assert result.counts["images"].created == 1
    assert not (tmp_path / "etc").exists()


def test_url_to_loopback_is_refused(session: Session, tmp_path: Path) -> None:
    rows = [HEADER, [*single_row("MIEN-500"), "http://127.0.0.1:9/a.jpg"],
            [*single_row("BUN-500"), "http://169.254.169.254/latest/meta-data"]]
    result = run(session, write_csv(tmp_path / "a.csv", rows), tmp_path)
    assert codes(result) == [(2, "import.image_url"), (3, "import.image_url")]
    assert result.counts["products"].created == 2


@pytest.fixture
def photo_server() -> Iterator[str]:
    body = jpeg("orange")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_images_are_fetched(session: Session, tmp_path: Path, photo_server: str) -> None:
    rows = [HEADER, [*single_row("MIEN-500"), f"{photo_server}/mien.jpg"]]
    with httpx.Client() as client:
        result = import_catalogue(session=session, path=write_csv(tmp_path / "a.csv", rows),
                                  fetch_url=lambda url: fetch_image_url(url, client=client, policy=ALLOW_LOOPBACK),
                                  media=ImageStore(tmp_path / "media"))
    assert result.errors == []
    assert result.counts["images"].created == 1
