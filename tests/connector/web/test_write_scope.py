"""Every write route × every role below admin × an object of another area: refused, nothing written.

The attacks are built the way a support worker probing another commune would: an id edited in a
URL, a producer of the other commune named in an upload with the worker's own commune in the
commune column (which once moved that producer into the worker's area), a household typed in
the field form with the phone and name of a household of the other commune, a sale, a sync, a
bind, a merge or a login reset for something of the other commune.  Each must be refused (401,
403, 404 or a refusal rendered on the form), leave every table as it was, and name nothing of the
other commune in its answer.  A write route added to the app without an attack here, or a reason
why it has no area object, fails :func:`test_every_write_route_has_an_attack`.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from catalog.producers import Producer
from connector.accounts import MarketplaceAccount
from connector.sync.models import Binding, BindingState
from connector.users import WebUser
from connector.web.app import route_table
from connector.web.auth import normalize_username
from tests.connector.web.conftest import HOME_COMMUNE, OTHER_COMMUNE, TestClient, World, csrf_of, jpeg, login

# The other commune's names, codes and phones: none may appear in an answer to a refused request.
SECRETS_OF_B = ("HTX Khác", "HTX-KHAC", "0987654321", "+84987654321", "Hộ trùng", "HO-TWIN", "Chè Shan tuyết")
# Tables no web route writes (reference data) or that change with every request (sessions, attempts, audit).
NOT_COMPARED = {"admin_unit", "unit_lineage", "category", "web_session", "web_login_attempt", "agri_meta",
                "alembic_version"}
EXEMPT = {  # write routes without an object of an area, and why
    ("POST", "/login"): "logs in: no area object",
    ("POST", "/logout"): "ends the caller's own session",
    ("POST", "/code"): "redeems the caller's own one-time code",
    ("POST", "/account/password"): "changes the caller's own password",
    ("POST", "/account/logout-everywhere"): "ends the caller's own sessions",
    ("POST", "/sales/reported"): "a province-wide reported total: no producer",
    ("POST", "/api/reported-totals"): "a province-wide reported total: no producer",
}
USERS = {"producer": "htx-na", "staff": "canbo", "province": "tinh"}
OTHER_ACCOUNT = "khac-voso"


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


# A producers-and-products sheet naming HTX-KHAC (commune B) with the worker's commune A.
MOVE_B_INTO_A = _csv([["Mã chủ thể", "Tên chủ thể", "Số điện thoại", "Xã/phường", "Mã SKU", "Tên sản phẩm",
                       "Đơn vị tính", "Giá bán (đ)", "Tồn kho"],
                      ["HTX-KHAC", "HTX Khác", "0987654321", HOME_COMMUNE, "CHE-200", "Chè Shan tuyết 200g",
                       "hộp", "120000", "40"]])
# Only a new product for HTX-KHAC, commune column left as it is (B).
ADD_TO_B = _csv([["Mã chủ thể", "Tên chủ thể", "Xã/phường", "Mã SKU", "Tên sản phẩm", "Đơn vị tính", "Giá bán (đ)"],
                 ["HTX-KHAC", "HTX Khác", OTHER_COMMUNE, "MOI-1", "Sản phẩm mới", "gói", "50000"]])
SALE_FOR_B = _csv([["Ngày bán", "Kênh bán", "Mã hộ", "Thành tiền", "Số chứng từ"],
                   ["02/01/2025", "Facebook", "HTX-KHAC", "100000", "T-9"]])


class Attack:
    """One request against another area's object, sent by a logged-in client."""

    def __init__(self, client: TestClient, csrf: str, world: World, ids: dict[str, Any]) -> None:
        self.client, self.csrf, self.world, self.ids = client, csrf, world, ids

    def form(self, url: str, data: dict[str, Any], files: dict[str, Any] | None = None) -> Any:
        return self.client.post(url, data={"csrf": self.csrf, **data}, files=files, follow_redirects=False)

    def api(self, method: str, url: str, body: dict[str, Any] | None = None, files: dict[str, Any] | None = None) \
            -> Any:
        headers = {"X-CSRF-Token": self.csrf}
        if files is not None:
            return self.client.post(url, files=files, headers=headers)
        return self.client.request(method, url, json=body, headers=headers)

    def staged(self, content: bytes) -> str:
        """An upload staged as ``/catalogue/check`` would have left it for this user (the check itself refuses)."""
        token = secrets.token_urlsafe(24)
        folder = Path(self.world.settings.data_dir) / "web-uploads" / token
        folder.mkdir(parents=True)
        (folder / "upload.csv").write_bytes(content)
        with Session(self.world.engine) as session:
            me = session.exec(select(WebUser).where(WebUser.username == normalize_username(self.ids["username"]))).one()
        meta = {"user_id": me.id, "file": "upload.csv", "name": "danh-muc.csv", "images": None}
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        return token


