"""Bad input is a 4xx with the registry's words; an unexpected error is a 500 with an incident id, never a
traceback; nothing is cached that holds personal data; a photo that could never be shown takes no slot."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlmodel import Session, select

from catalog.products import Product, ProductImage
from connector.web.app import create_app
from tests.catalog.test_images import png_header
from tests.connector.web.conftest import TestClient, World, csrf_of, login


def _client(world: World, user: str) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(create_app(engine=world.engine, settings=world.settings), raise_server_exceptions=False)
    login(client, user)
    return client, {"X-CSRF-Token": csrf_of(client)}


def _codes(response: Any) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize(("body", "code"), [
    ({"price": 1e20}, "number.too_large"),
    ({"name": ""}, "value.required"),
    ({"name": "x" * 300}, "text.too_long"),
    ({"weight_g": -5}, "number.negative"),
    ({"stock": 10**12}, "number.too_large"),
])
def test_a_bad_edit_through_the_api_is_refused_with_its_field(world: World, body: dict[str, Any], code: str) -> None:
    client, headers = _client(world, "htx-na")
    response = client.patch(f"/api/products/{world.own_product}", json=body, headers=headers)
    assert response.status_code == 422
    assert _codes(response) == [code]
    assert response.json()["errors"][0]["column"] == next(iter(body))
    with Session(world.engine) as session:
        product = session.get(Product, world.own_product)
        assert product is not None and (product.name, product.price) == ("Miến dong Nà Rì 500g", 65000)


def test_an_id_too_large_for_the_database_is_a_4xx(world: World) -> None:
    client, _headers = _client(world, "htx-na")
    for url in ("/api/products/99999999999999999999999", "/products/99999999999999999999999"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert "Content-Security-Policy" in response.headers or url.startswith("/api")


def test_a_period_out_of_range_is_a_4xx(world: World) -> None:
    client, _headers = _client(world, "tinh")
    response = client.get("/api/province", params={"period": "1900..9999"})
    assert response.status_code == 422
    assert _codes(response) == ["period.out_of_range"]


def test_a_long_name_typed_in_the_form_is_refused_and_the_list_still_loads(world: World) -> None:
    client, headers = _client(world, "htx-na")
    saved = client.post(f"/products/{world.own_product}", data={
        "csrf": headers["X-CSRF-Token"], "name": "Miến " * 80, "price": "65000", "stock": "3"})
    assert saved.status_code == 422
    assert "tối đa 255 ký tự" in saved.text
    assert client.get("/api/products").status_code == 200


@pytest.mark.parametrize("name", ["😀" * 80 + ".csv", "danh\x00muc.csv", "../../etc/passwd.csv", "….csv"])
def test_any_upload_name_is_handled_and_nothing_stays_staged(world: World, name: str) -> None:
    client, headers = _client(world, "canbo")
    content = "Mã chủ thể,Tên chủ thể,Xã/phường,Mã SKU,Tên sản phẩm,Đơn vị tính,Giá bán (đ)\n" \
              "HTX-NA,HTX Nông sản Nà,01843,MIEN-1KG,Miến dong 1kg,gói,120000\n"
    response = client.post("/api/catalogue/import", headers=headers,
                           files={"file": (name, content.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    uploads = world.settings.data_dir / "web-uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_photo_with_too_many_pixels_is_refused_before_it_takes_a_slot(world: World) -> None:
    client, headers = _client(world, "htx-na")
    response = client.post(f"/products/{world.own_product}/photos", data={"csrf": headers["X-CSRF-Token"]},
                           files={"photo": ("big.png", png_header(13000, 13000), "image/png")})
    assert response.status_code == 422
    assert "thu nhỏ ảnh" in response.text  # what to do about it
    with Session(world.engine) as session:
        assert session.exec(select(ProductImage)).first() is None


def test_an_unexpected_error_is_a_500_with_an_incident_id_and_no_traceback(world: World,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(engine=world.engine, settings=world.settings)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret detail of a bug")

    @app.get("/boom")
    def boom_page() -> None:
        raise RuntimeError("secret detail of a bug")

    client = TestClient(app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="agri.web"):
        api = client.get("/api/boom")
        page = client.get("/boom")
    assert api.status_code == page.status_code == 500
    incident = api.json()["errors"][0]["incident"]
    assert api.json()["errors"][0]["code"] == "web.unexpected"
    assert f"incident {incident}" in caplog.text
    for response in (api, page):
        assert "secret detail" not in response.text and "Traceback" not in response.text
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in page.headers
    assert "mã sự cố" in page.text


def test_the_api_and_downloads_are_never_cached(world: World) -> None:
    client, _headers = _client(world, "htx-na")
    assert client.get("/api/me").headers["Cache-Control"] == "no-store"
    assert client.get("/catalogue/export.xlsx").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")
