"""The auth schemes of profiles as :class:`httpx.Auth` flows.

- ``api_key``: :class:`ApiKeyAuth`, a rendered key in a header or the query;
- ``bearer_login``: :class:`~adapters.http.TokenAuth` (the one voso uses), logging in with the
  profile's ``auth.login`` operation (given by the adapter, which sends it);
- ``hmac_query``: :class:`QuerySignature`, Lazada's signed gateway and its kin;
- ``none``: no auth.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx

from adapters.base import AccountConfig
from adapters.common import parse_time
from adapters.generic.profile import AuthTable, Profile
from adapters.generic.signing import sign
from adapters.generic.template import render
from adapters.http import Token, TokenAuth
from catalog.errors import ConfigurationError, SkippableError

DEFAULT_LIFETIME = 3600.0  # seconds, when a login answer says nothing of its token's expiry


def credentials(profile: Profile, config: AccountConfig) -> dict[str, str]:
    """The account's secrets (and shop id) for the profile's templates; every one it needs, or a
    ConfigurationError ``adapters.credentials_missing`` naming the missing."""
    creds = dict(config.credentials)
    missing = [name for name in profile.auth.credentials if not creds.get(name)]
    if missing:
        raise ConfigurationError(
            "adapters.credentials_missing",
            account=config.name,
            marketplace=f"generic:{profile.name}",
            fields=", ".join(missing),
        )
    if config.shop_id:
        creds.setdefault("shop_id", config.shop_id)
    return creds


class ApiKeyAuth(httpx.Auth):
    """A key rendered from the credentials (once: they do not change), in a header or the query."""

    def __init__(self, auth: AuthTable, secrets: Callable[[], Mapping[str, str]]) -> None:
        self.auth = auth
        self._secrets = secrets
        self._value: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._value is None:
            self._value = str(render(self.auth.value, self._secrets()))
        if self.auth.location == "header":
            request.headers[self.auth.name] = self._value
        else:
            request.url = request.url.copy_merge_params({self.auth.name: self._value})
        yield request


class QuerySignature(httpx.Auth):
    """``hmac_query``: the profile's parameters added to the query, then the HMAC-SHA256 of its sign
    string (the path after the base URL and every query and form parameter, sorted) as one more."""

    def __init__(self, auth: AuthTable, secrets: Callable[[], Mapping[str, str]], *, prefix: str) -> None:
        self.auth = auth
        self._secrets = secrets
        self.prefix = prefix

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        auth = self.auth
        now = time.time()
        context = {**self._secrets(), "timestamp": str(int(now)), "timestamp_ms": str(int(now * 1000))}
        extra = {k: str(render(v, context)) for k, v in auth.sign_params.items()}
        request.url = request.url.copy_merge_params(extra)
        params = list(request.url.params.multi_items())
        body = b""
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body = request.read()
            params += parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        signature = sign(
            auth.sign_string,
            path=request.url.path.removeprefix(self.prefix),
            params=params,
            key=str(render(auth.sign_key, context)),
            upper=auth.sign_case == "upper",
            exclude=auth.sign_param,
            body=body.decode("utf-8"),
        )
        request.url = request.url.copy_merge_params({auth.sign_param: signature})
        yield request


def auth_for(
    profile: Profile, config: AccountConfig, login: Callable[[], Awaitable[Token]]
) -> httpx.Auth | None:
    """The profile's auth scheme for this account (``login`` makes a ``bearer_login`` login call)."""
    auth = profile.auth

    def secrets() -> dict[str, str]:
        return credentials(profile, config)

    if auth.scheme == "api_key":
        return ApiKeyAuth(auth, secrets)
    if auth.scheme == "hmac_query":
        return QuerySignature(auth, secrets, prefix=httpx.URL(config.base_url).path.rstrip("/"))
    if auth.scheme == "bearer_login":

        def header_value(token: str) -> str:
            return str(render(auth.header_value, {"token": token}))

        return TokenAuth(login, header=auth.header, value=header_value)
    return None


def lifetime(expires: Any, *, marketplace: str) -> float:
    """Seconds a token lives, from a login answer's duration, epoch time or ISO time."""
    if isinstance(expires, int | float) and not isinstance(expires, bool):
        seconds = float(expires)
        return seconds - time.time() if seconds > 10**9 else seconds  # an epoch time, not a duration
    if isinstance(expires, str) and expires:
        try:
            return (parse_time(expires, marketplace=marketplace) - datetime.now(UTC)).total_seconds()
        except SkippableError:
            return DEFAULT_LIFETIME
    return DEFAULT_LIFETIME
