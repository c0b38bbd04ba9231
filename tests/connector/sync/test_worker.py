"""``agri worker``: stock pushed, failures retried, reviews polled — and nothing else touched."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog.errors import CatalogueValidationError
from catalog.image_store import ImageStore
from catalog.products import ProductUpdate, update_product
from connector.cli.main import app
from connector.sandbox import running_sandbox
from connector.settings import get_settings
from connector.sync.engine import sync_accounts
from connector.sync.models import Binding, BindingState, PushResult
from connector.worker import parse_interval, run_pass
from tests.connector.sync.fakes import products_of
from tests.connector.sync.live import KEY, live_shop

runner = CliRunner()


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1000, 1000), (90, 60, 30)).save(out, "JPEG")
    return out.getvalue()


def test_interval() -> None:
    assert parse_interval("5m").total_seconds() == 300
    assert parse_interval("30s").total_seconds() == 30
    assert parse_interval("2").total_seconds() == 120
    with pytest.raises(CatalogueValidationError):
        parse_interval("soon")


def test_worker_pass(agri_env: dict[str, str], session: Session, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    sha, _ = ImageStore(tmp_path / "data" / "media").put_original(_photo())
    with running_sandbox(review_fraction=1.0) as sandbox:
        monkeypatch.setenv("AGRI_SECRET_KEY", KEY)
        monkeypatch.setenv("AGRI_PUBLIC_MEDIA_URL", f"{sandbox.base_url}/_sandbox/images")
        get_settings.cache_clear()
        account = live_shop(session, sandbox, count=3, image_sha=sha)
        first = asyncio.run(sync_accounts(session=session, accounts=[account]))
        assert first.ok, first.failures
        bindings = list(session.exec(select(Binding)))
        assert {b.state for b in bindings} == {BindingState.pending_review}
        p = products_of(session, account)
        update_product(session=session, product=p[0], data=ProductUpdate(stock=77))
        update_product(session=session, product=p[1], data=ProductUpdate(name="Miến dong thử lại"))
        update_product(session=session, product=p[2], data=ProductUpdate(name="Miến dong đổi tên"))
        failed = session.exec(select(Binding).where(Binding.product_id == p[1].id)).one()
        failed.push_result = PushResult.failed  # its last update failed (it stays under review)
        session.add(failed)
        session.commit()
        sandbox.resolve_reviews()
        result = run_pass(session=session)
        assert result.sync.ok, (result.sync.failures, result.sync.account_errors)
        assert result.sync.counts()["done"] == 2  # the stock, and the retried update; not the renamed one
        titles = {prod.sku: (prod.title, prod.stock) for prod in sandbox.sandbox.state.products.values()}
        assert titles[p[0].sku][1] == 77 * 1  # no rules: all the stock
        assert titles[p[1].sku][0] == "Miến dong thử lại"
        assert titles[p[2].sku][0] != "Miến dong đổi tên"  # content changes wait for `agri sync`
        assert sum(result.sync.reviews.values()) >= 1
        session.expire_all()
        states = {b.product_id: b.state.value for b in session.exec(select(Binding))}
        remote = {x.sku: x.status.replace("pending", "pending_review") for x in sandbox.sandbox.state.products.values()}
        assert {prod.sku: states[prod.id] for prod in p} == remote  # bindings say what the marketplace says
        assert "active" in remote.values()
        cli = runner.invoke(app, ["worker", "--once", "--json"])
        assert cli.exit_code == 0, cli.output
        assert json.loads(cli.stdout)["data"]["sync"]["done"] == 0


def test_sync_command_table_and_report(agri_env: dict[str, str], session: Session, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sha, _ = ImageStore(tmp_path / "data" / "media").put_original(_photo())
    with running_sandbox() as sandbox:
        monkeypatch.setenv("AGRI_SECRET_KEY", KEY)
        monkeypatch.setenv("AGRI_PUBLIC_MEDIA_URL", f"{sandbox.base_url}/_sandbox/images")
        get_settings.cache_clear()
        account = live_shop(session, sandbox, count=4, image_sha=sha)
        update_product(session=session, product=products_of(session, account)[0],
                       data=ProductUpdate(category_code="1.1.2"))  # no mapping: blocked
        session.commit()
        report = tmp_path / "dong-bo.xlsx"
        result = runner.invoke(app, ["sync", account.name, "--report", str(report)])
        assert result.exit_code == 1, result.output  # one listing blocked
        flat = "".join(result.output.split())
        assert "Cầnxửlý" in flat and "LV-00000" in flat
        sheet = load_workbook(report).active
        assert sheet is not None
        outcomes = sorted(str(row[3].value) for row in sheet.iter_rows(min_row=2))
        assert outcomes == ["Bị chặn", "Xong", "Xong", "Xong"]
        again = runner.invoke(app, ["sync", account.name, "--json"])
        assert json.loads(again.stdout)["summary"]["unchanged"] == 3
