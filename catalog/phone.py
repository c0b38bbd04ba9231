"""Vietnamese phone numbers, stored E.164 (``+84…``).

Spreadsheets hold them in every shape: ``0912 345 678``, ``+84 912345678``, ``84912345678``,
``912345678`` (an Excel number cell that lost its leading 0), old 11-digit mobiles from before
the 2018 switch (``01683456789`` → ``0383456789``) and landlines with their area code
(``0209 3870 123``).  Validation is phonenumbers' (Google's libphonenumber data, region VN).
"""

from __future__ import annotations

import re

import phonenumbers

from catalog.errors import CatalogueValidationError

# Old 11-digit mobile prefixes → their 10-digit replacements (Ministry of Information, 2018).
OLD_MOBILE_PREFIXES: dict[str, str] = {
    # Viettel
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
    "0168": "038", "0169": "039",
    # VinaPhone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    # MobiFone
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    # Vietnamobile
    "0186": "056", "0188": "058",
    # Gmobile
    "0199": "059",
}


def _digits_of(value: object) -> str:
    if isinstance(value, bool):
        raise CatalogueValidationError("phone.invalid", value=value)
    if isinstance(value, float):
        if value != int(value):
            raise CatalogueValidationError("phone.invalid", value=value)
        value = int(value)
    text = str(value).strip()
    plus = text.startswith("+")
    digits = re.sub(r"[\s.\-()/]", "", text).lstrip("+")
    if not digits.isdigit():
        raise CatalogueValidationError("phone.invalid", value=value)
    return ("+" if plus else "") + digits


def normalize_phone(value: object) -> str:
    """E.164 form of a Vietnamese number, or :class:`CatalogueValidationError` ``phone.invalid``."""
    raw = _digits_of(value)
    digits = raw.lstrip("+")
    if digits.startswith("84") and (raw.startswith("+") or len(digits) in (11, 12)):
        digits = "0" + digits[2:]
    elif not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits  # Excel dropped the leading zero
    if len(digits) == 11 and digits[:4] in OLD_MOBILE_PREFIXES:
        digits = OLD_MOBILE_PREFIXES[digits[:4]] + digits[4:]
    try:
        parsed = phonenumbers.parse(digits, "VN")
    except phonenumbers.NumberParseException as exc:
        raise CatalogueValidationError("phone.invalid", value=value) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise CatalogueValidationError("phone.invalid", value=value)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """National display form: ``+84912345678`` → ``0912 345 678``."""
    return phonenumbers.format_number(phonenumbers.parse(e164, "VN"), phonenumbers.PhoneNumberFormat.NATIONAL)
