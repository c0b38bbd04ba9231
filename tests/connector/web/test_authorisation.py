"""Every route × every role: who may use it, and that nobody reaches another producer's data by an id.

The table below must name every route the app serves (a new route without an entry fails the
first test), with the roles that may use it.  Anonymous users are sent to the login page (pages)
or get 401 (API); a role not listed gets 403; a listed role gets neither, and with the id of an
object outside its scope it gets 404 and nothing changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from catalog.products import Product
from connector.web.app import route_table
from tests.connector.web.conftest import TestClient, World, csrf_of, jpeg, login

P, S, V, A = "producer", "staff", "province", "admin"
ALL = frozenset({P, S, V, A})
PUBLIC = frozenset({"anonymous", P, S, V, A})
ACCESS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): ALL,
    ("GET", "/code"): PUBLIC,
    ("POST", "/code"): PUBLIC,
    ("GET", "/lang/{lang}"): PUBLIC,
    ("GET", "/account"): ALL,
    ("POST", "/account/password"): ALL,
    ("POST", "/account/logout-everywhere"): ALL,
    ("GET", "/home"): frozenset({P, S, A}),
    ("GET", "/products"): frozenset({P, S, A}),
    ("GET", "/products/{product_id}"): frozenset({P, S, A}),
    ("POST", "/products/{product_id}"): frozenset({P, S, A}),
    ("POST", "/products/{product_id}/photos"): frozenset({P, S, A}),
    ("GET", "/catalogue"): frozenset({S, A}),
    ("POST", "/catalogue/check"): frozenset({S, A}),
    ("POST", "/catalogue/confirm"): frozenset({S, A}),
    ("GET", "/catalogue/export.xlsx"): frozenset({P, S, A}),
    ("GET", "/catalogue/report/{token}.xlsx"): frozenset({S, A}),
    ("GET", "/catalogue/template.xlsx"): frozenset({P, S, A}),
    ("GET", "/field"): frozenset({S, A}),
    ("POST", "/field/household"): frozenset({S, A}),
    ("GET", "/field/merges"): frozenset({S, A}),
    ("POST", "/field/merges/{candidate_id}"): frozenset({S, A}),
    ("GET", "/logins"): frozenset({S, A}),
    ("POST", "/logins"): frozenset({S, A}),
    ("POST", "/logins/{user_id}/reset"): frozenset({S, A}),
    ("GET", "/province"): frozenset({V, A}),
    ("GET", "/province/export.xlsx"): frozenset({V, A}),
    ("GET", "/listings"): frozenset({P, S, A}),
    ("POST", "/listings/{binding_id}/retry"): frozenset({P, S, A}),
    ("GET", "/sync"): frozenset({P, S, A}),
    ("GET", "/listings/pack/{account_id}.zip"): frozenset({P, S, A}),
    ("POST", "/listings/bind"): frozenset({P, S, A}),
    ("GET", "/sales"): frozenset({P, S, A}),
    ("POST", "/sales/entry"): frozenset({P, S, A}),
    ("POST", "/sales/import"): frozenset({P, S, A}),
    ("POST", "/sales/reported"): frozenset({S, A}),
    ("POST", "/sync"): frozenset({P, S, A}),
    ("GET", "/sync/runs/{run_id}"): frozenset({P, S, A}),
    ("GET", "/api/me"): ALL,
    ("GET", "/api/products"): frozenset({P, S, A}),
    ("GET", "/api/products/{product_id}"): frozenset({P, S, A}),
    ("PATCH", "/api/products/{product_id}"): frozenset({P, S, A}),
    ("POST", "/api/catalogue/import"): frozenset({S, A}),
    ("GET", "/api/merge-candidates"): frozenset({S, A}),
    ("GET", "/api/province"): frozenset({V, A}),
    ("GET", "/api/listings"): frozenset({P, S, A}),
    ("POST", "/api/onboarding/households"): frozenset({S, A}),
    ("POST", "/api/sales"): frozenset({P, S, A}),
    ("POST", "/api/reported-totals"): frozenset({S, A}),
    ("POST", "/api/sync"): frozenset({P, S, A}),
    ("GET", "/api/sync/runs/{run_id}"): frozenset({P, S, A}),
}
SESSION_ENDERS = [("POST", "/logout"), ("POST", "/account/logout-everywhere")]
EXTRA: dict[str, frozenset[str]] = {}  # routes added by features as they land: see test_every_route_is_in_the_table
# no run and no account exist yet: not found, whoever asks
NOT_FOUND_BY_DESIGN = {("/sync/runs/{run_id}", 404), ("/api/sync/runs/{run_id}", 404),
                       ("/listings/pack/{account_id}.zip", 404), ("/catalogue/report/{token}.xlsx", 422)}
JSON_BODIES: dict[str, dict[str, Any]] = {
    "/api/sync": {"accounts": []},
    "/api/onboarding/households": {"name": "Hộ Thử", "phone": "0978000111", "commune": "01843"},
    "/api/sales": {"day": "2025-01-02", "platform": "facebook", "producer": "HTX-NA", "amount": "1000",
                   "reference": "T-1"},
    "/api/reported-totals": {"period": "2024", "reporter": "Bưu điện", "amount": "1000"},
}
USERS = {P: "htx-na", S: "canbo", V: "tinh", A: "admin"}
ROLES = ["anonymous", P, S, V, A]


def own_ids(world: World) -> dict[str, Any]:
    return {"product_id": world.own_product, "lang": "en", "candidate_id": world.other_candidate,
            "user_id": world.other_user, "binding_id": 1, "run_id": "no-such-run",
            "account_id": 999, "token": "no-such-upload-token"}


def request(client: TestClient, method: str, path: str, ids: dict[str, Any], csrf: str | None,
            query: dict[str, str] | None = None) -> Any:
    url = path.format(**{k: v for k, v in ids.items() if "{" + k + "}" in path})
    data = {"csrf": csrf or "", "name": "Tên mới", "price": "1000", "stock": "1", "action": "keep",
            "producer": "HTX-NA", "username": "", "password": "short", "code": "XXXX"}
    headers = {"X-CSRF-Token": csrf or ""}
    if method == "GET":
        return client.get(url, params=query, follow_redirects=False)
    if method == "PATCH":
        return client.patch(url, json={"stock": 77}, headers=headers)
    if url in JSON_BODIES:
        return client.post(url, json=JSON_BODIES[url], headers=headers)
    files = None
    if url.endswith("/photos"):
        files = {"photo": ("p.jpg", jpeg(64, 64), "image/jpeg")}
    elif "catalogue" in url:
        files = {"file": ("c.csv", b"x", "text/csv")}
    return client.post(url, data=data, files=files, headers=headers, follow_redirects=False)


def client_for(world: World, role: str) -> tuple[TestClient, str | None]:
    from connector.web.app import create_app

    client = TestClient(create_app(engine=world.engine, settings=world.settings))
    if role == "anonymous":
        page = client.get("/login").text
        return client, page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    login(client, USERS[role])
    return client, csrf_of(client)


def test_every_route_is_in_the_table() -> None:
    assert set(route_table()) == set(ACCESS) | set(EXTRA)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_routes(world: World, role: str) -> None:
    client, csrf = client_for(world, role)
    wrong: list[str] = []
    table = {**ACCESS, **EXTRA}
    for method, path in sorted(route_table()):
        if (method, path) in SESSION_ENDERS:
            continue  # checked last, below: they end the session the loop uses
        response = request(client, method, path, own_ids(world), csrf)
        allowed = role in table[(method, path)]
        status = response.status_code
        if role == "anonymous" and not allowed:
            ok = status == 401 if path.startswith("/api") else (
                status == 303 and response.headers["location"].startswith("/login"))
        elif allowed:  # a public form answers a wrong password with 401; nothing else may
            ok = status != 403 if table[(method, path)] == PUBLIC else status not in (401, 403)
            if method == "GET" and status >= 400 and (path, status) not in NOT_FOUND_BY_DESIGN \
                    and (role, path) != (S, "/catalogue/export.xlsx"):
                ok = False  # a page a role may read renders for it (staff export needs a producer: 422)
        else:
            ok = status == 403
        if not ok:
            wrong.append(f"{method} {path}: {status}")
    assert wrong == []
    if role != "anonymous":
        for method, path in SESSION_ENDERS:
            assert request(client, method, path, {}, csrf).status_code == 303
            assert client.get("/api/me").status_code == 401
            client, csrf = client_for(world, role)


OTHERS_DATA = [
    ("GET", "/products/{product_id}"),
    ("POST", "/products/{product_id}"),
    ("POST", "/products/{product_id}/photos"),
    ("GET", "/api/products/{product_id}"),
    ("PATCH", "/api/products/{product_id}"),
]


@pytest.mark.parametrize("role", [P, S])
@pytest.mark.parametrize(("method", "path"), OTHERS_DATA)
def test_another_producers_product_is_not_found(world: World, role: str, method: str, path: str) -> None:
    client, csrf = client_for(world, role)
    response = request(client, method, path, {"product_id": world.other_product}, csrf)
    assert response.status_code == 404
    with Session(world.engine) as session:
        other = session.get(Product, world.other_product)
        assert other is not None
        assert (other.name, other.price, other.stock, other.content_version) == ("Chè Shan tuyết 200g", 120000, 40, 1)


def test_staff_cannot_decide_or_reset_outside_their_communes(world: World) -> None:
    client, csrf = client_for(world, S)
    assert request(client, "POST", "/field/merges/{candidate_id}", own_ids(world), csrf).status_code == 404
    assert request(client, "POST", "/logins/{user_id}/reset", own_ids(world), csrf).status_code == 404
    export = request(client, "GET", "/catalogue/export.xlsx", {}, csrf, query={"producer": world.other_code})
    assert export.status_code == 404
    assert "HTX-KHAC" not in client.get("/logins").text
    assert "HTX Khác" not in client.get("/field/merges").text


def test_producer_cannot_export_another_producers_catalogue(world: World) -> None:
    client, csrf = client_for(world, P)
    response = request(client, "GET", "/catalogue/export.xlsx", {}, csrf, query={"producer": world.other_code})
    assert response.status_code == 404


def test_admin_reaches_every_producer(world: World) -> None:
    client, csrf = client_for(world, A)
    other = request(client, "GET", "/products/{product_id}", {"product_id": world.other_product}, csrf)
    assert other.status_code == 200
    assert request(client, "GET", "/logins", {}, csrf).status_code == 200


def test_province_sees_counts_not_people(world: World) -> None:
    client, _csrf = client_for(world, V)
    page = client.get("/province").text
    for personal in ("HTX Nông sản Nà", "0912345678", "+84912345678", "Miến dong"):
        assert personal not in page
    assert client.get("/api/products").status_code == 403


@pytest.mark.parametrize("role", [P, S])
def test_another_producers_listing_cannot_be_retried_or_packed(world: World, role: str) -> None:
    from connector.accounts import MarketplaceAccount
    from connector.sync.models import Binding, BindingState

    with Session(world.engine) as session:
        other = session.get(Product, world.other_product)
        assert other is not None
        account = MarketplaceAccount(name="khac-voso", marketplace="voso", producer_id=other.producer_id,
                                     credentials_encrypted="x")
        session.add(account)
        session.flush()
        binding = Binding(account_id=account.id or 0, product_id=world.other_product, state=BindingState.rejected)
        session.add(binding)
        session.commit()
        ids = {"binding_id": binding.id, "account_id": account.id}
    client, csrf = client_for(world, role)
    assert request(client, "POST", "/listings/{binding_id}/retry", ids, csrf).status_code == 404
    assert request(client, "GET", "/listings/pack/{account_id}.zip", ids, csrf).status_code == 404
    sync = client.post("/api/sync", json={"accounts": ["khac-voso"]}, headers={"X-CSRF-Token": csrf or ""})
    assert sync.status_code == 404
    assert "khac-voso" not in client.get("/listings").text
