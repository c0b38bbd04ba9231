"""End to end in a real browser: Debian's chromium driven by Playwright, the app served by uvicorn.

Each role logs in and does its main task; the main pages are saved as screenshots at phone
(390 px) and desk (1280 px) widths under ``tests/connector/web/screenshots/``.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from catalog.producers import Producer
from catalog.products import Product, ProductImage
from connector.web.app import create_app
from tests.connector.web.conftest import PASSWORD, World, jpeg

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
SHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
WIDTHS = {"phone": (390, 844), "desk": (1280, 900)}


class Served:
    """The app under uvicorn on a free loopback port, in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])),
                                       daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return self
            threading.Event().wait(0.05)
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def served(world: World) -> Iterator[Served]:
    with Served(create_app(engine=world.engine, settings=world.settings)) as running:
        yield running


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


def open_as(browser: Any, served: Served, username: str) -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.goto(served.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def _orders_and_rejection(world: World) -> None:
    """A pending voso order (confirm within 24 h) and a listing the marketplace refused, for the home page."""
    from datetime import UTC, datetime, timedelta

    from connector.accounts import MarketplaceAccount
    from connector.orders.models import SalesOrder
    from connector.sync.models import Binding, BindingState

    with Session(world.engine) as session:
        producer = session.exec(select(Producer).where(Producer.code == world.own_code)).one()
        account = MarketplaceAccount(name="htx-na-voso", marketplace="voso", producer_id=producer.id or 0)
        session.add(account)
        session.flush()
        placed = datetime.now(UTC) - timedelta(hours=3)
        session.add(SalesOrder(account_id=account.id or 0, remote_id="VS-240917-0042", status="pending",
                               raw_status="Chờ xác nhận", placed_at=placed, updated_at=placed, total=195000,
                               confirm_by=placed + timedelta(hours=24)))
        session.add(Binding(account_id=account.id or 0, product_id=world.own_product, state=BindingState.rejected,
                            last_error={"code": "market.rejected", "message": "Sàn từ chối: ảnh nhỏ hơn 800 px",
                                        "fields": {"images": "cạnh ngắn tối thiểu 800 px"}}))
        session.commit()


def test_cooperative_edits_a_product_and_adds_a_photo(browser: Any, served: Served, world: World,
                                                      tmp_path: Path) -> None:
    _orders_and_rejection(world)
    page = open_as(browser, served, "htx-na")
    page.wait_for_url("**/home")
    content = page.content()
    assert "Sắp hết hàng" in content and "VS-240917-0042" in content and "800 px" in content
    shoot(page, "login-home-cooperative")
    page.click("text=Sản phẩm")
    page.fill("input[name=q]", "mien dong")
    page.click("form.search button")
    page.click("text=Miến dong Nà Rì 500g")
    shoot(page, "products-edit")
    page.fill("input[name=price]", "72.000")
    page.fill("input[name=stock]", "30")
    page.click("form.card >> button[type=submit]")
    page.wait_for_selector("text=Đã lưu.")
    photo = tmp_path / "camera.jpg"
    photo.write_bytes(jpeg(2400, 1800))
    page.set_input_files("input[name=photo]", str(photo))
    page.wait_for_selector(".preview:not([hidden])")
    page.click(".photo-form button")
    page.wait_for_selector(".photos img")
    photo_shown = page.locator(".photos img").first
    photo_shown.scroll_into_view_if_needed()
    for _ in range(100):  # wait_for_function evaluates a string, which the pages' CSP rightly forbids
        if photo_shown.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the product photo did not load")
    shoot(page, "product-with-photo")
    with Session(world.engine) as session:
        product = session.get(Product, world.own_product)
        assert product is not None and (product.price, product.stock) == (72000, 30)
        image = session.exec(select(ProductImage).where(ProductImage.product_id == world.own_product)).one()
        assert max(image.width, image.height) <= 1600  # shrunk on the "phone" before upload
    page.goto(served.url + "/lang/en?next=/products")
    assert "Products" in page.content()
    shoot(page, "products-list-en")


def test_support_staff_upload_the_catalogue_and_register_a_household(browser: Any, served: Served, world: World,
                                                                     tmp_path: Path) -> None:
    archive = tmp_path / "images.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for image in sorted((ROOT / "fixtures/catalogue/images").iterdir()):
            zipped.write(image, image.name)
    catalogue = tmp_path / "catalogue.xlsx"
    shutil.copy(ROOT / "fixtures/catalogue/catalogue.xlsx", catalogue)
    page = open_as(browser, served, "canbo-bk")
    page.wait_for_url("**/field")
    page.click("text=Tải danh mục")
    page.set_input_files("input[name=file]", str(catalogue))
    page.set_input_files("input[name=images]", str(archive))
    page.click("form[action='/catalogue/check'] button")
    page.wait_for_selector("text=Kết quả kiểm tra")
    shoot(page, "catalogue-report")
    with Session(world.engine) as session:
        assert session.exec(select(Producer).where(col(Producer.code).not_in(["HTX-NA", "HTX-KHAC", "HO-TWIN"]))
                            ).first() is None  # the check wrote nothing
    page.click("text=Xác nhận nhập")
    page.wait_for_selector("text=Đã nhập danh mục.")
    with Session(world.engine) as session:
        products = session.exec(select(Product)).all()
        assert len(products) > 2
        assert session.exec(select(ProductImage)).first() is not None
    page.click("text=Đăng ký tại hộ")
    page.fill("input[name=name]", "Hoàng Văn Sáng")
    page.fill("input[name=phone]", "0978 123 456")
    page.select_option("select[name=commune]", "01843")
    page.fill("input[name=village]", "Bản Pjạc")
    page.fill("input[name=training_date]", "2025-09-12")
    page.check("input[name=platform][value=voso]")
    page.fill("input[name=shop]", "0978123456")
    shoot(page, "field-form")
    page.click("form[action='/field/household'] button[type=submit]")
    page.wait_for_selector("text=Đã ghi nhận hộ.")
    with Session(world.engine) as session:
        household = session.exec(select(Producer).where(Producer.phone == "+84978123456")).one()
        assert household.name == "Hoàng Văn Sáng" and household.unit_vn2025 == "01843"
    page.click("text=Hộ có thể trùng")
    shoot(page, "merges")


def _sales(world: World, tmp_path: Path) -> None:
    """A few sales on channels without an API, through the ledger's own import."""
    from connector.ledger.sales import import_sales

    path = tmp_path / "ban-hang.csv"
    path.write_text("Ngày bán,Kênh bán,Mã hộ,Thành tiền,Số chứng từ\n"
                    f"05/01/2025,Facebook,{world.own_code},1.250.000,FB-1\n"
                    f"12/02/2025,Zalo,{world.own_code},800.000,ZL-1\n"
                    f"20/02/2025,Voso,{world.other_code},2.400.000,VS-1\n", encoding="utf-8")
    with Session(world.engine) as session:
        assert import_sales(session=session, path=path).committed
        session.commit()


def test_province_reads_the_dashboard_and_downloads_excel(browser: Any, served: Served, world: World,
                                                          tmp_path: Path) -> None:
    _sales(world, tmp_path)
    page = open_as(browser, served, "tinh")
    page.wait_for_url("**/province")
    page.fill("input[name=period]", "2025")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/province?period=2025")
    assert "không có dữ liệu cá nhân" in page.content()
    assert "4.450.000" in page.content()
    assert page.locator("svg rect.bar").count() > 0
    shoot(page, "province-dashboard")
    with page.expect_download() as download:
        page.click("text=Xuất Excel")
    saved = tmp_path / "report.xlsx"
    download.value.save_as(str(saved))
    book = load_workbook(saved, read_only=True)
    assert book.sheetnames == ["Chỉ tiêu", "Sản phẩm theo huyện", "Phễu", "Doanh thu", "Chỉ tiêu TMĐT",
                               "Báo cáo và sổ"]
    rows = list(book["Chỉ tiêu"].iter_rows(values_only=True))
    assert ("Sản phẩm", 2) in [tuple(r[:2]) for r in rows]
    book.close()


def test_support_staff_run_a_sync_against_the_sandbox(browser: Any, world: World, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.fernet import Fernet
    from pydantic import SecretStr

    from catalog.categories import set_category_mapping
    from catalog.image_store import ImageStore
    from connector.accounts import create_account
    from connector.sandbox import running_sandbox
    from connector.settings import get_settings
    from connector.sync.models import Binding
    from connector.web.services import add_product_photo

    key = Fernet.generate_key().decode()
    monkeypatch.setenv("AGRI_SECRET_KEY", key)
    monkeypatch.setenv("AGRI_DATA_DIR", str(world.settings.data_dir))
    get_settings.cache_clear()
    try:
        with running_sandbox() as sandbox:
            with Session(world.engine, expire_on_commit=False) as session:
                product = session.get(Product, world.own_product)
                producer = session.get(Producer, product.producer_id if product else 0)
                assert product is not None and producer is not None
                set_category_mapping(session=session, category_code="1.1.1", marketplace="postmart", remote_id="1001")
                product.category_code, product.weight_g = "1.1.1", 500
                product.description = "Miến dong làm thủ công ở Nà Rì."
                add_product_photo(session=session, store=ImageStore(world.settings.media_dir), product=product,
                                  data=jpeg(1200, 1200))
                create_account(session=session, name="htx-na-postmart", producer=producer, marketplace="postmart",
                               credentials=sandbox.create_account("postmart", "Gian hàng HTX Nà"),
                               key=SecretStr(key), base_url=sandbox.url_for("postmart"))
                session.commit()
            with Served(create_app(engine=world.engine, settings=get_settings().model_copy(
                    update={"database_url": world.settings.database_url}))) as served:
                page = open_as(browser, served, "canbo")
                page.wait_for_url("**/field")
                page.goto(served.url + "/sync")
                shoot(page, "sync-form")
                page.click("form[action='/sync'] button[type=submit]")
                page.wait_for_selector(".sync-finished", timeout=60_000)
                shoot(page, "sync-progress")
                page.goto(served.url + "/listings")
                shoot(page, "listings")
            with Session(world.engine) as session:
                binding = session.exec(select(Binding).where(Binding.product_id == world.own_product)).one()
                assert binding.state == "active", binding.last_error
                assert binding.remote_id
            remote = [p for p in sandbox.sandbox.state.products.values() if p.sku == "MIEN-500"]
            assert len(remote) == 1
    finally:
        get_settings.cache_clear()
