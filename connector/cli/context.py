"""What commands share: the settings, an engine on the configured database, a session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine
from sqlmodel import Session

from connector.db import make_engine, require_current, session_scope
from connector.settings import get_settings


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


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
