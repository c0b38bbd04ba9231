"""Units of Vietnamese markets and docs/UNITS.md, which shows them."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.errors import CatalogueValidationError
from catalog.measures import MARKET_UNITS, UNITS, market_unit, normalize_unit

DOC = Path(__file__).resolve().parents[2] / "docs" / "UNITS.md"


@pytest.mark.parametrize(("written", "unit"), [
    ("con", "con"), ("Chục", "chục"), ("chuc", "chục"), ("yến", "yến"), ("YEN", "yến"), ("tạ", "tạ"), ("tá", "tá"),
    ("buồng", "buồng"), ("nải", "nải"), ("Nai", "nải"), ("mớ", "mớ"), ("xâu", "xâu"), ("củ", "củ"), ("bộ", "bộ"),
    ("bó", "bó"), ("bo", "bó"), ("cân", "kg"), ("kí lô", "kg"), ("trái", "quả"), ("chiếc", "cái"), ("tấn", "tấn"),
])
def test_market_units(written: str, unit: str) -> None:
    assert normalize_unit(written) == unit


@pytest.mark.parametrize("written", ["ta", "con gà", "mét khối"])
def test_a_unit_we_cannot_tell_is_refused(written: str) -> None:
    with pytest.raises(CatalogueValidationError) as info:
        normalize_unit(written)
    assert info.value.code == "unit.unknown"


def test_what_a_unit_holds() -> None:
    assert market_unit("yến") == MARKET_UNITS["yến"]
    assert (market_unit("Yen").base, market_unit("yến").per_unit) == ("kg", Decimal(10))
    assert (market_unit("tạ").per_unit, market_unit("lạng").base, market_unit("chục").per_unit) == (100, "g", 10)
    assert market_unit("buồng").name == "buồng"


def test_the_doc_table_is_the_unit_table() -> None:
    rows = [line.split(" | ") for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    assert len(rows) == len(UNITS)
    for cells in rows:
        unit = cells[0].strip("| `")
        market = MARKET_UNITS[unit]
        assert [cells[2], cells[3], Decimal(cells[4])] == [market.name, market.base, market.per_unit], unit
        for alias in re.findall(r"`([^`]+)`", cells[1]):
            assert normalize_unit(alias) == unit, alias
