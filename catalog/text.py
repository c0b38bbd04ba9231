"""Vietnamese text helpers: NFC storage, a folded key for comparison and search, slugs.

Text is stored NFC.  Comparisons use :func:`fold`, which also erases the differences NFC keeps
(tone placement "hòa"/"hoà", case, đ/Đ, spacing and punctuation), so "Bắc Kạn", "BAC KAN" and
"bac  kan" share one key.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# U+0110/U+0111 have no decomposition, so NFD alone leaves them in place.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
# Spelling variants that name the same thing (applied to folded keys, whole words only).
_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bbac can\b"), "bac kan"),
    (re.compile(r"\btp\b"), "thanh pho"),
    (re.compile(r"\btt\b"), "thi tran"),
)
# each alias pattern with a substring it cannot match without (a C-level ``in`` spares the regex)
_GUARDED_ALIASES = tuple((pattern.pattern.removeprefix("\\b").removesuffix("\\b"), pattern, replacement)
                         for pattern, replacement in _ALIASES)


def nfc(text: str) -> str:
    """NFC form with runs of white space collapsed and ends trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def strip_marks(text: str) -> str:
    """Drop every diacritic, đ→d included; case is kept."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").translate(_D_MAP)


def _plain_letters() -> frozenset[str]:
    """ASCII, and the letters whose NFD is one ASCII letter plus combining marks (all Vietnamese)."""
    chars = set(string.printable) - set("\x0b\x0c")
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        if (char.isalpha() and len(decomposed) > 1 and decomposed[0].isascii()
                and all(unicodedata.category(c) == "Mn" for c in decomposed[1:])):
            chars.add(char)
    return frozenset(chars | {"đ", "Đ"})


_PLAIN = _plain_letters()


@lru_cache(maxsize=65_536)  # bulk imports fold the same names several times per row
def fold(text: str) -> str:
    """The comparison key: no case, no diacritics, đ→d, words of ``[0-9a-z]`` joined by one space.

    Text made of ASCII and precomposed Latin letters (all Vietnamese text) takes a fast path: one
    NFD and an ASCII encode in C drop the marks; anything else goes character by character.  Both
    give :func:`fold_reference`'s key (a hypothesis test checks it).
    """
    if not _PLAIN.issuperset(text):
        return fold_reference(text)
    if not text.isascii():
        if "đ" in text or "Đ" in text:  # str.replace is much cheaper than str.translate with a dict
            text = text.replace("đ", "d").replace("Đ", "D")
        text = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii")
    lowered = text.lower()
    key = " ".join(lowered.split()) if lowered.replace(" ", "").isalnum() else _NON_WORD.sub(" ", lowered).strip()
    for needle, pattern, replacement in _GUARDED_ALIASES:
        if needle in key:
            key = pattern.sub(replacement, key)
    return key


_NON_WORD_LINES = re.compile(r"[^0-9a-z\n]+")
_LINE_EDGES = re.compile(r" ?\n ?")


def fold_many(texts: Sequence[str]) -> list[str]:
    """``[fold(t) for t in texts]``, computed in a few passes over all the texts joined by line
    breaks (bulk imports fold 100,000 product names); texts :func:`fold` would not take its fast
    path for, or that hold a line break themselves, are folded one by one."""
    if not texts:
        return []
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1 or not _PLAIN.issuperset(joined):
        return [fold(text) for text in texts]
    if not joined.isascii():
        if "đ" in joined or "Đ" in joined:
            joined = joined.replace("đ", "d").replace("Đ", "D")
        joined = unicodedata.normalize("NFD", joined).encode("ascii", "ignore").decode("ascii")
    keys = _LINE_EDGES.sub("\n", _NON_WORD_LINES.sub(" ", joined.lower())).strip(" ")
    for needle, pattern, replacement in _GUARDED_ALIASES:
        if needle in keys:
            keys = pattern.sub(replacement, keys)
    return keys.split("\n")


def fold_reference(text: str) -> str:
    """:func:`fold` written plainly, for any text."""
    key = _NON_WORD.sub(" ", strip_marks(text).casefold()).strip()
    for pattern, replacement in _ALIASES:
        key = pattern.sub(replacement, key)
    return key


def slug(text: str) -> str:
    """URL and file-name form: ``"Bắc Kạn"`` → ``"bac-kan"``."""
    return _NON_WORD.sub("-", strip_marks(text).casefold()).strip("-")
