"""The page words exist in both languages, and the redirect after login never leaves the site."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from catalog.products import ProductStatus
from connector.sync.models import BindingState
from connector.web.deps import safe_next
from connector.web.i18n import WORDS, tr

TEMPLATES = Path(__file__).resolve().parents[3] / "connector" / "web" / "templates"
PAGES = Path(__file__).resolve().parents[3] / "connector" / "web" / "pages"


def test_every_word_a_template_or_page_uses_is_defined_in_both_languages() -> None:
    used: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), *PAGES.glob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*['"]([a-z_]+)['"]""", path.read_text(encoding="utf-8")))
    used |= {f"entity_{e}" for e in ("producers", "products", "certifications", "images")}
    used |= {f"outcome_{o}" for o in ("done", "unchanged", "blocked", "rejected", "skipped", "failed")}
    used |= {f"status_{s.value}" for s in ProductStatus} | {f"state_{s.value}" for s in BindingState}
    missing = sorted(k for k in used - set(WORDS) if not k.endswith("_"))  # "entity_" ~ name: listed above
    assert missing == []
    for key, (vi, en) in WORDS.items():
        assert vi and en, key
        assert re.findall(r"\{(\w+)\}", vi) == re.findall(r"\{(\w+)\}", en), key


def test_words_render_in_each_language() -> None:
    assert tr("entity_products", "en") == "Products"
    assert tr("no_such_key", "vi") == "no_such_key"


@given(st.text(max_size=60))
def test_redirect_target_stays_on_this_site(target: str) -> None:
    chosen = safe_next(target)
    assert chosen.startswith("/")
    assert not chosen.startswith("//")
    assert "\\" not in chosen


def test_redirect_keeps_a_local_path() -> None:
    assert safe_next("/products?q=mien") == "/products?q=mien"
    assert safe_next("https://example.org/") == "/"
    assert safe_next("//example.org/") == "/"
