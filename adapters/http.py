"""The HTTP core every adapter speaks through.

- :func:`call_with_retries` is **the** retry policy of the project (tenacity): it retries
  :class:`~catalog.errors.RetriableError` only, with exponential backoff and jitter, honours the
  marketplace's ``retry_after``, and stops at an attempt cap or a total deadline.  Nothing else in
  ``adapters/`` or ``connector/`` sleeps and tries again; the sync engine calls this function too
  (for creates it passes ``before_retry`` to look the SKU up first).
- :class:`TokenBucket` is the per-account rate limiter (:func:`limiter_for`); a 429 halves its rate
  and blocks it for the ``Retry-After``, successes bring the rate back slowly.
- :class:`HttpCore` sends one logical request: it signs every attempt (``sign`` hook), limits,
  times out, classifies the response on its HTTP status **and** on the codes in its body
  (``classify`` hook), logs one structured line per attempt and redacts every secret from log
  records and exception text.  An expired token is refreshed once (``refresh`` hook).

Creates are not idempotent: ``HttpCore.request(..., idempotent=False)`` retries only what cannot
have reached the marketplace (rate limits, connection refused); a timeout or a dropped
connection is raised to the caller, who looks the SKU up before trying again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from catalog.errors import (
    AgriConnectorError,
    AuthError,
    AuthExpiredError,
    FatalError,
    MarketplaceError,
    RateLimitedError,
    RejectedError,
    RemoteNotFoundError,
    RetriableError,
)

T = TypeVar("T")
logger = logging.getLogger("adapters.http")

REDACTED = "***"


# --------------------------------------------------------------------------------------------
# Redaction


class Redactor:
    """Replaces every known secret (and its URL-encoded form) by ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        changed = False
        for secret in secrets:
            if secret and len(secret) >= 4:
                for form in (secret, httpx.QueryParams({"x": secret}).get("x") or secret, _quoted(secret)):
                    if form not in self._secrets:
                        self._secrets.add(form)
                        changed = True
        if changed:
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))
            _GLOBAL.register(self)

    def redact(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REDACTED, text)

    def redact_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {k: self.redact_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.redact_value(v) for v in value)
        return value

    def redact_error(self, error: AgriConnectorError) -> AgriConnectorError:
        """Scrub an error's parameters and text in place (and return it)."""
        error.params = {k: self.redact_value(v) for k, v in error.params.items()}
        if isinstance(error, RejectedError):
            error.fields = {k: self.redact(v) for k, v in error.fields.items()}
        error.args = tuple(self.redact(str(a)) for a in error.args)
        return error


def _quoted(secret: str) -> str:
    from urllib.parse import quote

    return quote(secret, safe="")


