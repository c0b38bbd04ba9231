"""Product photos named by an import: files in a folder or a zip, or http(s) URLs.

A row's "Ảnh" cell lists file names or URLs; without it, the convention ``SKU.jpg``,
``SKU_2.jpg``… finds them in the ``--images`` folder or zip.  The original bytes go to the
content-addressed :class:`~catalog.image_store.ImageStore` (only when the import commits) and
a product's :class:`~catalog.products.ProductImage` rows record position, SHA-256, size,
width, height and format of each original.  A product whose photos are the same as before is
left alone; a new set replaces the old one and bumps the product's content version.

A zip is never trusted: entries with ``..`` or absolute paths are ignored, an entry whose
declared size or compression ratio is a bomb is refused, and reads are capped.  URLs are
fetched through :func:`catalog.net.fetch_image_url`, which refuses loopback, private,
link-local and metadata addresses and limits size, time and content type.  An image problem is
a warning on its row: the product itself is still imported.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update

from catalog.errors import AgriConnectorError, CatalogueValidationError
from catalog.image_store import ImageStore
from catalog.images import ImageError, open_image
from catalog.importing.problems import ProblemLog
from catalog.importing.readers import MAX_RATIO
from catalog.importing.table import Table
from catalog.products import Product, ProductImage

IMAGE_TABLE = ProductImage.__table__  # type: ignore[attr-defined]
PRODUCT_TABLE = Product.__table__  # type: ignore[attr-defined]
MAX_IMAGE_BYTES = 25 * 1024 * 1024
MAX_ARCHIVE_BYTES = 4 << 30
MAX_IMAGES = 8
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


class ImageSource(ABC):
    """Image files by name; subclasses read a folder or a zip."""

    def __init__(self) -> None:
        self.index: dict[str, Any] = {}  # casefolded NFC base name (and relative path) → entry

    def find(self, name: str) -> Any | None:
        key = _name_key(name.replace("\\", "/"))
        return self.index.get(key) or self.index.get(key.rsplit("/", 1)[-1])

    def by_sku(self, sku: str) -> list[Any]:
        """``SKU.jpg``, then ``SKU_2.jpg``, ``SKU_3.jpg``… (any image extension, any case)."""
        found = []
        for n in range(1, MAX_IMAGES + 1):
            stem = sku if n == 1 else f"{sku}_{n}"
            entry = next((e for ext in EXTENSIONS if (e := self.index.get(_name_key(stem + ext)))), None)
            if entry is None and n > 1:
                break
            if entry is not None:
                found.append(entry)
        return found

    @abstractmethod
    def read(self, entry: Any) -> bytes:
        """The bytes of one entry of :attr:`index`."""

    def label(self, entry: Any) -> str:
        return str(entry)

    def close(self) -> None:  # noqa: B027 (a folder has nothing to release)
        """Release the source (an open zip)."""


class FolderSource(ImageSource):
    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root.resolve()
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                path = Path(dirpath) / name
                if path.suffix.lower() in EXTENSIONS:
                    self.index.setdefault(_name_key(name), path)
                    self.index.setdefault(_name_key(path.relative_to(self.root).as_posix()), path)

    def read(self, entry: Any) -> bytes:
        with Path(entry).open("rb") as fh:
            data = fh.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise ImageError("import.image_invalid", detail=f"> {MAX_IMAGE_BYTES >> 20} MB")
        return data

    def label(self, entry: Any) -> str:
        return Path(entry).name


class ZipSource(ImageSource):
    def __init__(self, path: Path, log: ProblemLog) -> None:
        super().__init__()
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise CatalogueValidationError("import.file_corrupt", path=path.name, detail=str(exc)) from exc
        total = 0
        for info in self.archive.infolist():
            if info.is_dir():
                continue
            name = info.filename.replace("\\", "/")
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
                log.warning("import.image_unsafe_path", sheet=None, value=info.filename)
                continue
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MAX_IMAGE_BYTES or (info.file_size > 1_000_000 and ratio > MAX_RATIO):
                log.warning("import.zip_bomb", sheet=None, value=info.filename, path=info.filename,
                            detail=f"{info.file_size:,} B, ×{ratio:,.0f}")
                continue
            if PurePosixPath(name).suffix.lower() in EXTENSIONS:
                self.index.setdefault(_name_key(PurePosixPath(name).name), info)
                self.index.setdefault(_name_key(name), info)
        if total > MAX_ARCHIVE_BYTES:
            self.archive.close()
            raise CatalogueValidationError("import.zip_bomb", path=path.name, detail=f"{total:,} B")

    def read(self, entry: Any) -> bytes:
        with self.archive.open(entry) as fh:
            data = fh.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise ImageError("import.image_invalid", detail=f"> {MAX_IMAGE_BYTES >> 20} MB")
        return data

    def label(self, entry: Any) -> str:
        return str(PurePosixPath(entry.filename).name)

    def close(self) -> None:
        self.archive.close()


@contextmanager
def open_image_source(path: Path | None, log: ProblemLog) -> Iterator[ImageSource | None]:
    if path is None:
        yield None
        return
    path = Path(path)
    if path.is_dir():
        source: ImageSource = FolderSource(path)
    elif path.is_file():
        source = ZipSource(path, log)
    else:
        raise CatalogueValidationError("file.unreadable", path=str(path), detail="not found")
    try:
        yield source
    finally:
        source.close()


def default_store() -> ImageStore:
    """The media store under ``$AGRI_DATA_DIR`` (what ``Settings.media_dir`` names), for callers without one."""
    return ImageStore(Path(os.environ.get("AGRI_DATA_DIR", "./agri-data")) / "media")


@dataclass
class _Staged:
    pid: int
    sku: str
    refs: list[str] | None
    sheet: str
    row: int
    column: str | None


@dataclass
class ImageBook:
    session: Any
    log: ProblemLog
    source: ImageSource | None
    fetch_url: Callable[[str], bytes] | None = None
    media: ImageStore | None = None
    lang: str = "vi"
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    _staged: list[_Staged] = field(default_factory=list)
    _data: dict[str, bytes] = field(default_factory=dict)
    _client: Any = None

    def active(self, table: Table) -> bool:
        return self.source is not None or "images" in table.fields_present

    def stage(self, pid: int, sku: str, refs: list[str] | None, *, sheet: str, row: int, column: str | None) -> None:
        if refs or (self.source is not None and self.source.by_sku(sku)):
            self._staged.append(_Staged(pid, sku, refs, sheet, row, column))

    def apply(self, product_id: Callable[[int, str], int | None], real_id: Callable[[int], int]) -> None:
        """Load each staged product's photos and replace the sets that changed (bulk writes)."""
        if not self._staged:
            return
        current: dict[int, list[str]] = {}
        for pid, sha in self.session.execute(select(IMAGE_TABLE.c.product_id, IMAGE_TABLE.c.sha256)
                                             .order_by(IMAGE_TABLE.c.product_id, IMAGE_TABLE.c.position)):
            current.setdefault(pid, []).append(sha)
        rows: list[dict[str, Any]] = []
        replaced: list[int] = []
        for staged in self._staged:
            target = product_id(real_id(staged.pid), staged.sku)
            if target is None:
                continue
            images = self._load(staged)
            if not images:
                continue
            if [i["sha256"] for i in images] == current.get(target):
                self.unchanged += len(images)
                continue
            if target in current:
                replaced.append(target)
                self.updated += len(images)
            else:
                self.created += len(images)
            rows += [{"product_id": target, "position": n, **image} for n, image in enumerate(images, start=1)]
        self._write(rows, replaced)

    def _write(self, rows: list[dict[str, Any]], replaced: list[int]) -> None:
        if replaced:
            self.session.execute(delete(IMAGE_TABLE).where(IMAGE_TABLE.c.product_id.in_(replaced)))
        if rows:
            self.session.execute(insert(IMAGE_TABLE), rows)
            changed = sorted({r["product_id"] for r in rows})
            statement = (update(PRODUCT_TABLE).where(PRODUCT_TABLE.c.id == bindparam("_id"))
                         .values(content_version=PRODUCT_TABLE.c.content_version + 1, updated_at=func.now()))
            # a product created by this import keeps version 1: its photos are part of its first content
            bump = [pid for pid in changed if pid in set(replaced)]
            if bump:
                self.session.execute(statement, [{"_id": pid} for pid in bump])

    def _load(self, staged: _Staged) -> list[dict[str, Any]]:
        refs: list[Any] = list(staged.refs) if staged.refs else (self.source.by_sku(staged.sku) if self.source else [])
        if len(refs) > MAX_IMAGES:
            self.log.warning("import.too_many_images", sheet=staged.sheet, row=staged.row, column=staged.column,
                             max=MAX_IMAGES)
            refs = refs[:MAX_IMAGES]
        images = []
        for ref in refs:
            label = ref if isinstance(ref, str) else self.source.label(ref) if self.source else str(ref)
            try:
                data = self._bytes(ref)
                with open_image(data) as img:
                    width, height, fmt = img.width, img.height, img.format or "?"
            except AgriConnectorError as error:
                self.rejected += 1
                if error.code.startswith("import."):
                    params = {k: v for k, v in error.params.items() if k != "value"}
                    self.log.warning(error.code, sheet=staged.sheet, row=staged.row, column=staged.column,
                                     value=label, **params)
                else:
                    is_url = isinstance(ref, str) and ref.lower().startswith(("http://", "https://"))
                    self.log.warning("import.image_url" if is_url else "import.image_invalid", sheet=staged.sheet,
                                     row=staged.row, column=staged.column, value=label,
                                     detail=error.message(self.lang))
                continue
            sha = hashlib.sha256(data).hexdigest()
            self._data.setdefault(sha, data)
            images.append({"sha256": sha, "size_bytes": len(data), "width": width, "height": height,
                           "format": fmt[:8]})
        return images

    def _bytes(self, ref: Any) -> bytes:
        if isinstance(ref, str) and ref.lower().startswith(("http://", "https://")):
            if self.fetch_url is not None:
                return self.fetch_url(ref)
            return self._fetch(ref)
        if isinstance(ref, str):
            entry = self.source.find(ref) if self.source is not None else None
            if entry is None:
                raise CatalogueValidationError("import.image_missing", value=ref)
            return self.source.read(entry)  # type: ignore[union-attr]
        assert self.source is not None
        return self.source.read(ref)

    def _fetch(self, url: str) -> bytes:
        """The guarded fetch of :mod:`catalog.net`: public addresses only, capped size and time."""
        import httpx

        from catalog.net import fetch_image_url

        if self._client is None:
            self._client = httpx.Client()
        return fetch_image_url(url, client=self._client, max_bytes=MAX_IMAGE_BYTES, timeout=15.0)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def store(self) -> None:
        """Write the originals of a committed import to the media store."""
        if not self._data:
            return
        store = self.media or default_store()
        for data in self._data.values():
            store.put_original(data)

    def counts(self) -> Any:
        from catalog.importing.result import Counts

        return Counts(self.created, self.updated, self.unchanged, self.rejected)
