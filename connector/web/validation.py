"""Pydantic's validation errors in the code registry's words: one place for the API and the forms.

A form and the JSON API check input with the same models as the CLI and the services (the
catalogue's ``ProductUpdate``, the API's bodies); what they refuse is shown field by field with the
registry's message (``text.too_long``, ``number.too_large``…), never as a 500.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from catalog.codes import render

_BY_TYPE = {
    "string_too_long": "text.too_long", "too_long": "text.too_long",
    "string_too_short": "value.required", "missing": "value.required",
    "greater_than_equal": "number.negative", "greater_than": "number.negative",
    "less_than_equal": "number.too_large", "less_than": "number.too_large",
    "int_parsing": "number.not_integer", "int_from_float": "number.not_integer", "float_parsing": "number.invalid",
    "decimal_parsing": "number.invalid", "int_parsing_size": "number.too_large",
}


def problem_of(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(code, parameters) for one pydantic error dict."""
    ctx = error.get("ctx") or {}
    value = error.get("input")
    shown = value if isinstance(value, str | int | float) else ""
    code = _BY_TYPE.get(str(error.get("type")), "value.invalid")
    params: dict[str, Any] = {"value": str(shown)[:60]}
    if code == "text.too_long":
        params["max"] = ctx.get("max_length", "")
    if code == "number.too_large":
        params["max"] = ctx.get("le", ctx.get("lt", ""))
    return code, params


def field_of(error: Mapping[str, Any], *, skip: int = 0) -> str:
    return ".".join(str(p) for p in tuple(error.get("loc", ()))[skip:])


def messages_by_field(errors: Iterable[Mapping[str, Any]], lang: str, *, skip: int = 0) -> dict[str, str]:
    """The first message for each field, in ``lang``."""
    out: dict[str, str] = {}
    for error in errors:
        code, params = problem_of(error)
        out.setdefault(field_of(error, skip=skip), render(code, lang, params))
    return out
