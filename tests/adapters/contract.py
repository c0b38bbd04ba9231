"""Helpers of the contract suite: how to reach the sandbox for any registered adapter.

An adapter speaks to the sandbox marketplace named by its optional ``sandbox_marketplace`` class
attribute (default: its key), with its optional ``sandbox_profile`` (generic adapters).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import httpx

from adapters.base import AccountConfig, Adapter, Listing, RemoteImageRef
from adapters.registry import adapter_class
from connector.sandbox import SandboxHandle, Shop, sample_image


def sandbox_marketplace(key: str) -> str:
    return str(getattr(adapter_class(key), "sandbox_marketplace", key))


def sandbox_profile(key: str) -> str | None:
    value = getattr(adapter_class(key), "sandbox_profile", "sandbox" if key == "generic" else None)
    return None if value is None else str(value)


def account(handle: SandboxHandle, key: str, name: str) -> AccountConfig:
    market = sandbox_marketplace(key)
    credentials = handle.create_account(market, name)
    return AccountConfig(name=name, marketplace=key, base_url=handle.url_for(market), profile=sandbox_profile(key),
                         credentials=credentials)


def shop_of(handle: SandboxHandle, config: AccountConfig) -> Shop:
    for shop in handle.sandbox.state.shops.values():
        if shop.credentials == dict(config.credentials):
            return shop
    raise AssertionError("no such shop")


async def images_for(adapter: Adapter, handle: SandboxHandle, name: str) -> tuple[RemoteImageRef, ...]:
    if adapter.capabilities.images == "url":
        url = handle.image_url(name)
        return (RemoteImageRef("url", url, hashlib.sha256(url.encode()).hexdigest()),)
    data = sample_image(name)
    return (await adapter.upload_image(data, filename=f"{name}.jpg", sha256=hashlib.sha256(data).hexdigest()),)


def listing(sku: str, images: tuple[RemoteImageRef, ...], **changes: Any) -> Listing:
    base = Listing(sku=sku, title=f"Mật ong hoa cà phê {sku}", description="Mật ong nguyên chất, OCOP 4 sao.",
                   price=250_000, stock=20, unit="chai", category_id="food-honey", images=images, weight_g=700,
                   ocop_stars=4, attributes={"xuat_xu": "Đắk Lắk"})
    return replace(base, **changes)


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=10.0)
