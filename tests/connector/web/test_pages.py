"""The pages do what each role needs, through the catalogue and register services."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlmodel import Session, col, select

from catalog.producers import Producer
from catalog.products import Product, ProductImage
from connector.web.app import create_app
from tests.connector.web.conftest import TestClient, World, csrf_of, jpeg, login


def test_login_page_is_vietnamese_by_default_and_switches_to_english(app_client: TestClient) -> None:
    assert "Đăng nhập" in app_client.get("/login").text
    app_client.get("/lang/en?next=/login")
    assert "Log in" in app_client.get("/login").text


def test_anonymous_page_redirects_to_login(app_client: TestClient) -> None:
    response = app_client.get("/products", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/products"


def test_session_cookie_is_httponly_and_samesite(app_client: TestClient) -> None:
    page = app_client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = app_client.post("/login", data={"username": "htx-na", "password": "mat-khau-dai-1", "csrf": token},
                               follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert response.headers["location"] == "/home"


def test_login_is_throttled_after_repeated_failures(app_client: TestClient) -> None:
    page = app_client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    for _ in range(5):
        bad = app_client.post("/login", data={"username": "htx-na", "password": "wrong-password", "csrf": token})
        assert bad.status_code == 401
    blocked = app_client.post("/login", data={"username": "htx-na", "password": "mat-khau-dai-1", "csrf": token})
    assert blocked.status_code == 401
    assert "quá nhiều lần" in blocked.text


def test_post_without_csrf_token_is_refused(app_client: TestClient, world: World) -> None:
    login(app_client, "htx-na")
    response = app_client.post(f"/products/{world.own_product}", data={"name": "X", "price": "1000"})
    assert response.status_code == 403
    with Session(world.engine) as session:
        assert session.get(Product, world.own_product).name == "Miến dong Nà Rì 500g"  # type: ignore[union-attr]


def test_cooperative_searches_without_accents_and_edits_its_product(app_client: TestClient, world: World) -> None:
    login(app_client, "htx-na")
    listing = app_client.get("/products", params={"q": "mien dong"})
    assert "Miến dong Nà Rì 500g" in listing.text
    assert "Chè Shan tuyết" not in app_client.get("/products").text
    csrf = csrf_of(app_client)
    saved = app_client.post(f"/products/{world.own_product}", data={
        "csrf": csrf, "name": "Miến dong Nà Rì 500g", "price": "70.000 đ", "stock": "12", "unit": "gói",
        "weight_g": "520", "description": "Miến sạch", "status": "active"})
    assert saved.status_code == 200
    assert "Đã lưu." in saved.text
    with Session(world.engine) as session:
        product = session.get(Product, world.own_product)
        assert product is not None
        assert (product.price, product.stock, product.weight_g) == (70000, 12, 520)
        assert product.content_version == 2 and product.stock_version == 2


def test_bad_price_is_shown_in_the_form_and_nothing_changes(app_client: TestClient, world: World) -> None:
    login(app_client, "htx-na")
    response = app_client.post(f"/products/{world.own_product}", data={
        "csrf": csrf_of(app_client), "name": "Miến", "price": "12,5 đồng", "stock": "1"})
    assert response.status_code == 422
    with Session(world.engine) as session:
        assert session.get(Product, world.own_product).price == 65000  # type: ignore[union-attr]


def test_photo_upload_adds_an_image_served_as_a_prepared_variant(app_client: TestClient, world: World) -> None:
    login(app_client, "htx-na")
    response = app_client.post(f"/products/{world.own_product}/photos", data={"csrf": csrf_of(app_client)},
                               files={"photo": ("camera.jpg", jpeg(), "image/jpeg")})
    assert response.status_code == 200
    assert "Đã thêm ảnh." in response.text
    with Session(world.engine) as session:
        images = list(session.exec(select(ProductImage).where(ProductImage.product_id == world.own_product)))
    assert [(i.position, i.width, i.height) for i in images] == [(1, 640, 480)]
    src = response.text.split('<div class="photos"><img src="', 1)[1].split('"', 1)[0]
    assert src.startswith("/media/")
    image = app_client.get(src)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"


def test_not_an_image_is_refused_with_its_code(app_client: TestClient, world: World) -> None:
    login(app_client, "htx-na")
    response = app_client.post(f"/products/{world.own_product}/photos", data={"csrf": csrf_of(app_client)},
                               files={"photo": ("x.jpg", b"not an image at all", "image/jpeg")})
    assert response.status_code == 422
    assert "ảnh" in response.text.lower()


def test_openapi_documents_the_api(world: World) -> None:
    client = TestClient(create_app(engine=world.engine, settings=world.settings))
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/products", "/api/products/{product_id}", "/api/catalogue/import"} <= set(paths)
    assert not any(not p.startswith("/api") for p in paths)


def test_api_uses_the_cli_envelope_and_error_codes(app_client: TestClient, world: World) -> None:
    login(app_client, "htx-na")
    body = app_client.get("/api/products").json()
    assert body["ok"] is True
    assert [p["sku"] for p in body["data"]] == ["MIEN-500"]
    assert body["summary"] == {"count": 1}
    missing = app_client.get(f"/api/products/{world.other_product}")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "entity.not_found"
    patched = app_client.patch(f"/api/products/{world.own_product}", json={"stock": 9},
                               headers={"X-CSRF-Token": csrf_of(app_client)})
    assert patched.json()["data"]["stock"] == 9
    assert patched.json()["summary"] == {"changed": ["stock"]}


def _zip_of_images(root: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        for image in sorted((root / "fixtures/catalogue/images").iterdir()):
            zipped.write(image, image.name)
    return out.getvalue()


def _fixture_files() -> dict[str, tuple[str, bytes, str]]:
    root = Path(__file__).resolve().parents[3]
    return {"file": ("catalogue.xlsx", (root / "fixtures/catalogue/catalogue.xlsx").read_bytes(),
                     "application/octet-stream"),
            "images": ("images.zip", _zip_of_images(root), "application/zip")}


def test_staff_cannot_import_producers_outside_their_communes(app_client: TestClient, world: World) -> None:
    login(app_client, "canbo")
    checked = app_client.post("/catalogue/check", data={"csrf": csrf_of(app_client)}, files=_fixture_files())
    assert "scope.outside_area" in checked.text
    assert checked.status_code == 403
    assert 'name="token"' not in checked.text
    with Session(world.engine) as session:
        assert len(session.exec(select(Producer)).all()) == 3
        assert len(session.exec(select(Product)).all()) == 2


def test_catalogue_check_then_confirm_imports_the_fixture(app_client: TestClient, world: World) -> None:
    login(app_client, "canbo-bk")
    files = _fixture_files()
    checked = app_client.post("/catalogue/check", data={"csrf": csrf_of(app_client)}, files=files)
    assert checked.status_code == 200
    assert "Kết quả kiểm tra" in checked.text
    with Session(world.engine) as session:
        assert len(session.exec(select(Product)).all()) == 2  # a check writes nothing
    token = checked.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    other = TestClient(app_client.app)
    login(other, "admin")
    stolen = other.post("/catalogue/confirm", data={"csrf": csrf_of(other), "token": token})
    assert stolen.status_code == 422  # another user cannot confirm this upload
    done = app_client.post("/catalogue/confirm", data={"csrf": csrf_of(app_client), "token": token})
    assert "Đã nhập danh mục." in done.text
    with Session(world.engine) as session:
        assert len(session.exec(select(Product)).all()) > 2
        assert session.exec(select(ProductImage)).first() is not None
    again = app_client.post("/catalogue/confirm", data={"csrf": csrf_of(app_client), "token": token})
    assert again.status_code == 422  # the staged upload is spent


def test_the_same_file_uploaded_again_is_said_to_be_unchanged(app_client: TestClient, world: World) -> None:
    login(app_client, "admin")
    lines = ["Mã chủ thể,Tên chủ thể,Xã/phường,Mã SKU,Tên sản phẩm,Đơn vị tính,Giá bán (đ)",
             *(f"HTX-WEB,HTX Nà Phặc,01843,W-{i},Miến dong {i},gói,{40000 + i}" for i in range(3))]
    files = {"file": ("mien-dong.csv", "\n".join(lines).encode(), "text/csv")}
    checked = app_client.post("/catalogue/check", data={"csrf": csrf_of(app_client)}, files=files)
    token = checked.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    done = app_client.post("/catalogue/confirm", data={"csrf": csrf_of(app_client), "token": token})
    assert "Đã nhập danh mục." in done.text and "y hệt" not in done.text
    again = app_client.post("/catalogue/check", data={"csrf": csrf_of(app_client)}, files=files)
    assert "Tệp này y hệt tệp đã nhập lúc" in again.text
    with Session(world.engine) as session:
        assert len(session.exec(select(Product).where(col(Product.sku).startswith("W-"))).all()) == 3


def test_field_form_registers_a_household_with_training_and_account(app_client: TestClient, world: World) -> None:
    from connector.accounts import MarketplaceAccount
    from connector.onboarding.models import Registration, TrainingRecord

    login(app_client, "canbo")
    form = {"csrf": csrf_of(app_client), "name": "Hoàng Văn Sáng", "phone": "0978 123 456", "commune": "01843",
            "village": "Bản Pjạc", "training_date": "2025-09-12", "training_topic": "", "platform": "voso",
            "shop": "0978123456", "opened_on": "2025-09-13"}
    response = app_client.post("/field/household", data=form)
    assert "Đã ghi nhận hộ." in response.text
    again = app_client.post("/field/household", data={**form, "csrf": csrf_of(app_client)})
    assert again.status_code == 200
    with Session(world.engine) as session:
        household = session.exec(select(Producer).where(Producer.phone == "+84978123456")).one()
        assert household.unit_vn2025 == "01843"
        assert len(session.exec(select(Registration).where(Registration.producer_id == household.id)).all()) == 1
        assert len(session.exec(select(TrainingRecord).where(TrainingRecord.producer_id == household.id)).all()) == 1
        account = session.exec(select(MarketplaceAccount).where(MarketplaceAccount.producer_id == household.id)).one()
        assert (account.marketplace, account.login_phone) == ("voso", "+84978123456")
    outside = app_client.post("/field/household", data={**form, "csrf": csrf_of(app_client), "commune": "01849",
                                                        "phone": "0978 999 111"})
    assert outside.status_code == 403
    assert "ngoài xã/phường bạn phụ trách" in outside.text
    assert 'value="0978 999 111"' in outside.text  # what was typed is kept
    with Session(world.engine) as session:
        assert session.exec(select(Producer).where(Producer.phone == "+84978999111")).first() is None


def test_staff_opens_a_household_login_with_a_one_time_code(app_client: TestClient, world: World) -> None:
    login(app_client, "canbo")
    page = app_client.post("/logins", data={"csrf": csrf_of(app_client), "producer": world.own_code,
                                            "username": "htx-na-2"})
    code = page.text.split("htxna2: ", 1)[1].split(" ", 1)[0]  # user names are folded: "htx-na-2" → "htxna2"
    household = TestClient(app_client.app)
    form = household.get("/code").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    set_password = household.post("/code", data={"csrf": form, "username": "htx-na-2", "code": code,
                                                 "password": "mat-khau-cua-ho"})
    assert "Đã đặt mật khẩu" in set_password.text
    login(household, "htx-na-2", "mat-khau-cua-ho")
    assert "Miến dong" in household.get("/products").text


def test_staff_decide_merge_candidates_in_their_area(app_client: TestClient, world: World) -> None:
    from catalog.producers import ProducerCreate, create_producer
    from connector.onboarding.models import CandidateStatus, MergeCandidate

    with Session(world.engine) as session:
        twin = create_producer(session=session, data=ProducerCreate(code="HO-NA-2", name="HTX Nà (trùng)",
                                                                    phone="0912345670", unit_vn2025="01843"))
        own = session.exec(select(Producer).where(Producer.code == world.own_code)).one()
        candidate = MergeCandidate(producer_a_id=own.id or 0, producer_b_id=twin.id, incoming_key="p|n",
                                   reason="phone_other_name")
        session.add(candidate)
        session.commit()
        candidate_id = candidate.id
    login(app_client, "canbo")
    page = app_client.get("/field/merges").text
    assert "HTX Nà (trùng)" in page and "HTX Khác" not in page
    decided = app_client.post(f"/field/merges/{candidate_id}", data={"csrf": csrf_of(app_client), "action": "merge"})
    assert "Đã ghi quyết định." in decided.text
    with Session(world.engine) as session:
        assert session.exec(select(Producer).where(Producer.code == "HO-NA-2")).first() is None
        assert session.get(MergeCandidate, candidate_id).status == CandidateStatus.merged  # type: ignore[union-attr]


def test_a_file_with_bad_rows_gets_a_marked_report_to_fix(app_client: TestClient, world: World) -> None:
    bad = ("Mã hộ,Tên hộ,Xã/phường,Mã SP,Tên sản phẩm,Giá bán,Đơn vị\n"
           "HTX-NA,HTX Nông sản Nà,01843,MIEN-1KG,Miến dong 1kg,12.5 đồng,gói\n"
           "HTX-NA,HTX Nông sản Nà,01843,MIEN-2KG,Miến dong 2kg,230.000,gói\n").encode()
    login(app_client, "canbo")
    checked = app_client.post("/catalogue/check", data={"csrf": csrf_of(app_client)},
                              files={"file": ("danh-muc.csv", bad, "text/csv")})
    assert "price." in checked.text
    link = checked.text.split('href="/catalogue/report/', 1)[1].split('"', 1)[0]
    report = app_client.get(f"/catalogue/report/{link}")
    assert report.status_code == 200
    assert report.content[:2] == b"PK"  # an .xlsx workbook
    other = TestClient(app_client.app)
    login(other, "canbo-bk")
    assert other.get(f"/catalogue/report/{link}").status_code == 422


def test_merge_candidates_say_their_reason_in_words(app_client: TestClient, world: World) -> None:
    from connector.onboarding.models import MergeCandidate

    with Session(world.engine) as session:
        candidate = session.get(MergeCandidate, world.other_candidate)
        assert candidate is not None
        candidate.reason = "phone_other_name"
        session.add(candidate)
        session.commit()
    login(app_client, "admin")
    page = app_client.get("/field/merges")
    assert "cùng số điện thoại, tên khác" in page.text
    assert "phone_other_name" not in page.text
