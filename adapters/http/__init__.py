"""The HTTP core every adapter speaks through, one idea per module:

- :mod:`~adapters.http.retry`: **the** retry policy of the project (tenacity, in that module only);
- :mod:`~adapters.http.limiter`: the per-account rate limiter;
- :mod:`~adapters.http.classify`: HTTP status and transport failures → fatal / retriable / skippable;
- :mod:`~adapters.http.redaction`: no secret in a log record or an error's text;
- :mod:`~adapters.http.auth`: authentication as :class:`httpx.Auth` flows (a login token);
- :mod:`~adapters.http.reply` and :mod:`~adapters.http.core`: the reply, and :class:`HttpCore`,
  which sends a :class:`Call` through all of the above.

Adapters (built-in and third-party) import these names from ``adapters.http``.
"""

from adapters.http.auth import Refreshable, Token, TokenAuth
from adapters.http.classify import (
    Classifier,
    RequestContext,
    classify_response,
    default_status_error,
    parse_retry_after,
)
from adapters.http.core import Call, HttpCore
from adapters.http.limiter import TokenBucket, limiter_for
from adapters.http.reach import Reachability
from adapters.http.redaction import REDACTED, Redactor, redact_text
from adapters.http.reply import Reply, decode_body, dig
from adapters.http.retry import (
    DEFAULT_POLICY,
    RetryPolicy,
    call_with_retries,
    default_policy,
    is_retriable,
    may_retry,
    set_default_policy,
)

__all__ = [
    "DEFAULT_POLICY",
    "REDACTED",
    "Call",
    "Classifier",
    "HttpCore",
    "Reachability",
    "Redactor",
    "Refreshable",
    "Reply",
    "RequestContext",
    "RetryPolicy",
    "Token",
    "TokenAuth",
    "TokenBucket",
    "call_with_retries",
    "classify_response",
    "decode_body",
    "default_policy",
    "default_status_error",
    "dig",
    "is_retriable",
    "limiter_for",
    "may_retry",
    "parse_retry_after",
    "redact_text",
    "set_default_policy",
]
