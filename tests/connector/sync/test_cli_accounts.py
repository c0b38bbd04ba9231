"""``agri accounts add|list|remove`` and ``agri sync --dry-run``."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from sqlmodel import Session, create_engine
from typer.testing import CliRunner

from catalog.categories import set_category_mapping
from catalog.producers import ProducerCreate, create_producer
from catalog.products import ProductCreate, ProductImage, create_product
from connector.accounts import get_account
from connector.cli.main import app
from connector.settings import get_settings

runner = CliRunner()


@pytest.fixture
def shop_env(agri_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    engine = create_engine(agri_env["AGRI_DATABASE_URL"])
    with Session(engine) as session:
        producer = create_producer(session=session, data=ProducerCreate(code="HTX-A", name="HTX A"))
        set_category_mapping(session=session, category_code="1.1.1", marketplace="voso", remote_id="C-11")
        for i in range(2):
            product = create_product(session=session, producer=producer, data=ProductCreate(
                sku=f"MD-{i}", name=f"Miến dong {i}", price=45_000, stock=5, category_code="1.1.1" if i else None))
            session.add(ProductImage(product_id=product.id, position=1, sha256="b" * 64, size_bytes=1, width=1,
                                     height=1, format="JPEG"))
        session.commit()
    engine.dispose()
    monkeypatch.setenv("AGRI_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("AGRI_CRED_USERNAME", "htx-a")
    monkeypatch.setenv("AGRI_CRED_PASSWORD", "mật-khẩu-bí-mật")
    get_settings.cache_clear()
    return agri_env


def test_add_list_remove_never_show_secrets(shop_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["accounts", "add", "htx-a-voso", "--producer", "HTX-A", "--marketplace", "voso",
                                 "--base-url", "http://127.0.0.1:9/voso", "--json"])
    assert result.exit_code == 0, result.output
    assert "mật-khẩu" not in result.output
    data = json.loads(result.stdout)["data"]
    assert (data["name"], data["connected"], data["producer_code"]) == ("htx-a-voso", True, "HTX-A")
    listed = runner.invoke(app, ["accounts", "list", "--json"])
    assert listed.exit_code == 0
    assert "mật-khẩu" not in listed.output and "credentials" not in listed.output
    assert json.loads(listed.stdout)["summary"] == {"count": 1}
    engine = create_engine(shop_env["AGRI_DATABASE_URL"])
    with Session(engine) as session:
        stored = get_account(session=session, name="htx-a-voso").credentials_encrypted
        assert stored is not None and "mật" not in stored
    engine.dispose()
    again = runner.invoke(app, ["accounts", "add", "htx-a-voso", "--producer", "HTX-A", "--marketplace", "voso",
                                "--base-url", "http://127.0.0.1:9/voso", "--json"])
    assert again.exit_code == 2
    assert json.loads(again.stdout)["errors"][0]["code"] == "sync.account_exists"
    removed = runner.invoke(app, ["accounts", "remove", "htx-a-voso", "--json"])
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout)["data"]["deleted"] is True


def test_add_refused_without_secret_key_or_credentials(shop_env: dict[str, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGRI_CRED_PASSWORD")
    result = runner.invoke(app, ["accounts", "add", "a", "--producer", "HTX-A", "--marketplace", "voso",
                                 "--base-url", "http://127.0.0.1:9/voso", "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["errors"][0]
    assert error["code"] == "sync.credentials_missing"
    assert "AGRI_CRED_PASSWORD" in error["message"]
    monkeypatch.delenv("AGRI_SECRET_KEY")
    get_settings.cache_clear()
    result = runner.invoke(app, ["accounts", "add", "a", "--producer", "HTX-A", "--marketplace", "voso",
                                 "--base-url", "http://127.0.0.1:9/voso"])
    assert result.exit_code == 2
    assert "AGRI_SECRET_KEY" in result.output
    unknown = runner.invoke(app, ["accounts", "add", "a", "--producer", "HTX-A", "--marketplace", "lazada",
                                  "--base-url", "http://127.0.0.1:9/lazada", "--json"])
    assert unknown.exit_code == 2


def test_sync_dry_run_table_and_json(shop_env: dict[str, str]) -> None:
    added = runner.invoke(app, ["accounts", "add", "htx-a-voso", "--producer", "HTX-A", "--marketplace", "voso",
                                "--base-url", "http://127.0.0.1:9/voso"])
    assert added.exit_code == 0, added.output
    result = runner.invoke(app, ["sync", "htx-a-voso", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["create"] == 1 and document["summary"]["blocked"] == 1
    items = {i["sku"]: i for i in document["data"][0]["items"]}
    assert items["MD-0"]["reasons"][0]["code"] == "sync.category_unmapped"
    assert items["MD-1"]["action"] == "create"
    table = runner.invoke(app, ["sync", "htx-a-voso", "--dry-run"])
    assert table.exit_code == 0, table.output
    flat = "".join(table.output.split())
    assert "MD-1" in flat and "agricategoriesmap" in flat
