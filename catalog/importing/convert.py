"""Per-cell converters: plain functions from a cell to a value, raising
:class:`~catalog.errors.CatalogueValidationError` with a registered code when the cell is wrong.

Text reaching a converter is already NFC with legacy encodings decoded (see
:mod:`catalog.importing.table`).  Numbers stored as text and text stored as numbers are both
accepted: "00123" in an SKU column stays text, ``912345678.0`` in a phone column becomes a
phone.  Converters are plain functions rather than pydantic models because a catalogue has
100,000 rows and per-row model construction is the slow part of an import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from weakref import WeakKeyDictionary

from catalog.errors import CatalogueValidationError
from catalog.importing.cells import Cell, cell_text
from catalog.measures import normalize_gtin, normalize_unit
from catalog.money import MAX_PRICE, parse_vnd, split_unit_suffix
from catalog.phone import normalize_phone
from catalog.producers import ProducerKind, parse_producer_kind
from catalog.text import fold

Converter = Callable[[Cell], Any]

TEXT_LIMITS: WeakKeyDictionary[Converter, int | None] = WeakKeyDictionary()
"""The converters :func:`text` made, with their length limit: a table reader checks clean text
against the limit itself instead of calling the converter (its fast lane)."""

_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
SKU_AS_IS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}").fullmatch
"""A raw SKU cell that :func:`sku` returns unchanged (no spaces to trim, no apostrophe, ≤ 64 characters)."""
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")
_DATE_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_DATE_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 in Excel's 1900 date system
_NOT_MONEY = re.compile(r"[^\w\s.,₫\u00a0]")
_STARS = re.compile(r"^([1-9]\d*)\s*(?:sao|stars?|\*|★)?$")


def text(max_length: int | None = None) -> Converter:
    def convert(value: Cell) -> str:
        out = value if isinstance(value, str) else cell_text(value)
        if max_length is not None and len(out) > max_length:
            raise CatalogueValidationError("text.too_long", value=value, max=max_length)
        return out

    TEXT_LIMITS[convert] = max_length
    return convert


def sku(value: Cell) -> str:
    out = value.strip() if isinstance(value, str) else cell_text(value)
    if len(out) > 64 or not _SKU.match(out):
        raise CatalogueValidationError("sku.invalid", value=value)
    return out


def code(max_length: int = 40) -> Converter:
    """A producer code: free text without spaces at its ends, compared case-insensitively."""
    as_text = text(max_length)

    def convert(value: Cell) -> str:
        return str(as_text(value)).strip()

    return convert


def _number_from_text(value: str) -> Decimal:
    compact = value.replace("\u00a0", " ").strip()
    # "1.250", "12 000": thousands separators; otherwise a decimal comma
    grouped = _GROUPED.match(compact)
    compact = re.sub(r"[.,\s]", "", compact) if grouped else compact.replace(" ", "").replace(",", ".")
    try:
        return Decimal(compact)
    except InvalidOperation as exc:
        raise CatalogueValidationError("number.invalid", value=value) from exc


def integer(*, minimum: int | None = 0, maximum: int | None = None) -> Converter:
    def convert(value: Cell) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise CatalogueValidationError("number.invalid", value=value)
        if isinstance(value, int):
            number: int | float | Decimal = value
        elif isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise CatalogueValidationError("number.invalid", value=value)
            number = value
        elif value.isdigit():
            number = int(value)
        else:
            number = _number_from_text(value)
        if number != int(number):
            raise CatalogueValidationError("number.not_integer", value=value)
        out = int(number)
        if minimum is not None and out < minimum:
            raise CatalogueValidationError("number.negative" if minimum == 0 else "value.invalid", value=value)
        if maximum is not None and out > maximum:
            raise CatalogueValidationError("value.invalid", value=value)
        return out

    return convert


def decimal(*, minimum: Decimal | None = Decimal(0), places: int = 3) -> Converter:
    def convert(value: Cell) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise CatalogueValidationError("number.invalid", value=value)
        number = _number_from_text(value) if isinstance(value, str) else Decimal(str(value))
        if not number.is_finite():
            raise CatalogueValidationError("number.invalid", value=value)
        if minimum is not None and number < minimum:
            raise CatalogueValidationError("number.negative", value=value)
        quantum = Decimal(1).scaleb(-places)
        if number != number.quantize(quantum):
            raise CatalogueValidationError("number.invalid", value=value)
        return number.normalize() if number == number.to_integral_value() else number

    return convert


def money(*, max_value: int = MAX_PRICE) -> Converter:
    def convert(value: Cell) -> int:
        # fast path: most cells are plain whole numbers
        if type(value) is int and 0 <= value <= max_value:
            return value
        if type(value) is float and value.is_integer() and 0 <= value <= max_value:
            return int(value)
        if type(value) is str and value.isdigit() and value.isascii() and len(value) < 12:
            return parse_vnd(int(value), max_value=max_value)
        if isinstance(value, str):
            if value.startswith("-"):
                raise CatalogueValidationError("price.negative", value=value)
            if _NOT_MONEY.search(value.removeprefix("+")):
                # parse_vnd would read "=1+1" as 11: symbols it folds away are not part of an amount
                raise CatalogueValidationError("price.invalid", value=value)
        return parse_vnd(value, max_value=max_value)

    return convert


class PerUnit(int):
    """A price cell that named its unit ("60.000 đ/hộp"): the amount in whole đồng (it is an
    ``int``), with the canonical unit that the import checks against the row's unit column."""

    unit: str

    def __new__(cls, amount: int, unit: str) -> PerUnit:
        self = super().__new__(cls, amount)
        self.unit = unit
        return self

    def __repr__(self) -> str:
        return f"PerUnit({int(self)}, {self.unit!r})"


