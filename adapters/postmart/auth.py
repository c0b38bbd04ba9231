"""postmart's request signature (``CONTRACT.md``) as an :class:`httpx.Auth`."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Generator

import httpx

from adapters.base import AccountConfig
from adapters.postmart.mapper import MARKETPLACE, sign_base
from catalog.errors import ConfigurationError


class PostmartSignature(httpx.Auth):
    """Adds ``partner_id``, ``timestamp``, ``sign`` (and ``shop_id``) to the query of every request.

    ``sign`` is the hex HMAC-SHA256, keyed with the partner key, of partner id + API path (the path
    after the base URL) + timestamp (+ shop id).  The core runs the flow on each attempt, so a
    retry is signed afresh and never reuses an old timestamp.
    """

    def __init__(self, config: AccountConfig) -> None:
        self.config = config
        self.prefix = httpx.URL(config.base_url).path.rstrip("/")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        partner_id = self.config.credentials.get("partner_id", "")
        key = self.config.credentials.get("partner_key", "")
        if not partner_id or not key:
            raise ConfigurationError(
                "adapters.credentials_missing",
                account=self.config.name,
                marketplace=MARKETPLACE,
                fields="partner_id, partner_key",
            )
        timestamp = int(time.time())
        api_path = request.url.path.removeprefix(self.prefix)
        base = sign_base(partner_id, api_path, timestamp, self.config.shop_id)
        sign = hmac.new(key.encode(), base.encode(), hashlib.sha256).hexdigest()
        params = {"partner_id": partner_id, "timestamp": str(timestamp), "sign": sign}
        if self.config.shop_id:
            params["shop_id"] = self.config.shop_id
        request.url = request.url.copy_merge_params(params)
        yield request
