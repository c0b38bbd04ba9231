"""Listing packs downloaded from the listings page, and the bind form for a listing made by hand."""

from __future__ import annotations

import io
import zipfile

from sqlmodel import Session, select

from catalog.producers import Producer
from connector.accounts import MarketplaceAccount
from connector.sync.models import Binding
from tests.connector.web.conftest import TestClient, World, csrf_of, login


def _voso_account(world: World, code: str) -> int:
    with Session(world.engine) as session:
        producer = session.exec(select(Producer).where(Producer.code == code)).one()
        account = MarketplaceAccount(name=f"{code.lower()}-voso", marketplace="voso", producer_id=producer.id or 0)
        session.add(account)
        session.commit()
        return account.id or 0


def test_pack_download_and_manual_bind(app_client: TestClient, world: World) -> None:
    account_id = _voso_account(world, world.own_code)
    other_account = _voso_account(world, world.other_code)
    login(app_client, "htx-na")
    page = app_client.get("/listings").text
    assert f"/listings/pack/{account_id}.zip" in page
    assert f"/listings/pack/{other_account}.zip" not in page
    pack = app_client.get(f"/listings/pack/{account_id}.zip")
    assert pack.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(pack.content)).namelist()
    assert names == ["htx-na-voso-pack.xlsx", "htx-na-voso-images.zip"]
    assert app_client.get(f"/listings/pack/{other_account}.zip").status_code == 404
    bound = app_client.post("/listings/bind", data={
        "csrf": csrf_of(app_client), "account": str(account_id), "product": str(world.own_product),
        "listing": "https://voso.vn/mien-dong-na-ri-500g-p123456.html"})
    assert bound.status_code == 200
    with Session(world.engine) as session:
        binding = session.exec(select(Binding).where(Binding.account_id == account_id)).one()
        assert (binding.remote_id, binding.manual, binding.product_id) == ("123456", True, world.own_product)
    foreign = app_client.post("/listings/bind", data={
        "csrf": csrf_of(app_client), "account": str(other_account), "product": str(world.own_product),
        "listing": "https://voso.vn/x-p9.html"})
    assert foreign.status_code == 404
