"""Re-imports: rows whose raw cells already equal the stored product skip their conversion.

Staff upload the same file again and again, with a few rows edited.  Converting every cell of
an unchanged row (text clean-up, money, units, the producer match) costs most of an import, so
before a row is converted its raw cells are compared with the stored product's values in their
plain written form ("60000" or 60000 for a price of 60000 đ, "500 g" for a net quantity, the
unit and category as stored, a blank for an empty field).  Only an exact match is taken as
unchanged; any other form ("60.000 đ", "0,5 kg", a TCVN3 name…) goes through the full
conversion, so the outcome is the same either way, just slower.

The producer of a row is known from the same raw producer cells on an earlier row of the file
(the full path resolved them once); a row whose producer cells are new, whose SKU is repeated, or
which carries images or OCOP columns always takes the full path.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

from catalog.importing.catalogue_products import DEFAULTS, ProductBook
from catalog.importing.cells import Cell
from catalog.importing.legacy import detect_legacy, looks_legacy
from catalog.importing.table import Table

Check = Callable[[Cell, Any], bool]
_MAX_STOCK_DIGITS = 9


def _blank(raw: Cell) -> bool:
    return raw is None or raw == ""


@lru_cache(maxsize=4096)
def _unicode_as_is(text: str) -> bool:
    """What the reader decides for a cell without a legacy font: not TCVN3/VNI text ("gói", "Cà phê")."""
    return detect_legacy(text, None) is None


def _text(raw: Cell, stored: Any) -> bool:
    if _blank(raw):
        return stored is None
    return type(raw) is str and raw == stored and (raw.isascii() or not looks_legacy(raw)
                                                   or _unicode_as_is(raw))


def _number(raw: Cell, stored: Any) -> bool:
    if _blank(raw):
        return stored is None
    if type(raw) is str:
        return stored is not None and raw == str(stored)
    return type(raw) in (int, float) and stored is not None and raw == stored


def _with_default(check: Check, default: Any) -> Check:
    def compare(raw: Cell, stored: Any) -> bool:
        return stored == default if _blank(raw) else check(raw, stored)

    return compare


def _net(raw: Cell, stored: Any) -> bool:
    qty, unit = stored
    if _blank(raw):
        return qty is None
    if type(raw) is not str or qty is None or unit is None:
        return False
    return bool(raw == f"{Decimal(qty).normalize():f} {unit}")


def _valid_stock(raw: Cell) -> bool:
    """A stock cell the full path would accept; its value is not used for an existing product."""
    if _blank(raw):
        return True
    if type(raw) is str:
        return raw.isdigit() and raw.isascii() and len(raw) <= _MAX_STOCK_DIGITS
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return 0 <= raw < 10 ** _MAX_STOCK_DIGITS and raw == int(raw)
    return False


# file column → (stored fields it compares with, comparison); a column not listed disables the shortcut
_CHECKS: dict[str, tuple[tuple[str, ...], Check]] = {
    "name": (("name",), _text),
    "description": (("description",), _text),
    "category": (("category_code",), _text),
    "unit": (("unit",), _with_default(_text, DEFAULTS["unit"])),
    "net_qty": (("net_qty", "net_unit"), _net),
    "price": (("price",), _number),
    "weight_g": (("weight_g",), _number),
    "length_mm": (("length_mm",), _number),
    "width_mm": (("width_mm",), _number),
    "height_mm": (("height_mm",), _number),
    "shelf_life_days": (("shelf_life_days",), _number),
    "barcode": (("barcode",), _text),
    "status": (("status",), lambda raw, stored: _blank(raw) and stored == DEFAULTS["status"]),
}
PRODUCER_FIELDS = frozenset({"producer_code", "producer_name", "kind", "representative", "phone",
                             "registration_code", "address", "commune", "commune_old", "district_old", "province"})


class UnchangedRows:
    """The :data:`~catalog.importing.table.Shortcut` of a product sheet (see the module docstring)."""

    def __init__(self, table: Table, book: ProductBook, *, set_stock: bool) -> None:
        self.book = book
        self.set_stock = set_stock
        positions = table.positions
        self.producer_at = tuple(positions[f] for f in sorted(PRODUCER_FIELDS & positions.keys()))
        self.sku_at = positions["sku"]
        self.stock_at = positions.get("stock")
        index = {f: i for i, f in enumerate(book.fields)}
        checks = [(positions[column], tuple(index[f] for f in stored), check)
                  for column, (stored, check) in _CHECKS.items() if column in positions]
        self.singles = [(at, fields[0], check) for at, fields, check in checks if len(fields) == 1]
        self.groups = [(at, fields, check) for at, fields, check in checks if len(fields) > 1]
        self.width = 1 + max([*positions.values()])
        self.producer_key = itemgetter(*self.producer_at)  # a tuple of cells (one cell for one column)
        self.producers: dict[Any, int] = {}
        self.stored: dict[int, dict[str, Any]] = {}
        self.last: list[Cell] | None = None

    @classmethod
    def applies(cls, table: Table, book: ProductBook, *, set_stock: bool) -> bool:
        """Whether every column of the sheet can be compared raw (no images, no OCOP, no stock update,
        no legacy font in the workbook: there the font of a cell, not its text, decides)."""
        columns = table.fields_present - PRODUCER_FIELDS - {"sku", "stock"}
        legacy_fonts = table.reader is not None and table.reader.sheet.font_of is not None
        if set_stock or legacy_fonts or not columns <= _CHECKS.keys() or "sku" not in table.positions:
            return False
        needed = {f for c in columns for f in _CHECKS[c][0]}
        return needed <= set(book.fields) and bool(PRODUCER_FIELDS & table.fields_present)

    def __call__(self, row: list[Cell], number: int) -> bool:
        if len(row) < self.width:
            row = [*row, *([None] * (self.width - len(row)))]
        self.last = row
        pid = self.producers.get(self.producer_key(row))
        if pid is None:
            return False
        by_sku = self.stored.get(pid)
        if by_sku is None:
            by_sku = self.stored[pid] = self.book.existing().get(pid, {})
        sku = row[self.sku_at]
        current = by_sku.get(sku) if type(sku) is str else None
        if current is None or (self.stock_at is not None and not _valid_stock(row[self.stock_at])):
            return False
        stored = current.values
        for at, i, check in self.singles:
            if not check(row[at], stored[i]):
                return False
        for at, fields, check in self.groups:
            if not check(row[at], tuple(stored[i] for i in fields)):
                return False
        return self.book.mark_unchanged(pid, str(sku), number)

    def learn(self, pid: int | None) -> None:
        """The producer the full path found for the row last offered: later rows with the same
        producer cells are that producer (new producers have no stored products to compare)."""
        if pid is not None and pid > 0 and self.last is not None:
            self.producers[self.producer_key(self.last)] = pid
