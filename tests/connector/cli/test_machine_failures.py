"""A read-only database, a full disk, a lock held past the wait: a coded error, exit 3, one JSON document.

Each failure is made the way it happens, in ways that work as root in CI: a read-only SQLite URI,
SQLite's ``max_page_count`` for a full disk, a second connection holding the write lock with a short
busy timeout, and PostgreSQL's ``default_transaction_read_only``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from connector import db
from connector.cli.context import dispose_engines
from connector.cli.main import app
from connector.settings import get_settings

runner = CliRunner()
HEADER = "Mã chủ thể,Tên chủ thể,Xã/phường,Mã SKU,Tên sản phẩm,Đơn vị tính,Giá bán (đ)\n"


def _catalogue(tmp_path: Path, rows: int = 50) -> Path:
    path = tmp_path / "danh-muc.csv"
    lines = [f"HTX-A,HTX Tài Hoan,02185,SKU-{i},Miến dong loại {i},gói,{30000 + i}\n" for i in range(rows)]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _use(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGRI_DATABASE_URL", url)
    get_settings.cache_clear()
    dispose_engines()


def _import(tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["catalog", "import", str(_catalogue(tmp_path)), "--json", *extra])
    assert "Traceback" not in result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    document = json.loads(result.stdout)  # exactly one JSON document on stdout
    assert document and lines
    return result.exit_code, document


@pytest.fixture
def sqlite_file(agri_env: dict[str, str]) -> Iterator[Path]:
    url = agri_env["AGRI_DATABASE_URL"]
    if not url.startswith("sqlite"):
        pytest.skip("an SQLite failure")
    yield Path(url.removeprefix("sqlite:///"))
    dispose_engines()


def test_a_read_only_database_is_db_readonly(sqlite_file: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _use(f"sqlite:///file:{sqlite_file}?mode=ro&uri=true", monkeypatch)
    code, document = _import(tmp_path)
    assert code == 3
    assert [e["code"] for e in document["errors"]] == ["db.readonly"]


def test_a_full_disk_is_db_disk_full(sqlite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with sqlite3.connect(sqlite_file) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]
    real = db._sqlite_pragmas

    def full_disk(connection: Any, record: Any) -> None:
        real(connection, record)
        connection.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: the disk is full

    monkeypatch.setattr(db, "_sqlite_pragmas", full_disk)
    dispose_engines()
    code, document = _import(tmp_path)
    assert code == 3
    assert [e["code"] for e in document["errors"]] == ["db.disk_full"]


def test_a_lock_held_past_the_wait_is_db_locked(sqlite_file: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real = db._sqlite_pragmas

    def impatient(connection: Any, record: Any) -> None:
        real(connection, record)
        connection.execute("PRAGMA busy_timeout = 200")

    monkeypatch.setattr(db, "_sqlite_pragmas", impatient)
    dispose_engines()
    holder = sqlite3.connect(sqlite_file, timeout=0.1, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer (an import, a sync) holds the write lock
        code, document = _import(tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 3
    assert [e["code"] for e in document["errors"]] == ["db.locked"]
    code, document = _import(tmp_path)  # once the other writer is done, the same command works
    assert code == 0, document


def test_a_read_only_postgresql_is_db_readonly(agri_env: dict[str, str], tmp_path: Path) -> None:
    url = agri_env["AGRI_DATABASE_URL"]
    if not url.startswith("postgresql"):
        pytest.skip("a PostgreSQL failure")
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    dispose_engines()
    try:
        code, document = _import(tmp_path)
    finally:
        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off'))
        admin.dispose()
    assert code == 3
    assert [e["code"] for e in document["errors"]] == ["db.readonly"]


def test_sync_and_pull_on_a_read_only_database_are_db_readonly(sqlite_file: Path, session: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands that write while talking to a marketplace: the same coded error, exit 3, one document."""
    from connector.sandbox import running_sandbox
    from tests.connector.sync.live import KEY, live_shop

    with running_sandbox() as sandbox:
        live_shop(session, sandbox, count=3)
        session.close()
        monkeypatch.setenv("AGRI_SECRET_KEY", KEY)
        _use(f"sqlite:///file:{sqlite_file}?mode=ro&uri=true", monkeypatch)
        for command in (["sync", "--json"], ["orders", "pull", "--json"]):
            result = runner.invoke(app, command)
            assert "Traceback" not in result.output
            assert result.exit_code == 3, (command, result.output)
            assert [e["code"] for e in json.loads(result.stdout)["errors"]] == ["db.readonly"], command
