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


def test_writes_outside_the_area_are_refused(db_url: str, tmp_path: Path) -> None:
    """The area guard on both kinds: an import moving another commune's producer in, and the field form
    reaching another commune's household, are refused and change nothing; the same inside the area is kept."""
    from sqlmodel import select

    from catalog.producers import Producer
    from connector.onboarding.models import TrainingRecord
    from tests.connector.web.conftest import OTHER_COMMUNE
    from tests.connector.web.test_write_scope import _FIELD, HOUSEHOLD_AS_B, MOVE_B_INTO_A

    engine = make_engine(db_url)
    seed(engine)
    settings = Settings(database_url=db_url, data_dir=tmp_path / "data")
    with TestClient(create_app(engine=engine, settings=settings)) as client:
        login(client, "canbo")
        headers = {"X-CSRF-Token": csrf_of(client)}
        moved = client.post("/api/catalogue/import", headers=headers,
                            files={"file": ("danh-muc.csv", MOVE_B_INTO_A, "text/csv")})
        assert moved.status_code == 403, moved.text
        reached = client.post("/api/onboarding/households", headers=headers, json={**_FIELD, **HOUSEHOLD_AS_B})
        assert reached.status_code == 403, reached.text
        kept = client.post("/api/onboarding/households", headers=headers,
                           json={**_FIELD, "name": "Hộ Nông Văn Tám", "phone": "0978000111", "commune": "01843"})
        assert kept.status_code == 200, kept.text
    with Session(engine) as session:
        other = session.exec(select(Producer).where(Producer.code == "HTX-KHAC")).one()
        assert other.unit_vn2025 == OTHER_COMMUNE
        trainings = session.exec(select(TrainingRecord)).all()
        assert [t.producer_id for t in trainings] != [other.id] and len(trainings) == 1
    engine.dispose()
