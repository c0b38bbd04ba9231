from __future__ import annotations

import httpx
import pytest

from adapters.base import AccountConfig
from adapters.generic import GenericAdapter
from adapters.postmart import PostmartAdapter
from adapters.registry import adapter_class, adapter_keys, build_adapter
from adapters.voso import VosoAdapter
from catalog.errors import ConfigurationError


def test_builtins_are_registered_through_entry_points() -> None:
    keys = adapter_keys()
    assert {"voso", "postmart", "generic"} <= set(keys)
    assert adapter_class("voso") is VosoAdapter
    assert adapter_class("postmart") is PostmartAdapter
    assert adapter_class("generic") is GenericAdapter


def test_unknown_adapter_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        adapter_class("shopee-xyz")
    assert caught.value.code == "adapters.unknown"
    assert "voso" in caught.value.message("en")


def test_credential_fields() -> None:
    assert VosoAdapter.credential_fields == ("username", "password")
    assert PostmartAdapter.required_credentials() == ("partner_id", "partner_key")
    assert GenericAdapter.required_credentials() == ("api_key",)
    assert GenericAdapter.required_credentials("sandbox") == ("api_key",)
    assert GenericAdapter.required_credentials("sendo") == ("shop_key", "secret_key")
    assert GenericAdapter.required_credentials("lazada") == ("app_key", "app_secret", "access_token")


def test_build_adapter_names_missing_secrets_without_values() -> None:
    config = AccountConfig(name="htx", marketplace="voso", base_url="http://x", credentials={"username": "u"})

    async def build() -> None:
        async with httpx.AsyncClient() as client:
            build_adapter(config, client)

    import asyncio

    with pytest.raises(ConfigurationError) as caught:
        asyncio.run(build())
    assert caught.value.code == "adapters.credentials_missing"
    assert "password" in caught.value.message("en")
