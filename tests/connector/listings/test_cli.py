"""``agri listings``: pack, bind, bind-file and orders-import through the command line."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlmodel import Session
from typer.testing import CliRunner

from adapters.base import OrderStatus
from catalog.producers import ProducerCreate, create_producer
from connector.accounts import MarketplaceAccount, set_credentials
from connector.cli.main import app
from connector.listings.layouts import load_layout
from connector.listings.order_writer import write_order_export
from connector.sandbox.server import running_sandbox
from connector.settings import get_settings
from tests.connector.listings.conftest import PRODUCER
from tests.connector.listings.helpers import fill_urls, orders

runner = CliRunner()


@pytest.fixture
def media_root(tmp_path: Path) -> Path:
    return tmp_path / "data" / "media"  # where the CLI's settings (AGRI_DATA_DIR) put the media


def agri(*args: str) -> tuple[int, dict[str, Any]]:
    outcome = runner.invoke(app, [*args, "--json"])
    return outcome.exit_code, json.loads(outcome.stdout)


def test_the_manual_path_on_the_command_line(agri_env: dict[str, str], session: Session,
                                             voso: MarketplaceAccount, tmp_path: Path) -> None:
    code, doc = agri("listings", "pack", "voso-taihoan", "--out", str(tmp_path / "pack"))
    assert code == 0 and doc["ok"] and doc["summary"]["new"] == 6 and doc["summary"]["images"] == 6
    spreadsheet = Path(doc["summary"]["spreadsheet"])
    assert spreadsheet.is_file() and Path(doc["summary"]["images_zip"]).is_file()

    code, doc = agri("listings", "pack", "voso-taihoan", "--out", str(tmp_path / "again"), "--only-changed")
    assert code == 0 and doc["summary"]["rows_written"] == 0 and doc["summary"]["unchanged"] == 6

    fill_urls(spreadsheet, "voso", {"MIEN-200": "https://voso.vn/mien-p501.html", "BUN-1": "https://tiki.vn/x-p2"})
    code, doc = agri("listings", "bind-file", "voso-taihoan", str(spreadsheet), "--report",
                     str(tmp_path / "bind-report.xlsx"))
    assert code == 1 and doc["summary"]["bindings"]["created"] == 1
    assert [e["code"] for e in doc["errors"]] == ["listings.url_foreign"]
    assert (tmp_path / "bind-report.xlsx").is_file()

    code, doc = agri("listings", "bind", "voso-taihoan", f"{PRODUCER}/BUN-1", "https://voso.vn/bun-kho-p502.html")
    assert code == 0 and doc["data"]["remote_id"] == "502" and doc["data"]["action"] == "created"

    export = write_order_export(layout=load_layout("voso"), orders=orders(OrderStatus.delivered, timedelta(hours=9)),
                                out=tmp_path / "don-hang.xlsx")
    code, doc = agri("listings", "orders-import", "voso-taihoan", str(export))
    assert code == 0 and doc["summary"]["orders"]["created"] == 2 and doc["summary"]["sales"] == 3
    code, doc = agri("orders", "import", "voso-taihoan", str(export))  # the same command under `agri orders`
    assert code == 0 and doc["summary"]["orders"]["unchanged"] == 2 and doc["summary"]["sales"] == 0


def test_unknown_account_and_unreadable_file(agri_env: dict[str, str], session: Session,
                                             voso: MarketplaceAccount, tmp_path: Path) -> None:
    code, doc = agri("listings", "pack", "khong-co", "--out", str(tmp_path))
    assert code == 2 and doc["errors"][0]["code"] == "entity.not_found"
    broken = tmp_path / "orders.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    code, doc = agri("listings", "orders-import", "voso-taihoan", str(broken))
    assert code == 2 and doc["errors"][0]["code"] == "import.file_corrupt"
    for verb in ("orders-import", "bind-file"):  # a bad --report is refused first, not a traceback after
        code, doc = agri("listings", verb, "voso-taihoan", str(broken), "--report", str(tmp_path / "r.pdf"))
        assert code == 2 and doc["errors"][0]["code"] == "import.report_type"
    code, doc = agri("listings", "pack", "voso-taihoan", "--out", str(broken))
    assert code == 2 and doc["errors"][0]["code"] == "listings.out_not_folder"


def test_sandbox_export_on_the_command_line(agri_env: dict[str, str], session: Session, postmart: MarketplaceAccount,
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("AGRI_SECRET_KEY", key)
    get_settings.cache_clear()
    with running_sandbox() as sandbox:
        credentials = sandbox.create_account("postmart", "HTX Tài Hoan")
        shop = sandbox.sandbox.state.shop_by("postmart", "partner_id", credentials["partner_id"])
        assert shop is not None
        sandbox.sandbox.state.create_product(shop, {
            "sku": "MIEN-200", "title": "Miến dong 200 g", "description": "", "price": 31_000, "stock": 50,
            "unit": "gói", "category_id": "88", "images": []})
        postmart.base_url = sandbox.url_for("postmart")
        set_credentials(account=postmart, credentials=credentials, key=SecretStr(key))
        session.add(postmart)
        session.commit()
        made = sandbox.generate_orders(3)
        out = tmp_path / "postmart-orders.xlsx"
        code, doc = agri("listings", "sandbox-export", "postmart-taihoan", str(out))
    assert code == 0 and doc["summary"]["orders"] == len(made) == 3 and out.is_file()
    code, doc = agri("listings", "orders-import", "postmart-taihoan", str(out))
    assert code == 0 and doc["summary"]["orders"]["created"] == 3


def test_an_empty_pack_says_why(agri_env: dict[str, str], session: Session, tmp_path: Path) -> None:
    other = create_producer(session=session, data=ProducerCreate(code="HTX-MOI", name="HTX Mới"))
    assert other.id is not None
    session.add(MarketplaceAccount(name="voso-moi", marketplace="voso", producer_id=other.id))
    session.commit()
    outcome = runner.invoke(app, ["listings", "pack", "voso-moi", "--out", str(tmp_path / "goi")])
    assert outcome.exit_code == 0, outcome.output
    said = " ".join(outcome.output.split())  # the console wraps long lines
    assert "chưa có sản phẩm nào" in said and "agri catalog import" in said
