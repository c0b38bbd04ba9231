"""The same file again on an unchanged catalogue: answered without reading it.

Staff upload last week's file again, or the same file twice by mistake.  After an import that
wrote its rows without any problem, the file's SHA-256 is remembered together with a *catalogue
token*: where the catalogue's change log stood when that import committed.  Importing the same
bytes again, with the same options, while the log shows no change since, cannot write anything:
every row would compare equal to what that import left.  Such an import says "unchanged" for
every row at once (and records itself in the audit trail); ``recheck=True`` (``--recheck``)
compares every row anyway.

The change log is kept by the database itself (migration 0011), so every writer counts: the
importers, the web app, the CLI, a merge of two households, even SQL typed by hand.  Triggers on
the tables an import reads (producers, products' content columns, images, OCOP certifications,
categories, administrative units) record each change; a product's stock and stock version are
left out, since an import without ``--set-stock`` never compares them (and sales move them all day).

- SQLite has one writer at a time: the log is one counter (``txid = 0``), and the token is its value.
- PostgreSQL has many: each writing transaction leaves one row (its transaction id), inserted
  without waiting on anyone.  The token is the import's own transaction id and the snapshot taken
  when it started; it still holds while every logged transaction is either the import's own or
  was already committed when it started (:func:`pg_visible_in_snapshot`).  A change that commits
  while an import runs therefore always makes the next re-import compare its rows.

Imports with ``--images``, ``--set-stock`` or a photo column, and imports that found any problem
or merge candidate, are neither answered this way nor remembered: their outcome depends on more
than the catalogue (a folder, a URL, the stock sales moved), or their report must be written again.
A file whose size or modification time changed while it was being imported is not remembered.
The package version is part of the key, so a release with new conversion rules reads files again;
the latest :data:`KEEP` fingerprints are kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, DateTime, Text, delete, func, select, text, update
from sqlmodel import Column, Field, Session, SQLModel, col

from catalog.clock import utcnow
from catalog.importing.result import Counts, ImportResult, SheetLayout

KEEP = 200
"""Fingerprints kept (the most recent); older files are simply compared row by row."""
_CHUNK = 1 << 20
_LOG_DAYS = 1
"""PostgreSQL log rows older than this, and older than every kept fingerprint, are pruned."""


class CatalogueChange(SQLModel, table=True):
    """The catalogue's change log, written only by the database's triggers (see the module docstring)."""

    __tablename__ = "catalogue_change"

    txid: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    changes: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    changed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class ImportFingerprint(SQLModel, table=True):
    __tablename__ = "import_fingerprint"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    options: str = Field(max_length=120)
    file_name: str = Field(max_length=200)
    token: str = Field(sa_column=Column(Text, nullable=False))
    horizon: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    imported_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


def file_digest(path: Path) -> str | None:
    """SHA-256 of the file's bytes; ``None`` when it cannot be read (the reader will say why)."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        found = Path(path).stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


