"""Open-ended input: text cuts, plain text, listing addresses and seller-centre moments never crash."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from catalog.errors import CatalogueValidationError
from connector.listings.bind import parse_listing_ref
from connector.listings.layouts import load_layout
from connector.listings.order_reader import local_datetime
from connector.listings.rows import cut_text, plain_text


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_cut_text_is_a_prefix_within_the_limit(text: str, limit: int) -> None:
    out = cut_text(text, limit)
    assert len(out) <= limit and text.startswith(out)


@given(st.text())
@settings(max_examples=200)
def test_plain_text_never_fails_and_keeps_no_markup_of_ours(text: str) -> None:
    out = plain_text(text)
    assert out == out.strip() and "\n\n\n" not in out
    assert plain_text(f"<p>{text.replace('<', ' ').replace('>', ' ')}</p>").count("<p>") == 0


@example("[/")  # a broken IPv6 bracket once crashed urlsplit
@example("http://[::1/x")
@given(st.text(max_size=200))
def test_listing_refs_parse_or_fail_with_a_code(text: str) -> None:
    try:
        ref = parse_listing_ref(load_layout("voso"), text)
    except CatalogueValidationError as error:
        code = error.code
    else:
        code = None
        assert ref.remote_id and len(ref.remote_id) <= 128
    assert code in (None, "listings.url_invalid", "listings.url_foreign")


@given(st.one_of(st.text(max_size=40), st.floats(allow_nan=True), st.integers(), st.none(), st.booleans()))
def test_moments_parse_or_fail_with_a_code(value: object) -> None:
    try:
        moment = local_datetime(value)  # type: ignore[arg-type]
    except CatalogueValidationError as error:
        code = error.code
    else:
        code = None
        assert moment.tzinfo is not None
    assert code in (None, "date.invalid")
