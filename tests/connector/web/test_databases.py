"""The web flow on every database kind (SQLite always, PostgreSQL when CI provides it)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from catalog.products import Product
from connector.db import make_engine
from connector.settings import Settings
from connector.web.app import create_app
from tests.connector.web.conftest import TestClient, csrf_of, login, seed


def test_login_edit_and_scope(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    ids = seed(engine)
    settings = Settings(database_url=db_url, data_dir=tmp_path / "data")
    with TestClient(create_app(engine=engine, settings=settings)) as client:
        login(client, "htx-na")
        saved = client.post(f"/products/{ids['own_product']}", data={
            "csrf": csrf_of(client), "name": "Miến dong Nà Rì 500g", "price": "1tr250", "stock": "4"})
        assert saved.status_code == 200
        assert client.get(f"/products/{ids['other_product']}").status_code == 404
        assert [p["sku"] for p in client.get("/api/products", params={"q": "MIẾN"}).json()["data"]] == ["MIEN-500"]
    with Session(engine) as session:
        product = session.get(Product, ids["own_product"])
        assert product is not None and (product.price, product.stock) == (1_250_000, 4)
    engine.dispose()
