"""The HTTP core every adapter speaks through: one account's transport.

:class:`HttpCore` sends one logical request (a :class:`Call`) under the retry policy
(:mod:`adapters.http.retry`).  Each attempt is authorised afresh by the adapter's
:class:`httpx.Auth` (:mod:`adapters.http.auth`), waits for the account's rate limiter
(:mod:`adapters.http.limiter`), times out, is classified on its HTTP status **and** on the codes
in its body (:mod:`adapters.http.classify`), is logged as one structured line, and has every
secret redacted from log records and error text (:mod:`adapters.http.redaction`).  An answer
meaning "token expired" refreshes the auth once and sends the call again.

Creates are not idempotent: ``Call(idempotent=False)`` is retried only when the request cannot
have reached the marketplace (rate limits, connection refused); a timeout or a dropped connection
is raised to the caller, who looks the SKU up before trying again.
"""

from __future__ import annotations

import functools
import itertools
import logging
import time
from collections.abc import AsyncGenerator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from adapters.http.auth import Refreshable
from adapters.http.classify import Classifier, RequestContext, classify_response, transport_error
from adapters.http.limiter import TokenBucket, limiter_for
from adapters.http.reach import Reachability
from adapters.http.redaction import Redactor
from adapters.http.reply import Reply, decode_body
from adapters.http.retry import RetryPolicy, call_with_retries, may_retry
from catalog.errors import AgriConnectorError, AuthExpiredError, RateLimitedError

logger = logging.getLogger("adapters.http")

Params = Mapping[str, Any] | list[tuple[str, Any]]


@dataclass(frozen=True, slots=True)
class Call:
    """One logical request as an adapter asks for it; every attempt builds and authorises it anew."""

    method: str
    path: str  # relative to the account's base URL
    params: Params | None = None
    json_body: Any = None
    data: Mapping[str, Any] | None = None
    files: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    idempotent: bool = True  # False for a create: retried only when it cannot have been sent
    authenticated: bool = True  # False for the login call itself


@dataclass(slots=True)
class _Attempt:
    """One attempt's record, for its log line."""

    number: int
    where: RequestContext
    started: float = 0.0  # when the request left (after the limiter)
    status: int | None = None


