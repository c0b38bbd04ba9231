"""A faster :func:`catalog.text.fold` for the hot loop of a bulk import.

``fold`` decomposes every character and filters the combining marks one by one in Python,
which costs several microseconds per name; at 100,000 rows that is a large share of an import.
For text made only of ASCII and precomposed Latin letters (all Vietnamese text), the marks are
dropped by one NFD plus an ASCII encode, in C.  Anything else, or text that an alias rule of
``fold`` would rewrite, goes through ``fold`` itself, so the result is always identical (a
hypothesis test checks it).
"""

from __future__ import annotations

import re
import string
import unicodedata

from catalog.text import fold, strip_marks

_NON_WORD = re.compile(r"[^0-9a-z]+")
_ALIAS_WORDS = re.compile(r"\b(?:tp|tt|bac can)\b")


def _plain_letters() -> frozenset[str]:
    """ASCII, and the letters whose NFD is one ASCII letter plus combining marks."""
    chars = set(string.printable) - set("\x0b\x0c")
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        if char.isalpha() and decomposed[0].isascii() and len(strip_marks(char)) == 1 and (
            all(unicodedata.category(c) == "Mn" for c in decomposed[1:]) and len(decomposed) > 1
        ):
            chars.add(char)
    return frozenset(chars | {"đ", "Đ"})


_PLAIN = _plain_letters()


def fast_fold(text: str) -> str:
    """Exactly ``fold(text)``, several times faster on Vietnamese names."""
    if not _PLAIN.issuperset(text):
        return fold(text)
    if not text.isascii():
        text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        text = text.encode("ascii", "ignore").decode("ascii")
    lowered = text.lower()
    key = " ".join(lowered.split()) if lowered.replace(" ", "").isalnum() else _NON_WORD.sub(" ", lowered).strip()
    if _ALIAS_WORDS.search(key):
        return fold(key)
    return key
