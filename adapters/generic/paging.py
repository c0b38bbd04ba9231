"""Order paging in the profile's style (pure): the cursor the connector holds ↔ the page, offset,
cursor, token or Link URL the marketplace wants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.generic.profile import Pagination
from adapters.http import Reply, dig


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What one ``orders`` call needs: its templates' values, a complete URL (Link paging) and the
    paging parameters to add unless the templates set them."""

    context: dict[str, Any]
    url: str | None
    paging: dict[str, Any]


def page_request(
    pages: Pagination, *, since: datetime, until: datetime, cursor: str | None, base_url: str
) -> PageRequest:
    """The request for the page ``cursor`` points at (None: the first)."""
    context: dict[str, Any] = {
        "since": since,
        "until": until,
        "page_size": pages.size,
        "cursor": None,
        "page": pages.start,
        "offset": 0,
    }
    url = None
    if pages.style == "page":
        context["page"] = int(cursor) if cursor else pages.start
    elif pages.style == "offset":
        context["offset"] = int(cursor) if cursor else 0
    elif pages.style in ("cursor", "token"):
        context["cursor"] = cursor
    elif pages.style == "link" and cursor:
        url = cursor.removeprefix(base_url)
    paging: dict[str, Any] = {}
    value = {"page": context["page"], "offset": context["offset"]}.get(pages.style, context["cursor"])
    if pages.param and value is not None:
        paging[pages.param] = value
    if pages.size_param:
        paging[pages.size_param] = pages.size
    return PageRequest(context=context, url=url, paging=paging)


def next_cursor(pages: Pagination, reply: Reply, count: int, context: Mapping[str, Any]) -> str | None:
    """The cursor of the page after this one (``count`` orders), None after the last."""
    if pages.style == "page":
        page = int(context["page"])
        if pages.pages_path:
            total = dig(reply.body, pages.pages_path)
            return str(page + 1) if isinstance(total, int) and page < total else None
        return str(page + 1) if count >= pages.size else None
    if pages.style == "offset":
        return str(int(context["offset"]) + count) if count >= pages.size else None
    if pages.style in ("cursor", "token"):
        if pages.more_path and not dig(reply.body, pages.more_path):
            return None
        nxt = dig(reply.body, pages.next_path)
        return str(nxt) if nxt not in (None, "") else None
    if pages.style == "link":
        for part in reply.headers.get("link", "").split(","):
            if 'rel="next"' in part and "<" in part:
                return str(part[part.index("<") + 1 : part.index(">")])
    return None
