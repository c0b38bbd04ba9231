"""A faulty profile's error: pydantic's validation errors → ConfigurationError
``adapters.profile_invalid`` naming the file, the dotted key and the reason in the profile's own
words ("missing table", "'fax' is not one of url, upload", "unknown operation (known: …)")."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from catalog.errors import ConfigurationError

_REASONS = {
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
}


class Problem(ValueError):
    """A check of a table failing at ``key`` (dotted, below the table that checks)."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


def profile_problem(schema: type[BaseModel], file: Path, error: ValidationError) -> ConfigurationError:
    """The first problem pydantic found, as the project's error.  An unknown key comes first: it
    often explains a missing one (a misspelt operation is both)."""
    details = error.errors()
    first = next((d for d in details if d["type"] == "extra_forbidden"), details[0])
    loc = [str(part) for part in first["loc"]]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, Problem):
        loc += cause.key.split(".")
        reason = cause.reason
    else:
        reason = _reason(schema, first, loc)
    return ConfigurationError("adapters.profile_invalid", file=str(file), key=".".join(loc) or "-", reason=reason)


def _reason(schema: type[BaseModel], detail: ErrorDetails, loc: list[str]) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden":
        table = _table_at(schema, loc[:-1])
        if table is not None:
            return str(getattr(table, "unknown_key", "unknown key")).format(known=", ".join(_keys(table)))
        return "unknown key"
    if kind == "missing":
        table = _table_at(schema, loc[:-1])
        missing = str(getattr(table, "missing_key", "missing"))
        if missing == "missing" and _table_at(table, loc[-1:]) is not None:
            return "missing table"
        return missing
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(detail.get("ctx", {}).get("expected", "")))
        return f"'{detail['input']}' is not one of {', '.join(choices)}"
    if kind == "value_error":
        return str(detail.get("ctx", {}).get("error", detail["msg"]))
    return _REASONS.get(kind, detail["msg"])


def _keys(table: type[BaseModel]) -> list[str]:
    """The keys a table may hold, as written in a profile."""
    return [info.alias or name for name, info in table.model_fields.items() if not info.exclude]


def _table_at(table: type[BaseModel] | None, loc: list[str]) -> type[BaseModel] | None:
    """The model of the table at ``loc`` below ``table`` (None when that is not a table)."""
    for part in loc:
        if table is None:
            return None
        fields = {info.alias or name: info for name, info in table.model_fields.items()}
        info = fields.get(part)
        table = _model_in(info.annotation) if info is not None else None
    return table


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation names (``Operation | None`` → ``Operation``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
