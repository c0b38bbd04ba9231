"""Database engine, sessions and ``agri init``.

SQLite (the default) runs in WAL mode with foreign keys on and a busy timeout; PostgreSQL runs
the same code.  The schema is owned by the Alembic migrations shipped in
``connector/migrations``; :func:`init_db` upgrades to the head and (re)loads the reference data
(categories, administrative units) when their files changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from catalog.admin_units import data_fingerprint, seed_admin_units
from catalog.categories import DATA_FILE as CATEGORY_FILE
from catalog.categories import seed_categories
from catalog.errors import AgriConnectorError
from connector.meta import get_meta, set_meta

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseUnavailable(AgriConnectorError):
    default_code = "db.unavailable"


class DatabaseOutdated(AgriConnectorError):
    default_code = "db.outdated"


class DatabaseMissing(DatabaseOutdated):
    """No SQLite file where the settings point: ``agri init`` creates it, nothing else may."""

    default_code = "db.missing"


class DatabaseReadOnly(DatabaseUnavailable):
    default_code = "db.readonly"


class DatabaseDiskFull(DatabaseUnavailable):
    default_code = "db.disk_full"


class DatabaseLocked(DatabaseUnavailable):
    default_code = "db.locked"


# What the drivers say, by failure: SQLite's messages (its result codes are not exposed by sqlite3 before
# Python 3.11's sqlite_errorname, which only some builds fill), PostgreSQL's SQLSTATE codes.
_SQLITE_WORDS = (("readonly database", DatabaseReadOnly), ("read-only", DatabaseReadOnly),
                 ("disk is full", DatabaseDiskFull), ("disk i/o error", DatabaseDiskFull),
                 ("database is locked", DatabaseLocked), ("database table is locked", DatabaseLocked))
_PG_STATES = {"25006": DatabaseReadOnly, "53100": DatabaseDiskFull, "53000": DatabaseDiskFull,
              "55P03": DatabaseLocked, "40P01": DatabaseLocked, "57014": DatabaseLocked}


def database_failure(error: BaseException) -> DatabaseUnavailable | None:
    """The machine's failure behind ``error`` (read-only, disk full, locked past the wait), found anywhere in its
    chain of causes — a full disk first surfaces as "session is in 'prepared' state" — or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        state = getattr(current, "sqlstate", None) or getattr(getattr(current, "orig", None), "sqlstate", None)
        if state in _PG_STATES:
            return _PG_STATES[state](detail=str(current).splitlines()[0][:200])
        text = str(getattr(current, "orig", None) or current).lower()
        for words, kind in _SQLITE_WORDS:
            if words in text:
                return kind(detail=text.splitlines()[0][:200])
        if isinstance(current, OSError) and current.errno == 28:  # ENOSPC
            return DatabaseDiskFull(detail=str(current)[:200])
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    return heads[0] if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise DatabaseUnavailable(detail=str(exc.orig)) from exc


@dataclass
class InitResult:
    before: str | None
    after: str | None
    seeded: list[str]

    @property
    def changed(self) -> bool:
        return self.before != self.after or bool(self.seeded)


def init_db(engine: Engine) -> InitResult:
    """Create or upgrade the database and refresh reference data; a no-op when all is current."""
    before = current_revision(engine)
    if before != head_revision():
        command.upgrade(alembic_config(engine), "head")
    seeded: list[str] = []
    with session_scope(engine) as session:
        category_sum = hashlib.sha256(CATEGORY_FILE.read_bytes()).hexdigest()
        if get_meta(session, "categories") != category_sum:
            seed_categories(session)
            set_meta(session, "categories", category_sum)
            seeded.append("categories")
        units_sum = data_fingerprint()
        if get_meta(session, "admin_units") != units_sum:
            seed_admin_units(session)
            set_meta(session, "admin_units", units_sum)
            seeded.append("admin_units")
    return InitResult(before=before, after=current_revision(engine), seeded=seeded)


def sqlite_file(url: URL) -> Path | None:
    """The file an SQLite URL names (``sqlite:///agri.db``, ``sqlite:///file:/srv/agri.db?mode=ro&uri=true``),
    or None: not SQLite, or a database in memory."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database.startswith("file:"):
        if url.query.get("mode") == "memory":
            return None
        database = database.removeprefix("file:").removeprefix("//")
    return None if database in ("", ":memory:") else Path(database)


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that ``agri init`` has not brought to the head.

    A missing SQLite file is said before anything connects: SQLite would create an empty one, and a command
    run in the wrong folder would leave it there."""
    path = sqlite_file(engine.url)
    if path is not None and not path.exists():
        raise DatabaseMissing(path=str(path.resolve()))
    if current_revision(engine) != head_revision():
        raise DatabaseOutdated()
