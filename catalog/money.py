"""Money is whole VND in integers; never floats.

:func:`parse_vnd` reads the forms people type, by the table in ``docs/MONEY.md``:

* digits grouped by ``.`` or ``,`` ("1.250.000 đ", "1,250,000"): a separator followed by
  exactly three digits groups thousands, so "1.250" is 1250;
* a separator followed by other than three digits is a decimal point, which is only allowed
  with a multiplier word ("1,25 triệu", "1.5k"), and the result must still be whole đồng;
* multipliers: ``k``/``nghìn``/``ngàn`` 10³, ``tr``/``triệu`` 10⁶, ``tỷ``/``tỉ`` 10⁹, and the
  spoken form "1tr250" (1,250,000);
* currency marks ``đ``, ``₫``, ``vnd``, ``vnđ``, ``đồng`` are ignored, after the number or
  before it ("₫95,000", "VNĐ 1.250.000", as shops and card slips print them);
* a number cell from Excel (int or float) is accepted when it is integral within 1e-6.

Anything else, a fraction of a đồng included, raises :class:`CatalogueValidationError`.

A catalogue price may also name the unit it is for ("60.000 đ/hộp", "60.000đ/hộp", "25k / kg"):
:func:`parse_unit_price` reads the amount as above and the unit by :mod:`catalog.measures`, so
that the import can check it against the row's unit column.  An amount alone (a sale's total)
has no such suffix: :func:`parse_vnd` refuses it.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal

from catalog.errors import CatalogueValidationError
from catalog.text import fold

MAX_PRICE = 10_000_000_000  # 10 tỷ: above this a catalogue price is a typo
_MULTIPLIERS = {"k": 1_000, "nghin": 1_000, "ngan": 1_000, "tr": 1_000_000, "trieu": 1_000_000,
                "ty": 1_000_000_000, "ti": 1_000_000_000}
_CURRENCY = re.compile(r"(vnd|dong|d)$")
_CURRENCY_FIRST = re.compile(r"^(vnd|dong|d)(?=\d)")
_PER_UNIT = re.compile(r"^(?P<amount>[^/]*\d[^/]*?)\s*/\s*(?:1\s*)?(?P<unit>[^\W\d_][^/]*)$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
_SYMBOL = re.compile(r"[^\w\s.,₫\u00a0]")  # "=1+1", "1/2", "(5)": not an amount, whatever folding leaves
_SPOKEN = re.compile(r"^(\d+)(k|tr|trieu|ty|ti)(\d{1,3})$")  # 1tr250, 2ty5, 5k5


def _scalar_from_cell(value: float | int, raw: object) -> int:
    if isinstance(value, bool):
        raise CatalogueValidationError("price.invalid", value=raw)
    if isinstance(value, int):
        return value
    if value != value or value in (float("inf"), float("-inf")):
        raise CatalogueValidationError("price.invalid", value=raw)
    nearest = round(value)
    if abs(value - nearest) > 1e-6:
        raise CatalogueValidationError("price.fraction", value=raw)
    return int(nearest)


def _digits(text: str, raw: object, *, allow_decimal: bool) -> Decimal:
    """A number written with ``.``/``,`` separators, by the three-digit grouping rule."""
    if not _NUMBER.match(text):
        raise CatalogueValidationError("price.invalid", value=raw)
    parts = re.split(r"[.,]", text)
    seps = re.findall(r"[.,]", text)
    if len(parts) == 1:
        return Decimal(text)
    if all(len(p) == 3 for p in parts[1:]) and len(set(seps)) == 1:
        return Decimal("".join(parts))
    # "1.250,5" style: thousands with one separator, decimal with the other
    if len(set(seps)) == 2 and seps[-1] != seps[0] and all(len(p) == 3 for p in parts[1:-1]):
        number = Decimal("".join(parts[:-1]) + "." + parts[-1])
    elif len(parts) == 2:
        number = Decimal(parts[0] + "." + parts[1])
    else:
        raise CatalogueValidationError("price.invalid", value=raw)
    if not allow_decimal and number != number.to_integral_value():
        raise CatalogueValidationError("price.fraction", value=raw)
    return number


def parse_vnd(value: object, *, max_value: int = MAX_PRICE) -> int:
    """Whole đồng from a cell or a typed string; see the module docstring for the table."""
    if isinstance(value, bool) or value is None:
        raise CatalogueValidationError("price.invalid", value=value)
    if isinstance(value, int | float):
        amount = _scalar_from_cell(value, value)
    elif isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise CatalogueValidationError("price.fraction", value=value)
        amount = int(value)
    elif isinstance(value, str):
        amount = _parse_text(value)
    else:
        raise CatalogueValidationError("price.invalid", value=value)
    if amount < 0:
        raise CatalogueValidationError("price.negative", value=value)
    if amount > max_value:
        raise CatalogueValidationError("price.absurd", value=value, max=format_vnd(max_value, symbol=False))
    return amount


def _parse_text(raw: str) -> int:
    if any(not ch.isascii() and unicodedata.category(ch).startswith("N") for ch in raw):
        # "12²", "١٢", "Ⅻ": a digit we do not read is a typo to show, not a number to guess
        raise CatalogueValidationError("price.invalid", value=raw)
    text = raw.replace("\u00a0", " ").replace("₫", "đ").strip()
    negative = text.startswith("-")
    if _SYMBOL.search(text[1:] if text[:1] in "+-" else text):
        raise CatalogueValidationError("price.invalid", value=raw)
    compact = _mixed_fold(re.sub(r"\s+", "", text.lstrip("+-").lower()))
    compact = _CURRENCY_FIRST.sub("", _CURRENCY.sub("", compact))
    if not compact:
        raise CatalogueValidationError("price.invalid", value=raw)
    spoken = _SPOKEN.match(compact)
    if spoken:
        whole, unit, tail = spoken.groups()
        mult = _MULTIPLIERS[unit]
        # "1tr250" is 1 triệu 250 nghìn: the tail fills the next three digits down
        amount = int(whole) * mult + int(tail.ljust(3, "0")) * (mult // 1000)
        return -amount if negative else amount
    match = re.match(r"^([\d.,]+)([a-z]*)$", compact)
    if not match:
        raise CatalogueValidationError("price.invalid", value=raw)
    number_text, word = match.groups()
    if word and word not in _MULTIPLIERS:
        raise CatalogueValidationError("price.invalid", value=raw)
    try:
        number = _digits(number_text, raw, allow_decimal=bool(word))
    except InvalidOperation as exc:
        raise CatalogueValidationError("price.invalid", value=raw) from exc
    total = number * _MULTIPLIERS.get(word, 1)
    if total != total.to_integral_value():
        raise CatalogueValidationError("price.fraction", value=raw)
    return -int(total) if negative else int(total)


def split_unit_suffix(text: str) -> tuple[str, str | None]:
    """``"60.000 đ/hộp"`` → ``("60.000 đ", "hộp")``; text without a ``/unit`` suffix is returned whole."""
    match = _PER_UNIT.match(text.strip()) if "/" in text else None
    if match is None:
        return text, None
    return match["amount"], match["unit"].strip()


def parse_unit_price(value: object, *, max_value: int = MAX_PRICE) -> tuple[int, str | None]:
    """Whole đồng and the canonical unit a price names (``None`` without a suffix).

    ``"60.000 đ/hộp"`` → ``(60000, "hộp")``; an unknown unit word raises ``unit.unknown``."""
    if not isinstance(value, str):
        return parse_vnd(value, max_value=max_value), None
    amount, unit = split_unit_suffix(value)
    if unit is None:
        return parse_vnd(value, max_value=max_value), None
    from catalog.measures import normalize_unit  # measures does not need money: imported here only

    price = parse_vnd(amount, max_value=max_value)
    return price, normalize_unit(unit)


def _mixed_fold(text: str) -> str:
    """Fold the letters of ``text`` but keep digits and their ``.``/``,`` separators."""
    return re.sub(r"[^\d.,]+", lambda m: fold(m.group()).replace(" ", ""), text)


def format_vnd(amount: int, *, symbol: bool = True) -> str:
    """Vietnamese display form: ``1250000`` → ``"1.250.000 ₫"`` (Babel's vi locale)."""
    text = format_decimal(amount, locale="vi_VN")
    return f"{text} ₫" if symbol else text
