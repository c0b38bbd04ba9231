"""Redaction: no secret of an account (keys, passwords, tokens learnt at run time) in a log record
or in the text of an error.

Each :class:`HttpCore <adapters.http.core.HttpCore>` holds a :class:`Redactor` for its account's
secrets; every live redactor also scrubs the records of the adapters' and httpx's loggers (httpx
prints full URLs, query-string keys included), and :func:`redact_text` scrubs text formatted
elsewhere.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from catalog.errors import AgriConnectorError, RejectedError

REDACTED = "***"
MIN_SECRET_LENGTH = 4  # shorter values would scrub ordinary words


class Redactor:
    """Replaces every known secret (and its URL-encoded forms) by ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        changed = False
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET_LENGTH:
                for form in (secret, httpx.QueryParams({"x": secret}).get("x") or secret, quote(secret, safe="")):
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


class _GlobalRedaction(logging.Filter):
    """A logging filter that scrubs the secrets of every live :class:`Redactor`."""

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
FILTERED_LOGGERS = ("adapters", "adapters.http", "adapters.voso", "adapters.postmart", "adapters.generic", "httpx",
                    "httpcore")
for _name in FILTERED_LOGGERS:
    logging.getLogger(_name).addFilter(_GLOBAL)


def redact_text(text: str) -> str:
    """Scrub ``text`` of every secret any live adapter knows (for callers that format errors)."""
    return _GLOBAL.scrub(text)
