import re
from itertools import combinations

from catalog import codes
from catalog.messages import adapters, cli, ledger, listings, orders, sync, web

SECTIONS = [adapters.CODES, sync.CODES, orders.CODES, ledger.CODES, listings.CODES, web.CODES, cli.CODES]


def test_no_code_is_defined_twice() -> None:
    core = {k for name, v in vars(codes).items() if name.startswith("_") and isinstance(v, dict) for k in v}
    for a, b in combinations([core, *[set(s) for s in SECTIONS]], 2):
        assert not a & b


def test_every_message_has_both_languages_and_the_same_fields() -> None:
    for code, (vi, en) in codes.CODES.items():
        assert vi.strip(), code
        assert en.strip(), code
        assert set(re.findall(r"{(\w+)}", vi)) == set(re.findall(r"{(\w+)}", en)), code


def test_unknown_code_renders_as_internal_error() -> None:
    assert "no.such.code" in codes.render("no.such.code", "en", {})


def test_not_found_names_the_entity_in_the_reader_s_language() -> None:
    assert codes.render("entity.not_found", "vi", {"entity": "producer", "key": "NOPE"}) == \
        "Không tìm thấy chủ thể 'NOPE'."
    assert codes.render("entity.not_found", "en", {"entity": "account", "key": "x"}) == \
        "marketplace account 'x' not found."
