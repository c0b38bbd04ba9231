"""The small template language of profiles (pure functions).

- ``"{sku}"`` alone keeps the value's type (an int stays an int); ``None`` drops the key;
- ``"SKU {sku}"`` formats text; ``{since:iso}``, ``{since:epoch}``, ``{since:epoch_ms}`` or any
  strftime pattern (``{since:%Y/%m/%d}``) format times;
- ``{"$each" = "images", "item" = {picture_url = "{value}"}}`` makes a list, one item per value;
- ``{"$json" = {...}}`` renders the table and sends it as JSON text (Lazada's ``payload``);
- ``{"$int" = "{price}"}`` / ``{"$str" = "{price}"}`` convert.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

_FIELD = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([^{}]+))?\}")
VN_TZ = timezone(timedelta(hours=7))


class MissingValue(KeyError):
    """A placeholder names a value the context does not have."""


def _format(value: Any, spec: str | None) -> Any:
    if spec is None:
        return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        if spec == "iso":
            return moment.astimezone(VN_TZ).isoformat(timespec="seconds")
        if spec == "iso_utc":
            return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if spec == "epoch":
            return int(moment.timestamp())
        if spec == "epoch_ms":
            return int(moment.timestamp() * 1000)
        return moment.astimezone(VN_TZ).strftime(spec)
    return format(value, spec)


def render(template: Any, context: Mapping[str, Any]) -> Any:
    """Fill ``template`` from ``context``."""
    if isinstance(template, str):
        whole = _FIELD.fullmatch(template)
        if whole:
            name, spec = whole.group(1), whole.group(2)
            if name not in context:
                raise MissingValue(name)
            value = context[name]
            return None if value is None else _format(value, spec)

        def one(match: re.Match[str]) -> str:
            name, spec = match.group(1), match.group(2)
            if name not in context:
                raise MissingValue(name)
            value = context[name]
            return "" if value is None else str(_format(value, spec))

        return _FIELD.sub(one, template)
    if isinstance(template, Mapping):
        if "$each" in template:
            values = context.get(str(template["$each"])) or []
            return [render(template.get("item", "{value}"), {**context, "value": v}) for v in values]
        if "$json" in template:
            return json.dumps(render(template["$json"], context), ensure_ascii=False, separators=(",", ":"))
        if "$int" in template:
            value = render(template["$int"], context)
            return None if value in (None, "") else int(value)
        if "$str" in template:
            value = render(template["$str"], context)
            return None if value is None else str(value)
        out = {}
        for key, sub in template.items():
            value = render(sub, context)
            if value is not None:
                out[str(key)] = value
        return out
    if isinstance(template, list):
        return [v for v in (render(item, context) for item in template) if v is not None]
    return template
