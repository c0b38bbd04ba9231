"""Re-imports: rows whose raw cells already equal the stored product skip their conversion.

Staff upload the same file again and again, with a few rows edited.  Converting every cell of
an unchanged row (text clean-up, money, units, the producer match) costs most of an import, so
before a row is converted its raw cells are compared with the stored product's values in their
plain written form ("60000" or 60000 for a price of 60000 đ, "500 g" for a net quantity, the
unit and category as stored, a blank for an empty field).  Only an exact match is taken as
unchanged; any other form ("60.000 đ", "0,5 kg", a TCVN3 name…) goes through the full
conversion, so the outcome is the same either way, just slower.

The comparison itself is one tuple equality: per producer, the stored products are written once
in the form a file would hold them (:func:`written_forms`, text for a CSV, numbers as numbers for
a workbook); a row whose cells differ from that tuple is still checked cell by cell with the exact
rules below, so the written form only decides how fast a row is taken, never whether.

The producer of a row is known from the same raw producer cells on an earlier row of the file
(the full path resolved them once); a row whose producer cells are new, whose SKU is repeated, or
which carries images or OCOP columns always takes the full path.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from itertools import repeat
from operator import eq, itemgetter
from typing import Any

from catalog.importing.catalogue_products import DEFAULTS, STORED_AT, ProductBook
from catalog.importing.cells import Cell
from catalog.importing.legacy import detect_legacy, looks_legacy, not_legacy
from catalog.importing.table import Table

_SKU = itemgetter(2)  # of a stored product row (id, producer, SKU, stock, content fields…)
_FIRST = itemgetter(0)
Check = Callable[[Cell, Any], bool]
Form = Callable[[Any, bool], Any]
"""``form(stored, numbers_as_text)``: the raw cell the check accepts for this stored value, or :data:`NEVER`."""
_MAX_STOCK_DIGITS = 9


class _Never:
    """A written form no cell equals: the cell-by-cell check decides."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NEVER"


NEVER: Any = _Never()


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


def _safe_text(text: str) -> bool:
    return text.isascii() or not looks_legacy(text) or _unicode_as_is(text)


def _text_form(stored: Any, as_text: bool) -> Any:
    if stored is None:
        return ""
    return stored if type(stored) is str and stored and _safe_text(stored) else NEVER


def _unit_form(stored: Any, as_text: bool) -> Any:
    return NEVER if stored is None else _text_form(stored, as_text)


def _number_form(stored: Any, as_text: bool) -> Any:
    if stored is None:
        return ""
    if type(stored) is not int:
        return NEVER
    if as_text:
        return str(stored)
    return NEVER if stored in (0, 1) else stored  # True and False equal 1 and 0 but are no numbers


def _net_form(stored: Any, as_text: bool) -> Any:
    qty, unit = stored
    if qty is None:
        return ""
    return NEVER if unit is None else f"{Decimal(qty).normalize():f} {unit}"


def _status_form(stored: Any, as_text: bool) -> Any:
    return "" if stored == DEFAULTS["status"] else NEVER


def written_forms(form: Form, column: list[Any], as_text: bool, memo: dict[Any, Any]) -> list[Any]:
    """``form`` of every stored value of a column, worked out once per distinct value (``memo``
    keeps them from one producer to the next: prices and units repeat across producers)."""
    missing = set(column).difference(memo)
    if form is _text_form or form is _unit_form:  # text that cannot be legacy text is written as it is
        plain = not_legacy(value for value in missing if type(value) is str and value)
        memo.update(zip(plain, plain, strict=True))
        missing.difference_update(plain)
    for value in missing:
        memo[value] = form(value, as_text)
    return list(map(memo.__getitem__, column))


