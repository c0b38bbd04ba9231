"""The one producer matcher that every import uses.

A row names a producer by some of: its code, its phone, its name and commune.  The matcher
decides, in that order of certainty:

* **code**: the same code is the same producer;
* **phone**: the same phone and the same folded name is the same producer; the same phone
  under another name is *ambiguous* (a family sharing a phone, or a typo) and is held as a
  merge candidate for a person, never guessed;
* **name + commune**: the same folded name in the same vn2025 unit is the same producer;
* otherwise the producer is **new**.

It works in memory over an index built once, so a bulk import of 150,000 rows makes no query
per row; rows added during an import are indexed as they are created.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from catalog.text import fold


class MatchKind(StrEnum):
    code = "code"
    phone = "phone"
    name_commune = "name_commune"
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


@dataclass(frozen=True, slots=True)
class MatchResult:
    kind: MatchKind
    producer_id: int | None = None
    candidates: tuple[int, ...] = ()  # for ambiguous: the producers it might be

    @property
    def found(self) -> bool:
        return self.producer_id is not None


@dataclass
class ProducerMatcher:
    by_code: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    by_name_unit: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def from_keys(cls, keys: Iterable[ProducerKey]) -> ProducerMatcher:
        matcher = cls()
        for key in keys:
            matcher.add(key)
        return matcher

    def add(self, key: ProducerKey) -> None:
        name = fold(key.name)
        self.by_code[fold(key.code)] = key.id
        if key.phone:
            self.by_phone.setdefault(key.phone, []).append((name, key.id))
        if key.unit_vn2025:
            self.by_name_unit.setdefault((name, key.unit_vn2025), key.id)

    def match(
        self, *, code: str | None = None, phone: str | None = None, name: str | None = None,
        unit_vn2025: str | None = None,
    ) -> MatchResult:
        if code and (found := self.by_code.get(fold(code))) is not None:
            return MatchResult(MatchKind.code, found)
        name_key = fold(name) if name else None
        if phone and phone in self.by_phone:
            entries = self.by_phone[phone]
            same_name = [pid for n, pid in entries if n == name_key]
            if same_name:
                return MatchResult(MatchKind.phone, same_name[0])
            return MatchResult(MatchKind.ambiguous, None, tuple(pid for _, pid in entries))
        if name_key and unit_vn2025 and (found := self.by_name_unit.get((name_key, unit_vn2025))) is not None:
            return MatchResult(MatchKind.name_commune, found)
        return MatchResult(MatchKind.new)