HOUSEHOLD_AS_B = {"name": "HTX Khác", "phone": "0987654321", "commune": HOME_COMMUNE}
PHONE_OF_B = {"name": "Hộ Lạ Mặt", "phone": "0987654321", "commune": HOME_COMMUNE}
IN_B = {"name": "Hộ Mới", "phone": "0978000999", "commune": OTHER_COMMUNE}
_FIELD = {"village": "", "training_date": "2025-03-01", "training_topic": "Bán hàng trên sàn", "platform": "voso",
          "shop": "0987654321", "opened_on": "2025-03-02"}

AttackFn = Callable[[Attack], Any]
ATTACKS: dict[tuple[str, str], dict[str, AttackFn]] = {
    ("POST", "/products/{product_id}"): {
        "edit": lambda a: a.form(f"/products/{a.ids['other_product']}", {"name": "Đổi", "price": "1", "stock": "1"}),
    },
    ("POST", "/products/{product_id}/photos"): {
        "photo": lambda a: a.form(f"/products/{a.ids['other_product']}/photos", {},
                                  {"photo": ("p.jpg", jpeg(64, 64), "image/jpeg")}),
    },
    ("PATCH", "/api/products/{product_id}"): {
        "edit": lambda a: a.api("PATCH", f"/api/products/{a.ids['other_product']}", {"stock": 77}),
    },
    ("POST", "/catalogue/check"): {
        "move_into_own_commune": lambda a: a.form("/catalogue/check", {},
                                                  {"file": ("danh-muc.csv", MOVE_B_INTO_A, "text/csv")}),
        "add_product": lambda a: a.form("/catalogue/check", {}, {"file": ("danh-muc.csv", ADD_TO_B, "text/csv")}),
    },
    ("POST", "/catalogue/confirm"): {
        "move_into_own_commune": lambda a: a.form("/catalogue/confirm", {"token": a.staged(MOVE_B_INTO_A)}),
        "add_product": lambda a: a.form("/catalogue/confirm", {"token": a.staged(ADD_TO_B)}),
    },
    ("POST", "/api/catalogue/import"): {
        "move_into_own_commune": lambda a: a.api("POST", "/api/catalogue/import",
                                                 files={"file": ("danh-muc.csv", MOVE_B_INTO_A, "text/csv")}),
        "add_product": lambda a: a.api("POST", "/api/catalogue/import",
                                       files={"file": ("danh-muc.csv", ADD_TO_B, "text/csv")}),
    },
    ("POST", "/field/household"): {
        "same_household": lambda a: a.form("/field/household", {**_FIELD, **HOUSEHOLD_AS_B}),
        "same_phone": lambda a: a.form("/field/household", {**_FIELD, **PHONE_OF_B}),
        "other_commune": lambda a: a.form("/field/household", {**_FIELD, **IN_B}),
    },
    ("POST", "/api/onboarding/households"): {
        "same_household": lambda a: a.api("POST", "/api/onboarding/households", {**_FIELD, **HOUSEHOLD_AS_B}),
        "same_phone": lambda a: a.api("POST", "/api/onboarding/households", {**_FIELD, **PHONE_OF_B}),
        "other_commune": lambda a: a.api("POST", "/api/onboarding/households", {**_FIELD, **IN_B}),
    },
    ("POST", "/field/merges/{candidate_id}"): {
        "merge": lambda a: a.form(f"/field/merges/{a.ids['other_candidate']}", {"action": "merge"}),
        "keep": lambda a: a.form(f"/field/merges/{a.ids['other_candidate']}", {"action": "keep"}),
    },
    ("POST", "/logins"): {
        "open": lambda a: a.form("/logins", {"producer": "HTX-KHAC", "username": "ke-gian"}),
    },
    ("POST", "/logins/{user_id}/reset"): {
        "reset": lambda a: a.form(f"/logins/{a.ids['other_user']}/reset", {}),
    },
    ("POST", "/listings/{binding_id}/retry"): {
        "retry": lambda a: a.form(f"/listings/{a.ids['other_binding']}/retry", {}),
    },
    ("POST", "/listings/bind"): {
        "their_account": lambda a: a.form("/listings/bind", {"account": a.ids["other_account"],
                                                             "product": a.ids["other_product"],
                                                             "listing": "https://voso.vn/p/1"}),
        "own_account_their_product": lambda a: a.form("/listings/bind", {"account": a.ids["own_account"],
                                                                         "product": a.ids["other_product"],
                                                                         "listing": "https://voso.vn/p/2"}),
    },
    ("POST", "/sales/entry"): {
        "sale": lambda a: a.form("/sales/entry", {"day": "2025-01-02", "platform": "facebook", "producer": "HTX-KHAC",
                                                  "quantity": "1", "amount": "100000", "reference": "T-1"}),
    },
    ("POST", "/sales/import"): {
        "file": lambda a: a.form("/sales/import", {}, {"file": ("ban-hang.csv", SALE_FOR_B, "text/csv")}),
    },
    ("POST", "/api/sales"): {
        "sale": lambda a: a.api("POST", "/api/sales", {"day": "2025-01-02", "platform": "facebook",
                                                       "producer": "HTX-KHAC", "amount": "100000",
                                                       "reference": "T-2"}),
    },
    ("POST", "/sync"): {
        "sync": lambda a: a.form("/sync", {"account": [OTHER_ACCOUNT]}),
    },
    ("POST", "/api/sync"): {
        "sync": lambda a: a.api("POST", "/api/sync", {"accounts": [OTHER_ACCOUNT]}),
    },
}
CASES = [(role, route, name) for route, variants in ATTACKS.items() for name in variants for role in USERS]


