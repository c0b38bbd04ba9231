"""The content-addressed media store, and its cache of prepared variants.

Layout under ``root`` (``<data_dir>/media``)::

    originals/<sha[:2]>/<sha>.<ext>     the photo exactly as received, named by its SHA-256
    prepared/<variant_sha>.<ext>        an output of :func:`catalog.images.prepare`
    index.sqlite3                       which variant belongs to which (original, profile), and
                                        which file on disk (path, size, mtime, inode) had which hash

The index lives beside the files and never in the main database: the store can be copied,
served or wiped on its own.  A variant is keyed by (original SHA-256, profile name, profile
fingerprint), so changing a profile's rules recomputes it and nothing else ever does.  Files
are written to a temporary name and renamed, so a reader never sees half a file and two
writers of the same content cannot hurt each other.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from catalog.errors import AgriConnectorError, NotFoundError
from catalog.images import OUTPUT_EXTENSIONS, ImageError, ImageProfile, PreparedImage, prepare, sniff_extension

_SHA = re.compile(r"[0-9a-f]{64}")
_EXT = re.compile(r"[a-z0-9]{1,5}")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS originals (
    sha256 TEXT PRIMARY KEY, ext TEXT NOT NULL, byte_count INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS variants (
    original_sha256 TEXT NOT NULL, profile_name TEXT NOT NULL, fingerprint TEXT NOT NULL,
    sha256 TEXT NOT NULL, format TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
    byte_count INTEGER NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (original_sha256, profile_name, fingerprint));
CREATE INDEX IF NOT EXISTS variants_by_sha ON variants (sha256);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL, sha256 TEXT NOT NULL, ext TEXT NOT NULL);
"""


def is_sha256(text: str) -> bool:
    return bool(_SHA.fullmatch(text))


@dataclass(frozen=True, slots=True)
class VariantRecord:
    """A prepared variant as the index knows it (the bytes stay on disk at ``path``)."""

    original_sha256: str
    profile_name: str
    fingerprint: str
    sha256: str
    format: str
    width: int
    height: int
    byte_count: int
    created_at: str
    path: Path

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def extension(self) -> str:
        return OUTPUT_EXTENSIONS[self.format]


