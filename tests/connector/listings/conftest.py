"""The fixture catalogue imported once per test (one photo carries GPS tags, as phone photos
do), and marketplace accounts with channel rules on one cooperative."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, select

from catalog.categories import set_category_mapping
from catalog.importing import import_catalogue
from catalog.producers import Producer
from connector.accounts import MarketplaceAccount

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "catalogue"
PRODUCER = "HTX-TAIHOAN"
GPS_PHOTO = f"{PRODUCER}_MIEN-500.jpg"
RULES = {"markup_percent": "10", "price_round_to": 1000, "stock_buffer_percent": "20"}
LONG_TITLE = ("Miến dong Bắc Kạn loại đặc biệt sợi dai, không chất bảo quản, sản xuất thủ công từ củ dong riềng "
              "trồng tại xã Côn Minh, huyện Na Rì, tỉnh Bắc Kạn, đóng gói 200 g tiện lợi cho gia đình")


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (22.0, 8.0, 30.0), 3: "E", 4: (105.0, 50.0, 10.0)}
    return exif


@pytest.fixture
def media_root(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def catalogue(session: Session, tmp_path: Path, media_root: Path) -> Producer:
    """The fixture catalogue; returns the cooperative whose products the tests list."""
    images = tmp_path / "images"
    shutil.copytree(FIXTURES / "images", images)
    with Image.open(images / GPS_PHOTO) as photo:
        photo.load()
        photo.save(images / GPS_PHOTO, exif=gps_exif())
    result = import_catalogue(session=session, path=FIXTURES / "catalogue.xlsx", images=images,
                              media_root=media_root)
    assert not result.errors
    producer = session.exec(select(Producer).where(Producer.code == PRODUCER)).one()
    for marketplace, remote_id, path in (("voso", "1201", "Thực phẩm > Đồ khô > Miến, bún, phở"),
                                         ("postmart", "88", "Đặc sản vùng miền > Miến dong")):
        set_category_mapping(session=session, category_code="1.3.2", marketplace=marketplace, remote_id=remote_id,
                             remote_path=path)
    session.commit()
    return producer


def make_account(session: Session, producer: Producer, marketplace: str) -> MarketplaceAccount:
    assert producer.id is not None
    account = MarketplaceAccount(name=f"{marketplace}-taihoan", marketplace=marketplace, producer_id=producer.id,
                                 rules={**RULES, "title_overrides": {"MIEN-200": LONG_TITLE}})
    session.add(account)
    session.commit()
    return account


@pytest.fixture
def voso(session: Session, catalogue: Producer) -> MarketplaceAccount:
    return make_account(session, catalogue, "voso")


@pytest.fixture
def postmart(session: Session, catalogue: Producer) -> MarketplaceAccount:
    return make_account(session, catalogue, "postmart")
