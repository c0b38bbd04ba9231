"""Sales typed in or imported, and reported totals, through the ledger's services; scoped by role."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from connector.ledger.models import LedgerEntry, ReportedTotal
from tests.connector.web.conftest import TestClient, World, csrf_of, login


def _entries(world: World) -> list[LedgerEntry]:
    with Session(world.engine) as session:
        return list(session.exec(select(LedgerEntry)))


def test_cooperative_records_a_facebook_sale_on_its_own_producer(app_client: TestClient, world: World) -> None:
    login(app_client, "htx-na")
    response = app_client.post("/sales/entry", data={
        "csrf": csrf_of(app_client), "day": "2025-08-02", "platform": "facebook", "producer": world.own_code,
        "sku": "MIEN-500", "quantity": "3", "amount": "195.000 đ", "reference": "FB-0001"})
    assert response.status_code == 200
    assert "Đã ghi vào sổ bán hàng." in response.text
    [entry] = _entries(world)
    assert (entry.amount, entry.quantity, entry.platform, entry.reference) == (195000, 3, "facebook", "FB-0001")
    again = app_client.post("/sales/entry", data={
        "csrf": csrf_of(app_client), "day": "2025-08-02", "platform": "facebook", "producer": world.own_code,
        "amount": "195000", "reference": "FB-0001"})
    assert "ledger.sale_changed" in again.text  # the same receipt with other content: refused, not doubled
    assert len(_entries(world)) == 1
    other = TestClient(app_client.app)
    login(other, "htx-khac")
    assert "FB-0001" in app_client.get("/sales").text
    assert "FB-0001" not in other.get("/sales").text


def test_a_sale_for_another_producer_is_refused(app_client: TestClient, world: World) -> None:
    login(app_client, "htx-na")
    response = app_client.post("/sales/entry", data={
        "csrf": csrf_of(app_client), "day": "2025-08-02", "platform": "zalo", "producer": world.other_code,
        "amount": "100000", "reference": "Z-1"})
    assert response.status_code == 404
    assert _entries(world) == []


def test_a_sales_file_naming_a_producer_outside_the_area_writes_nothing(app_client: TestClient,
                                                                       world: World) -> None:
    login(app_client, "canbo")
    body = ("Ngày bán,Kênh bán,Mã hộ,Thành tiền,Số chứng từ\n"
            f"01/08/2025,Facebook,{world.own_code},100000,A-1\n"
            f"01/08/2025,Facebook,{world.other_code},200000,A-2\n").encode()
    refused = app_client.post("/sales/import", data={"csrf": csrf_of(app_client)},
                              files={"file": ("ban-hang.csv", body, "text/csv")})
    assert refused.status_code == 404
    assert _entries(world) == []
    mine = body.decode().splitlines()[:2]
    accepted = app_client.post("/sales/import", data={"csrf": csrf_of(app_client)},
                               files={"file": ("ban-hang.csv", "\n".join(mine).encode(), "text/csv")})
    assert accepted.status_code == 200
    assert [e.amount for e in _entries(world)] == [100000]


def test_reported_total_appears_beside_the_ledger_on_the_dashboard(app_client: TestClient, world: World) -> None:
    login(app_client, "canbo")
    app_client.post("/sales/entry", data={
        "csrf": csrf_of(app_client), "day": "2024-03-02", "platform": "voso", "producer": world.own_code,
        "amount": "1.000.000", "reference": "V-1"})
    response = app_client.post("/sales/reported", data={
        "csrf": csrf_of(app_client), "period": "2024-H1", "reporter": "Bưu điện tỉnh", "amount": "16 tỷ",
        "platform": "voso", "transactions": "12"})
    assert "Đã ghi số liệu báo cáo." in response.text
    with Session(world.engine) as session:
        assert session.exec(select(func.count()).select_from(ReportedTotal)).one() == 1
    province = TestClient(app_client.app)
    login(province, "tinh")
    page = province.get("/province", params={"period": "2024-H1"}).text
    assert "Bưu điện tỉnh" in page
    assert "16.000.000.000" in page and "1.000.000" in page


def test_api_records_a_sale_and_a_household_with_the_cli_envelope(app_client: TestClient, world: World) -> None:
    login(app_client, "canbo")
    headers = {"X-CSRF-Token": csrf_of(app_client)}
    sale = app_client.post("/api/sales", headers=headers, json={
        "day": "2025-08-02", "platform": "zalo", "producer": world.own_code, "amount": "250k", "reference": "Z-9"})
    assert sale.json()["ok"] is True
    assert sale.json()["summary"]["amount"] == 250000
    foreign = app_client.post("/api/sales", headers=headers, json={
        "day": "2025-08-02", "platform": "zalo", "producer": world.other_code, "amount": "1", "reference": "Z-10"})
    assert foreign.status_code == 404 and foreign.json()["errors"][0]["code"] == "entity.not_found"
    household = app_client.post("/api/onboarding/households", headers=headers, json={
        "name": "Lý Thị Mây", "phone": "0912 777 888", "commune": "01843", "training_date": "2025-07-01"})
    assert household.json()["ok"] is True
    assert household.json()["summary"]["households"]["created"] == 1
    total = app_client.post("/api/reported-totals", headers=headers, json={
        "period": "2025-H2", "reporter": "Voso", "amount": "300.000", "platform": "zalo"})
    assert total.json()["data"]["reported"] == 300000
    assert total.json()["data"]["ledger"] == 250000
