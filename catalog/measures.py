"""Units of sale (kg, gói, hộp…) and GTIN barcodes."""

from __future__ import annotations

from catalog.errors import CatalogueValidationError
from catalog.text import fold, nfc

# canonical unit → folded spellings seen in spreadsheets
UNITS: dict[str, tuple[str, ...]] = {
    "kg": ("kg", "kilogram", "kilo", "ki lo", "can", "cân"),
    "g": ("g", "gr", "gam", "gram"),
    "gói": ("goi", "bich", "bịch"),
    "hộp": ("hop", "box"),
    "chai": ("chai", "bottle"),
    "túi": ("tui", "bag", "tui loc"),
    "lọ": ("lo", "hu", "hũ", "jar"),
    "bình": ("binh",),
    "can": ("can nhua",),
    "thùng": ("thung", "carton"),
    "lít": ("lit", "l", "litre", "liter"),
    "ml": ("ml",),
    "cái": ("cai", "chiec", "piece", "pc", "pcs"),
    "bó": ("bo",),
    "quả": ("qua", "trai"),
    "suất": ("suat", "ve", "vé"),
}
_LOOKUP = {fold(alias): unit for unit, aliases in UNITS.items() for alias in (*aliases, unit)}
NET_UNITS = ("g", "kg", "ml", "lít")


def normalize_unit(value: str) -> str:
    """The canonical unit for a spelling, or ``unit.unknown``."""
    unit = _LOOKUP.get(fold(nfc(value)))
    if unit is None:
        raise CatalogueValidationError("unit.unknown", value=value, allowed=", ".join(UNITS))
    return unit


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
