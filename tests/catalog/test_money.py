import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.errors import CatalogueValidationError
from catalog.money import MAX_PRICE, format_vnd, parse_unit_price, parse_vnd

# The table of docs/MONEY.md, row by row.
TABLE = [
    ("1.250.000 đ", 1_250_000),
    ("1,250,000", 1_250_000),
    ("1.250", 1_250),
    ("125k", 125_000),
    ("125 nghìn", 125_000),
    ("125 ngàn", 125_000),
    ("1tr250", 1_250_000),
    ("1,25 triệu", 1_250_000),
    ("2 tỷ", 2_000_000_000),
    ("1.250.000₫", 1_250_000),
    ("1.250.000 VNĐ", 1_250_000),
    ("45000 đồng", 45_000),
    ("0", 0),
    (1250000, 1_250_000),
    (1250000.0, 1_250_000),
    (45000.0000001, 45_000),
]
ERRORS = [
    ("12.5", "price.fraction"),
    ("1,5", "price.fraction"),
    (12.5, "price.fraction"),
    ("1,2345 k", "price.fraction"),
    ("-5000", "price.negative"),
    ("abc", "price.invalid"),
    ("", "price.invalid"),
    ("12 con gà", "price.invalid"),
    (None, "price.invalid"),
    (True, "price.invalid"),
    ("99 tỷ", "price.absurd"),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_money_table(text: object, expected: int) -> None:
    assert parse_vnd(text) == expected


@pytest.mark.parametrize(("text", "code"), ERRORS)
def test_money_errors(text: object, code: str) -> None:
    with pytest.raises(CatalogueValidationError) as info:
        parse_vnd(text)
    assert info.value.code == code
    assert info.value.message("vi")  # a Vietnamese sentence, never empty


amounts = st.integers(min_value=0, max_value=MAX_PRICE)


@given(amounts, st.sampled_from([".", ","]), st.sampled_from(["", " đ", "đ", " VNĐ", " ₫", " vnd"]))
def test_grouped_forms_round_trip(amount: int, sep: str, suffix: str) -> None:
    text = f"{amount:,}".replace(",", sep) + suffix
    assert parse_vnd(text) == amount


@given(amounts)
def test_display_form_round_trips(amount: int) -> None:
    assert parse_vnd(format_vnd(amount)) == amount


@given(st.integers(min_value=0, max_value=9_999_999), st.sampled_from([("k", 1_000), ("nghìn", 1_000), ("tr", 10**6)]))
def test_multiplier_forms(number: int, word_mult: tuple[str, int]) -> None:
    word, mult = word_mult
    if number * mult <= MAX_PRICE:
        assert parse_vnd(f"{number}{word}") == number * mult


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=9))
def test_fractions_of_a_dong_are_rejected(whole: int, tenth: int) -> None:
    with pytest.raises(CatalogueValidationError) as info:
        parse_vnd(f"{whole}.{tenth}")
    assert info.value.code == "price.fraction"


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_excel_number_cells(value: float) -> None:
    if abs(value - round(value)) <= 1e-6:
        assert parse_vnd(value) == round(value)
    else:
        with pytest.raises(CatalogueValidationError):
            parse_vnd(value)


@pytest.mark.parametrize("text", ["12²", "١٢٠٠٠", "Ⅻ nghìn", "45k²"])
def test_digits_we_do_not_read_are_refused_not_guessed(text: str) -> None:
    with pytest.raises(CatalogueValidationError) as info:
        parse_vnd(text)
    assert info.value.code == "price.invalid"


# --- docs/MONEY.md, read as it is written; per-unit prices and the sign first (issue 16) ---------

DOC = Path(__file__).resolve().parents[2] / "docs" / "MONEY.md"
_ROW = re.compile(r"^\| (?P<input>.+?) \| (?P<result>.+?) \|")


def _doc_rows() -> list[tuple[object, str]]:
    rows: list[tuple[object, str]] = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match is None or match["input"] in ("input", "---"):
            continue
        raw = match["input"]
        value: object = float(raw.split("`")[1]) if raw.startswith("Excel number") else raw.strip("`")
        rows.append((value, match["result"]))
    return rows


DOC_ROWS = _doc_rows()


def test_the_doc_has_its_table() -> None:
    assert len(DOC_ROWS) >= 20
    assert any("per" in result for _value, result in DOC_ROWS)


@pytest.mark.parametrize(("value", "result"), DOC_ROWS)
def test_every_row_of_the_doc_holds(value: object, result: str) -> None:
    if result.startswith("error"):
        with pytest.raises(CatalogueValidationError) as info:
            parse_unit_price(value)
        assert info.value.code == result.split("`")[1]
        return
    amount, _, unit = result.partition(" per ")
    assert parse_unit_price(value) == (int(amount), unit.strip("`") or None)
    if not unit:
        assert parse_vnd(value) == int(amount)


UNIT_WORDS = st.sampled_from([("hộp", "hộp"), ("kg", "kg"), ("con", "con"), ("chục", "chục"), ("yến", "yến"),
                              ("Buồng", "buồng"), ("nải", "nải"), ("1 kg", "kg"), ("bó", "bó")])
SIGNS = st.sampled_from(["", " đ", "đ", " VNĐ", "₫", " đồng"])


@given(amounts, st.sampled_from([".", ","]), SIGNS, st.sampled_from(["/", " / ", "/ "]), UNIT_WORDS)
def test_a_price_per_unit_is_whole_dong_and_its_unit(amount: int, sep: str, sign: str, slash: str,
                                                     unit: tuple[str, str]) -> None:
    written, canonical = unit
    text = f"{amount:,}".replace(",", sep) + sign + slash + written
    price, found = parse_unit_price(text)
    assert (price, found) == (amount, canonical)
    assert type(price) is int  # never a float, never a Decimal
    with pytest.raises(CatalogueValidationError):
        parse_vnd(text)  # an amount alone has no unit


@given(amounts, st.sampled_from([".", ","]), st.sampled_from(["₫", "đ", "VNĐ ", "vnd ", "₫ "]))
def test_the_sign_first(amount: int, sep: str, sign: str) -> None:
    text = sign + f"{amount:,}".replace(",", sep)
    assert parse_vnd(text) == amount
    assert type(parse_vnd(text)) is int


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=9), UNIT_WORDS,
       st.sampled_from(["", "₫"]))
def test_a_fraction_of_a_dong_per_unit_is_refused(whole: int, tenth: int, unit: tuple[str, str], sign: str) -> None:
    with pytest.raises(CatalogueValidationError) as info:
        parse_unit_price(f"{sign}{whole},{tenth} đ/{unit[0]}")
    assert info.value.code == "price.fraction"


@given(st.text(max_size=20))
def test_anything_typed_gives_whole_dong_or_a_coded_error(text: str) -> None:
    outcome: object
    try:
        outcome = parse_unit_price(text)
    except CatalogueValidationError as error:
        outcome = error.code
    if isinstance(outcome, str):
        assert outcome.startswith(("price.", "unit."))
    else:
        price, unit = outcome  # type: ignore[misc]
        assert type(price) is int and 0 <= price <= MAX_PRICE
        assert unit is None or isinstance(unit, str)
