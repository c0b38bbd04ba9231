"""Pure pieces of a listing pack: a product's row values, text cuts, and the row's change status.

Nothing here touches the database or a file: :func:`row_values` takes what the pack gathered
(product, channel rules, category mapping, OCOP certificate, prepared image names) and returns
the values a seller centre asks for; :func:`compare` says what changed since the last pack.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any

from catalog.money import format_vnd
from catalog.products import Product
from connector.listings.layouts import SellerLayout
from connector.sync import ChannelRules

# the fields whose change makes a row "changed" (status, changes and url are the pack's own)
TRACKED_FIELDS = ("sku", "ref", "title", "description", "price", "stock", "unit", "weight_g", "category_path",
                  "category_id", "ocop_stars", "ocop_decision", "images", "barcode")
MONEY_FIELDS = frozenset({"price"})
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"})
_SPACES = re.compile(r"[ \t\u00a0]+")


class RowStatus(StrEnum):
    new = "new"
    changed = "changed"
    unchanged = "unchanged"
    removed = "removed"  # packed before, no longer on sale in the catalogue: take the listing down


STATUS_WORDS = {RowStatus.new: "mới", RowStatus.changed: "thay đổi", RowStatus.unchanged: "không đổi",
                RowStatus.removed: "gỡ xuống"}


@dataclass(frozen=True, slots=True)
class PackImage:
    """One prepared image of a row: its name in the zip and the variant's SHA-256."""

    name: str
    sha256: str


def cut_text(text: str, limit: int | None) -> str:
    """``text`` within ``limit`` characters, cut at a word boundary when one is near the end."""
    if limit is None or len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space >= limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(text: str | None) -> str:
    """A description as plain text: no tags, entities decoded, blank lines collapsed."""
    if not text:
        return ""
    if "<" in text and ">" in text:
        parser = _TextExtractor()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def row_values(*, product: Product, ref: str, layout: SellerLayout, rules: ChannelRules,
               category_path: str | None, category_id: str | None, stars: int | None, decision: str | None,
               images: Sequence[PackImage]) -> dict[str, Any]:
    """The tracked values of one pack row (JSON-friendly; ``images`` as the variants' hashes).

    The rules are the sync engine's own (:class:`~connector.sync.rules.ChannelRules`): a packed
    listing shows the same price, stock, title and category an API-synced one would."""
    if product.category_code and product.category_code in rules.category_overrides:
        category_id = category_path = rules.category_overrides[product.category_code]
    return {
        "sku": product.sku,
        "ref": ref,
        "title": cut_text(rules.title_for(product), layout.max_length("title")),
        "description": cut_text(plain_text(rules.description_for(product)), layout.max_length("description")),
        "price": rules.price_for(product.price),
        "stock": rules.stock_for(product.stock),
        "unit": product.unit,
        "weight_g": product.weight_g,
        "category_path": category_path,
        "category_id": category_id,
        "ocop_stars": stars,
        "ocop_decision": decision,
        "images": [image.sha256 for image in images],
        "barcode": product.barcode,
    }


def fingerprint(values: Mapping[str, Any]) -> str:
    tracked = {k: values.get(k) for k in TRACKED_FIELDS}
    return hashlib.sha256(json.dumps(tracked, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def compare(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> tuple[RowStatus, list[str]]:
    """The row's status against the last pack, and the fields that changed."""
    if previous is None:
        return RowStatus.new, []
    changed = [k for k in TRACKED_FIELDS if previous.get(k) != current.get(k)]
    return (RowStatus.changed if changed else RowStatus.unchanged), changed


def describe_changes(layout: SellerLayout, previous: Mapping[str, Any], current: Mapping[str, Any],
                     fields: Sequence[str]) -> str:
    """``"Giá bán (đ): 28.000 → 30.000; Tên sản phẩm"`` in the layout's own headers."""
    parts = []
    for field in fields:
        column = layout.column(field)
        label = column.header if column else field
        before, after = previous.get(field), current.get(field)
        if field in MONEY_FIELDS and isinstance(before, int) and isinstance(after, int):
            parts.append(f"{label}: {format_vnd(before, symbol=False)} → {format_vnd(after, symbol=False)}")
        elif field in ("stock", "weight_g", "ocop_stars") and (before is None or isinstance(before, int)):
            parts.append(f"{label}: {'' if before is None else before} → {'' if after is None else after}")
        else:
            parts.append(label)
    return "; ".join(parts)
