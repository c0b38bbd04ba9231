"""Settings are checked like input: every command of the tree, run with a setting that cannot be used, says
which and what would work (a registered ``config.*`` code, exit 2, the JSON envelope under ``--json``) and
never prints a Python traceback; ``AGRI_DEBUG=1`` lets an unexpected error's traceback through."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from connector.cli import guard
from connector.cli.context import dispose_engines
from connector.cli.main import app, run
from connector.settings import Settings, SettingsInvalid, get_settings
from tests.connector.cli.tree import COMMANDS, READS_NO_SETTINGS, command_line

runner = CliRunner()

BROKEN = [
    ("AGRI_DATABASE_URL", "agri.db", "config.database_url_scheme"),
    ("AGRI_DATABASE_URL", "sqlite:/agri.db", "config.database_url_scheme"),
    ("AGRI_DATABASE_URL", "mysql://x", "config.database_url_unsupported"),
    ("AGRI_LANG", "fr", "config.lang"),
    ("AGRI_SECRET_KEY", "not-a-key", "config.secret_key_malformed"),
    ("AGRI_SANDBOX_URL", "localhost:8790", "config.url"),
    ("AGRI_PUBLIC_MEDIA_URL", "http://host:port/media", "config.url"),
    ("AGRI_TRUSTED_PROXIES", "10.0.0.0/33", "config.trusted_proxies"),
    ("AGRI_DEBUG", "maybe", "config.flag"),
]

@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(tmp_path)
    for name in ("AGRI_DEBUG", "AGRI_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AGRI_DATABASE_URL", f"sqlite:///{tmp_path / 'agri.db'}")
    monkeypatch.setenv("AGRI_DATA_DIR", str(tmp_path / "data"))

    def set_(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        dispose_engines()

    yield set_
    get_settings.cache_clear()
    dispose_engines()


def test_the_walk_finds_the_whole_tree() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"init", "demo", "serve", "sandbox", "worker", "sync", "products list", "ledger close",
            "listings bind-file", "accounts add", "report turnover"} <= names
    assert len(names) > 40


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_says_a_broken_setting_without_a_traceback(path: tuple[str, ...], command: Any,
                                                                  broken: Any, tmp_path: Path) -> None:
    existing = tmp_path / "input.csv"
    existing.write_text("a,b\n1,2\n", encoding="utf-8")
    broken("AGRI_DATABASE_URL", "agri.db")
    argv = command_line(path, command, existing)
    result = runner.invoke(app, argv)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if " ".join(path) in READS_NO_SETTINGS:
        assert result.exit_code in (0, 2), (argv, result.output)
        return
    assert result.exit_code == 2, (argv, result.output)
    if "--json" in argv:
        document = json.loads(result.stdout)
        assert document["ok"] is False
        assert document["errors"][0]["code"] == "config.database_url_scheme"
        assert "sqlite:///agri.db" in document["errors"][0]["message"]
    else:
        assert "config.database_url_scheme" in result.output
    assert not (tmp_path / "agri.db").exists()


@pytest.mark.parametrize(("name", "value", "code"), BROKEN)
def test_each_setting_has_its_code(name: str, value: str, code: str, broken: Any) -> None:
    broken(name, value)
    result = runner.invoke(app, ["products", "list", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["errors"][0]["code"] == code
    assert "Traceback" not in result.output


def test_a_secret_is_never_shown(broken: Any) -> None:
    broken("AGRI_SECRET_KEY", "hunter2-hunter2")
    result = runner.invoke(app, ["accounts", "list", "--json"])
    assert result.exit_code == 2
    assert "hunter2" not in result.output


@pytest.mark.parametrize(("value", "expected"), [("vi", "vi"), ("en", "en"), ("EN", "en"), ("Vi", "vi"),
                                                 ("vi-VN", "vi"), ("en-US", "en"), ("en_US.UTF-8", "en"),
                                                 (" en ", "en")])
def test_the_language_is_read_as_people_write_it(value: str, expected: str) -> None:
    assert Settings(lang=value).lang == expected


@pytest.mark.parametrize(("url", "suggestion"), [("agri.db", "sqlite:///agri.db"),
                                                 ("sqlite:/agri.db", "sqlite:///agri.db"),
                                                 ("sqlite:agri.db", "sqlite:///agri.db"),
                                                 ("mysql://x", "sqlite:///agri.db"),
                                                 ("/srv/agri.db", "sqlite:////srv/agri.db"),
                                                 ("postgres://u:pw@h/db", "postgresql+psycopg://u:***@h/db")])
def test_a_database_url_gets_a_suggestion(url: str, suggestion: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGRI_DATABASE_URL", url)
    get_settings.cache_clear()
    with pytest.raises(SettingsInvalid) as refused:
        get_settings()
    get_settings.cache_clear()
    assert refused.value.params["suggestion"] == suggestion
    assert "pw" not in refused.value.message("en")


@pytest.mark.parametrize("url", ["sqlite:///agri.db", "sqlite:////srv/agri.db", "sqlite://",
                                 "sqlite:///file:/srv/agri.db?mode=ro&uri=true",
                                 "postgresql://u@h/db", "postgresql+psycopg://u:pw@h:5432/db"])
def test_usable_database_urls_pass(url: str) -> None:
    assert Settings(database_url=url).database_url == url


def test_an_unexpected_error_is_said_not_shown(broken: Any, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    def bug(*_: Any, **__: Any) -> None:
        raise KeyError("oops")

    monkeypatch.setattr("connector.cli.context.current_engine", bug)
    monkeypatch.setattr("connector.cli.system.current_engine", bug)
    with pytest.raises(SystemExit) as ended:
        run(["init", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert ended.value.code == 1
    assert document["errors"][0]["code"] == "cli.unexpected"
    assert "KeyError" in document["errors"][0]["message"]
    assert "AGRI_DEBUG=1" in document["errors"][0]["message"]

    broken("AGRI_DEBUG", "1")
    with pytest.raises(KeyError):
        run(["init", "--json"])


def test_json_is_recognised_however_it_is_asked_for() -> None:
    assert guard.wants_json(["report", "turnover", "--format", "json"])
    assert guard.wants_json(["report", "turnover", "--format=json"])
    assert guard.wants_json(["products", "list", "--json"])
    assert not guard.wants_json(["report", "turnover", "--format", "csv"])
