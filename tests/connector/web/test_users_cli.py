"""``agri users add | list | reset`` and the one-time code flow they share with the web pages."""

from __future__ import annotations

import json
import socket

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from catalog.producers import ProducerCreate, create_producer
from connector.cli.main import app
from connector.db import make_engine
from connector.web.auth import LoginRefused, authenticate, redeem_code

runner = CliRunner()


def _json(args: list[str], code: int = 0) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == code, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_add_list_reset_and_redeem(agri_env: dict[str, str]) -> None:
    engine = make_engine(agri_env["AGRI_DATABASE_URL"])
    with Session(engine) as session:
        create_producer(session=session, data=ProducerCreate(code="HTX-A", name="HTX A", unit_vn2025="01843"))
        session.commit()
    added = _json(["users", "add", "0912 345 678", "--role", "producer", "--producer", "HTX-A"])["data"]
    assert isinstance(added, dict)
    assert added["username"] == "+84912345678"
    code = added["one_time_code"]
    assert isinstance(code, str) and len(code) == 12
    staff = _json(["users", "add", "lan", "--role", "staff", "--commune", "01843", "--member-phone", "0911222333",
                   "--password", "mot-mat-khau-dai"])["data"]
    assert isinstance(staff, dict)
    assert staff["communes"] == ["01843"] and staff["team_member_id"] is not None
    listed = _json(["users", "list"])
    assert listed["summary"] == {"count": 2}
    assert "hash" not in json.dumps(listed)
    with Session(engine) as session:
        redeem_code(session=session, username="0912345678", code=code.lower(), password="mat-khau-moi-1")
        session.commit()
        assert authenticate(session=session, username="+84 912 345 678", password="mat-khau-moi-1").role == "producer"
        with pytest.raises(LoginRefused) as spent:
            redeem_code(session=session, username="0912345678", code=code, password="mat-khau-moi-2")
        assert spent.value.code == "web.code_invalid"
    reset = _json(["users", "reset", "lan"])["data"]
    assert isinstance(reset, dict) and reset["one_time_code"]
    engine.dispose()


def test_add_refuses_bad_input_with_codes(agri_env: dict[str, str]) -> None:
    unknown = _json(["users", "add", "x", "--role", "boss"], code=2)
    assert unknown["errors"][0]["code"] == "web.role_unknown"  # type: ignore[index]
    no_commune = _json(["users", "add", "x", "--role", "staff"], code=2)
    assert no_commune["errors"][0]["code"] == "web.role_needs_communes"  # type: ignore[index]
    bad_commune = _json(["users", "add", "x", "--role", "staff", "--commune", "99999"], code=2)
    assert bad_commune["errors"][0]["code"] == "web.commune_unknown"  # type: ignore[index]
    _json(["users", "add", "x", "--role", "province", "--password", "mot-mat-khau-dai"])
    taken = _json(["users", "add", "X", "--role", "province"], code=1)
    assert taken["errors"][0]["code"] == "web.username_taken"  # type: ignore[index]


def test_serve_on_a_port_in_use_says_so(agri_env: dict[str, str]) -> None:
    make_engine(agri_env["AGRI_DATABASE_URL"]).dispose()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert "adapters.port_in_use" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["serve", "--host", "999.1.1.1", "--port", "0"])
    assert result.exit_code == 2 and "adapters.listen_host" in result.output
