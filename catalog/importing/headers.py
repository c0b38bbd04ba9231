"""Which column a header names: by meaning, not by the whole string.

People write headers their own way: "Mã HTX/THT", "Tên cơ sở / hộ", "Số ĐT hoặc Zalo", "SĐT liên
hệ", a bare "Xã".  A header is compared word by word on its folded key (no case, no diacritics,
no "(đ)", "*" or "1." decoration), in this order:

1. **exact**: the key is one of a column's aliases ("Xã", "Ten san pham", "GIÁ BÁN (VNĐ)");
2. **compound**: split at ``/``, ``|`` or "hoặc", each part names the column alone or with the
   words it shares with the first part ("Mã HTX/THT" is "Mã HTX" or "Mã THT"; "Tên cơ sở / hộ"
   is "Tên cơ sở" or "Tên hộ"); every part that names a column must name the same one, else the
   header is **ambiguous** and reported with the columns it could be;
3. **guessed**: an alias of two words or more, or an abbreviation such as "SĐT", begins the header
   and the words after it do not change what it means ("SĐT liên hệ" is the phone, "Giá sỉ" is
   not the price).  The import binds it only to an optional column that no other header names,
   and says so (``import.column_guessed``): it decided something on the user's behalf; a guess
   at a required column is only suggested (a sheet's kind is never guessed);
4. **unknown**: reported with the columns whose words it shares, when there are any; the row
   number column ("STT", "Số thứ tự") is known for what it is and passed over without a word.

This runs once per header cell of a sheet's first rows; the rows themselves never see it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.text import fold

if TYPE_CHECKING:
    from catalog.importing.table import ColumnSpec

_DECORATION = re.compile(r"\([^)]*\)|\[[^\]]*\]|[*:]|^\s*\d+\s*[.)]\s+")
_PARTS = re.compile(r"\s*[/|\\]\s*|\s+(?:hoặc|hoac|or)\s+", re.IGNORECASE)
# words after an alias that make the header name something else: wholesale/cost/old prices,
# quantities sold, the phone of a team member or a leader rather than the household's
_CHANGES_MEANING = frozenset({"si", "buon", "von", "nhap", "khuyen", "km", "giam", "cu", "goc", "ban", "da",
                              "thanh", "vien", "truong", "to", "nguoi", "ho tro", "can bo"})
# words too common to suggest a column by themselves
_GENERIC = frozenset({"ma", "ten", "so", "ngay", "cua", "va", "cac", "thong", "tin", "ho", "nguoi", "la", "co"})
MAX_CANDIDATES = 3
NUMBERING = frozenset({"stt", "tt", "so tt", "so thu tu", "thu tu"})  # the row number column: known, not read


def header_key(text: str) -> str:
    """The comparison key of a header: no case, no diacritics, no "(đ)", "*" or "1." decoration."""
    return fold(_DECORATION.sub(" ", text))


def spec_index(specs: Sequence[ColumnSpec]) -> dict[str, ColumnSpec]:
    """Every alias key → its column (the first column that claims a key keeps it)."""
    index: dict[str, ColumnSpec] = {}
    for spec in specs:
        for key in spec.keys():  # noqa: SIM118 (a method of ColumnSpec, not a dict)
            index.setdefault(key, spec)
    return index


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """What one header names: ``spec`` when it names one column (``how`` says how sure), else the
    ``candidates`` it could be (``ambiguous``, or ``unknown`` with words in common)."""

    spec: ColumnSpec | None
    how: str  # exact | compound | guessed | ambiguous | unknown | numbering
    candidates: tuple[ColumnSpec, ...] = ()

    def named(self) -> str:
        """The candidates for a message: "'Số điện thoại', 'Người đại diện'"."""
        return ", ".join(f"'{spec.header}'" for spec in self.candidates)


_UNKNOWN = HeaderMatch(None, "unknown")
_NUMBERING = HeaderMatch(None, "numbering")


def _abbreviation(alias: str) -> bool:
    letters = [ch for ch in alias if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


class HeaderIndex:
    """The columns of one import, ready to name headers (see the module docstring)."""

    def __init__(self, specs: Sequence[ColumnSpec]) -> None:
        self.specs = list(specs)
        self.exact = spec_index(specs)
        self._leading: dict[str, list[tuple[tuple[str, ...], ColumnSpec]]] = {}
        self._aliases: list[tuple[frozenset[str], tuple[str, ...], ColumnSpec]] = []
        for spec in self.specs:
            for alias in (spec.header, spec.field.replace("_", " "), spec.header_en, *spec.aliases):
                words = tuple(header_key(alias).split()) if alias else ()
                if not words:
                    continue
                self._aliases.append((frozenset(words) - _GENERIC, words, spec))
                if len(words) >= 2 or _abbreviation(alias):
                    self._leading.setdefault(words[0], []).append((words, spec))
        for entries in self._leading.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    def field_of(self, text: str) -> str | None:
        """The field a header names (exact, compound or guessed), or ``None``."""
        spec = self.match(text, related=False).spec
        return spec.field if spec is not None else None

    def match(self, text: str, *, related: bool = True) -> HeaderMatch:
        """What ``text`` names; ``related=False`` spares looking for the candidates of an unknown
        header (the header search asks about every cell of a sheet's first rows)."""
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        bare = _DECORATION.sub(" ", text)
        key = fold(bare)
        if not key:
            return _UNKNOWN
        spec = self.exact.get(key)
        if spec is not None:
            return HeaderMatch(spec, "exact")
        if key in NUMBERING:
            return _NUMBERING
        parts = [fold(part).split() for part in _PARTS.split(bare)]
        parts = [words for words in parts if words]
        if len(parts) > 1:
            found = self._compound(parts)
            if found is not None:
                return found
        guessed = {spec.field: spec for words in (key.split(), *(parts if len(parts) > 1 else ()))
                   if (spec := self._leading_alias(words)) is not None}
        if len(guessed) == 1:
            return HeaderMatch(next(iter(guessed.values())), "guessed")
        if guessed:
            return HeaderMatch(None, "ambiguous", tuple(guessed.values()))
        return HeaderMatch(None, "unknown", self._related(key.split()) if related else ())

    def _compound(self, parts: list[list[str]]) -> HeaderMatch | None:
        """"Mã HTX/THT": each part alone, or completed by the words the first part leads with and
        the last part ends with; ``None`` when no part names a column."""
        first, last = parts[0], parts[-1]
        named: dict[str, ColumnSpec] = {}
        for i, words in enumerate(parts):
            forms = []
            if i > 0:
                forms += [[*first[:k], *words] for k in range(len(first) - 1, 0, -1)]
            if i < len(parts) - 1:
                forms += [[*words, *last[-k:]] for k in range(len(last) - 1, 0, -1)]
            forms.append(words)
            for form in forms:
                spec = self.exact.get(" ".join(form))
                if spec is not None:
                    named.setdefault(spec.field, spec)
                    break
        if not named:
            return None
        if len(named) == 1:
            return HeaderMatch(next(iter(named.values())), "compound")
        return HeaderMatch(None, "ambiguous", tuple(named.values()))

    def _leading_alias(self, words: list[str]) -> ColumnSpec | None:
        """The longest multi-word alias (or abbreviation) the words begin with, unless the words
        after it change the meaning."""
        for alias, spec in self._leading.get(words[0], ()) if words else ():
            n = len(alias)
            if len(words) > n and tuple(words[:n]) == alias:
                rest = words[n:]
                if _CHANGES_MEANING.isdisjoint(rest) and not any(
                        " " in w and w in " ".join(rest) for w in _CHANGES_MEANING):
                    return spec
                return None
        return None

    def _related(self, words: list[str]) -> tuple[ColumnSpec, ...]:
        """Columns an unknown header may mean: an alias found whole inside it, or sharing most of
        its distinctive words."""
        distinct = frozenset(words) - _GENERIC
        text = f" {' '.join(words)} "
        scored: dict[str, tuple[float, int, ColumnSpec]] = {}
        for order, (alias_words, words_of_alias, spec) in enumerate(self._aliases):
            if len(words_of_alias) >= 2 and f" {' '.join(words_of_alias)} " in text:
                score = 1.0
            elif distinct and alias_words:
                score = len(distinct & alias_words) / len(distinct | alias_words)
            else:
                continue
            if score > 0.5 and score > scored.get(spec.field, (0.0, 0, spec))[0]:
                scored[spec.field] = (score, order, spec)
        best = sorted(scored.values(), key=lambda entry: (-entry[0], entry[1]))
        return tuple(spec for _score, _order, spec in best[:MAX_CANDIDATES])


def count_named(cells: Iterable[str], index: HeaderIndex) -> int:
    """How many distinct columns the cells name (a header row names the most)."""
    return len({field for text in cells if (field := index.field_of(text)) is not None})
