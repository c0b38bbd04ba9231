"""Units of sale (kg, gói, hộp, con, chục, yến, buồng, nải…) and GTIN barcodes.

A unit cell is read by its exact spelling first ("bộ", "tá") and then by its folded key (no
case, no diacritics), so "Goi", "HOP" and "kí lô" are understood.  A folded key that two units
share ("ta" is both ``tạ``, 100 kg, and ``tá``, a dozen; "bo" is ``bó`` and ``bộ``) is only read
when one of them declares it as its own spelling (``bo`` is ``bó``, as it always was); otherwise
the cell must carry its diacritics, because guessing between 100 kg and 12 pieces is not ours
to do.

:data:`MARKET_UNITS` says how each unit is written on the marketplaces and what it holds in a
base unit (a ``yến`` is 10 kg, a ``chục`` 10 pieces); ``docs/UNITS.md`` shows the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog.errors import CatalogueValidationError
from catalog.text import fold, nfc

# canonical unit → other spellings seen in spreadsheets (folded or not)
UNITS: dict[str, tuple[str, ...]] = {
    "kg": ("kg", "kilogram", "kilo", "ki lo", "kí lô", "ký", "kí", "cân"),
    "g": ("g", "gr", "gam", "gram"),
    "gói": ("goi", "bich", "bịch"),
    "hộp": ("hop", "box"),
    "chai": ("chai", "bottle"),
    "túi": ("tui", "bag", "tui loc"),
    "lọ": ("lo", "hu", "hũ", "jar"),
    "bình": ("binh",),
    "can": ("can nhua", "can"),
    "thùng": ("thung", "carton"),
    "lít": ("lit", "l", "litre", "liter"),
    "ml": ("ml",),
    "cái": ("cai", "chiec", "piece", "pc", "pcs"),
    "bó": ("bo",),
    "quả": ("qua", "trai"),
    "suất": ("suat", "ve", "vé"),
    # units of Vietnamese markets
    "con": ("con",),  # an animal: gà, vịt, cá
    "chục": ("chuc",),  # ten pieces (eggs, fruit)
    "tá": (),  # a dozen
    "yến": ("yen",),  # 10 kg
    "tạ": (),  # 100 kg
    "tấn": ("tan", "tonne", "ton"),  # 1,000 kg
    "lạng": ("lang",),  # 100 g
    "buồng": ("buong",),  # a whole bunch of bananas or areca nuts
    "nải": ("nai",),  # a hand of bananas
    "mớ": ("mo",),  # a bunch of greens
    "xâu": ("xau", "xiên", "xien"),  # a string (of fish, peppers)
    "củ": ("cu",),  # a root or tuber
    "bắp": ("bap",),  # a cob, a head of cabbage
    "cây": ("cay",),  # a stalk, a plant (sugarcane, seedlings)
    "đôi": ("doi",),
    "cặp": ("cap",),
    "bộ": (),  # a set
    "bao": ("bao", "sack"),  # a sack (rice, fertiliser)
    "vỉ": ("vi",),  # a tray of eggs, a blister
    "khay": ("khay", "tray"),
    "lon": ("lon",),
    "cuộn": ("cuon",),
    "miếng": ("mieng",),
    "phần": ("phan", "portion"),
}


def _lookups() -> tuple[dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    declared: dict[str, str] = {}
    for unit, aliases in UNITS.items():
        for alias in (unit, *aliases):
            exact.setdefault(nfc(alias).lower(), unit)
            folded.setdefault(fold(alias), set()).add(unit)
            if alias.isascii():
                declared.setdefault(fold(alias), unit)
    by_fold = {key: declared.get(key) or next(iter(units)) for key, units in folded.items()
               if len(units) == 1 or key in declared}
    return exact, by_fold


_EXACT, _FOLDED = _lookups()
NET_UNITS = ("g", "kg", "ml", "lít")


def normalize_unit(value: str) -> str:
    """The canonical unit for a spelling, or ``unit.unknown``."""
    text = nfc(value)
    unit = _EXACT.get(text.lower()) or _FOLDED.get(fold(text))
    if unit is None:
        raise CatalogueValidationError("unit.unknown", value=value, allowed=", ".join(UNITS))
    return unit


@dataclass(frozen=True)
class MarketUnit:
    """How a unit is written on the marketplaces, and what one of it holds in a base unit."""

    name: str  # the unit the marketplaces' unit field shows
    base: str  # kg, g, lít, ml, or "cái" for a count
    per_unit: Decimal  # base units in one unit (a yến holds 10 kg); 1 for a unit of its own


_SAME = {"kg": "kg", "g": "g", "lít": "lít", "ml": "ml"}
_MULTIPLES: dict[str, tuple[str, Decimal]] = {
    "yến": ("kg", Decimal(10)), "tạ": ("kg", Decimal(100)), "tấn": ("kg", Decimal(1000)),
    "lạng": ("g", Decimal(100)), "chục": ("cái", Decimal(10)), "tá": ("cái", Decimal(12)),
    "đôi": ("cái", Decimal(2)), "cặp": ("cái", Decimal(2)),
}
MARKET_UNITS: dict[str, MarketUnit] = {
    unit: MarketUnit(unit, *(_MULTIPLES.get(unit) or (_SAME.get(unit, "cái"), Decimal(1)))) for unit in UNITS
}
"""Every unit sells under its own name (the Voso and Postmart mappers and the generic profiles send
the product's unit as it is stored); ``base`` and ``per_unit`` let weight- and count-based rules
compare a ``yến`` of rice with 10 kg."""


def market_unit(unit: str) -> MarketUnit:
    """The marketplace form of a canonical unit (see :data:`MARKET_UNITS`)."""
    return MARKET_UNITS[normalize_unit(unit)]


def gtin_is_valid(code: str) -> bool:
    """GS1 check digit for GTIN-8/12/13/14."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def normalize_gtin(value: object) -> str:
    text = str(int(value)) if isinstance(value, int | float) and not isinstance(value, bool) else str(value).strip()
    if not gtin_is_valid(text):
        raise CatalogueValidationError("gtin.invalid", value=value)
    return text
