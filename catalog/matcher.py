"""The producer matcher of the catalogue import, on the identity rule of :mod:`catalog.identity`.

A row names a producer by some of: its code, its phone, its name and commune.  The matcher
decides, in that order of certainty:

* **code**: the same code is the same producer; two codes written by people that differ are two
  producers, never joined by anything else;
* **phone**: the same phone and a compatible name (:func:`catalog.identity.names_compatible`) is
  the same producer; the same phone under another name is *ambiguous* (a family sharing a phone,
  or a typo) and is held as a merge candidate for a person, never guessed;
* **name + commune**: the same folded name in the same vn2025 unit is the same producer, unless
  the codes or the phones say otherwise (a catalogue lists a cooperative's products under its
  name; the register, where people repeat, follows the stricter :class:`~catalog.identity.IdentityIndex`);
* otherwise the producer is **new**.

It works in memory over an index built once, so a bulk import of 150,000 rows makes no query
per row; rows added during an import are indexed as they are created.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from catalog.identity import is_system_code, names_compatible
from catalog.text import fold


class MatchKind(StrEnum):
    code = "code"
    phone = "phone"
    name_commune = "name_commune"
    same_file = "same_file"
    ambiguous = "ambiguous"
    new = "new"


@dataclass(frozen=True, slots=True)
class ProducerKey:
    """What the matcher knows of one producer."""

    id: int
    code: str
    name: str
    phone: str | None = None
    unit_vn2025: str | None = None
    unit_vn2004: str | None = None


@dataclass(frozen=True, slots=True)
class MatchResult:
    kind: MatchKind
    producer_id: int | None = None
    candidates: tuple[int, ...] = ()  # for ambiguous: the producers it might be

    @property
    def found(self) -> bool:
        return self.producer_id is not None


_NEW = MatchResult(MatchKind.new)
_PLAIN_CODE = re.compile(r"[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*")
_ALIASED_WORDS = frozenset({"tp", "tt", "can"})  # words :func:`fold`'s spelling aliases may rewrite


def code_key(code: str) -> str:
    """``fold(code)``, without its general machinery for the common ``"06001-0042"`` / ``"BK-12"`` shapes."""
    if _PLAIN_CODE.fullmatch(code):
        key = code.lower().replace("-", " ")
        if _ALIASED_WORDS.isdisjoint(key.split()):
            return key
    return fold(code)


@dataclass
class ProducerMatcher:
    by_code: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, list[tuple[str, int, bool]]] = field(default_factory=dict)  # name key, id, code given
    by_name_unit: dict[tuple[str, str], tuple[int, bool, str | None]] = field(default_factory=dict)

    @classmethod
    def from_keys(cls, keys: Iterable[ProducerKey]) -> ProducerMatcher:
        matcher = cls()
        for key in keys:
            matcher.add(key)
        return matcher

    def add(self, key: ProducerKey) -> None:
        self.add_folded(key.id, code_key=code_key(key.code), name_key=fold(key.name), phone=key.phone,
                        unit_vn2025=key.unit_vn2025)

    def add_folded(self, pid: int, *, code_key: str, name_key: str, phone: str | None,
                   unit_vn2025: str | None) -> None:
        """:meth:`add` for a caller that already holds the folded code and name (:func:`code_key`,
        :func:`~catalog.text.fold`): a bulk import folds each name once."""
        given = bool(code_key) and not is_system_code(code_key)
        if code_key:
            self.by_code[code_key] = pid
        if phone:
            entries = self.by_phone.get(phone)
            if entries is None:
                self.by_phone[phone] = [(name_key, pid, given)]
            else:
                entries.append((name_key, pid, given))
        if unit_vn2025:
            self.by_name_unit.setdefault((name_key, unit_vn2025), (pid, given, phone))

    def match(
        self, *, code: str | None = None, phone: str | None = None, name: str | None = None,
        unit_vn2025: str | None = None, name_key: str | None = None,
    ) -> MatchResult:
        """The producer a row names; ``name_key`` (``fold(name)``) spares the fold when the caller has it."""
        folded_code = code_key(code) if code else None
        if folded_code and (found := self.by_code.get(folded_code)) is not None:
            return MatchResult(MatchKind.code, found)
        given = folded_code is not None and not is_system_code(folded_code)  # any indexed code differs from it
        if name_key is None and name:
            name_key = fold(name)
        if phone and (entries := self.by_phone.get(phone)) is not None:
            others = []
            for entry_name, pid, entry_given in entries:
                if given and entry_given:
                    continue  # two codes written by people: two producers
                if name_key and names_compatible(name_key, entry_name):
                    return MatchResult(MatchKind.phone, pid)
                others.append(pid)
            if others:
                return MatchResult(MatchKind.ambiguous, None, tuple(others))
        if name_key and unit_vn2025 and (hit := self.by_name_unit.get((name_key, unit_vn2025))) is not None:
            pid, entry_given, entry_phone = hit
            if not (given and entry_given) and not (phone and entry_phone and phone != entry_phone):
                return MatchResult(MatchKind.name_commune, pid)
        return _NEW