_FORMS: dict[Check, Form] = {}  # filled below, for the checks of _CHECKS

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
_FORMS.update({_CHECKS["name"][1]: _text_form, _CHECKS["unit"][1]: _unit_form, _CHECKS["net_qty"][1]: _net_form,
               _CHECKS["price"][1]: _number_form, _CHECKS["status"][1]: _status_form})
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
        # the sku and every compared cell, as one tuple, and how to write stored values that way
        self.cells = itemgetter(self.sku_at, *(at for at, _fields, _check in checks))
        self.forms: list[tuple[Callable[[Any], Any], Form, dict[Any, Any]]] = [
            (itemgetter(*(STORED_AT + i for i in fields)), _FORMS[check], {}) for _at, fields, check in checks]
        sheet = table.reader.sheet if table.reader is not None else None
        self.as_text = sheet is None or sheet.encoding is not None  # a CSV: every cell is text
        self.producers: dict[Any, int] = {}
        self.written: dict[tuple[int | None, Any], tuple[Any, ...]] = {}  # (producer, SKU) → (SKU, cells…)
        self.written_for: set[int] = set()
        self.stock_memo: dict[Cell, bool] = {}
        self.last: list[Cell] | None = None

    @classmethod
    def applies(cls, table: Table, book: ProductBook, *, set_stock: bool) -> bool:
        """Whether every column of the sheet can be compared raw (no images, no OCOP, no stock update,
        no legacy font in the workbook: there the font of a cell, not its text, decides), and some
        product is stored at all."""
        columns = table.fields_present - PRODUCER_FIELDS - {"sku", "stock"}
        legacy_fonts = table.reader is not None and table.reader.sheet.font_of is not None
        if set_stock or legacy_fonts or not columns <= _CHECKS.keys() or "sku" not in table.positions:
            return False
        needed = {f for c in columns for f in _CHECKS[c][0]}
        return needed <= set(book.fields) and bool(PRODUCER_FIELDS & table.fields_present) and bool(book.existing())

    def _written(self, pid: int) -> None:
        """The stored products of a producer as a file writes them: (producer, SKU) → (SKU, cells…)."""
        self.written_for.add(pid)
        stored: list[Any] = list(self.book.existing().get(pid, {}).values())
        skus = list(map(_SKU, stored))
        columns: list[list[Any]] = [skus]
        for values, form, memo in self.forms:
            columns.append(written_forms(form, list(map(values, stored)), self.as_text, memo))
        self.written.update(zip(zip(repeat(pid), skus, strict=False), zip(*columns, strict=True), strict=True))

    def __call__(self, row: list[Cell], number: int) -> bool:
        if len(row) < self.width:
            row = [*row, *([None] * (self.width - len(row)))]
        self.last = row
        pid = self.producers.get(self.producer_key(row))
        if pid is None:
            return False
        if pid not in self.written_for:
            self._written(pid)
        cells = self.cells(row)
        sku = cells[0]
        want = self.written.get((pid, sku)) if type(sku) is str else None
        if want is None or (self.stock_at is not None and not self._stock_ok(row[self.stock_at])):
            return False
        if cells != want and not self._same(row, pid, sku):
            return False
        return self.book.mark_unchanged(pid, sku, number)

    def screen(self, rows: list[list[Cell]]) -> list[Any]:
        """Per row, ``(producer, SKU)`` when its producer cells are known from earlier rows, its cells
        equal the stored product's written form and its stock cell is valid; else ``None``."""
        width = self.width
        if min(map(len, rows)) < width:
            rows = [row if len(row) >= width else [*row, *([None] * (width - len(row)))] for row in rows]
        pids = list(map(self.producers.get, map(self.producer_key, rows)))
        for pid in set(pids).difference(self.written_for):
            if pid is not None:
                self._written(pid)
        cells = list(map(self.cells, rows))
        keys = list(zip(pids, map(_FIRST, cells), strict=True))
        same = map(eq, cells, map(self.written.get, keys))
        if self.stock_at is None:
            return [key if equal else None for key, equal in zip(keys, same, strict=True)]
        stocks = list(map(itemgetter(self.stock_at), rows))
        valid = list(map(self.stock_memo.get, stocks))
        if None in valid:  # a stock cell not seen yet (or one the memo does not keep)
            valid = [self._stock_ok(stock) if ok is None else ok for stock, ok in zip(stocks, valid, strict=True)]
        return [key if equal and ok else None for key, equal, ok in zip(keys, same, valid, strict=True)]

    def take(self, row: list[Cell], number: int, token: Any) -> bool:
        pid, sku = token
        if self.book.mark_unchanged(pid, sku, number):
            return True
        self.last = row  # the full path converts it: learn() refers to this row
        return False

    def _stock_ok(self, stock: Cell) -> bool:
        ok = self.stock_memo.get(stock) if type(stock) is not bool else None
        if ok is None:
            ok = _valid_stock(stock)
            if type(stock) is str or not (type(stock) is bool or stock == 0 or stock == 1):
                self.stock_memo[stock] = ok  # True and False would find the entries of 1 and 0
        return ok

    def _same(self, row: list[Cell], pid: int, sku: str) -> bool:
        """The exact cell-by-cell rules (cells not in their plain written form)."""
        stored = self.book.existing()[pid][sku][STORED_AT:]
        return (all(check(row[at], stored[i]) for at, i, check in self.singles)
                and all(check(row[at], tuple(stored[i] for i in fields)) for at, fields, check in self.groups))

    def learn(self, pid: int | None) -> None:
        """The producer the full path found for the row last offered: later rows with the same
        producer cells are that producer (new producers have no stored products to compare)."""
        if pid is not None and pid > 0 and self.last is not None:
            self.producers[self.producer_key(self.last)] = pid