def _options() -> str:
    """Only imports without images and without ``--set-stock`` are fingerprinted; the rules are the release's."""
    return f"agri-connector {metadata.version('agri-connector')}"


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@dataclass
class Fingerprint:
    """One import's file and options, and the catalogue's position when it began."""

    sha256: str
    options: str
    path: Path
    stat: tuple[int, int]  # size and mtime when hashed: a file saved over during the import is not vouched for
    snapshot: str | None = None  # PostgreSQL: the snapshot taken when the import started reading
    started: bool = False

    @classmethod
    def of(cls, path: Path) -> Fingerprint | None:
        stat = _stat(path)
        sha = file_digest(path)
        if sha is None or stat is None:
            return None
        return cls(sha256=sha, options=_options(), path=path, stat=stat)

    def start(self, session: Session) -> None:
        """Before the import reads the catalogue: where the change log stands.

        SQLite: the import takes the database's write lock now instead of at its first write (a
        writer committing between the import's reads and its writes would otherwise be counted as
        seen); it holds that lock until it commits anyway.  PostgreSQL: the snapshot of this moment.
        """
        if _postgres(session):
            self.snapshot = str(session.execute(text("SELECT pg_current_snapshot()::text")).scalar_one())
        else:
            session.execute(update(CatalogueChange).where(col(CatalogueChange.txid) == 0)
                            .values(changes=col(CatalogueChange.changes)))
        self.started = True

    def same_as(self, session: Session) -> ImportFingerprint | None:
        """The latest earlier import of these bytes whose catalogue nobody has changed since, if any."""
        latest: ImportFingerprint | None = session.execute(
            select(ImportFingerprint).where(col(ImportFingerprint.sha256) == self.sha256,
                                            col(ImportFingerprint.options) == self.options)
            .order_by(col(ImportFingerprint.id).desc()).limit(1)
        ).scalars().first()
        if latest is None or not _unchanged_since(session, json.loads(latest.token)):
            return None
        return latest

    def remember(self, session: Session, result: ImportResult) -> None:
        """Record a clean import, in its own transaction (a rollback forgets it too)."""
        if not self.started or _stat(self.path) != self.stat:
            return
        token: dict[str, Any]
        horizon = None
        if self.snapshot is not None:
            own = session.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one()
            token = {"txid": int(own), "snapshot": self.snapshot}
            horizon = int(self.snapshot.split(":", 1)[0])
        else:
            changes = _sqlite_changes(session)
            if changes is None:
                return
            token = {"changes": changes}
        session.add(ImportFingerprint(sha256=self.sha256, options=self.options, file_name=result.path.name[:200],
                                      token=json.dumps(token), horizon=horizon, summary=json.dumps(_summary(result))))
        session.flush()
        _prune(session)


def _sqlite_changes(session: Session) -> int | None:
    """The counter; ``None`` if the database has no change log (then nothing is vouched for)."""
    value = session.execute(select(col(CatalogueChange.changes)).where(col(CatalogueChange.txid) == 0)).scalar()
    return None if value is None else int(value)


def _unchanged_since(session: Session, token: dict[str, Any]) -> bool:
    if "snapshot" in token:
        if not _postgres(session):
            return False
        others = session.execute(text(
            "SELECT count(*) FROM catalogue_change WHERE txid <> :own "
            "AND NOT pg_visible_in_snapshot(txid::text::xid8, CAST(:snapshot AS pg_snapshot))"),
            {"own": token["txid"], "snapshot": token["snapshot"]}).scalar_one()
        return int(others) == 0
    changes = None if _postgres(session) else _sqlite_changes(session)
    return changes is not None and changes == token.get("changes")


def _prune(session: Session) -> None:
    keep_from = session.execute(select(col(ImportFingerprint.id)).order_by(col(ImportFingerprint.id).desc())
                                .offset(KEEP).limit(1)).scalar()
    if keep_from is not None:
        session.execute(delete(ImportFingerprint).where(col(ImportFingerprint.id) <= keep_from))
    if _postgres(session):
        horizon = session.execute(select(func.min(col(ImportFingerprint.horizon)))).scalar()
        session.execute(text(
            "DELETE FROM catalogue_change WHERE changed_at < now() - make_interval(days => :days) "
            "AND (CAST(:horizon AS bigint) IS NULL OR txid < :horizon)"), {"days": _LOG_DAYS, "horizon": horizon})


def _summary(result: ImportResult) -> dict[str, Any]:
    return {"rows": result.rows_read,
            "counts": {k: c.created + c.updated + c.unchanged for k, c in result.counts.items()},
            "layouts": [[layout.name, layout.header_row, layout.positions, layout.headers]
                        for layout in result.layouts.values()]}


def repeat_result(result: ImportResult, earlier: ImportFingerprint) -> None:
    """Fill ``result`` as the comparison of every row would have: each row unchanged."""
    summary = json.loads(earlier.summary)
    result.rows_read = int(summary["rows"])
    result.counts = {k: Counts(unchanged=int(n)) for k, n in summary["counts"].items()}
    result.layouts = {name: SheetLayout(name, header_row, positions, headers)
                      for name, header_row, positions, headers in summary["layouts"]}
    at = earlier.imported_at
    result.same_as = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite gives it back naive
