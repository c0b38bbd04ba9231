"""The exit-code table of ``docs/CLI.md`` holds: a bad argument is 2, closing a closed period is 0 (and says since
when, as a local date), a wrong ``AGRI_SECRET_KEY`` is 2 (configuration), a marketplace that cannot be
reached stays 3."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import update
from sqlmodel import Session, create_engine
from typer.testing import CliRunner

from catalog.producers import ProducerCreate, create_producer
from connector.cli.main import app
from connector.cli.output import ExitCode, run_outcome
from connector.ledger.models import PeriodClose
from connector.settings import get_settings

runner = CliRunner()


def _run(argv: list[str]) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, [*argv, "--json"])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(("period", "code"), [("2027", "ledger.period_not_over"), ("2099-Q1", "ledger.period_not_over"),
                                              ("all", "ledger.period_open_ended"),
                                              ("20x", "onboarding.period_invalid")])
def test_a_period_that_cannot_be_closed_is_a_bad_argument(period: str, code: str, agri_env: dict[str, str]) -> None:
    exit_code, document = _run(["ledger", "close", period])
    assert exit_code == 2
    assert document["errors"][0]["code"] == code


def test_closing_a_closed_period_is_done_and_says_since_when(agri_env: dict[str, str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = _run(["ledger", "close", "2024"])
    assert first == 0
    engine = create_engine(agri_env["AGRI_DATABASE_URL"])
    with Session(engine) as session:  # closed at 23:30 UTC: already the next day in Việt Nam
        session.execute(update(PeriodClose).values(closed_at=datetime(2025, 1, 31, 23, 30, tzinfo=UTC)))
        session.commit()
    engine.dispose()
    again, document = _run(["ledger", "close", "2024"])
    assert again == 0
    assert document["ok"] is True and document["data"]["already_closed"] is True
    assert document["summary"]["notice"] == "Kỳ 2024 đã khóa sổ ngày 2025-02-01; không có gì thay đổi."
    monkeypatch.setenv("AGRI_LANG", "en")
    get_settings.cache_clear()
    result = runner.invoke(app, ["ledger", "close", "2024"])
    assert result.exit_code == 0
    assert "already closed on 2025-02-01" in " ".join(result.output.split())
    overlapping, document = _run(["ledger", "close", "2024-Q1"])
    assert overlapping == 2
    assert document["errors"][0]["code"] == "ledger.period_overlaps"


@pytest.mark.parametrize("argv", [["sync"], ["orders", "pull"], ["worker", "--once"]])
def test_a_wrong_secret_key_is_a_configuration_error(argv: list[str], agri_env: dict[str, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(agri_env["AGRI_DATABASE_URL"])
    with Session(engine) as session:
        create_producer(session=session, data=ProducerCreate(code="HTX-A", name="HTX A"))
        session.commit()
    engine.dispose()
    monkeypatch.setenv("AGRI_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("AGRI_CRED_USERNAME", "htx-a")
    monkeypatch.setenv("AGRI_CRED_PASSWORD", "bí-mật")
    get_settings.cache_clear()
    added = runner.invoke(app, ["accounts", "add", "htx-a-voso", "--producer", "HTX-A", "--marketplace", "voso",
                                "--base-url", "http://127.0.0.1:9/voso"])
    assert added.exit_code == 0, added.output
    monkeypatch.setenv("AGRI_SECRET_KEY", Fernet.generate_key().decode())  # the key was changed since
    get_settings.cache_clear()
    exit_code, document = _run(argv)
    assert exit_code == 2
    assert {e["code"] for e in document["errors"]} == {"config.secret_key_invalid"}


@pytest.mark.parametrize(("ok", "nothing_done", "codes", "expected"), [
    (True, False, [], ExitCode.OK),
    (False, False, ["config.secret_key_invalid"], ExitCode.PARTIAL),
    (False, True, ["config.secret_key_invalid", "config.secret_key_invalid"], ExitCode.USAGE),
    (False, True, ["adapters.unreachable"], ExitCode.UNAVAILABLE),
    (False, True, ["config.secret_key_invalid", "adapters.unreachable"], ExitCode.UNAVAILABLE),
])
def test_a_run_over_accounts_ends_with_the_code_of_what_stopped_it(ok: bool, nothing_done: bool, codes: list[str],
                                                                     expected: ExitCode) -> None:
    assert run_outcome(ok=ok, nothing_done=nothing_done, errors=[{"code": c} for c in codes]) == expected
