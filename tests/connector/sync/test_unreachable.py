"""A marketplace that does not answer stops its account within a few requests; the other accounts go on.

Counted, not timed: with nothing listening at the account's address, the run sends at most a few
requests per request slot (not every product with all its retries), reports one
``adapters.unreachable`` for the account, marks its products "not attempted" and leaves their
bindings as they were; an account on a live marketplace in the same run completes.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections import Counter

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from adapters.http import Reachability
from adapters.registry import build_adapter
from catalog.errors import UnreachableError
from connector.account_adapter import account_config
from connector.sandbox.server import running_sandbox
from connector.sync.engine import sync_accounts
from connector.sync.models import Binding, BindingState
from tests.connector.sync.live import KEY, live_shop, sandbox_images


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Counting(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.hosts: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts[f"{request.url.host}:{request.url.port}"] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_dead_marketplace_stops_its_account_and_not_the_others(session: Session) -> None:
    dead_port = _closed_port()
    with running_sandbox() as sandbox:
        dead = live_shop(session, sandbox, count=200, code="HTX-DEAD")
        alive = live_shop(session, sandbox, count=20, code="HTX-LIVE")
        dead.base_url = f"http://127.0.0.1:{dead_port}"
        session.add(dead)
        session.commit()
        transport = Counting()

        async def go():  # type: ignore[no-untyped-def]
            async with httpx.AsyncClient(transport=transport) as client:
                return await sync_accounts(
                    session=session, accounts=[dead, alive], client=client, images=sandbox_images(sandbox),
                    adapter_for=lambda a: build_adapter(account_config(a, key=SecretStr(KEY)), client),
                    concurrency=16)

        report = asyncio.run(go())
    assert [e["code"] for e in report.account_errors] == ["adapters.unreachable"]
    assert report.account_errors[0]["account"] == dead.name
    dead_results = [r for r in report.results if r.account == dead.name]
    assert len(dead_results) == 200
    assert {r.code for r in dead_results} == {"adapters.not_attempted"}
    assert all(r.outcome.value == "skipped" for r in dead_results)
    assert transport.hosts[f"127.0.0.1:{dead_port}"] <= 16 + 3  # the slots in flight, then nothing more
    assert {r.outcome.value for r in report.results if r.account == alive.name} == {"done"}
    rows = set(session.exec(select(Binding.state, Binding.push_result).where(Binding.account_id == dead.id)))
    assert rows == {(BindingState.pending_create, None)}  # as recorded before sending: nothing reached it


def test_the_breaker_trips_on_failures_in_a_row_or_on_silence_and_an_answer_resets_it() -> None:
    now = [0.0]
    reach = Reachability("voso", "shop", clock=lambda: now[0])
    reach.check()
    assert reach.failed("GET /p") is None
    reach.answered()  # an answer (even a 500) proves it is there
    assert reach.failed("GET /p") is None and reach.failed("GET /p") is None
    tripped = reach.failed("GET /p")
    assert isinstance(tripped, UnreachableError) and tripped.code == "adapters.unreachable"
    quiet = Reachability("voso", "shop", clock=lambda: now[0])
    quiet.check()
    now[0] += 10.5
    assert isinstance(quiet.failed("GET /p"), UnreachableError)  # one timeout after 10 s of silence
    try:
        quiet.check()
    except UnreachableError:
        pass
    else:
        raise AssertionError("a tripped account must refuse further requests")


def test_the_worker_and_the_pull_exit_3_with_one_error_per_account_when_nothing_answers(
        agri_env: dict[str, str], session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from connector.cli.main import app
    from connector.settings import get_settings

    with running_sandbox() as sandbox:
        first = live_shop(session, sandbox, count=5, code="HTX-A")
        second = live_shop(session, sandbox, count=5, code="HTX-B")
    dead = f"http://127.0.0.1:{_closed_port()}"
    for account in (first, second):
        account.base_url = dead
        session.add(account)
    session.commit()
    monkeypatch.setenv("AGRI_SECRET_KEY", KEY)
    get_settings.cache_clear()
    runner = CliRunner()
    for command in (["orders", "pull", "--json"], ["worker", "--once", "--json"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 3, (command, result.output)
        document = json.loads(result.stdout)
        assert document["ok"] is False
        assert {(e["account"], e["code"]) for e in document["errors"]} == {
            (first.name, "adapters.unreachable"), (second.name, "adapters.unreachable")}


def test_dropped_connections_of_a_live_marketplace_never_trip_the_account() -> None:
    """A marketplace that answers but now and then drops a connection is there: only failures to connect
    count toward the three in a row; a drop trips the account only after 10 s without any answer."""
    now = [0.0]
    reach = Reachability("voso", "shop", clock=lambda: now[0])
    reach.check()
    for _ in range(10):
        assert reach.failed("POST /p", connect=False) is None
    now[0] += 11
    assert isinstance(reach.failed("POST /p", connect=False), UnreachableError)
