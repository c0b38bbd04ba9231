"""The import's matcher decides exactly as the one producer matcher of ``catalog/``."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.importing.keys import FastProducerMatcher
from catalog.matcher import MatchKind, ProducerKey, ProducerMatcher

NAMES = st.sampled_from(["Hoàng Văn Tiến", "HOÀNG VĂN TIẾN", "Hoang Van Tien", "Nông Thị Hoa", "Đàm Thị Lụa",
                         "dam thi lua", "HTX Tài Hoan", "Htx  Tai-Hoan", "Lục Văn Sáng", "TP Bắc Kạn"])
CODES = st.sampled_from(["BB-001", "bb-001", "01933-0001", "HTX-TAIHOAN", "htx taihoan"])
PHONES = st.sampled_from([None, "+84971000101", "+84388111222"])
UNITS = st.sampled_from([None, "02185", "01933"])
KEYS = st.builds(ProducerKey, id=st.integers(1, 50), code=CODES, name=NAMES | st.text(max_size=12), phone=PHONES,
                 unit_vn2025=UNITS)


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(KEYS, max_size=8), code=st.none() | CODES, phone=PHONES,
       name=st.none() | NAMES | st.text(max_size=12), unit=UNITS)
def test_same_decisions_as_the_catalogue_matcher(keys: list[ProducerKey], code: str | None, phone: str | None,
                                                 name: str | None, unit: str | None) -> None:
    slow, fast = ProducerMatcher.from_keys(keys), FastProducerMatcher.from_keys(keys)
    assert type(fast) is FastProducerMatcher
    assert (fast.by_code, fast.by_phone, fast.by_name_unit) == (slow.by_code, slow.by_phone, slow.by_name_unit)
    query = {"code": code, "phone": phone, "name": name, "unit_vn2025": unit}
    assert fast.match(**query) == slow.match(**query)


def test_same_phone_other_name_is_ambiguous() -> None:
    matcher = FastProducerMatcher.from_keys([ProducerKey(1, "A", "Hoàng Thị Lan", "+84912000001", "01849")])
    assert matcher.match(phone="+84912000001", name="HOANG THI LAN").kind is MatchKind.phone
    found = matcher.match(phone="+84912000001", name="Hoàng Văn Dũng")
    assert (found.kind, found.candidates) == (MatchKind.ambiguous, (1,))
    assert matcher.match(name="hoang thi lan", unit_vn2025="01849").producer_id == 1
