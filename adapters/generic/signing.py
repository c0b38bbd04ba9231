"""Request signing of the ``hmac_query`` scheme (pure): Lazada's documented algorithm and its kin."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable


def sorted_concat(params: Iterable[tuple[str, str]], *, exclude: str = "sign") -> str:
    """Every parameter but ``exclude``, sorted by name, as ``key1value1key2value2…``."""
    return "".join(f"{k}{v}" for k, v in sorted(params) if k != exclude)


def hmac_sha256(key: str, text: str, *, upper: bool) -> str:
    digest = hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest.upper() if upper else digest


def sign(
    template: str,
    *,
    path: str,
    params: Iterable[tuple[str, str]],
    key: str,
    upper: bool,
    exclude: str = "sign",
    body: str = "",
) -> str:
    """Sign ``template`` (``{path}``, ``{sorted_params}``, ``{body}``) with HMAC-SHA256."""
    text = template.replace("{path}", path).replace("{sorted_params}", sorted_concat(params, exclude=exclude))
    text = text.replace("{body}", body)
    return hmac_sha256(key, text, upper=upper)
