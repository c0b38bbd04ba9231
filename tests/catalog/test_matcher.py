"""The one producer matcher: code, then phone (same folded name, or ambiguous), then folded name + commune."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from catalog.matcher import MatchKind, ProducerKey, ProducerMatcher, code_key
from catalog.text import fold

KEYS = [
    ProducerKey(id=1, code="06001-0001", name="Hoàng Văn Dũng", phone="+84912000001", unit_vn2025="01933"),
    ProducerKey(id=2, code="BK-000010", name="Nông Thị Hoa", phone="+84912000002", unit_vn2025="01933"),
    ProducerKey(id=3, code="HTX-01", name="HTX Miến dong Côn Minh", unit_vn2025="01936"),
]


def test_code_phone_and_name_commune_in_that_order() -> None:
    matcher = ProducerMatcher.from_keys(KEYS)
    assert matcher.match(code="bk 000010") == matcher.match(code="BK-000010")
    assert matcher.match(code="BK-000010").producer_id == 2
    assert matcher.match(code="BK-000010").kind is MatchKind.code
    found = matcher.match(phone="+84912000001", name="HOÀNG VĂN DŨNG")
    assert (found.kind, found.producer_id) == (MatchKind.phone, 1)
    found = matcher.match(name="htx mien dong con minh", unit_vn2025="01936")
    assert (found.kind, found.producer_id) == (MatchKind.name_commune, 3)
    assert matcher.match(name="htx mien dong con minh", unit_vn2025="01933").kind is MatchKind.new
    assert not matcher.match(code="nobody").found


def test_same_phone_other_name_is_ambiguous() -> None:
    matcher = ProducerMatcher.from_keys(KEYS)
    found = matcher.match(phone="+84912000001", name="Hoàng Thị Lan", unit_vn2025="01933")
    assert (found.kind, found.producer_id, found.candidates) == (MatchKind.ambiguous, None, (1,))
    matcher.add(ProducerKey(id=4, code="x-4", name="Hoàng Thị Lan", phone="+84912000001"))
    assert matcher.match(phone="+84912000001", name="Hoang Thi Lan").producer_id == 4
    assert matcher.match(phone="+84912000001", name="Ma Văn Tiến").candidates == (1, 4)


def test_a_folded_name_given_by_the_caller_is_the_same_as_the_name() -> None:
    matcher = ProducerMatcher()
    matcher.add_folded(7, code_key=code_key("06001-0042"), name_key=fold("Lý Thị Mai"), phone="+84912000007",
                       unit_vn2025="01933")
    by_name = matcher.match(phone="+84912000007", name="Lý Thị Mai")
    assert matcher.match(phone="+84912000007", name_key="ly thi mai") == by_name
    assert matcher.match(code="06001-0042").producer_id == 7
    assert matcher.match(name_key="ly thi mai", unit_vn2025="01933").producer_id == 7


@given(st.text(alphabet="0123456789abcABC-_ .tpTPnđĐáÁ", max_size=14))
def test_code_key_is_fold(code: str) -> None:
    assert code_key(code) == fold(code)


def test_code_key_keeps_folds_spelling_aliases() -> None:
    for code in ("TT-01", "tp-3", "bac-can-1", "BK-000010", "06001-0001", "-x", "x-", "a--b"):
        assert code_key(code) == fold(code)
