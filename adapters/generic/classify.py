"""A profile's ``[errors]`` table as the adapter's classifier: codes in the body (on any HTTP
status) or a message in a header → the error tree's classes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from adapters.generic.profile import ErrorsTable, Profile
from adapters.http import Classifier, dig, parse_retry_after
from catalog.errors import (
    AuthError,
    AuthExpiredError,
    MarketplaceError,
    RateLimitedError,
    RejectedError,
    RemoteNotFoundError,
    RetriableError,
    SkippableError,
)


def make_classifier(profile: Profile) -> Classifier:
    """The classifier of ``profile``: a failure is an HTTP status of 400 or more, or a code (at
    ``code_path``) not among ``success_codes``; the code lists say which class it is."""
    errors = profile.errors
    marketplace = f"generic:{profile.name}"

    def classify(response: httpx.Response, body: Any) -> MarketplaceError | None:
        raw_code = dig(body, errors.code_path) if errors.code_path and isinstance(body, Mapping) else None
        code = "" if raw_code is None else str(raw_code)
        failed = response.status_code >= 400 or code not in errors.success_codes
        if not failed:
            return None
        message = dig(body, errors.message_path) if errors.message_path else None
        if not message and errors.message_header:
            message = response.headers.get(errors.message_header)
        detail = f"{code}: {message}" if code else str(message or response.status_code)
        params: dict[str, Any] = {"marketplace": marketplace, "detail": detail[:300], "remote_code": code}
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if code in errors.rate_limited or response.status_code == 429:
            return RateLimitedError("market.rate_limited", retry_after=retry_after, **params)
        if code in errors.retry or response.status_code >= 500:
            return RetriableError("market.retriable", retry_after=retry_after, **params)
        if code in errors.auth_expired:
            return AuthExpiredError("market.auth_expired", **params)
        if code in errors.auth:
            return AuthError("market.auth", **params)
        if code in errors.not_found or response.status_code == 404:
            return RemoteNotFoundError("market.not_found", key=str(message or code), **params)
        if code in errors.skippable:
            return SkippableError("market.skippable", **params)
        if response.status_code == 401:
            return None  # the default status rules: an expired session
        if response.status_code == 403:
            return AuthError("market.auth", **params)
        return RejectedError("market.rejected", fields=_field_messages(errors, body), **params)

    return classify


def _field_messages(errors: ErrorsTable, body: Any) -> dict[str, str]:
    """field → message, from the list at ``fields_path``."""
    found = dig(body, errors.fields_path, []) if errors.fields_path else []
    return {
        str(item.get(errors.field_key, "")): str(item.get(errors.field_message_key, ""))
        for item in (found if isinstance(found, list) else [])
        if isinstance(item, Mapping)
    }
