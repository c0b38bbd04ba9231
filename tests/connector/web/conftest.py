"""A web app on a fresh database with two cooperatives in two communes and one user of each role."""

from __future__ import annotations

import io
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import Session

from catalog.producers import ProducerCreate, ProducerKind, create_producer
from catalog.products import ProductCreate, create_product
from connector.db import make_engine
from connector.onboarding.models import MergeCandidate
from connector.settings import Settings
from connector.users import Role
from connector.web import auth
from connector.web.app import create_app
from connector.web.auth import NewUser, create_user

with warnings.catch_warnings():  # starlette wants httpx2 for its test client; httpx still works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "mat-khau-dai-1"
HOME_COMMUNE, OTHER_COMMUNE = "01843", "01849"
# the communes of the producers in fixtures/catalogue/catalogue.xlsx (all in the former Bắc Kạn)
FIXTURE_COMMUNES = ("01843", "01849", "01864", "01879", "01906", "01921", "01933", "01954", "01957", "01969",
                    "02008", "02014", "02020", "02026", "02071", "02101", "02116", "02155", "02176", "02185")


@dataclass
class World:
    engine: Engine
    settings: Settings
    own_product: int
    other_product: int
    own_code: str
    other_code: str
    other_candidate: int
    other_user: int


def seed(engine: Engine) -> dict[str, int | str]:
    with Session(engine, expire_on_commit=False) as session:
        own = create_producer(session=session, data=ProducerCreate(
            code="HTX-NA", name="HTX Nông sản Nà", kind=ProducerKind.cooperative, phone="0912345678",
            unit_vn2025=HOME_COMMUNE))
        other = create_producer(session=session, data=ProducerCreate(
            code="HTX-KHAC", name="HTX Khác", kind=ProducerKind.cooperative, phone="0987654321",
            unit_vn2025=OTHER_COMMUNE))
        twin = create_producer(session=session, data=ProducerCreate(
            code="HO-TWIN", name="Hộ trùng", phone="0987654322", unit_vn2025=OTHER_COMMUNE))
        mien = create_product(session=session, producer=own, data=ProductCreate(
            sku="MIEN-500", name="Miến dong Nà Rì 500g", price=65000, stock=3, unit="gói"))
        tea = create_product(session=session, producer=other, data=ProductCreate(
            sku="CHE-200", name="Chè Shan tuyết 200g", price=120000, stock=40, unit="hộp"))
        candidate = MergeCandidate(producer_a_id=other.id or 0, producer_b_id=twin.id, incoming_key="x|y",
                                   reason="manual")
        session.add(candidate)
        session.flush()
        create_user(session=session, data=NewUser("htx-na", "HTX Nà", Role.producer, producer_code="HTX-NA"),
                    password=PASSWORD)
        create_user(session=session, data=NewUser("canbo", "Cán bộ Lan", Role.staff, communes=(HOME_COMMUNE,),
                                                  team_member_phone="0911222333"), password=PASSWORD)
        create_user(session=session, data=NewUser("canbo-bk", "Cán bộ Bắc Kạn", Role.staff,
                                                  communes=FIXTURE_COMMUNES), password=PASSWORD)
        other_login = create_user(session=session, data=NewUser("htx-khac", "HTX Khác", Role.producer,
                                                                 producer_code="HTX-KHAC"), password=PASSWORD)
        create_user(session=session, data=NewUser("tinh", "Sở Công Thương", Role.province), password=PASSWORD)
        create_user(session=session, data=NewUser("admin", "Quản trị", Role.admin), password=PASSWORD)
        session.commit()
        return {"own_product": mien.id or 0, "other_product": tea.id or 0, "own_code": own.code,
                "other_code": other.code, "other_candidate": candidate.id or 0,
                "other_user": other_login.id or 0}


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its lowest cost: the tests check the flow, not the cost parameters."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def web_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int | str]]:
    path = tmp_path_factory.mktemp("web") / "web.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        ids = seed(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, ids


@pytest.fixture
def world(web_template: tuple[Path, dict[str, int | str]], tmp_path: Path) -> Iterator[World]:
    template, ids = web_template
    path = tmp_path / "web.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    settings = Settings(database_url=f"sqlite:///{path}", data_dir=tmp_path / "data")
    yield World(engine, settings, **ids)  # type: ignore[arg-type]
    engine.dispose()


@pytest.fixture
def app_client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(engine=world.engine, settings=world.settings)) as client:
        yield client


def csrf_of(client: TestClient) -> str:
    response = client.get("/api/me")
    assert response.status_code == 200, response.text
    token: str = response.json()["data"]["csrf_token"]
    return token


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"username": username, "password": password, "csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def jpeg(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 60)).save(out, "JPEG")
    return out.getvalue()