def test_every_write_route_has_an_attack() -> None:
    writes = {(m, p) for m, p in route_table() if m != "GET"}
    assert writes - set(ATTACKS) - set(EXEMPT) == set(), "a write route without a scope attack in this file"
    assert set(ATTACKS) | set(EXEMPT) <= writes, "an attack on a route the app no longer serves"


def _setup(world: World) -> dict[str, Any]:
    """Accounts on a hand-reached marketplace for both communes, and a listing of the other commune."""
    with Session(world.engine) as session:
        own = session.exec(select(Producer).where(Producer.code == world.own_code)).one()
        other = session.exec(select(Producer).where(Producer.code == world.other_code)).one()
        mine = MarketplaceAccount(name="na-voso", marketplace="voso", producer_id=own.id or 0)
        theirs = MarketplaceAccount(name=OTHER_ACCOUNT, marketplace="voso", producer_id=other.id or 0,
                                    credentials_encrypted="x")
        session.add_all([mine, theirs])
        session.flush()
        binding = Binding(account_id=theirs.id or 0, product_id=world.other_product, state=BindingState.rejected)
        session.add(binding)
        session.commit()
        return {"own_account": mine.id, "other_account": theirs.id, "other_binding": binding.id,
                "other_product": world.other_product, "other_candidate": world.other_candidate,
                "other_user": world.other_user}


