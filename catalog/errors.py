"""The one error tree of agri-connector.

Every error the packages raise derives from :class:`AgriConnectorError` and carries a stable
dotted ``code`` from the registry in :mod:`catalog.codes`, plus the parameters of its message.
The CLI and the web app translate errors into messages and exit or status codes; nothing below
them knows about either.

    AgriConnectorError                    code, params, .message(lang)
    ├── ConfigurationError                settings, missing secret key, faulty profile file
    ├── NotFoundError                     a producer, product, account, unit… that does not exist
    ├── CatalogueValidationError          one bad value; carries sheet, row, column, value
    ├── MarketplaceError                  what a marketplace said, or failed to say
    │   ├── RetriableError                5xx, timeout, dropped connection; carries retry_after
    │   │   ├── RateLimitedError          HTTP 429 or a rate-limit code inside the body
    │   │   └── UnreachableError          nothing answers: the account's run stops (next run retries)
    │   ├── FatalError                    retrying cannot help
    │   │   ├── AuthError                 bad credentials or signature
    │   │   │   └── AuthExpiredError      token expired: refresh, then retry once
    │   │   └── RejectedError             payload refused; carries field-level messages
    │   ├── RemoteNotFoundError           the remote listing or order is gone
    │   └── SkippableError                one bad record; the run goes on
    ├── ConflictError                     a lease held by someone else, a stale version
    └── LedgerError                       a closed period, an unbalanced correction
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog.codes import render


class AgriConnectorError(Exception):
    """Root of every error raised by agri-connector."""

    default_code = "internal.error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or self.default_code
        self.params: dict[str, Any] = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "vi") -> str:
        return render(self.code, lang, self.params)

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        """The JSON form used by ``--json`` output, reports and the web API."""
        out: dict[str, Any] = {"code": self.code, "message": self.message(lang)}
        for key, value in self.params.items():
            if key not in out and _is_json_scalar(value):
                out[key] = value
        return out


def _is_json_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


class ConfigurationError(AgriConnectorError):
    default_code = "config.invalid"


class NotFoundError(AgriConnectorError):
    default_code = "entity.not_found"


class ConflictError(AgriConnectorError):
    default_code = "conflict"


class CatalogueValidationError(AgriConnectorError):
    """One bad value in a catalogue, register or sales file, or in a form.

    ``sheet``, ``row`` (1-based, as Excel shows it), ``column`` (the header as written) and
    ``value`` locate it; they are optional so the same error serves forms and files.
    """

    default_code = "value.invalid"

    def __init__(
        self,
        code: str | None = None,
        /,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        **params: Any,
    ) -> None:
        self.sheet, self.row, self.column, self.value = sheet, row, column, value
        super().__init__(code, value=value, **params)

    def located(self, *, sheet: str | None, row: int | None, column: str | None) -> CatalogueValidationError:
        """The same error placed at a cell of a file."""
        return CatalogueValidationError(self.code, sheet=sheet, row=row, column=column, **self.params)

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        out = super().to_dict(lang)
        out.update({"sheet": self.sheet, "row": self.row, "column": self.column})
        out["value"] = None if self.value is None else str(self.value)
        return out


class LedgerError(AgriConnectorError):
    default_code = "ledger.error"


class MarketplaceError(AgriConnectorError):
    default_code = "market.error"


class RetriableError(MarketplaceError):
    """Worth trying again; ``retry_after`` (seconds) is what the marketplace asked for, if anything."""

    default_code = "market.retriable"

    def __init__(self, code: str | None = None, /, *, retry_after: float | None = None, **params: Any) -> None:
        self.retry_after = retry_after
        super().__init__(code, **params)


class RateLimitedError(RetriableError):
    default_code = "market.rate_limited"


class FatalError(MarketplaceError):
    default_code = "market.fatal"


class AuthError(FatalError):
    default_code = "market.auth"


class AuthExpiredError(AuthError):
    default_code = "market.auth_expired"


class RejectedError(FatalError):
    """The marketplace refused the payload; ``fields`` maps a field to its message."""

    default_code = "market.rejected"

    def __init__(
        self, code: str | None = None, /, *, fields: Mapping[str, str] | None = None, **params: Any
    ) -> None:
        self.fields: dict[str, str] = dict(fields or {})
        super().__init__(code, **params)

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        out = super().to_dict(lang)
        out["fields"] = self.fields
        return out


class RemoteNotFoundError(MarketplaceError):
    default_code = "market.not_found"


class UnreachableError(RetriableError):
    """The marketplace does not answer at all (nothing listens, or silence): the account's run stops at once
    instead of failing every item after its own retries.  Retriable by the next run, never by the retry
    policy within this one (``adapters.http.retry.may_retry`` refuses it)."""

    default_code = "adapters.unreachable"


class SkippableError(MarketplaceError):
    default_code = "market.skippable"