class _GlobalRedaction(logging.Filter):
    """A logging filter that scrubs the secrets of every live :class:`Redactor` (httpx's own logs
    print full URLs, query-string keys included)."""

    def __init__(self) -> None:
        super().__init__()
        self._redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()

    def register(self, redactor: Redactor) -> None:
        self._redactors.add(redactor)

    def scrub(self, text: str) -> str:
        for redactor in list(self._redactors):
            text = redactor.redact(text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._redactors:
            record.msg = self.scrub(record.getMessage())
            record.args = None
            for key, value in list(record.__dict__.items()):
                if key not in _STANDARD_RECORD_KEYS and isinstance(value, str):
                    setattr(record, key, self.scrub(value))
        return True


_STANDARD_RECORD_KEYS = set(logging.LogRecord("x", 0, "x", 0, "x", None, None).__dict__) | {"message"}
_GLOBAL = _GlobalRedaction()
_FILTERED_LOGGERS = ("adapters", "adapters.http", "adapters.voso", "adapters.postmart", "adapters.generic", "httpx",
                     "httpcore")
for _name in _FILTERED_LOGGERS:
    logging.getLogger(_name).addFilter(_GLOBAL)


def redact_text(text: str) -> str:
    """Scrub ``text`` of every secret any live adapter knows (for callers that format errors)."""
    return _GLOBAL.scrub(text)


# --------------------------------------------------------------------------------------------
# The retry policy


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt cap, backoff and total deadline of the one retry policy."""

    max_attempts: int = 5
    base_delay: float = 0.2  # seconds before the 2nd attempt, doubled each time
    max_delay: float = 10.0
    deadline: float = 60.0  # seconds, all attempts and waits included
    jitter: float = 0.5  # the wait is drawn from [delay * (1 - jitter), delay]
    max_retry_after: float = 60.0  # a Retry-After longer than this is capped

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        delay = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        delay = random.uniform(delay * (1.0 - self.jitter), delay)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay


DEFAULT_POLICY = RetryPolicy()
_current_policy = DEFAULT_POLICY


def default_policy() -> RetryPolicy:
    """The policy adapters use unless given one (tests shorten it with :func:`set_default_policy`)."""
    return _current_policy


def set_default_policy(policy: RetryPolicy) -> RetryPolicy:
    """Replace the default policy; returns the previous one."""
    global _current_policy
    previous, _current_policy = _current_policy, policy
    return previous

SleepFunction = Callable[[float], Awaitable[None]]


def is_retriable(error: BaseException) -> bool:
    return isinstance(error, RetriableError)


async def call_with_retries(
    operation: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy | None = None,
    retry_if: Callable[[BaseException], bool] = is_retriable,
    before_retry: Callable[[int, BaseException], Awaitable[None]] | None = None,
    sleep: SleepFunction | None = None,
) -> T:
    """Run ``operation`` under the retry policy.

    Only errors for which ``retry_if`` is true are retried (default: :class:`RetriableError`);
    anything else propagates at once.  ``before_retry(attempt, error)`` runs before each new
    attempt (the sync engine looks a SKU up there and may raise to stop).  When attempts or the
    deadline run out, the last error is raised as it was.

    The first attempt runs directly (most calls succeed at once: no retry machinery for them);
    tenacity takes over from the first retriable failure, which it sees as attempt 1.
    """
    active = policy or default_policy()
    started = time.monotonic()
    try:
        return await operation()
    except Exception as error:
        if not retry_if(error) or active.max_attempts <= 1:
            raise
        first: list[BaseException] = [error]

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        delay = active.backoff(state.attempt_number, retry_after)
        remaining = active.deadline - (time.monotonic() - started)
        return max(0.0, min(delay, remaining))

    async def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        logger.info(
            "retry after attempt %d: %s",
            state.attempt_number,
            redact_text(str(error)),
            extra={"attempt": state.attempt_number, "error_code": getattr(error, "code", None)},
        )
        if before_retry is not None and error is not None:
            await before_retry(state.attempt_number, error)

    retrying = AsyncRetrying(
        retry=retry_if_exception(retry_if),
        stop=stop_after_attempt(active.max_attempts) | _StopAt(started + active.deadline),
        wait=wait,
        before_sleep=before_sleep,
        sleep=sleep or asyncio.sleep,
        reraise=True,
    )

    async def attempt() -> T:  # tenacity awaits only coroutine functions: a lambda must be wrapped
        if first:  # the attempt already made, failed as it did
            raise first.pop()
        return await operation()

    return await retrying(attempt)


class _StopAt(stop_base):
    """Stop once the policy's deadline (counted from the first attempt) has passed."""

    def __init__(self, moment: float) -> None:
        self.moment = moment

    def __call__(self, retry_state: RetryCallState) -> bool:
        return time.monotonic() >= self.moment


# --------------------------------------------------------------------------------------------
# Rate limiting


class TokenBucket:
    """An async token bucket: ``rate`` requests per second with bursts of ``burst``.

    It counts the way marketplaces count (the sandbox's limiter is one such bucket): tokens refill
    continuously at the rate, up to ``burst``, and each request takes one *when it leaves*.
    Waiting requests queue in order behind one timer, so after a stall of the event loop at
    most ``burst`` go at once, never every request whose turn passed meanwhile (a marketplace
    counts those as one burst and answers 429).  The client paces at ``HEADROOM`` of the
    documented rate with a burst of a tenth of a second's worth by default: half of the
    sandbox's (a fifth), the other half absorbs the jitter of the network and of both event
    loops, and the headroom refills the marketplace's bucket when a stall has emptied it.

    A marketplace counts a request when it handles it, not when it was sent: a server that
    stalls handles every request that reached it meanwhile at one instant.  So the requests in
    flight (``acquire(in_flight=True)`` … ``done``) are capped too: at the burst (the half of
    the marketplace's that our own bursts leave it), or at twice what the shortest round trip
    seen needs to keep the rate, whichever is more.  After such a stall the marketplace's bucket
    refills only by what the headroom leaves it.

    It slows down on 429s (AIMD): ``penalize`` halves the rate, at most once per second so that a
    burst of 429s counts once, down to a tenth of the nominal rate, and blocks until the
    ``retry_after``; each success (``reward``) adds back 2 % of the nominal rate.
    """

    HEADROOM = 0.97  # pace a little under the documented rate: the marketplace's bucket refills meanwhile

    def __init__(self, rate: float, *, burst: int | None = None, min_rate: float | None = None) -> None:
        self.nominal = max(float(rate), 0.1)
        self.rate = self.nominal
        self.burst = burst if burst is not None else max(1, int(self.nominal // 10))
        self.min_rate = min_rate if min_rate is not None else max(0.1, self.nominal / 10)
        self.tokens = float(self.burst)
        self._stamp = time.monotonic()
        self._blocked_until = 0.0
        self._last_penalty = -1e9
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: deque[tuple[asyncio.Future[None], bool]] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self.in_flight = 0
        self._round_trip = 0.0  # the shortest round trip seen (drifting up slowly), seconds

    @property
    def max_in_flight(self) -> int:
        return max(self.burst, int(2 * self.nominal * self._round_trip) + 1)

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self.tokens = min(float(self.burst), self.tokens + (now - self._stamp) * self.rate * self.HEADROOM)
            self._stamp = now

    def _wait(self, now: float) -> float:
        """Seconds until a token is free (0: now)."""
        shortfall = 1.0 - self.tokens
        return max(0.0, self._blocked_until - now, shortfall / (self.rate * self.HEADROOM) if shortfall > 0 else 0.0)

    def reserve(self) -> float:
        """Take a token now, in debt if none is free; seconds to wait before using it."""
        now = time.monotonic()
        self._refill(now)
        wait = self._wait(now)
        self.tokens -= 1.0
        return wait

    async def acquire(self, *, in_flight: bool = False) -> None:
        """Wait for a token (first come, first served) and take it; with ``in_flight``, also for a
        place among the requests in flight (give it back with :meth:`done`)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (asyncio.run again): the old queue is gone
            self._loop, self._waiters, self._timer, self.in_flight = loop, deque(), None, 0
        if not self._waiters and (not in_flight or self.in_flight < self.max_in_flight):
            now = time.monotonic()
            self._refill(now)
            if self._wait(now) == 0.0:
                self.tokens -= 1.0
                self.in_flight += in_flight
                return
        future: asyncio.Future[None] = loop.create_future()
        self._waiters.append((future, in_flight))
        self._arm()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # given its turn, then cancelled: give it back
                self.tokens += 1.0
                if in_flight:
                    self.done(None)
            raise

    def done(self, round_trip: float | None) -> None:
        """A request taken with ``acquire(in_flight=True)`` has its answer (or failed)."""
        self.in_flight = max(0, self.in_flight - 1)
        if round_trip is not None and round_trip > 0:
            rtt = self._round_trip
            self._round_trip = round_trip if rtt == 0.0 or round_trip < rtt else rtt + (round_trip - rtt) * 0.01
        if self._waiters and self._timer is None and self._loop is not None:
            self._release()

    def _arm(self) -> None:
        if self._timer is not None or not self._waiters or self._loop is None:
            return
        if self._waiters[0][1] and self.in_flight >= self.max_in_flight:
            return  # the next answer (done) releases the queue
        now = time.monotonic()
        self._refill(now)
        self._timer = self._loop.call_later(self._wait(now), self._release)

    def _release(self) -> None:
        self._timer = None
        now = time.monotonic()
        self._refill(now)
        while self._waiters and self._wait(now) <= 1e-6:
            future, in_flight = self._waiters[0]
            if future.done():  # its task was cancelled while waiting
                self._waiters.popleft()
                continue
            if in_flight and self.in_flight >= self.max_in_flight:
                break
            self._waiters.popleft()
            self.tokens -= 1.0
            self.in_flight += in_flight
            future.set_result(None)
        self._arm()

    def penalize(self, retry_after: float | None = None) -> None:
        now = time.monotonic()
        self._refill(now)
        if now - self._last_penalty >= 1.0:
            self.rate = max(self.min_rate, self.rate / 2)
            self._last_penalty = now
        if retry_after:
            self._blocked_until = max(self._blocked_until, now + min(retry_after, 60.0))

    def reward(self) -> None:
        if self.rate < self.nominal:
            self._refill(time.monotonic())
            self.rate = min(self.nominal, self.rate + self.nominal * 0.02)


_LIMITERS: dict[tuple[str, str, str], TokenBucket] = {}


def limiter_for(marketplace: str, account: str, base_url: str, rate: float) -> TokenBucket:
    """The one limiter of an account (shared by every adapter instance for it in this process)."""
    key = (marketplace, account, base_url)
    bucket = _LIMITERS.get(key)
    if bucket is None or bucket.nominal != max(float(rate), 0.1):
        bucket = _LIMITERS[key] = TokenBucket(rate)
    return bucket


# --------------------------------------------------------------------------------------------
# Responses and classification


@dataclass(slots=True)
class Reply:
    """A classified, successful response."""

    status: int
    body: Any
    headers: httpx.Headers
    request_path: str


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


Classifier = Callable[[httpx.Response, Any], MarketplaceError | None]
Signer = Callable[[httpx.Request], Awaitable[None]]


@dataclass(slots=True)
class RequestContext:
    """What an error needs to say where it happened."""

    marketplace: str
    method: str
    path: str


def default_status_error(response: httpx.Response, body: Any, ctx: RequestContext) -> MarketplaceError | None:
    """Errors by HTTP status alone (after the adapter's body classification had its say)."""
    status = response.status_code
    if status < 400:
        return None
    detail = _short_detail(body, response)
    params = {
        "marketplace": ctx.marketplace,
        "method": ctx.method,
        "path": ctx.path,
        "status": status,
        "detail": detail,
    }
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 429:
        return RateLimitedError("market.rate_limited", retry_after=retry_after, **params)
    if status in (408, 425) or status >= 500:
        return RetriableError("adapters.http_status", retry_after=retry_after, **params)
    if status == 401:
        return AuthExpiredError("market.auth_expired", **params)
    if status == 403:
        return AuthError("market.auth", **params)
    if status == 404:
        return RemoteNotFoundError("market.not_found", key=ctx.path, **params)
    if status in (400, 422):
        return RejectedError("market.rejected", marketplace=ctx.marketplace, detail=detail, status=status)
    return FatalError("adapters.http_status", **params)


def _short_detail(body: Any, response: httpx.Response) -> str:
    if isinstance(body, Mapping):
        for key in ("message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:300]
            if isinstance(value, Mapping) and isinstance(value.get("message"), str):
                return str(value["message"])[:300]
    text = response.text if not isinstance(body, Mapping) else json.dumps(body, ensure_ascii=False)
    return text[:300]


def dig(data: Any, path: str | None, default: Any = None) -> Any:
    """``data["a"]["b"][0]`` for ``path="a.b.0"``; ``default`` when any step is missing."""
    if path is None or path == "":
        return data
    current = data
    for part in path.split("."):
        if isinstance(current, Mapping):
            if part not in current:
                return default
            current = current[part]
        elif isinstance(current, list | tuple) and part.lstrip("-").isdigit():
            index = int(part)
            if not -len(current) <= index < len(current):
                return default
            current = current[index]
        else:
            return default
    return current


# --------------------------------------------------------------------------------------------
# The core


@dataclass
class HttpCore:
    """One account's transport: limiter, signing, classification, retries, redaction, logging."""

    client: httpx.AsyncClient
    marketplace: str
    account: str
    base_url: str
    secrets: Iterable[str] = ()
    rate: float = 10.0
    timeout: float = 15.0
    policy: RetryPolicy | None = None  # None: default_policy() at each call
    sign: Signer | None = None
    classify: Classifier | None = None
    refresh: Callable[[], Awaitable[None]] | None = None
    redactor: Redactor = field(init=False)
    limiter: TokenBucket = field(init=False)
    _timeout: httpx.Timeout = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.redactor = Redactor(self.secrets)
        self.limiter = limiter_for(self.marketplace, self.account, self.base_url, self.rate)
        self._timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0))

    def add_secret(self, *values: str | None) -> None:
        """Register a secret learnt at run time (an access token) for redaction."""
        self.redactor.add(*values)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        authenticated: bool = True,
    ) -> Reply:
        """Send ``method path`` through the retry policy and return the classified reply.

        ``path`` is relative to the account's base URL.  An :class:`AuthExpiredError` on an
        authenticated call runs the ``refresh`` hook and tries once more.
        """
        try:
            return await self._with_retries(
                method, path, params, json_body, data, files, headers, idempotent, authenticated
            )
        except AuthExpiredError:
            if not authenticated or self.refresh is None:
                raise
            await self.refresh()
            return await self._with_retries(
                method, path, params, json_body, data, files, headers, idempotent, authenticated
            )

    async def _with_retries(
        self,
        method: str,
        path: str,
        params: Any,
        json_body: Any,
        data: Any,
        files: Any,
        headers: Any,
        idempotent: bool,
        authenticated: bool,
    ) -> Reply:
        attempt = 0

        async def once() -> Reply:
            nonlocal attempt
            attempt += 1
            return await self._send_once(method, path, params, json_body, data, files, headers, attempt, authenticated)

        def retry_if(error: BaseException) -> bool:
            if not isinstance(error, RetriableError):
                return False
            if idempotent:
                return True
            # a create may have been committed: only errors that prove it was not are retried here
            return isinstance(error, RateLimitedError) or error.params.get("sent") is False

        return await call_with_retries(once, policy=self.policy, retry_if=retry_if)

    async def _send_once(
        self,
        method: str,
        path: str,
        params: Any,
        json_body: Any,
        data: Any,
        files: Any,
        headers: Any,
        attempt: int,
        authenticated: bool,
    ) -> Reply:
        ctx = RequestContext(self.marketplace, method, path.split("?")[0])
        request = self.client.build_request(
            method,
            self.base_url + path,
            params=params,
            json=json_body,
            data=data,
            files=files,
            headers=headers,
            timeout=self._timeout,
        )
        if self.sign is not None and authenticated:
            await self.sign(request)
        await self.limiter.acquire(in_flight=True)
        started = time.monotonic()
        status: int | None = None
        try:
            try:
                try:
                    response = await self.client.send(request)
                    await response.aread()
                finally:
                    self.limiter.done(time.monotonic() - started)
            except httpx.TimeoutException as exc:
                connect = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                raise RetriableError(
                    "adapters.timeout",
                    sent=not connect,
                    marketplace=ctx.marketplace,
                    method=ctx.method,
                    path=ctx.path,
                ) from None
            except httpx.TransportError as exc:
                sent = not isinstance(exc, httpx.ConnectError)
                raise RetriableError(
                    "adapters.connection",
                    sent=sent,
                    marketplace=ctx.marketplace,
                    method=ctx.method,
                    path=ctx.path,
                    detail=self.redactor.redact(type(exc).__name__ + ": " + str(exc)),
                ) from None
            status = response.status_code
            body = _decode(response)
            error = self.classify(response, body) if self.classify is not None else None
            if error is None:
                error = default_status_error(response, body, ctx)
            if error is None and status >= 300:
                error = FatalError(
                    "adapters.http_status",
                    marketplace=ctx.marketplace,
                    method=ctx.method,
                    path=ctx.path,
                    status=status,
                    detail=_short_detail(body, response),
                )
            if error is not None:
                if isinstance(error, RateLimitedError):
                    self.limiter.penalize(error.retry_after)
                raise self.redactor.redact_error(error)
            self.limiter.reward()
            self._log(ctx, status, started, attempt, outcome="ok")
            return Reply(status=status, body=body, headers=response.headers, request_path=ctx.path)
        except AgriConnectorError as error:
            self._log(ctx, status, started, attempt, outcome=error.code)
            raise self.redactor.redact_error(error) from None

    def _log(self, ctx: RequestContext, status: int | None, started: float, attempt: int, *, outcome: str) -> None:
        if outcome == "ok" and status is not None and status < 400:
            level = logging.DEBUG
        else:
            level = logging.INFO
        if not logger.isEnabledFor(level):  # the line and its redaction cost nothing when unseen
            return
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        logger.log(
            level,
            "%s %s %s -> %s (%s) %.1f ms attempt %d",
            self.marketplace,
            ctx.method,
            self.redactor.redact(ctx.path),
            status if status is not None else "-",
            outcome,
            duration_ms,
            attempt,
            extra={
                "marketplace": self.marketplace,
                "account": self.account,
                "method": ctx.method,
                "path": self.redactor.redact(ctx.path),
                "status": status,
                "duration_ms": duration_ms,
                "attempt": attempt,
                "outcome": outcome,
            },
        )


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    content_type = response.headers.get("content-type", "")
    if "json" in content_type or response.content[:1] in (b"{", b"["):
        try:
            return response.json()
        except ValueError:
            return response.text
    return response.text


def require_mapping(reply: Reply, marketplace: str, *, path: str | None = None) -> Mapping[str, Any]:
    """The reply's body as a JSON object, or a retriable ``adapters.bad_response``."""
    body = reply.body if path is None else dig(reply.body, path)
    if not isinstance(body, Mapping):
        raise RetriableError(
            "adapters.bad_response",
            marketplace=marketplace,
            method="-",
            path=reply.request_path,
            detail="expected a JSON object",
        )
    return body