def dump(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a web route can write, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with world.engine.connect() as connection:
        for name in sorted(SQLModel.metadata.tables):
            if name in NOT_COMPARED:
                continue
            rows = connection.execute(text(f'SELECT * FROM "{name}"')).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


@pytest.mark.parametrize(("role", "route", "variant"), CASES,
                         ids=[f"{r}-{m} {p}-{v}" for r, (m, p), v in CASES])
def test_a_write_to_another_area_is_refused_and_changes_nothing(world: World, role: str, route: tuple[str, str],
                                                                variant: str) -> None:
    from connector.web.app import create_app

    ids = {**_setup(world), "username": USERS[role]}
    client = TestClient(create_app(engine=world.engine, settings=world.settings))
    login(client, USERS[role])
    before = dump(world)
    response = ATTACKS[route][variant](Attack(client, csrf_of(client), world, ids))
    assert response.status_code in (401, 403, 404), (response.status_code, response.text[:500])
    assert dump(world) == before
    sent = unquote_plus(response.request.url.path + response.request.content.decode("utf-8", errors="replace"))
    for name in SECRETS_OF_B:  # what the request itself named may be echoed; nothing else of commune B
        assert name in sent or name not in response.text, f"the refusal names {name!r}"
    uploads = Path(world.settings.data_dir) / "web-uploads"
    if role == "staff":  # (other roles are refused before the upload is looked at)
        assert not uploads.exists() or not any(uploads.iterdir()), "a refused upload was left staged"


def test_staff_cannot_take_over_a_producer_of_another_commune(world: World) -> None:
    """The case that was seen: import B's producer with A's commune, then reset its login."""
    client = TestClient(__import__("connector.web.app", fromlist=["create_app"]).create_app(
        engine=world.engine, settings=world.settings))
    login(client, "canbo")
    csrf = csrf_of(client)
    answer = client.post("/api/catalogue/import", files={"file": ("danh-muc.csv", MOVE_B_INTO_A, "text/csv")},
                         headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 403
    body = answer.json()
    assert body["ok"] is False and body["data"] is None and body["summary"] == {}
    assert [e["code"] for e in body["errors"]] == ["scope.outside_area"]
    with Session(world.engine) as session:
        other = session.exec(select(Producer).where(Producer.code == "HTX-KHAC")).one()
        assert other.unit_vn2025 == OTHER_COMMUNE
    reset = client.post(f"/logins/{world.other_user}/reset", data={"csrf": csrf})
    assert reset.status_code == 404
    assert "HTX Khác" not in client.get("/products").text


def test_staff_still_import_and_register_inside_their_commune(world: World) -> None:
    """The guard refuses only what leaves the area: the same kinds of write inside it go through."""
    from connector.web.app import create_app

    client = TestClient(create_app(engine=world.engine, settings=world.settings))
    login(client, "canbo")
    csrf = csrf_of(client)
    own = _csv([["Mã chủ thể", "Tên chủ thể", "Xã/phường", "Mã SKU", "Tên sản phẩm", "Đơn vị tính", "Giá bán (đ)"],
                ["HTX-NA", "HTX Nông sản Nà", HOME_COMMUNE, "MIEN-1000", "Miến dong 1kg", "gói", "120000"]])
    answer = client.post("/api/catalogue/import", files={"file": ("danh-muc.csv", own, "text/csv")},
                         headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["summary"]["committed"] is True
    household = client.post("/api/onboarding/households", headers={"X-CSRF-Token": csrf},
                            json={**_FIELD, "name": "Hộ Nông Văn Tám", "phone": "0978000111",
                                  "commune": HOME_COMMUNE})
    assert household.status_code == 200, household.text
    with Session(world.engine) as session:
        names = {p.name for p in session.exec(select(Producer).where(Producer.unit_vn2025 == HOME_COMMUNE))}
    assert "Hộ Nông Văn Tám" in names
    assert not any((Path(world.settings.data_dir) / "web-uploads").glob("*"))
