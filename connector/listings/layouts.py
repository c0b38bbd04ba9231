"""Seller-centre layouts: how a marketplace reached by hand (no API) lays out its files, one TOML
file per marketplace.

A layout file (``connector/listings/layouts/<marketplace>.toml``) says

* ``[pack]``: the listing pack's sheet and columns, in order: the header a seller centre's form
  or upload template uses, the :data:`PACK_FIELDS` value it holds, and a ``max_length`` cut;
* ``[binding]``: the hosts of the marketplace's listing addresses and the pattern that reads a
  listing id out of one;
* ``[orders]``: the columns of the seller centre's order spreadsheet (header, aliases, which
  :data:`ORDER_FIELDS` value) and ``[orders.statuses]``, its status words mapped to
  :class:`~adapters.base.OrderStatus`.

When a seller centre publishes its real upload template, only its file changes: a file of the
same name in ``$AGRI_DATA_DIR/channels/`` takes precedence over the built-in one (that folder
keeps the name it was published under, so installed overrides keep working).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from adapters.base import OrderStatus
from catalog.errors import ConfigurationError
from catalog.text import fold

LAYOUTS_DIR = Path(__file__).resolve().parent / "layouts"

PACK_FIELDS = frozenset({
    "sku", "ref", "title", "description", "price", "stock", "unit", "weight_g", "category_path", "category_id",
    "ocop_stars", "ocop_decision", "images", "barcode", "status", "changes", "url",
})
PACK_REQUIRED = ("sku", "status", "url")
ORDER_FIELDS = frozenset({
    "order_id", "placed_at", "updated_at", "status", "sku", "title", "quantity", "unit_price", "amount",
    "buyer_province",
})
ORDER_REQUIRED = ("order_id", "placed_at", "status", "sku", "quantity", "unit_price")


@dataclass(frozen=True, slots=True)
class PackColumn:
    field: str
    header: str
    max_length: int | None = None
    width: int = 14


@dataclass(frozen=True, slots=True)
class OrderColumn:
    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True, slots=True)
class SellerLayout:
    """One marketplace's seller-centre layout, as a support worker reaches it: pack columns, binding
    rule, order export."""

    marketplace: str
    label: str
    image_profile: str
    pack_sheet: str
    pack_columns: tuple[PackColumn, ...]
    order_sheet: str
    order_columns: tuple[OrderColumn, ...]
    statuses: tuple[tuple[str, OrderStatus], ...]  # (word, status), in the file's order
    hosts: tuple[str, ...] = ()
    id_pattern: str | None = None
    seller_centre: str | None = None

    def column(self, field: str) -> PackColumn | None:
        return next((c for c in self.pack_columns if c.field == field), None)

    def max_length(self, field: str) -> int | None:
        column = self.column(field)
        return column.max_length if column else None

    def status_of(self, word: str) -> OrderStatus | None:
        """The normalised status of a seller-centre status word (any case or accents)."""
        key = fold(word)
        return next((status for w, status in self.statuses if fold(w) == key), None)

    def word_for(self, status: OrderStatus) -> str:
        """The first status word of the file for ``status`` (what a seller centre would write)."""
        return next((w for w, s in self.statuses if s is status), status.value)

    def status_words(self) -> str:
        return ", ".join(w for w, _ in self.statuses)


def layout_dirs() -> list[Path]:
    """Where layout files are looked for: ``$AGRI_DATA_DIR/channels`` (a seller centre's real
    template, adopted without a release) first, then the built-in ones."""
    from connector.settings import get_settings

    return [get_settings().data_dir / "channels", LAYOUTS_DIR]


def layout_names() -> list[str]:
    return sorted({p.stem for d in layout_dirs() if d.is_dir() for p in d.glob("*.toml")})


def load_layout(marketplace: str, directory: Path | None = None) -> SellerLayout:
    """The layout file of ``marketplace`` (from ``directory``, or :func:`layout_dirs`);
    ``listings.channel_unknown`` when there is none.  A file is read again when it changes."""
    dirs = [directory] if directory is not None else layout_dirs()
    path = None
    if re.fullmatch(r"[a-z0-9][a-z0-9_\-]*", marketplace):
        path = next((d / f"{marketplace}.toml" for d in dirs if (d / f"{marketplace}.toml").is_file()), None)
    if path is None:
        raise ConfigurationError("listings.channel_unknown", value=marketplace, allowed=", ".join(layout_names()))
    return _load(path, path.stat().st_mtime_ns, marketplace)


@lru_cache(maxsize=32)
def _load(path: Path, mtime_ns: int, marketplace: str) -> SellerLayout:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return parse_layout(data, marketplace)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise ConfigurationError("listings.channel_invalid", path=path.name, detail=str(error)) from None


def parse_layout(data: dict[str, Any], marketplace: str) -> SellerLayout:
    pack, orders, binding = data["pack"], data["orders"], data.get("binding", {})
    pack_columns = tuple(PackColumn(field=c["field"], header=c["header"], max_length=c.get("max_length"),
                                    width=int(c.get("width", 14))) for c in pack["columns"])
    order_columns = tuple(OrderColumn(field=c["field"], header=c["header"], aliases=tuple(c.get("aliases", ())),
                                      required=bool(c.get("required", False))) for c in orders["columns"])
    statuses = tuple((str(word), OrderStatus(value)) for word, value in orders["statuses"].items())
    _check_fields("pack", [c.field for c in pack_columns], PACK_FIELDS, PACK_REQUIRED)
    _check_fields("orders", [c.field for c in order_columns], ORDER_FIELDS, ORDER_REQUIRED)
    if binding.get("id_pattern"):
        re.compile(binding["id_pattern"])
    return SellerLayout(
        marketplace=data.get("marketplace", marketplace), label=data.get("label", marketplace),
        image_profile=data.get("image_profile", "default"), pack_sheet=pack.get("sheet", "Listings")[:31],
        pack_columns=pack_columns, order_sheet=orders.get("sheet", "Orders")[:31], order_columns=order_columns,
        statuses=statuses, hosts=tuple(binding.get("hosts", ())), id_pattern=binding.get("id_pattern"),
        seller_centre=data.get("seller_centre"))


def _check_fields(section: str, fields: list[str], known: frozenset[str], required: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ValueError(f"[{section}] unknown fields: {', '.join(unknown)}")
    if len(set(fields)) != len(fields):
        raise ValueError(f"[{section}] a field appears twice")
    missing = [f for f in required if f not in fields]
    if missing:
        raise ValueError(f"[{section}] missing fields: {', '.join(missing)}")
