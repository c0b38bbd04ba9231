"""From a stored marketplace account to a working adapter.

The account row holds the marketplace key, base URL, generic profile name and the encrypted
credentials; :func:`account_config` decrypts them into the :class:`~adapters.base.AccountConfig`
an adapter is built from, and :func:`open_adapter` builds it through the adapter registry.
:func:`capabilities_of` and :func:`sales_platform` read what an account's adapter declares
without credentials or requests.
"""

from __future__ import annotations

from functools import lru_cache

import httpx
from pydantic import SecretStr

from adapters.base import AccountConfig, Adapter, Capabilities
from catalog.errors import ConfigurationError
from catalog.images import ImageProfile
from connector.accounts import MarketplaceAccount, credentials_of
from connector.settings import get_settings


def adapter_type(marketplace: str) -> type[Adapter]:
    """The adapter class registered for ``marketplace``; a clear error when there is none."""
    from adapters import registry

    if marketplace not in registry.adapter_keys():
        raise ConfigurationError("sync.marketplace_unknown", value=marketplace,
                                 allowed=", ".join(sorted(registry.adapter_keys())))
    return registry.adapter_class(marketplace)


def account_config(account: MarketplaceAccount, *, key: SecretStr | None = None) -> AccountConfig:
    """The account as its adapter sees it, credentials decrypted (with ``AGRI_SECRET_KEY`` by default)."""
    if account.credentials_encrypted is None:
        raise ConfigurationError("sync.not_connected", account=account.name)
    credentials = credentials_of(account=account, key=key if key is not None else get_settings().secret_key)
    if not account.base_url:
        raise ConfigurationError("sync.base_url_missing", account=account.name)
    return AccountConfig(name=account.name, marketplace=account.marketplace, base_url=account.base_url,
                         shop_id=account.shop_id, profile=account.profile, credentials=credentials)


def open_adapter(account: MarketplaceAccount, client: httpx.AsyncClient, *, key: SecretStr | None = None) -> Adapter:
    """An adapter acting for ``account`` over ``client`` (the caller owns and closes the client)."""
    from adapters import registry

    adapter_type(account.marketplace)
    return registry.build_adapter(account_config(account, key=key), client)


@lru_cache(maxsize=64)
def _described(marketplace: str, profile: str | None, base_url: str) -> tuple[Capabilities, ImageProfile]:
    config = AccountConfig(name="-", marketplace=marketplace, base_url=base_url or "http://localhost", profile=profile)
    adapter = adapter_type(marketplace)(config, httpx.AsyncClient())  # never used to send anything
    return adapter.capabilities, adapter.image_profile


def capabilities_of(account: MarketplaceAccount) -> Capabilities:
    """What the account's marketplace can do and requires, without credentials or requests."""
    return _described(account.marketplace, account.profile, account.base_url or "")[0]


def image_profile_of(account: MarketplaceAccount) -> ImageProfile:
    return _described(account.marketplace, account.profile, account.base_url or "")[1]


def sales_platform(account: MarketplaceAccount) -> str:
    """The platform an account's sales count under in the ledger: its marketplace, or its profile's
    name when its adapter declares ``sales_under_profile`` (one adapter, many marketplaces)."""
    return _sales_platform(account.marketplace, account.profile)


@lru_cache(maxsize=256)
def _sales_platform(marketplace: str, profile: str | None) -> str:
    from adapters import registry

    if not profile or marketplace not in registry.adapter_keys():
        return marketplace  # a channel without an adapter (sales imported or typed in)
    try:
        under_profile = _described(marketplace, profile, "")[0].sales_under_profile
    except ConfigurationError:  # a profile that cannot be loaded: its name is still what the sales are of
        return profile
    return profile if under_profile else marketplace