def unit_price(*, max_value: int = MAX_PRICE) -> Converter:
    """:func:`money`, and a ``/unit`` suffix ("60.000 đ/hộp", "25k / kg"): a :class:`PerUnit` then."""
    amount = money(max_value=max_value)

    def convert(value: Cell) -> int:
        if type(value) is str and "/" in value:
            text, unit = split_unit_suffix(value)
            if unit is not None:
                return PerUnit(amount(text), normalize_unit(unit))
        return int(amount(value))  # never a PerUnit: money() gives plain ints

    return convert


def phone(value: Cell) -> str:
    return normalize_phone(value)


def excel_date(value: Cell) -> date:
    """A date cell, an Excel serial number, or text in dd/mm/yyyy (also with ``-`` or ``.``) or ISO form."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2_958_466 and float(value).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CatalogueValidationError("date.invalid", value=value)
    if isinstance(value, str):
        raw = value.strip()
        if raw.isdigit():
            return excel_date(int(raw))
        try:
            if match := _DATE_DMY.match(raw):
                day, month, year = (int(g) for g in match.groups())
                return date(year + 2000 if year < 100 else year, month, day)
            if match := _DATE_YMD.match(raw):
                year, month, day = (int(g) for g in match.groups())
                return date(year, month, day)
        except ValueError as exc:
            raise CatalogueValidationError("date.invalid", value=value) from exc
    raise CatalogueValidationError("date.invalid", value=value)


def unit(value: Cell) -> str:
    return normalize_unit(cell_text(value))


def gtin(value: Cell) -> str:
    return normalize_gtin(value if isinstance(value, int | float) else cell_text(value))


def producer_kind(value: Cell) -> ProducerKind:
    return parse_producer_kind(cell_text(value))


def stars(value: Cell) -> int:
    """OCOP stars 3–5: ``4``, ``"4"``, ``"4 sao"``, ``"4★"``, ``"★★★★"``."""
    raw = cell_text(value).strip()
    if raw and set(raw) <= {"★", "*"}:
        count = len(raw)
    elif match := _STARS.match(raw.lower()):
        count = int(match.group(1))
    else:
        raise CatalogueValidationError("stars.invalid", value=value)
    if isinstance(value, float) and not value.is_integer():
        raise CatalogueValidationError("stars.invalid", value=value)
    if not 3 <= count <= 5:
        raise CatalogueValidationError("stars.invalid", value=value)
    return count


def decision_no(value: Cell) -> str:
    """An OCOP decision number as written: ``2616/QĐ-UBND``; only its spacing is tidied."""
    out = re.sub(r"\s*([/\-])\s*", r"\1", cell_text(value)).strip()
    if not out or len(out) > 40:
        raise CatalogueValidationError("value.invalid", value=value)
    return out




def choice(options: dict[str, str], code_: str = "value.invalid") -> Converter:
    """One of a few words, matched on the folded key: ``{"dang ban": "active", …}``."""
    allowed = ", ".join(dict.fromkeys(options.values()))

    def convert(value: Cell) -> str:
        found = options.get(fold(cell_text(value)))
        if found is None:
            raise CatalogueValidationError(code_, value=value, allowed=allowed)
        return found

    return convert


def split_list(value: Cell) -> list[str]:
    """Several items in one cell, separated by ``;``, ``|``, ``,`` or line breaks."""
    return [part.strip() for part in re.split(r"[;|\n,]+", cell_text(value)) if part.strip()]
