"""The identity rule of docs/IDENTITY.md, pair by pair: one test per row of the table."""

from __future__ import annotations

import pytest

from catalog.identity import (
    Identity,
    IdentityIndex,
    Reason,
    is_system_code,
    judge,
    names_compatible,
    reason_text,
    same_place,
)
from catalog.matcher import MatchKind, ProducerKey, ProducerMatcher
from catalog.text import fold

DUONG_QUANG, DON_PHONG = "01834", "01846"  # two old communes (vn2004) ...
BAC_KAN = "01834"  # ... and the new one (vn2025) of the first; codes are only labels here


def one(*, id: int = 0, code: str | None = None, name: str = "Hoàng Văn Minh", phone: str | None = None,
        old: str | None = DUONG_QUANG, new: str | None = BAC_KAN) -> Identity:
    key = fold(code) if code else None
    return Identity(id, key, key is not None and not is_system_code(key), fold(name), phone, old, new)


def test_the_same_code_is_the_same_household_whatever_else_differs() -> None:
    verdict = judge(one(code="HO1", phone="+84912345601"),
                    one(id=1, code="ho1", name="Lý Thị Hoa", phone="+84912000000", old=DON_PHONG))
    assert (verdict.same, verdict.reason) == (True, Reason.code)


def test_different_codes_are_never_joined_nor_held() -> None:
    verdict = judge(one(code="HO1", phone="+84912345601"), one(id=1, code="HO2", phone="+84912345601"))
    assert (verdict.same, verdict.candidate, verdict.reason) == (False, False, Reason.codes_differ)


def test_a_system_made_code_is_no_code() -> None:
    # a household the register created without a code got "01834-0001": a team's code can still find it by phone
    verdict = judge(one(code="HO1", phone="+84912345601"), one(id=1, code="01834-0001", phone="+84912345601"))
    assert (verdict.same, verdict.reason) == (True, Reason.phone_name)


@pytest.mark.parametrize(("row_code", "known_code"), [("HO1", None), (None, "HO1"), (None, None)])
@pytest.mark.parametrize("name", ["Hoàng Văn Minh", "HOANG VAN MINH", "Hoàng V. Minh", "Hoàng Minh"])
def test_same_phone_and_compatible_name_is_the_same_household(row_code: str | None, known_code: str | None,
                                                               name: str) -> None:
    verdict = judge(one(code=row_code, name=name, phone="+84912345601", old=None),
                    one(id=1, code=known_code, phone="+84912345601", old=DON_PHONG, new="09999"))
    assert (verdict.same, verdict.reason) == (True, Reason.phone_name)


def test_same_phone_and_another_name_is_two_households_and_a_candidate() -> None:
    verdict = judge(one(name="Hoàng Thị Lan", phone="+84912345678"), one(id=1, phone="+84912345678"))
    assert (verdict.same, verdict.candidate, verdict.reason) == (False, True, Reason.phone_other_name)


def test_different_phones_are_two_households_a_candidate_only_in_the_same_old_commune() -> None:
    same_commune = judge(one(phone="+84912345601"), one(id=1, phone="+84912345602"))
    assert (same_commune.same, same_commune.candidate, same_commune.reason) == (False, True, Reason.name_other_phone)
    # the HO1/HO2 without their codes: the same new commune, two old ones
    other_commune = judge(one(phone="+84912345601"), one(id=1, phone="+84912345602", old=DON_PHONG))
    assert (other_commune.same, other_commune.candidate) == (False, False)
    other_name = judge(one(phone="+84912345601"), one(id=1, name="Hoàng Văn Dũng", phone="+84912345602"))
    assert (other_name.same, other_name.candidate) == (False, False)


def test_no_code_no_phone_same_name_same_old_commune_is_a_new_household_and_a_candidate() -> None:
    verdict = judge(one(), one(id=1))
    assert (verdict.same, verdict.candidate, verdict.reason) == (False, True, Reason.name_no_phone)
    assert judge(one(), one(id=1, phone="+84912345601")).reason is Reason.name_no_phone  # a phone on one side
    assert not judge(one(), one(id=1, old=DON_PHONG)).candidate
    # listed again by the file that recorded it (a re-import, or a household on several rows)
    assert judge(one(), one(id=1), same_file=True).same


def test_compatible_names_and_places() -> None:
    assert names_compatible("hoang van tien", "hoang v tien")
    assert names_compatible("hoang van tien", "hoang tien")
    assert not names_compatible("hoang van tien", "hoang van dung")
    assert not names_compatible("htx mat ong quang thuan", "htx che quang thuan")  # organisations: whole name
    assert not names_compatible("", "")
    # an old commune decides when both know it; else the new one stands in
    assert not same_place(one(), one(old=DON_PHONG))
    assert same_place(one(old=None), one(old=DON_PHONG))
    assert not same_place(one(old=None, new=None), one(old=None, new=None))
    assert reason_text("name_no_phone", "en").startswith("the same name")


def test_the_index_judges_only_what_a_row_can_be() -> None:
    index = IdentityIndex()
    index.add_all([one(id=1, code="HO1", phone="+84912345601"),
                   one(id=2, code="HO2", phone="+84912345602", old=DON_PHONG),
                   one(id=3, name="Hoàng Văn Dũng", phone="+84912345678")])
    assert index.decide(one(code="HO2")).household == 2
    assert index.decide(one(code="HO3", phone="+84912345601")).household is None  # two codes
    lan = index.decide(one(name="Hoàng Thị Lan", phone="+84912345678", old=None))
    assert (lan.household, lan.candidates) == (None, ((3, Reason.phone_other_name),))
    again = index.decide(one(phone="+84912345609"))
    assert again.candidates == ((1, Reason.name_other_phone),)
    assert index.decide(one(), same_file=lambda pid: pid == 1).household == 1


def test_catalogue_matcher_never_joins_two_written_codes_nor_two_phones() -> None:
    matcher = ProducerMatcher.from_keys([ProducerKey(id=1, code="HO1", name="Hoàng Văn Minh", phone="+84912345601",
                                                     unit_vn2025="01834")])
    assert matcher.match(code="HO2", phone="+84912345601", name="Hoàng Văn Minh").kind is MatchKind.new
    assert matcher.match(code="HO2", name="Hoàng Văn Minh", unit_vn2025="01834").kind is MatchKind.new
    assert matcher.match(phone="+84912345602", name="Hoàng Văn Minh", unit_vn2025="01834").kind is MatchKind.new
    assert matcher.match(phone="+84912345601", name="Hoàng V. Minh").kind is MatchKind.phone
    assert matcher.match(name="Hoàng Văn Minh", unit_vn2025="01834").kind is MatchKind.name_commune
