"""Advice that is right: the sandbox's port has its own option and follows ``AGRI_SANDBOX_URL``; an API account
is refused without its address; ``listings bind-file`` leaves an API-connected shop (and its pending pushes)
alone."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlmodel import Session, create_engine, select
from typer.testing import CliRunner

from catalog.producers import ProducerCreate, create_producer, get_producer
from catalog.products import ProductCreate, create_product
from connector.accounts import MarketplaceAccount, get_account
from connector.cli.main import app
from connector.settings import Settings, get_settings
from connector.sync import Binding

runner = CliRunner()


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port another program listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_the_sandbox_port_in_use_is_said_with_its_own_option(agri_env: dict[str, str], busy_port: int) -> None:
    result = runner.invoke(app, ["serve", "--with-sandbox", "--sandbox-port", str(busy_port), "--port", "0"])
    assert result.exit_code == 2
    said = _words(result.output)
    assert "serve.sandbox_port_in_use" in said and str(busy_port) in said
    assert "--sandbox-port" in said and "--port " not in said.replace("--sandbox-port", "")


def test_the_sandbox_port_follows_agri_sandbox_url(agri_env: dict[str, str], busy_port: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGRI_SANDBOX_URL", f"http://127.0.0.1:{busy_port}")
    get_settings.cache_clear()
    served = runner.invoke(app, ["serve", "--with-sandbox", "--port", "0"])
    assert served.exit_code == 2
    assert "serve.sandbox_port_in_use" in served.output and str(busy_port) in _words(served.output)
    alone = runner.invoke(app, ["sandbox", "--json"])
    assert alone.exit_code == 2
    error = json.loads(alone.stdout)["errors"][0]
    assert (error["code"], error["port"]) == ("adapters.port_in_use", busy_port)


def test_the_default_sandbox_port() -> None:
    assert Settings().sandbox_port == 8790
    assert Settings(sandbox_url="http://127.0.0.1:9911").sandbox_port == 9911


@pytest.fixture
def producer(agri_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    engine = create_engine(agri_env["AGRI_DATABASE_URL"])
    with Session(engine) as session:
        create_producer(session=session, data=ProducerCreate(code="HTX-A", name="HTX A"))
        session.commit()
    engine.dispose()
    monkeypatch.setenv("AGRI_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("AGRI_CRED_USERNAME", "htx-a")
    monkeypatch.setenv("AGRI_CRED_PASSWORD", "bí-mật")
    get_settings.cache_clear()
    return agri_env["AGRI_DATABASE_URL"]


@pytest.mark.parametrize(("extra", "code"), [([], "accounts.base_url_required"),
                                             (["--base-url", "voso.vn/api"], "config.url"),
                                             (["--base-url", "ftp://voso.vn"], "config.url")])
def test_an_api_account_needs_its_address(extra: list[str], code: str, producer: str) -> None:
    result = runner.invoke(app, ["accounts", "add", "htx-a-voso", "--producer", "HTX-A", "--marketplace", "voso",
                                 *extra, "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["errors"][0]
    assert error["code"] == code
    assert "http://127.0.0.1:8790/voso" in error["message"]  # the sandbox's address as the example
    engine = create_engine(producer)
    with Session(engine) as session:
        assert session.exec(select(MarketplaceAccount)).first() is None
    engine.dispose()


def test_bind_file_leaves_a_connected_shop_and_its_pending_pushes_alone(producer: str, tmp_path: Path) -> None:
    added = runner.invoke(app, ["accounts", "add", "htx-a-voso", "--producer", "HTX-A", "--marketplace", "voso",
                                "--base-url", "http://127.0.0.1:9/voso"])
    assert added.exit_code == 0, added.output
    engine = create_engine(producer)
    with Session(engine) as session:
        account = get_account(session=session, name="htx-a-voso")
        product = create_product(session=session, producer=get_producer(session=session, code="HTX-A"),
                                 data=ProductCreate(sku="MD-1", name="Miến dong", price=45_000, stock=239))
        assert account.id is not None and product.id is not None
        session.add(Binding(account_id=account.id, product_id=product.id, remote_id="351", pending_hash="push",
                            stock_version=product.stock_version - 1))
        session.commit()
        before = session.exec(select(Binding)).one().model_dump()
    pack = tmp_path / "pack.xlsx"
    pack.write_bytes(b"not read")
    result = runner.invoke(app, ["listings", "bind-file", "htx-a-voso", str(pack), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["errors"][0]["code"] == "listings.bind_file_connected"
    with Session(engine) as session:
        assert session.exec(select(Binding)).one().model_dump() == before
    engine.dispose()
