"""A third-party adapter, installed with pip as its own tiny package, is found through the entry
point group and passes the whole contract suite."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = "agri-thirdparty-contract-test"

PYPROJECT = f"""
[build-system]
requires = []
build-backend = "tiny_backend"
backend-path = ["."]

[project]
name = "{DIST}"
version = "0.1.0"

[project.entry-points."agri_connector.adapters"]
thirdparty = "agri_thirdparty:ThirdPartyAdapter"
"""

# A minimal in-tree PEP 517 backend, so the install works offline and without ``wheel``.
BACKEND = '''
import base64, hashlib, zipfile
from pathlib import Path

NAME, VERSION = "agri_thirdparty_contract_test", "0.1.0"
DIST_INFO = f"{NAME}-{VERSION}.dist-info"
FILES = {
    f"{DIST_INFO}/METADATA": "Metadata-Version: 2.1\\nName: agri-thirdparty-contract-test\\nVersion: 0.1.0\\n",
    f"{DIST_INFO}/WHEEL": "Wheel-Version: 1.0\\nGenerator: tiny_backend\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    f"{DIST_INFO}/entry_points.txt": "[agri_connector.adapters]\\nthirdparty = agri_thirdparty:ThirdPartyAdapter\\n",
}


def _record(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {k: v.encode() for k, v in FILES.items()}
    files["agri_thirdparty/__init__.py"] = Path("agri_thirdparty/__init__.py").read_bytes()
    records = [_record(k, v) for k, v in files.items()] + [f"{DIST_INFO}/RECORD,,"]
    files[f"{DIST_INFO}/RECORD"] = ("\\n".join(records) + "\\n").encode()
    wheel = f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel
'''

MODULE = '''
"""A marketplace written by someone else: it speaks the sandbox's generic REST contract by hand."""

from datetime import timedelta

import httpx

from adapters.base import (Adapter, Capabilities, FieldProblem, ListingState, OrderPage, OrderStatus, RemoteImageRef,
                           RemoteListing, RemoteOrder, RemoteOrderLine)
from adapters.common import parse_time
from adapters.http import HttpCore, dig
from catalog.errors import AuthError, RateLimitedError, RejectedError, RemoteNotFoundError
from catalog.images import DEFAULT_PROFILE

STATES = {"active": ListingState.active, "pending": ListingState.pending_review,
          "rejected": ListingState.rejected, "inactive": ListingState.delisted}
STATUSES = {"shipped": OrderStatus.shipping}


def classify(response, body):
    code = dig(body, "error.code") if isinstance(body, dict) else None
    if not code:
        return None
    params = {"marketplace": "thirdparty", "detail": str(code)}
    if code in ("rate_limited", "too_many_requests"):
        return RateLimitedError("market.rate_limited", **params)
    if code == "unauthorized":
        return AuthError("market.auth", **params)
    if code == "not_found":
        return RemoteNotFoundError("market.not_found", key=str(code), **params)
    if code in ("validation", "window_too_long"):
        fields = {f["field"]: f["message"] for f in dig(body, "error.fields", [])}
        return RejectedError("market.rejected", fields=fields, **params)
    return None


class ApiKey(httpx.Auth):
    def __init__(self, key):
        self.key = key

    def auth_flow(self, request):
        request.headers["X-Api-Key"] = self.key
        yield request


