"""What a successful request gives an adapter: the decoded body, and :func:`dig` to read it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(slots=True)
class Reply:
    """A classified, successful response."""

    status: int
    body: Any
    headers: httpx.Headers
    request_path: str


def decode_body(response: httpx.Response) -> Any:
    """JSON when the answer is JSON (or looks like it), else text; None when empty."""
    if not response.content:
        return None
    content_type = response.headers.get("content-type", "")
    if "json" in content_type or response.content[:1] in (b"{", b"["):
        try:
            return response.json()
        except ValueError:
            return response.text
    return response.text


def dig(data: Any, path: str | None, default: Any = None) -> Any:
    """``data["a"]["b"][0]`` for ``path="a.b.0"``; ``default`` when any step is missing."""
    if path is None or path == "":
        return data
    current = data
    for part in path.split("."):
        if isinstance(current, Mapping):
            if part not in current:
                return default
            current = current[part]
        elif isinstance(current, list | tuple) and part.lstrip("-").isdigit():
            index = int(part)
            if not -len(current) <= index < len(current):
                return default
            current = current[index]
        else:
            return default
    return current
