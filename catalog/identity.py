"""When two records are one household: the identity rule of ``docs/IDENTITY.md``, in one place.

Since 1 July 2025 a new commune covers several old ones, and names repeat a lot among Tày, Nùng
and Dao families, so a name is never enough to join two records.  A household is the same
household only on evidence, judged pairwise by :func:`judge`, in this order:

=====================================================  =============================================
evidence                                               outcome
=====================================================  =============================================
the same household code                                same household (``code``)
two different codes, both written by people            different households, never joined
a code on one side only, or none, and:
  the same phone and a compatible name                 same household (``phone_name``)
  the same phone, a name that is not compatible        different + a candidate (``phone_other_name``)
  different phones (both present)                      different; a compatible name in the same old
                                                       commune adds a candidate (``name_other_phone``)
  a phone missing: compatible name, same old commune   a new household + a candidate (``name_no_phone``),
                                                       unless the same file listed it (``same_file``)
=====================================================  =============================================

A *compatible name* is the same name after :func:`~catalog.text.fold`, or, for a person, the same
family name (first word) and given name (last word): ``Hoàng V. Tiến`` is ``Hoàng Văn Tiến``.  The
*same old commune* is the same vn2004 commune; when either side does not know its old commune,
the same vn2025 commune stands in (it only ever raises a candidate, never a join).  A code made by
the system for a household that had none (``06001-0042``: a ward and a number) is no code written
by people: it never stands against a code from a file.

:class:`IdentityIndex` finds, without a query per row, the few known households a row may be
(by code, by phone, by name and place) and judges each; the register import uses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

SYSTEM_CODE = re.compile(r"\d{5}[- ]\d{4,}")
"""The shape of a code the system makes for a household without one (``<vn2025 ward>-<number>``)."""
_ORGANISATION_PREFIXES = ("hop tac xa ", "htx ", "to hop tac ", "tht ", "cong ty ", "doanh nghiep ",
                          "ho kinh doanh ", "hkd ", "co so ")


class Reason(StrEnum):
    """Why two records were judged one household, two, or possibly one (a merge candidate's reason)."""

    code = "code"
    codes_differ = "codes_differ"
    phone_name = "phone_name"
    phone_other_name = "phone_other_name"
    phones_differ = "phones_differ"
    name_other_phone = "name_other_phone"
    name_no_phone = "name_no_phone"
    same_file = "same_file"
    unrelated = "unrelated"


REASON_TEXT: dict[str, tuple[str, str]] = {
    Reason.code: ("cùng mã hộ", "the same household code"),
    Reason.phone_name: ("cùng số điện thoại, tên khớp", "the same phone, a compatible name"),
    Reason.phone_other_name: ("cùng số điện thoại, tên khác", "the same phone under another name"),
    Reason.name_other_phone: ("cùng tên, cùng xã cũ, số điện thoại khác",
                              "the same name in the same old commune, another phone"),
    Reason.name_no_phone: ("cùng tên, cùng xã cũ, không có mã hộ và số điện thoại",
                           "the same name in the same old commune, no code and no phone"),
    Reason.same_file: ("cùng tệp, cùng tên và xã", "listed again by the same file, same name and commune"),
    "manual": ("ghi nhận thủ công", "recorded by a person"),
}
"""Each candidate reason in words (Vietnamese, English), for the CLI and the web page."""


def reason_text(reason: str, lang: str = "vi") -> str:
    vi, en = REASON_TEXT.get(reason, (reason, reason))
    return en if lang == "en" else vi


def is_system_code(code: str) -> bool:
    """A code the system made (``06001-0042``, or its folded key ``06001 0042``), not one a team wrote."""
    return SYSTEM_CODE.fullmatch(code) is not None


def person_key(name_key: str) -> str:
    """What a compatible name keeps of a folded name: ``family given`` for a person of two words or
    more, the whole folded name for anything else (an organisation, a single word)."""
    first, _, rest = name_key.partition(" ")
    if not rest:
        return name_key
    if name_key.startswith(_ORGANISATION_PREFIXES):
        return name_key
    return first + " " + rest.rpartition(" ")[2]


def names_compatible(a: str, b: str) -> bool:
    """Equal after folding, or the same family and given name (both arguments already folded)."""
    return bool(a) and (a == b or person_key(a) == person_key(b))


@dataclass(frozen=True, slots=True)
class Identity:
    """What the rule knows of one record: a known household (``id``) or an incoming row (``id`` 0).

    ``code`` is the folded code (``catalog.matcher.code_key``); ``code_given`` says whether people
    wrote it (a system-made code never stands against another code).  ``name_key`` is the folded
    name; ``old_unit`` and ``new_unit`` are the vn2004 and vn2025 communes."""

    id: int
    code: str | None
    code_given: bool
    name_key: str
    phone: str | None
    old_unit: str | None
    new_unit: str | None

    @property
    def person(self) -> str:
        return person_key(self.name_key)


@dataclass(frozen=True, slots=True)
class Verdict:
    same: bool
    reason: Reason
    candidate: bool = False


def same_place(a: Identity, b: Identity) -> bool:
    """The same old commune; the same new one when either side does not know its old commune."""
    if a.old_unit and b.old_unit:
        return a.old_unit == b.old_unit
    return bool(a.new_unit) and a.new_unit == b.new_unit


def judge(row: Identity, known: Identity, *, same_file: bool = False) -> Verdict:
    """The table of the module docstring, for one pair.  ``same_file``: the file of ``row`` listed
    ``known`` already (an earlier row of it, or an earlier import of it)."""
    if row.code and known.code:
        if row.code == known.code:
            return Verdict(True, Reason.code)
        if row.code_given and known.code_given:
            return Verdict(False, Reason.codes_differ)
    compatible = names_compatible(row.name_key, known.name_key)
    if row.phone and known.phone:
        if row.phone == known.phone:
            return Verdict(True, Reason.phone_name) if compatible else Verdict(False, Reason.phone_other_name, True)
        if compatible and same_place(row, known):
            return Verdict(False, Reason.name_other_phone, True)
        return Verdict(False, Reason.phones_differ)
    if compatible and same_place(row, known):
        return Verdict(True, Reason.same_file) if same_file else Verdict(False, Reason.name_no_phone, True)
    return Verdict(False, Reason.unrelated)


@dataclass(frozen=True, slots=True)
class Decision:
    """The household a row is (``household``), or none and the candidates it raises."""

    household: int | None
    reason: Reason | None = None
    candidates: tuple[tuple[int, Reason], ...] = ()


_NONE = Decision(None)


Entries = Identity | list[Identity]
"""One known identity under a key, or a list of them: most keys name one household, and a list per
key would cost a province's index tens of megabytes."""


def _append(index: dict[str, Entries], key: str, known: Identity) -> None:
    entries = index.get(key)
    if entries is None:
        index[key] = known
    elif type(entries) is list:
        entries.append(known)
    else:
        index[key] = [entries, known]  # type: ignore[list-item]


def _extend(out: list[Identity], entries: Entries | None) -> None:
    if entries is None:
        return
    if type(entries) is list:
        out += entries
    else:
        out.append(entries)  # type: ignore[arg-type]


@dataclass
class IdentityIndex:
    """Known households by code, by phone and by compatible name in a place; :meth:`decide` judges
    only the few a row can be, so a bulk import makes no query and no scan per row.  A household
    may be indexed several times (an absorbed producer's identity stays as an alias of the
    survivor; a completed phone adds an entry)."""

    by_code: dict[str, Identity] = field(default_factory=dict)
    by_phone: dict[str, Entries] = field(default_factory=dict)
    by_place: dict[str, Entries] = field(default_factory=dict)

    def add(self, known: Identity) -> None:
        if known.code:
            self.by_code.setdefault(known.code, known)
        if known.phone:
            _append(self.by_phone, known.phone, known)
        if known.name_key:
            person = known.person
            if known.old_unit:
                _append(self.by_place, f"o{known.old_unit}|{person}", known)
            if known.new_unit:
                _append(self.by_place, f"n{known.new_unit}|{person}", known)

    def add_all(self, known: Iterable[Identity]) -> None:
        for one in known:
            self.add(one)

    def _nearby(self, row: Identity) -> list[Identity]:
        out: list[Identity] = []
        if row.phone:
            _extend(out, self.by_phone.get(row.phone))
        if row.name_key:
            person = row.person
            if row.old_unit:
                _extend(out, self.by_place.get(f"o{row.old_unit}|{person}"))
            if row.new_unit:
                _extend(out, self.by_place.get(f"n{row.new_unit}|{person}"))
        return out

    def decide(self, row: Identity, *, same_file: Callable[[int], bool] | None = None) -> Decision:
        """The household ``row`` is by :func:`judge`, or the candidates it raises (one per household)."""
        if row.code and (known := self.by_code.get(row.code)) is not None:
            return Decision(known.id, Reason.code)
        nearby = self._nearby(row)
        if not nearby:
            return _NONE
        candidates: dict[int, Reason] = {}
        for known in nearby:
            verdict = judge(row, known)
            if verdict.reason is Reason.name_no_phone and same_file is not None and same_file(known.id):
                return Decision(known.id, Reason.same_file)
            if verdict.same:
                return Decision(known.id, verdict.reason)
            if verdict.candidate:
                candidates.setdefault(known.id, verdict.reason)
        return Decision(None, None, tuple(candidates.items())) if candidates else _NONE