@dataclass(frozen=True, slots=True)
class FileKey:
    """What says a file on disk is unchanged since we hashed it (as git's index does)."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileKey:
        resolved = path.resolve()
        st = resolved.stat()
        return cls(str(resolved), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


class ImageStore:
    """Originals and prepared variants under ``root``; safe to share between processes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.originals_dir = self.root / "originals"
        self.prepared_dir = self.root / "prepared"
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # --- files -----------------------------------------------------------------------------

    def write_original(self, data: bytes) -> tuple[str, str]:
        """Store the bytes (idempotent) without touching the index; returns (sha256, ext)."""
        ext = sniff_extension(data)
        sha = hashlib.sha256(data).hexdigest()
        _write_atomic(self.originals_dir / sha[:2] / f"{sha}.{ext}", data)
        return sha, ext

    def put_original(self, data: bytes) -> tuple[str, str]:
        """Store a photo as received; returns its (sha256, ext).  Refuses what is not an image."""
        sha, ext = self.write_original(data)
        self.record_original(sha, ext, len(data))
        return sha, ext

    def original_path(self, sha: str) -> Path:
        if is_sha256(sha):
            row = self._query("SELECT ext FROM originals WHERE sha256 = ?", (sha,))
            candidates = [self.originals_dir / sha[:2] / f"{sha}.{row[0][0]}"] if row else []
            candidates += sorted((self.originals_dir / sha[:2]).glob(f"{sha}.*"))
            for path in candidates:
                if path.is_file():
                    return path
        raise NotFoundError("image.not_found", key=sha)

    def write_prepared(self, prepared: PreparedImage) -> Path:
        path = self.prepared_dir / f"{prepared.sha256}.{prepared.extension}"
        _write_atomic(path, prepared.data)
        return path

    def prepared_path(self, variant_sha: str) -> Path:
        path = self.find_prepared(variant_sha)
        if path is None:
            raise NotFoundError("image.not_found", key=variant_sha)
        return path

    def find_prepared(self, variant_sha: str, ext: str | None = None) -> Path | None:
        """The file of a prepared variant, or None for an unknown or malformed name."""
        if not is_sha256(variant_sha) or (ext is not None and ext not in OUTPUT_EXTENSIONS.values()):
            return None
        for candidate in ([ext] if ext else list(OUTPUT_EXTENSIONS.values())):
            path = self.prepared_dir / f"{variant_sha}.{candidate}"
            if path.is_file():
                return path
        return None

    # --- the cache -------------------------------------------------------------------------

    def cached_variant(self, original_sha: str, profile: ImageProfile) -> VariantRecord | None:
        """The variant already made for (original, profile), if its file is still there."""
        rows = self._query(
            "SELECT * FROM variants WHERE original_sha256 = ? AND profile_name = ? AND fingerprint = ?",
            (original_sha, profile.name, profile.fingerprint))
        if not rows:
            return None
        record = self._variant(rows[0])
        return record if record.path.is_file() else None

    def prepared_for(self, original_sha: str, profile: ImageProfile) -> PreparedImage:
        """The variant of an original for ``profile``: computed once, then read from the cache."""
        record = self.cached_variant(original_sha, profile)
        if record is not None:
            return PreparedImage(data=record.path.read_bytes(), size=record.size, sha256=record.sha256,
                                 profile=profile, format=record.format)
        prepared = prepare(self.original_path(original_sha).read_bytes(), profile)
        self.write_prepared(prepared)
        self.record_variant(original_sha, profile, sha256=prepared.sha256, format=prepared.format,
                            size=prepared.size, byte_count=prepared.byte_count)
        return prepared

    def variants_of(self, original_sha: str) -> list[VariantRecord]:
        rows = self._query("SELECT * FROM variants WHERE original_sha256 = ? ORDER BY created_at, profile_name",
                           (original_sha,))
        return [self._variant(row) for row in rows]

    def record_original(self, sha: str, ext: str, byte_count: int) -> None:
        self._execute("INSERT OR IGNORE INTO originals VALUES (?, ?, ?, ?)", (sha, ext, byte_count, _now()))

    def record_variant(self, original_sha: str, profile: ImageProfile, *, sha256: str, format: str,
                       size: tuple[int, int], byte_count: int) -> VariantRecord:
        row = (original_sha, profile.name, profile.fingerprint, sha256, format, size[0], size[1], byte_count, _now())
        self._execute("INSERT OR REPLACE INTO variants VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        return self._variant(row)

    def known_source(self, key: FileKey) -> tuple[str, str] | None:
        """The (sha256, ext) of a file seen before with the same size, times and inode."""
        rows = self._query("SELECT size, mtime_ns, ctime_ns, inode, sha256, ext FROM sources WHERE path = ?",
                           (key.path,))
        if rows and tuple(rows[0][:4]) == (key.size, key.mtime_ns, key.ctime_ns, key.inode):
            return str(rows[0][4]), str(rows[0][5])
        return None

    def record_source(self, key: FileKey, sha: str, ext: str) -> None:
        self._execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (key.path, key.size, key.mtime_ns, key.ctime_ns, key.inode, sha, ext))

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- the index -------------------------------------------------------------------------

    def _variant(self, row: tuple[object, ...]) -> VariantRecord:
        original, name, fingerprint, sha, fmt, width, height, byte_count, created = row
        return VariantRecord(str(original), str(name), str(fingerprint), str(sha), str(fmt), int(str(width)),
                             int(str(height)), int(str(byte_count)), str(created),
                             self.prepared_dir / f"{sha}.{OUTPUT_EXTENSIONS[str(fmt)]}")

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self.root.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.root / "index.sqlite3", timeout=30, check_same_thread=False,
                                 isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a cache: a lost last entry is only recomputed
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def _query(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._lock:
            return list(self._connection().execute(sql, params).fetchall())

    def _execute(self, sql: str, params: tuple[object, ...]) -> None:
        with self._lock:
            self._connection().execute(sql, params)


def variants_of(store: ImageStore, original_sha: str) -> list[VariantRecord]:
    """Every prepared variant of an original, oldest first (for ``agri products show``)."""
    return store.variants_of(original_sha)


def _write_atomic(path: Path, data: bytes) -> None:
    if path.is_file() and path.stat().st_size == len(data):
        return  # content-addressed: same name, same bytes
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- bulk preparation on every core ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BulkResult:
    """What became of one input of :func:`prepare_many`: a variant, or the error that stopped it."""

    source: str
    original_sha256: str | None = None
    variant: VariantRecord | None = None
    error: AgriConnectorError | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.variant is not None


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A worker's answer, made of plain values (our exceptions do not survive pickling)."""

    original_sha256: str | None = None
    ext: str | None = None
    byte_count: int = 0
    variant: tuple[str, str, tuple[int, int], int] | None = None  # sha256, format, size, bytes
    error: tuple[str, dict[str, Any]] | None = None


def prepare_many(items: Sequence[Path | str | bytes], profile: ImageProfile, store: ImageStore, *,
                 workers: int | None = None, progress: bool = True) -> list[BulkResult]:
    """Prepare many images for ``profile`` on a process pool, serving what is cached at once.

    ``items`` are file paths or raw bytes; results come back in the same order.  A file already
    seen (same path, size, times and inode) is not even read again.  A bad file gives a result
    with ``error`` set and never stops the others.
    """
    results: list[BulkResult | None] = [None] * len(items)
    todo: list[tuple[int, Path | bytes, FileKey | None]] = []
    for index, item in enumerate(items):
        label = _label(item, index)
        source = item if isinstance(item, bytes) else Path(item)
        key, original = _known(store, source)
        record = store.cached_variant(original, profile) if original else None
        if record is not None:
            results[index] = BulkResult(label, original, record, cached=True)
        else:
            todo.append((index, source, key))
    with _progress(progress, len(items)) as advance:
        advance(len(items) - len(todo))
        jobs = [(index, source) for index, source, _ in todo]
        keys = {index: key for index, _, key in todo}
        for index, outcome in _run(jobs, profile, store.root, workers):
            results[index] = _record(store, profile, outcome, _label(items[index], index), keys[index])
            advance(1)
    return [r for r in results if r is not None]


def _label(item: Path | str | bytes, index: int) -> str:
    return f"<bytes #{index + 1}>" if isinstance(item, bytes) else str(item)


def _known(store: ImageStore, source: Path | bytes) -> tuple[FileKey | None, str | None]:
    if isinstance(source, bytes):
        return None, hashlib.sha256(source).hexdigest()
    try:
        key = FileKey.of(source)
    except OSError:
        return None, None  # the worker reads it and reports why it cannot
    known = store.known_source(key)
    return key, known[0] if known else None


def _record(store: ImageStore, profile: ImageProfile, outcome: _Outcome, label: str,
            key: FileKey | None) -> BulkResult:
    sha, ext = outcome.original_sha256, outcome.ext
    if sha and ext:
        store.record_original(sha, ext, outcome.byte_count)
        if key is not None:
            store.record_source(key, sha, ext)
    if outcome.error is not None:
        code, params = outcome.error
        return BulkResult(label, sha, error=ImageError(code, **params))
    assert sha is not None
    assert outcome.variant is not None
    variant_sha, fmt, size, byte_count = outcome.variant
    record = store.record_variant(sha, profile, sha256=variant_sha, format=fmt, size=size, byte_count=byte_count)
    return BulkResult(label, sha, record)


def _job(source: Path | bytes, profile: ImageProfile, root: Path) -> _Outcome:
    """One image, in a worker: store the original, prepare, store the variant (files only)."""
    try:
        data = source if isinstance(source, bytes) else source.read_bytes()
    except OSError as exc:
        return _Outcome(error=("file.unreadable", {"path": str(source), "detail": exc.strerror or str(exc)}))
    store = ImageStore(root)
    sha: str | None = None
    ext: str | None = None
    try:
        sha, ext = store.write_original(data)
        prepared = prepare(data, profile)
        store.write_prepared(prepared)
    except AgriConnectorError as error:
        return _Outcome(sha, ext, len(data), error=(error.code, dict(error.params)))
    return _Outcome(sha, ext, len(data), (prepared.sha256, prepared.format, prepared.size, prepared.byte_count))


def _run(jobs: list[tuple[int, Path | bytes]], profile: ImageProfile, root: Path,
         workers: int | None) -> Iterator[tuple[int, _Outcome]]:
    count = min(workers or len(os.sched_getaffinity(0)), len(jobs))
    if count <= 1:
        for index, source in jobs:
            yield index, _job(source, profile, root)
        return
    # forkserver, not fork: the caller may be a threaded web server, and a forked lock held by
    # another thread would hang the worker.  The server preloads Pillow and this module once.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        futures = {pool.submit(_job, source, profile, root): index for index, source in jobs}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool as exc:
                outcome = _Outcome(error=("image.corrupt", {"detail": f"the decoder crashed ({exc})"}))
            yield futures[future], outcome


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[int], None]]:
    if not enabled or total == 0:
        yield lambda _n: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("Chuẩn bị ảnh / preparing images", total=total)
        yield lambda n: bar.advance(task, n)
