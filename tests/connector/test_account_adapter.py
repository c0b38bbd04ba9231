"""What an account's adapter declares, read without credentials: the platform its sales count under."""

from __future__ import annotations

from connector.account_adapter import sales_platform
from connector.accounts import MarketplaceAccount


def _account(marketplace: str, profile: str | None = None) -> MarketplaceAccount:
    return MarketplaceAccount(name=f"{marketplace}-1", marketplace=marketplace, producer_id=1, profile=profile)


def test_sales_count_under_the_marketplace() -> None:
    assert sales_platform(_account("voso")) == "voso"
    assert sales_platform(_account("postmart", profile="ignored")) == "postmart"  # its adapter says so


def test_the_generic_adapter_counts_sales_under_the_profile() -> None:
    assert sales_platform(_account("generic", profile="lazada")) == "lazada"
    assert sales_platform(_account("generic")) == "generic"


def test_a_channel_without_an_adapter_is_its_own_platform() -> None:
    assert sales_platform(_account("shopee")) == "shopee"
    assert sales_platform(_account("tiktok", profile="x")) == "tiktok"