class ThirdPartyAdapter(Adapter):
    key = "thirdparty"
    credential_fields = ("api_key",)
    sandbox_marketplace = "generic"

    def __init__(self, config, client):
        super().__init__(config, client)
        self.http = HttpCore(client=client, marketplace=self.key, account=config.name, base_url=config.base_url,
                             secrets=config.secret_values(), rate=50, auth=ApiKey(config.credentials["api_key"]),
                             classify=classify)

    @property
    def capabilities(self):
        return Capabilities(images="upload", max_order_window=timedelta(days=31), pagination="page")

    @property
    def image_profile(self):
        return DEFAULT_PROFILE

    def _listing(self, d):
        reasons = tuple(FieldProblem(r["field"], r["message"]) for r in d.get("reasons", []))
        return RemoteListing(remote_id=str(d["id"]), sku=d["sku"], state=STATES[d["status"]], price=d["price"],
                             stock=d["stock"], title=d["title"], url=d.get("url"), reasons=reasons)

    def _body(self, listing):
        return {"sku": listing.sku, "title": listing.title, "description": listing.description,
                "price": listing.price, "stock": listing.stock, "unit": listing.unit,
                "category": listing.category_id, "images": [i.value for i in listing.images]}

    async def upsert_listing(self, listing, *, remote_id=None):
        if remote_id is None:
            reply = await self.http.request("POST", "/v1/products", json_body=self._body(listing), idempotent=False)
        else:
            reply = await self.http.request("PUT", f"/v1/products/{remote_id}", json_body=self._body(listing))
        return self._listing(reply.body["data"])

    async def find_by_sku(self, sku):
        reply = await self.http.request("GET", "/v1/products", params={"sku": sku})
        return next((self._listing(d) for d in reply.body["data"] if d["sku"] == sku), None)

    async def get_listing(self, remote_id):
        return self._listing((await self.http.request("GET", f"/v1/products/{remote_id}")).body["data"])

    async def update_stock_price(self, remote_id, *, price, stock):
        reply = await self.http.request("PATCH", f"/v1/products/{remote_id}/inventory",
                                        json_body={"price": price, "stock": stock})
        return self._listing(reply.body["data"])

    async def delist(self, remote_id):
        await self.http.request("POST", f"/v1/products/{remote_id}/delist")

    async def upload_image(self, data, *, filename, sha256):
        reply = await self.http.request("POST", "/v1/images", files={"file": (filename, data, "image/jpeg")})
        return RemoteImageRef(kind="id", value=reply.body["data"]["id"], sha256=sha256)

    async def list_orders(self, *, since, until, cursor=None):
        if until - since > self.capabilities.max_order_window:
            raise RejectedError("adapters.window_too_long", marketplace=self.key, max_days=31)
        page = int(cursor or 1)
        reply = await self.http.request("GET", "/v1/orders", params={
            "updated_from": since.isoformat(), "updated_to": until.isoformat(), "page": page, "per_page": 40})
        orders = tuple(
            RemoteOrder(remote_id=o["id"], status=STATUSES.get(o["status"]) or OrderStatus(o["status"]),
                        raw_status=o["status"], placed_at=parse_time(o["placed_at"], marketplace=self.key),
                        updated_at=parse_time(o["updated_at"], marketplace=self.key), total=o["total"],
                        lines=tuple(RemoteOrderLine(sku=l["sku"], quantity=l["quantity"], unit_price=l["unit_price"],
                                                    amount=l["amount"]) for l in o["lines"]))
            for o in reply.body["data"])
        return OrderPage(orders=orders, next_cursor=str(page + 1) if page < reply.body["meta"]["pages"] else None)

    async def refresh_auth(self):
        return None
'''


@pytest.mark.slow
def test_a_pip_installed_adapter_is_found_and_passes_the_suite(tmp_path: Path) -> None:
    package = tmp_path / "thirdparty"
    (package / "agri_thirdparty").mkdir(parents=True)
    (package / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT), encoding="utf-8")
    (package / "agri_thirdparty" / "__init__.py").write_text(MODULE, encoding="utf-8")
    (package / "tiny_backend.py").write_text(BACKEND, encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--no-deps", "--no-build-isolation", str(package)], check=True, cwd=tmp_path)
    try:
        keys = subprocess.run(
            [sys.executable, "-c", "from adapters.registry import adapter_keys; print(' '.join(adapter_keys()))"],
            check=True, capture_output=True, text=True, cwd=ROOT,
        ).stdout.split()
        assert "thirdparty" in keys
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        suite = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/adapters/test_contract.py",
             "-k", "thirdparty"],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=240,
        )
        assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
        summary = suite.stdout.strip().splitlines()[-1]
        assert " passed" in summary and "failed" not in summary
        assert int(summary.split()[0]) >= 10
    finally:
        subprocess.run([*pip, "uninstall", "-y", DIST], check=False, cwd=tmp_path)
