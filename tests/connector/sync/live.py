"""A shop on the live sandbox: products in the database, an account with encrypted credentials."""

from __future__ import annotations

from collections import Counter
from typing import Any

from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import insert
from sqlmodel import Session, select

from catalog.categories import set_category_mapping
from catalog.clock import utcnow
from catalog.images import PreparedImage
from catalog.producers import ProducerCreate, create_producer
from catalog.products import Product, ProductImage
from connector.accounts import MarketplaceAccount, create_account
from connector.sandbox import SandboxHandle
from connector.sync import ImageSource
from connector.sync.models import Binding

KEY = Fernet.generate_key().decode()
IMAGE_SHA = "c" * 64


def sandbox_images(sandbox: SandboxHandle) -> ImageSource:
    """Prepared variants stand in by name; the sandbox serves a real JPEG for any name."""

    def prepare(sha: str, profile: Any) -> PreparedImage:
        return PreparedImage(data=b"", size=(1000, 1000), sha256=sha, profile=profile)

    return ImageSource(prepare=prepare, public_url=lambda sha, ext: sandbox.image_url(sha))


def live_shop(session: Session, sandbox: SandboxHandle, *, count: int, marketplace: str = "voso",
              code: str = "HTX-LIVE", image_sha: str | None = IMAGE_SHA) -> MarketplaceAccount:
    producer = create_producer(session=session, data=ProducerCreate(code=code, name=f"HTX {code}"))
    set_category_mapping(session=session, category_code="1.1.1", marketplace=marketplace, remote_id="1001")
    now = utcnow()
    rows = [{"producer_id": producer.id, "sku": f"LV-{i:05d}", "name": f"Miến dong Bắc Kạn loại {i}",
             "name_key": f"mien dong bac kan loai {i}", "description": "Miến dong sạch, làm thủ công.",
             "category_code": "1.1.1", "unit": "gói", "price": 40_000 + i, "stock": 5 + i % 50,
             "weight_g": 500, "status": "active", "content_version": 1, "stock_version": 1,
             "created_at": now, "updated_at": now}
            for i in range(count)]
    if rows:
        session.execute(insert(Product), rows)
    ids = list(session.exec(select(Product.id).where(Product.producer_id == producer.id)))
    if image_sha and ids:
        session.execute(insert(ProductImage), [{"product_id": pid, "position": 1, "sha256": image_sha,
                                                "size_bytes": 1, "width": 1000, "height": 1000, "format": "JPEG"}
                                               for pid in ids])
    credentials = sandbox.create_account(marketplace, f"Gian hàng {code}")
    account = create_account(session=session, name=f"{code.lower()}-{marketplace}", producer=producer,
                             marketplace=marketplace, credentials=credentials, key=SecretStr(KEY),
                             base_url=sandbox.url_for(marketplace))
    session.commit()
    return account


def remote_by_sku(sandbox: SandboxHandle) -> dict[str, list[int]]:
    """Every live (not delisted) remote listing id per SKU."""
    out: dict[str, list[int]] = {}
    for product in sandbox.sandbox.state.products.values():
        if product.status != "delisted":
            out.setdefault(product.sku, []).append(product.id)
    return out


def check_converged(session: Session, sandbox: SandboxHandle, account: MarketplaceAccount, count: int) -> None:
    """Exactly one remote listing per product, and every binding points at it."""
    remote = remote_by_sku(sandbox)
    assert len(remote) == count
    duplicates = Counter({sku: len(ids) for sku, ids in remote.items() if len(ids) > 1})
    assert not duplicates, duplicates
    session.expire_all()
    skus = dict(session.exec(select(Product.id, Product.sku).where(Product.producer_id == account.producer_id)).all())
    bound = list(session.exec(select(Binding).where(Binding.account_id == account.id)))
    assert len(bound) == count
    for binding in bound:
        assert binding.remote_id == str(remote[skus[binding.product_id]][0]), skus[binding.product_id]
        assert binding.state.value in ("active", "pending_review")
