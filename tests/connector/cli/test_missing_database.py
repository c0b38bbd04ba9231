"""Commands that read never create: a missing SQLite database is named with its full path and `agri init`,
exit 2, and no file is left behind — for every command of the tree but the two that create it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from connector.cli.context import dispose_engines
from connector.cli.main import app
from connector.db import sqlite_file
from connector.settings import get_settings
from tests.connector.cli.tree import COMMANDS, command_line

runner = CliRunner()

CREATING = {"init", "demo"}
SERVING = {"sandbox", "media serve"}  # no database behind them: they would start serving
CHECKED = [(path, command) for path, command in COMMANDS if " ".join(path) not in CREATING | SERVING]


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The default settings (``sqlite:///./agri.db``) in a folder without a database."""
    monkeypatch.chdir(tmp_path)
    for name in ("AGRI_DATABASE_URL", "AGRI_SECRET_KEY", "AGRI_LANG", "AGRI_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AGRI_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    dispose_engines()
    yield tmp_path / "agri.db"
    get_settings.cache_clear()
    dispose_engines()


@pytest.mark.parametrize(("path", "command"), CHECKED, ids=[" ".join(p) for p, _ in CHECKED])
def test_no_command_but_init_creates_the_database(path: tuple[str, ...], command: Any, nowhere: Path) -> None:
    existing = nowhere.parent / "input.csv"
    existing.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, command_line(path, command, existing))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert not nowhere.exists()
    assert not list(nowhere.parent.glob("agri.db*"))


@pytest.mark.parametrize("argv", [["products", "list"], ["ledger", "closed"], ["sync", "--dry-run"],
                                  ["orders", "bookmarks"], ["report", "turnover", "--period", "2024"],
                                  ["accounts", "list"], ["serve"]])
def test_the_missing_database_is_named_with_its_full_path(argv: list[str], nowhere: Path) -> None:
    result = runner.invoke(app, [*argv, "--json"] if argv != ["serve"] else argv)
    assert result.exit_code == 2
    if argv == ["serve"]:
        assert "db.missing" in result.output
        assert "agri init" in " ".join(result.output.split())
        return
    error = json.loads(result.stdout)["errors"][0]
    assert error["code"] == "db.missing"
    assert error["path"] == str(nowhere.resolve())
    assert str(nowhere.resolve()) in error["message"] and "agri init" in error["message"]
    assert not nowhere.exists()


def test_init_creates_it_and_then_it_is_read(nowhere: Path) -> None:
    assert runner.invoke(app, ["init", "--json"]).exit_code == 0
    assert nowhere.exists()
    result = runner.invoke(app, ["products", "list", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["ok"] is True


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///agri.db", Path("agri.db")),
    ("sqlite:////srv/agri.db", Path("/srv/agri.db")),
    ("sqlite:///file:/srv/agri.db?mode=ro&uri=true", Path("/srv/agri.db")),
    ("sqlite://", None),
    ("sqlite:///:memory:", None),
    ("sqlite:///file:x?mode=memory&uri=true", None),
    ("postgresql+psycopg://u@h/db", None),
])
def test_the_file_behind_an_sqlite_url(url: str, expected: Path | None) -> None:
    from sqlalchemy.engine import make_url

    assert sqlite_file(make_url(url)) == expected
