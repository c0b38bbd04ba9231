"""The sandbox itself: fault spec, faults, persistence, control routes, backfill, image checks, CLI."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from adapters.base import AccountConfig, ListingState, OrderStatus, RemoteImageRef
from adapters.http import RetryPolicy, set_default_policy
from adapters.registry import build_adapter
from catalog.errors import ConfigurationError, RejectedError, RetriableError
from connector.cli.main import app
from connector.sandbox import Faults, RemoteSandbox, SandboxHandle, parse_faults, running_sandbox
from tests.adapters import contract as c


@pytest.fixture(autouse=True)
def fast_policy() -> Iterator[None]:
    previous = set_default_policy(RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.005, deadline=10))
    yield
    set_default_policy(previous)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_fault_spec_parses_the_documented_example() -> None:
    faults = parse_faults("latency=50ms,5xx=0.1,429=0.05,429body=0.05,timeout=0.02,drop=0.05,token-ttl=200,rate=100/s")
    assert faults == Faults(latency=0.05, server_error=0.1, too_many=0.05, too_many_body=0.05, timeout=0.02,
                            drop=0.05, token_ttl=200, rate=100.0)
    assert parse_faults(None) == Faults()
    assert parse_faults("latency=1s,timeout-after=20ms,seed=9").timeout_after == 0.02


@pytest.mark.parametrize("spec", ["5xx=2", "drop", "rate=-1/s", "wobble=0.1", "token-ttl=0", "5xx=0.6,drop=0.6"])
def test_bad_fault_specs_are_refused(spec: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_faults(spec)
    assert caught.value.code == "adapters.sandbox_fault_spec"


def test_a_bad_fault_spec_names_the_part_and_shows_how_to_write_it() -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_faults("latency=50ms,5xx=2")
    message = caught.value.message("vi")
    assert "'5xx=2'" in message and "5xx=0.1" in message
    assert "fraction" not in message  # no English inside the Vietnamese message
    with pytest.raises(ConfigurationError) as caught:
        parse_faults("wobble=0.1")
    assert "latency=50ms" in caught.value.message("en")


def test_drop_commits_then_fails_and_timeout_does_nothing() -> None:
    with running_sandbox() as sandbox:
        config = c.account(sandbox, "voso", "drop")

        async def go() -> None:
            async with c.client() as client:
                adapter = build_adapter(config, client)
                images = await c.images_for(adapter, sandbox, "drop")
                assert await adapter.find_by_sku("DR-1") is None  # logged in before the faults start
                sandbox.set_faults("drop=1.0")
                with pytest.raises(RetriableError) as caught:
                    await adapter.upsert_listing(c.listing("DR-1", images))
                assert caught.value.params.get("sent") is True
                sandbox.set_faults("timeout=1.0,timeout-after=5ms")
                with pytest.raises(RetriableError):
                    await adapter.upsert_listing(c.listing("DR-2", images))
                sandbox.set_faults(None)
                assert await adapter.find_by_sku("DR-1") is not None  # created although the client saw a failure
                assert await adapter.find_by_sku("DR-2") is None

        run(go())
        counts = sandbox.state()["requests"]
        assert counts["drop"] >= 1 and counts["timeout"] >= 1


@pytest.mark.parametrize("key", ["voso", "postmart", "generic"])
def test_rate_limit_is_answered_429_and_the_adapter_gets_through(key: str) -> None:
    set_default_policy(RetryPolicy(max_attempts=12, base_delay=0.01, max_delay=0.2, deadline=30))
    with running_sandbox(faults="rate=20/s") as sandbox:
        config = c.account(sandbox, key, "rate")

        async def go() -> None:
            async with c.client() as client:
                adapter = build_adapter(config, client)
                results = await asyncio.gather(*(adapter.find_by_sku(f"S{i}") for i in range(40)))
                assert results == [None] * 40

        run(go())
        assert sandbox.state()["requests"].get("rate_limited", 0) > 0


def test_images_by_url_are_downloaded_and_checked() -> None:
    with running_sandbox() as sandbox:
        config = c.account(sandbox, "voso", "images")
        bad = (RemoteImageRef("url", sandbox.image_url("tiny", side=50), "t"),
               RemoteImageRef("url", f"{sandbox.base_url}/_sandbox/nothing-here.jpg", "n"))

        async def go() -> RejectedError:
            async with c.client() as client:
                adapter = build_adapter(config, client)
                with pytest.raises(RejectedError) as caught:
                    await adapter.upsert_listing(c.listing("IM-1", bad))
                return caught.value

        error = run(go())
        assert set(error.fields) == {"pictures[0]", "pictures[1]"}
        assert "300" in error.fields["pictures[0]"]


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    with running_sandbox(state_path=path) as sandbox:
        config = c.account(sandbox, "postmart", "persist")
        sandbox.advance_clock(timedelta(days=2))

        async def create() -> str:
            async with c.client() as client:
                adapter = build_adapter(config, client)
                images = await c.images_for(adapter, sandbox, "persist")
                return (await adapter.upsert_listing(c.listing("PS-1", images))).remote_id

        remote_id = run(create())
        orders = sandbox.generate_orders(3)
    assert path.exists()
    with running_sandbox(state_path=path) as again:
        moved = again.sandbox.state.clock_offset
        assert moved >= timedelta(days=2)
        restarted = AccountConfig(name="persist", marketplace="postmart", base_url=again.url_for("postmart"),
                                  credentials=config.credentials)

        async def check() -> None:
            async with c.client() as client:
                adapter = build_adapter(restarted, client)
                found = await adapter.find_by_sku("PS-1")
                assert found is not None and found.remote_id == remote_id

        run(check())
        assert again.state()["orders"] == len(orders)


def test_control_routes_drive_a_separate_sandbox() -> None:
    with running_sandbox() as sandbox:
        remote = RemoteSandbox(sandbox.base_url)
        try:
            creds = remote.create_account("generic", "HTX Remote")
            assert set(creds) == {"api_key"}
            assert remote.url_for("voso") == f"{sandbox.base_url}/voso"
            config = AccountConfig(name="r", marketplace="generic", base_url=remote.url_for("generic"),
                                   profile="sandbox", credentials=creds)

            async def create() -> None:
                async with c.client() as client:
                    adapter = build_adapter(config, client)
                    images = await c.images_for(adapter, sandbox, "remote")
                    await adapter.upsert_listing(c.listing("RM-1", images))

            run(create())
            assert len(remote.generate_orders(2)) == 2
            before = remote.state()["now"]
            remote.advance_clock(timedelta(hours=5))
            assert remote.state()["now"] > before
            remote.set_faults("5xx=0.5")
            assert sandbox.sandbox.faults.server_error == 0.5
            remote.set_faults(None)
            assert remote.resolve_reviews() == 0
            state = remote.state()
            assert state["listings"] == 1 and state["orders"] == 2
            with pytest.raises(ConfigurationError):
                remote.create_account("tiki", "x")
        finally:
            remote.close()


def test_backfill_gives_months_of_history_with_final_statuses() -> None:
    with running_sandbox(backfill_months=2) as sandbox:
        config = c.account(sandbox, "generic", "backfill")

        async def go() -> list[Any]:
            async with c.client() as client:
                adapter = build_adapter(config, client)
                images = await c.images_for(adapter, sandbox, "backfill")
                await adapter.upsert_listing(c.listing("BF-1", images))
                now = sandbox.sandbox.state.now()
                orders: list[Any] = []
                cursor = None
                while True:
                    page = await adapter.list_orders(since=now - timedelta(days=31), until=now, cursor=cursor)
                    orders += page.orders
                    cursor = page.next_cursor
                    if cursor is None:
                        return orders

        orders = run(go())
        assert len(orders) > 20
        statuses = {o.status for o in orders}
        assert OrderStatus.completed in statuses
        assert statuses & {OrderStatus.cancelled, OrderStatus.returned}
        assert min(o.placed_at for o in orders) < sandbox.sandbox.state.now() - timedelta(days=20)


def test_listings_state_reports_duplicates() -> None:
    with running_sandbox() as sandbox:
        config = c.account(sandbox, "voso", "dups")

        async def twice() -> None:
            async with c.client() as client:
                adapter = build_adapter(config, client)
                images = await c.images_for(adapter, sandbox, "dups")
                for _ in range(2):
                    created = await adapter.upsert_listing(c.listing("DU-1", images))
                    assert created.state is ListingState.active

        run(twice())
        state = sandbox.state()
        assert state["duplicates"] == 1
        assert next(iter(state["accounts"].values()))["duplicates"] == {"DU-1": 2}


def test_cli_refuses_a_bad_fault_spec() -> None:
    result = CliRunner().invoke(app, ["sandbox", "--faults", "5xx=3", "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["errors"][0]["code"] == "adapters.sandbox_fault_spec"


def test_handle_checks_marketplace_names(tmp_path: Path) -> None:
    with running_sandbox() as sandbox:
        assert isinstance(sandbox, SandboxHandle)
        with pytest.raises(ConfigurationError):
            sandbox.url_for("tiki")
        response = httpx.get(f"{sandbox.base_url}/_sandbox/health")
        assert response.json()["ok"] is True


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_fault_spec_parses_or_is_a_configuration_error(spec: str) -> None:
    code = None
    try:
        faults = parse_faults(spec)
    except ConfigurationError as error:
        code = error.code
    if code is not None:
        assert code == "adapters.sandbox_fault_spec"
    else:
        assert 0.0 <= faults.server_error + faults.too_many + faults.too_many_body + faults.timeout + faults.drop <= 1.0


def test_a_voso_session_survives_a_restart_or_logs_in_again(tmp_path: Path) -> None:
    path = tmp_path / "voso.json"
    with running_sandbox(state_path=path) as sandbox:
        config = c.account(sandbox, "voso", "session")
    with running_sandbox(state_path=path) as again:
        moved = AccountConfig(name="session", marketplace="voso", base_url=again.url_for("voso"),
                              credentials=config.credentials)

        async def go() -> None:
            async with c.client() as client:
                adapter = build_adapter(moved, client)
                assert await adapter.find_by_sku("none") is None
                again.sandbox.state.tokens.clear()  # the marketplace forgot every session
                assert await adapter.find_by_sku("none") is None  # refused once, logged in again

        run(go())
        assert again.state()["requests"]["auth_failed"] == 1


def test_a_port_in_use_and_an_unreadable_state_file_are_clear_errors(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["sandbox", "--port", str(port), "--state", str(tmp_path / "s.json"),
                                          "--json"])
        assert result.exit_code == 2, result.output
        document = json.loads(result.stdout)  # one envelope, not an "ok" one followed by uvicorn's error
        assert document["ok"] is False and document["errors"][0]["code"] == "adapters.port_in_use"
        with pytest.raises(ConfigurationError) as caught, running_sandbox(port=port):
            pass
        assert caught.value.code == "adapters.port_in_use"
    state = tmp_path / "state.json"
    state.write_bytes("Mã,Tên\n".encode("cp1258", errors="replace"))
    result = CliRunner().invoke(app, ["sandbox", "--port", "0", "--state", str(state), "--json"])
    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout)["errors"][0]["code"] == "adapters.sandbox_state_invalid"
    assert state.read_bytes() == "Mã,Tên\n".encode("cp1258", errors="replace")  # never saved over
