"""Raw cell values as readers hand them over, and the text form every converter starts from.

A cell is what the file holds: a string, a number (Excel keeps every number as a float), a
boolean, a date or datetime, or nothing.  :func:`clean_text` is the one place where text is
brought to NFC with its spaces collapsed; legacy TCVN3/VNI text is decoded before that by the
table reader, which knows the cell's font.

Cells that begin with ``=``, ``+``, ``-`` or ``@`` are plain text to us; :func:`escape_formula`
makes sure they stay text when written back into a CSV report (a leading apostrophe, which
Excel hides) and :func:`unescape_formula` removes that apostrophe when such a report is read.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta
from typing import TypeAlias

Cell: TypeAlias = str | int | float | bool | date | datetime | time | timedelta | None

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may read as a formula (OWASP's list)


def clean_text(text: str) -> str:
    """NFC, runs of white space collapsed to one space, ends trimmed (same as ``catalog.text.nfc``)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def number_text(value: float | int) -> str:
    """``25000.0`` → ``"25000"``: how a number cell reads when a column wants text."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def cell_text(value: Cell) -> str:
    """Any cell as text (for text columns that received a number, and for reports)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != time() else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def escape_formula(text: str) -> str:
    """Text that a spreadsheet will show as text, never evaluate (for CSV output)."""
    return "'" + text if looks_like_formula(text) else text


def unescape_formula(text: str) -> str:
    return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text
