"""Shared fixtures: fresh databases on SQLite (always) and PostgreSQL (when CI provides one).

Initialising a database (migrations plus ~25,000 administrative units) takes about a second,
so it is done once per test session into a template, and each test gets a copy: a file copy on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from connector.cli.context import dispose_engines
from connector.db import init_db, make_engine
from connector.settings import Settings, get_settings

# The tests set what they need through the environment; a developer's ./.env (which `make demo`
# writes, with a secret key) must not leak into them.
Settings.model_config["env_file"] = None

PG_URL = os.environ.get("AGRI_TEST_DATABASE_URL")
SLOW = os.environ.get("AGRI_SLOW") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_slow = pytest.mark.skip(reason="slow test: set AGRI_SLOW=1 to run it (CI does)")
    for item in items:
        if "slow" in item.keywords and not SLOW:
            item.add_marker(skip_slow)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        "databases: sqlite" + (" + postgresql" if PG_URL else " (postgresql skipped: AGRI_TEST_DATABASE_URL unset)"),
        "slow tests: " + ("on" if SLOW else "skipped (AGRI_SLOW unset)"),
    ]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL tests need AGRI_TEST_DATABASE_URL (CI sets it)")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"agri_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    init_db(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh, initialised database; the test runs once per database kind."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "agri.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    template_name: str = request.getfixturevalue("pg_template")
    assert PG_URL
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"agri_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def agri_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Settings pointing the CLI at the test database and a private data directory."""
    env = {"AGRI_DATABASE_URL": db_url, "AGRI_DATA_DIR": str(tmp_path / "data"), "AGRI_LANG": "vi"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    dispose_engines()
    yield env
    get_settings.cache_clear()
    dispose_engines()