@dataclass
class HttpCore:
    """One account's transport: auth, limiter, classification, retries, redaction, logging."""

    client: httpx.AsyncClient
    marketplace: str
    account: str
    base_url: str
    secrets: Iterable[str] = ()
    rate: float = 10.0
    timeout: float = 15.0
    policy: RetryPolicy | None = None  # None: default_policy() at each call
    auth: httpx.Auth | None = None
    classify: Classifier | None = None
    redactor: Redactor = field(init=False)
    limiter: TokenBucket = field(init=False)
    reach: Reachability = field(init=False)
    _timeout: httpx.Timeout = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.redactor = Redactor(self.secrets)
        self.limiter = limiter_for(self.marketplace, self.account, self.base_url, self.rate)
        self.reach = Reachability(self.marketplace, self.account)
        self._timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0))

    def add_secret(self, *values: str | None) -> None:
        """Register a secret learnt at run time (an access token) for redaction."""
        self.redactor.add(*values)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        authenticated: bool = True,
    ) -> Reply:
        """Send ``method path`` (relative to the account's base URL): :meth:`send` of that :class:`Call`."""
        call = Call(method, path, params=params, json_body=json_body, data=data, files=files, headers=headers,
                    idempotent=idempotent, authenticated=authenticated)
        return await self.send(call)

    async def send(self, call: Call) -> Reply:
        """Send ``call`` through the retry policy and return the classified reply.

        An :class:`AuthExpiredError` on an authenticated call refreshes a :class:`Refreshable`
        auth and tries once more.
        """
        try:
            return await self._with_retries(call)
        except AuthExpiredError:
            if not call.authenticated or not isinstance(self.auth, Refreshable):
                raise
            await self.auth.refresh()
            return await self._with_retries(call)

    async def _with_retries(self, call: Call) -> Reply:
        numbers = itertools.count(1)

        async def once() -> Reply:
            return await self._attempt(call, next(numbers))

        retry_if = functools.partial(may_retry, idempotent=call.idempotent)
        return await call_with_retries(once, policy=self.policy, retry_if=retry_if)

    async def _attempt(self, call: Call, number: int) -> Reply:
        attempt = _Attempt(number, RequestContext(self.marketplace, call.method, call.path.split("?")[0]))
        request, flow = await self._authorised(call)  # a login runs here, outside this attempt's log line
        try:
            try:
                response = await self._exchange(request, flow, attempt)
            finally:
                if flow is not None:
                    await flow.aclose()
            reply = self._classified(response, attempt.where)
        except AgriConnectorError as error:
            self._log(attempt, outcome=error.code)
            raise self.redactor.redact_error(error) from None
        self._log(attempt, outcome="ok")
        return reply

    async def _authorised(
        self, call: Call
    ) -> tuple[httpx.Request, AsyncGenerator[httpx.Request, httpx.Response] | None]:
        """The call's request as the auth flow would send it first, and the flow (None without auth)."""
        request = self.client.build_request(
            call.method,
            self.base_url + call.path,
            params=call.params,
            json=call.json_body,
            data=call.data,
            files=call.files,
            headers=call.headers,
            timeout=self._timeout,
        )
        if self.auth is None or not call.authenticated:
            return request, None
        flow = self.auth.async_auth_flow(request)
        return await flow.__anext__(), flow

    async def _exchange(
        self,
        request: httpx.Request,
        flow: AsyncGenerator[httpx.Request, httpx.Response] | None,
        attempt: _Attempt,
    ) -> httpx.Response:
        """Send the request, and any the auth flow yields after seeing the answer; the last answer."""
        while True:
            response = await self._transmit(request, attempt)
            if flow is None:
                return response
            try:
                request = await flow.asend(response)
            except StopAsyncIteration:
                return response

    async def _transmit(self, request: httpx.Request, attempt: _Attempt) -> httpx.Response:
        """One request on the wire, paced by the limiter; transport failures become retriable errors, and
        an account whose marketplace stopped answering gets :class:`UnreachableError` (see :mod:`.reach`)."""
        self.reach.check()
        await self.limiter.acquire(in_flight=True)
        self.reach.check()  # (it may have tripped while this request waited for its slot)
        attempt.started = time.monotonic()
        try:
            try:
                response = await self.client.send(request)
                await response.aread()
            finally:
                self.limiter.done(time.monotonic() - attempt.started)
        except httpx.TransportError as exc:
            error = transport_error(exc, attempt.where, self.redactor)
            connect = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            where = f"{attempt.where.method} {attempt.where.path}"
            raise (self.reach.failed(where, connect=connect) or error) from None
        self.reach.answered()
        attempt.status = response.status_code
        return response

    def _classified(self, response: httpx.Response, where: RequestContext) -> Reply:
        """The reply, or the error the answer means (a rate limit also slows the limiter down)."""
        body = decode_body(response)
        error = classify_response(response, body, where, self.classify)
        if error is not None:
            if isinstance(error, RateLimitedError):
                self.limiter.penalize(error.retry_after)
            raise error
        self.limiter.reward()
        return Reply(status=response.status_code, body=body, headers=response.headers, request_path=where.path)

    def _log(self, attempt: _Attempt, *, outcome: str) -> None:
        status = attempt.status
        level = logging.DEBUG if outcome == "ok" and status is not None and status < 400 else logging.INFO
        if not logger.isEnabledFor(level):  # the line and its redaction cost nothing when unseen
            return
        duration_ms = round((time.monotonic() - attempt.started) * 1000, 1)
        where = attempt.where
        path = self.redactor.redact(where.path)
        logger.log(
            level,
            "%s %s %s -> %s (%s) %.1f ms attempt %d",
            self.marketplace,
            where.method,
            path,
            status if status is not None else "-",
            outcome,
            duration_ms,
            attempt.number,
            extra={
                "marketplace": self.marketplace,
                "account": self.account,
                "method": where.method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "attempt": attempt.number,
                "outcome": outcome,
            },
        )
