"""Authentication as :class:`httpx.Auth` flows, the extension point httpx gives for it.

The HTTP core runs an adapter's auth flow on every attempt, *before* the request takes its place
in the rate limiter (a login the flow needs must not wait behind the requests waiting for it),
and sends what the flow yields.  A flow that only computes (a signature, a key) is a plain
``auth_flow`` generator; one that must log in first is :class:`TokenAuth`.

Refreshing a refused token is the core's part: when an answer classifies as
:class:`~catalog.errors.AuthExpiredError` (a 401, or a marketplace's "token expired" body code on
any status), the core calls the auth's :meth:`Refreshable.refresh` and sends the request once more,
through the limiter and the classification like any other attempt.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import httpx


@runtime_checkable
class Refreshable(Protocol):
    """An auth whose credentials can be renewed when the marketplace refuses them."""

    async def refresh(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Token:
    """A token a login gave, and how many seconds it lives."""

    value: str
    lifetime: float


class TokenAuth(httpx.Auth):
    """A bearer token from a login call, sent in a header on every request.

    ``login`` makes the login call (through the HTTP core, unauthenticated: retried and classified
    like any request; it should register the token for redaction).  The token is renewed when it
    is about to expire (``EARLY`` seconds before) or when :meth:`refresh` is called; concurrent
    tasks share one login.
    """

    EARLY = 30.0  # seconds: renew this long before the announced expiry

    def __init__(
        self,
        login: Callable[[], Awaitable[Token]],
        *,
        header: str = "Authorization",
        value: Callable[[str], str] = "Bearer {}".format,
    ) -> None:
        self._login = login
        self.header = header
        self._value = value
        self._token: str | None = None
        self._expires = 0.0
        self._lock: asyncio.Lock | None = None  # made in the running event loop, at the first login

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._token is None or time.monotonic() >= self._expires:
            await self._log_in(stale=self._token)
        assert self._token is not None
        request.headers[self.header] = self._value(self._token)
        yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("TokenAuth logs in through the async HTTP core: use an httpx.AsyncClient")

    async def refresh(self) -> None:
        """Log in again (the marketplace refused the token), unless another task just did."""
        await self._log_in(stale=self._token)

    async def _log_in(self, *, stale: str | None) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token is not None and self._token != stale and time.monotonic() < self._expires:
                return  # another task logged in while we waited
            token = await self._login()
            self._token = token.value
            self._expires = time.monotonic() + max(1.0, token.lifetime - self.EARLY)
