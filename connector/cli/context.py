"""What commands share: the settings, an engine on the configured database, a session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from connector.db import make_engine, require_current, session_scope
from connector.settings import get_settings

_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per database URL for the life of the process."""
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests, and the web app at shutdown)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


def current_engine() -> Engine:
    return engine_for(get_settings().database_url)


@contextmanager
def open_session(*, check: bool = True) -> Iterator[Session]:
    """A committed-on-success session on an initialised database."""
    engine = current_engine()
    if check:
        require_current(engine)
    with session_scope(engine) as session:
        yield session
