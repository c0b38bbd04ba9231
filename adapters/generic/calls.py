"""From a profile's operation and the values of one call to the :class:`~adapters.http.Call` the
HTTP core sends (pure): the path, query and body templates rendered, paging parameters added, the
body encoded as the operation says."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from adapters.generic.profile import Operation
from adapters.generic.template import MissingValue, render
from adapters.http import Call
from catalog.errors import ConfigurationError


def build_call(
    op: Operation,
    context: Mapping[str, Any],
    *,
    profile_file: Path,
    files: Mapping[str, Any] | None = None,
    url: str | None = None,
    paging: Mapping[str, Any] | None = None,
    authenticated: bool = True,
) -> Call:
    """The call ``op`` makes with ``context``'s values.

    ``url`` replaces the path and query (a Link header's next page is complete); ``paging`` holds
    the page/offset/cursor parameters the templates may not set themselves.  A placeholder the
    context lacks is a fault of the profile (``profile_file``): ConfigurationError
    ``adapters.profile_invalid``.
    """
    try:
        path = url if url is not None else _path(op, context)
        query = render(dict(op.query), context) if url is None else None
        body = render(dict(op.body), context)
    except MissingValue as exc:
        raise ConfigurationError(
            "adapters.profile_invalid",
            file=str(profile_file),
            key=f"operations.{op.name}",
            reason=f"unknown placeholder {{{exc.args[0]}}}",
        ) from None
    if paging and url is None:
        if op.pagination.location == "body":
            body = {**paging, **body}
        else:
            query = {**paging, **(query or {})}
    return _encoded(op, path, query, body, files=files, authenticated=authenticated)


def _path(op: Operation, context: Mapping[str, Any]) -> str:
    return str(render(op.path, _Quoted(context))) if "{" in op.path else op.path


def _encoded(
    op: Operation,
    path: str,
    query: dict[str, Any] | None,
    body: dict[str, Any],
    *,
    files: Mapping[str, Any] | None,
    authenticated: bool,
) -> Call:
    params: dict[str, Any] | None = query or None
    json_body: Any = None
    data: dict[str, str] | None = None
    if op.encoding == "json" and body:
        json_body = body
    elif op.encoding == "form" and body:
        data = {k: _form_value(v) for k, v in body.items()}
    elif op.encoding == "query" and body:
        params = {**(query or {}), **body}
    elif op.encoding == "multipart":
        data = {k: _form_value(v) for k, v in body.items()} or None
    return Call(
        op.method,
        path,
        params=params,
        json_body=json_body,
        data=data,
        files=files if op.encoding == "multipart" else None,
        headers=dict(op.headers) or None,
        idempotent=op.idempotent,
        authenticated=authenticated,
    )


def _form_value(value: Any) -> str:
    """A form field: text as is, anything else as JSON (``1000``, ``true``, ``["a"]``)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Quoted(Mapping[str, Any]):
    """The context's values as URL path segments, quoted when a template asks for them."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        return quote(str(value), safe="") if isinstance(value, str | int) else value

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)
