"""Response classification: an answer or a transport failure → a class of the one error tree.

- retriable (:class:`~catalog.errors.RetriableError`, with ``retry_after``): 408, 425, 5xx,
  timeouts and dropped connections; :class:`~catalog.errors.RateLimitedError` for 429;
- fatal: 401 (:class:`~catalog.errors.AuthExpiredError`: refresh and retry once), 403
  (:class:`~catalog.errors.AuthError`), 404 (:class:`~catalog.errors.RemoteNotFoundError`),
  400/422 (:class:`~catalog.errors.RejectedError`), anything else 3xx–4xx
  (:class:`~catalog.errors.FatalError`);
- skippable (:class:`~catalog.errors.SkippableError`): only a marketplace's own body codes say so.

An adapter's :data:`Classifier` reads the body's codes first (marketplaces answer errors with any
status, 200 included); the HTTP status decides when it has nothing to say.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from adapters.http.redaction import Redactor
from catalog.errors import (
    AuthError,
    AuthExpiredError,
    FatalError,
    MarketplaceError,
    RateLimitedError,
    RejectedError,
    RemoteNotFoundError,
    RetriableError,
)

Classifier = Callable[[httpx.Response, Any], MarketplaceError | None]
"""An adapter's reading of a response's body codes: an error, or None to let the status decide."""


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What an error needs to say where it happened."""

    marketplace: str
    method: str
    path: str

    def params(self) -> dict[str, Any]:
        return {"marketplace": self.marketplace, "method": self.method, "path": self.path}


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


def classify_response(
    response: httpx.Response, body: Any, where: RequestContext, classify: Classifier | None = None
) -> MarketplaceError | None:
    """The error this response means (None: a success): the adapter's body codes first, then the status."""
    error = classify(response, body) if classify is not None else None
    if error is None:
        error = default_status_error(response, body, where)
    if error is None and response.status_code >= 300:
        error = FatalError("adapters.http_status", **where.params(), status=response.status_code,
                           detail=short_detail(body, response))
    return error


def default_status_error(response: httpx.Response, body: Any, ctx: RequestContext) -> MarketplaceError | None:
    """Errors by HTTP status alone (after the adapter's body classification had its say)."""
    status = response.status_code
    if status < 400:
        return None
    detail = short_detail(body, response)
    params = {**ctx.params(), "status": status, "detail": detail}
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


def transport_error(exc: httpx.TransportError, where: RequestContext, redactor: Redactor) -> RetriableError:
    """A failure before any answer: retriable, with ``sent`` telling whether the request may have
    reached the marketplace (a create is retried only when it cannot have)."""
    if isinstance(exc, httpx.TimeoutException):
        connect = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
        return RetriableError("adapters.timeout", sent=not connect, **where.params())
    return RetriableError(
        "adapters.connection",
        sent=not isinstance(exc, httpx.ConnectError),
        **where.params(),
        detail=redactor.redact(type(exc).__name__ + ": " + str(exc)),
    )


def short_detail(body: Any, response: httpx.Response) -> str:
    """The marketplace's own message, at most 300 characters."""
    if isinstance(body, Mapping):
        for key in ("message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:300]
            if isinstance(value, Mapping) and isinstance(value.get("message"), str):
                return str(value["message"])[:300]
    text = response.text if not isinstance(body, Mapping) else json.dumps(body, ensure_ascii=False)
    return text[:300]
