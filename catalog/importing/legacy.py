"""Vietnamese text typed in the legacy 8-bit encodings that old Excel files still carry.

Before Unicode, Vietnamese was typed in an ordinary 8-bit font that *draws* Latin-1 code points
as Vietnamese letters: **TCVN3/ABC** (fonts ``.VnTime``, ``.VnArial``…; the ``…H`` fonts draw
capitals) stores "Tiếng Việt" as ``TiÕng ViÖt``; **VNI-Windows** (fonts ``VNI-Times``…) stores
it as a base letter plus a mark character, ``Tieáng Vieät``.  Excel keeps those code points, so
a byte sniffer sees plain Latin-1 text.  Python has no codec for either.

The tables below are data (the 134 TCVN3 code points and the VNI letter+mark pairs); the
golden tests in ``tests/catalog/test_import_legacy.py`` pin them to well-known strings.
:func:`detect_legacy` decides per cell, from the cell's font when there is one, otherwise by
checking which reading gives a larger share of valid Vietnamese syllables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache


class Legacy(StrEnum):
    tcvn3 = "tcvn3"
    vni = "vni"


# --- TCVN3 (TCVN 5712:1993 VN3, the ".Vn" fonts) --------------------------------------------------
# Each row: the Unicode letters, then their code points in the same order.
_TCVN3_ROWS: tuple[tuple[str, str], ...] = (
    ("ĂÂÊÔƠƯĐăâêôơưđ", "\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7\u00a8\u00a9\u00aa\u00ab\u00ac\u00ad\u00ae"),
    ("àảãáạ", "\u00b5\u00b6\u00b7\u00b8\u00b9"),
    ("ằẳẵắặ", "\u00bb\u00bc\u00bd\u00be\u00c6"),
    ("ầẩẫấậ", "\u00c7\u00c8\u00c9\u00ca\u00cb"),
    ("èẻẽéẹ", "\u00cc\u00ce\u00cf\u00d0\u00d1"),
    ("ềểễếệ", "\u00d2\u00d3\u00d4\u00d5\u00d6"),
    ("ìỉĩíị", "\u00d7\u00d8\u00dc\u00dd\u00de"),
    ("òỏõóọ", "\u00df\u00e1\u00e2\u00e3\u00e4"),
    ("ồổỗốộ", "\u00e5\u00e6\u00e7\u00e8\u00e9"),
    ("ờởỡớợ", "\u00ea\u00eb\u00ec\u00ed\u00ee"),
    ("ùủũúụ", "\u00ef\u00f1\u00f2\u00f3\u00f4"),
    ("ừửữứự", "\u00f5\u00f6\u00f7\u00f8\u00f9"),
    ("ỳỷỹýỵ", "\u00fa\u00fb\u00fc\u00fd\u00fe"),
)
TCVN3_DECODE: dict[str, str] = {}
for _letters, _codes in _TCVN3_ROWS:
    assert len(_letters) == len(_codes)
    TCVN3_DECODE.update(zip(_codes, _letters, strict=True))
TCVN3_ENCODE: dict[str, str] = {v: k for k, v in TCVN3_DECODE.items()}
_TCVN3_TABLE = str.maketrans(TCVN3_DECODE)
_TCVN3_ENCODE_TABLE = str.maketrans(TCVN3_ENCODE)

# --- VNI-Windows (the "VNI-" fonts) ----------------------------------------------------------------
# A letter is a base letter followed by at most one mark character; some letters are one char.
# Marks after a plain vowel (a e i o u y, ô=ơ, ö=ư): sắc, huyền, hỏi, ngã, nặng.
_VNI_TONE_PLAIN = ("\u00f9", "\u00f8", "\u00fb", "\u00f5", "\u00ef")  # ù ø û õ ï
# Marks after a circumflex base (â ê ô written a/e/o + mark): mũ alone, then the five tones.
_VNI_TONE_CIRC = ("\u00e2", "\u00e1", "\u00e0", "\u00e5", "\u00e3", "\u00e4")  # â á à å ã ä
# Marks after a breve base (ă written a + mark): trăng alone, then the five tones.
_VNI_TONE_BREVE = ("\u00ea", "\u00e9", "\u00e8", "\u00fa", "\u00fc", "\u00eb")  # ê é è ú ü ë
_TONES = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # sắc huyền hỏi ngã nặng

# One-character letters: i with tones, ỵ, đ, ơ, ư (and capitals).
_VNI_SINGLE: dict[str, str] = {
    "\u00ed": "í", "\u00ec": "ì", "\u00e6": "ỉ", "\u00f3": "ĩ", "\u00f2": "ị", "\u00ee": "ỵ",
    "\u00f1": "đ", "\u00f4": "ơ", "\u00f6": "ư",
    "\u00cd": "Í", "\u00cc": "Ì", "\u00c6": "Ỉ", "\u00d3": "Ĩ", "\u00d2": "Ị", "\u00ce": "Ỵ",
    "\u00d1": "Đ", "\u00d4": "Ơ", "\u00d6": "Ư",
}


def _compose(base: str, *marks: str) -> str:
    return unicodedata.normalize("NFC", base + "".join(marks))


def _build_vni_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for lower in (False, True):
        def m(ch: str, lower: bool = lower) -> str:
            return ch if lower else ch.upper()

        for base in ("a", "e", "o", "u", "y", "\u00f4", "\u00f6"):  # ô/ö are VNI ơ/ư
            letter = _VNI_SINGLE[base] if base in "\u00f4\u00f6" else base
            for mark, tone in zip(_VNI_TONE_PLAIN, _TONES, strict=True):
                pairs[m(base) + m(mark)] = m(_compose(letter, tone))
        for base, hat in (("a", "â"), ("e", "ê"), ("o", "ô")):
            pairs[m(base) + m(_VNI_TONE_CIRC[0])] = m(hat)
            for mark, tone in zip(_VNI_TONE_CIRC[1:], _TONES, strict=True):
                pairs[m(base) + m(mark)] = m(_compose(hat, tone))
        pairs[m("a") + m(_VNI_TONE_BREVE[0])] = m("ă")
        for mark, tone in zip(_VNI_TONE_BREVE[1:], _TONES, strict=True):
            pairs[m("a") + m(mark)] = m(_compose("ă", tone))
    # People mix a capital base with a lower-case mark ("Aù"); read it as the capital letter.
    for key, value in list(pairs.items()):
        if key[0].isupper():
            pairs.setdefault(key[0] + key[1].lower(), value)
    return pairs


VNI_PAIRS: dict[str, str] = _build_vni_pairs()
VNI_DECODE: dict[str, str] = {**_VNI_SINGLE, **VNI_PAIRS}
VNI_ENCODE: dict[str, str] = {}
for _code, _letter in VNI_DECODE.items():
    if _code[-1:].islower() == _letter.islower() or len(_code) == 1:
        VNI_ENCODE.setdefault(_letter, _code)
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(VNI_DECODE, key=len, reverse=True)))


def decode_tcvn3(text: str, *, capitals: bool = False) -> str:
    """Unicode (NFC) of TCVN3 text; ``capitals`` for the ``…H`` fonts that draw every letter upper-case."""
    out = text.translate(_TCVN3_TABLE)
    return out.upper() if capitals else out


def encode_tcvn3(text: str) -> str:
    """TCVN3 form of ``text`` (for tests and fixtures); letters TCVN3 cannot hold stay as they are."""
    return unicodedata.normalize("NFC", text).translate(_TCVN3_ENCODE_TABLE)


def decode_vni(text: str) -> str:
    return _VNI_PATTERN.sub(lambda m: VNI_DECODE[m.group()], text)


def encode_vni(text: str) -> str:
    return "".join(VNI_ENCODE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def decode(text: str, encoding: Legacy, *, capitals: bool = False) -> str:
    return decode_tcvn3(text, capitals=capitals) if encoding is Legacy.tcvn3 else decode_vni(text)


# --- Detection ----------------------------------------------------------------------------------
# Unicode Vietnamese uses these outside Latin-1; their presence means the text is already Unicode.
_UNICODE_VIET = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
                           "\u1ea0-\u1ef9\u0300-\u036f]")
_HIGH_LATIN1 = re.compile("[\u00a1-\u00ff]")


UNICODE_VIET, HIGH_LATIN1 = _UNICODE_VIET, _HIGH_LATIN1  # for readers that inline looks_legacy


def looks_legacy(text: str) -> bool:
    """Cheap pre-check: Latin-1 letters and nothing that only Unicode Vietnamese has."""
    # the Unicode check first: Vietnamese text has such a letter within its first few characters
    return _UNICODE_VIET.search(text) is None and _HIGH_LATIN1.search(text) is not None


def read_as_is(text: str) -> bool:
    """Whether a cell without a legacy font holding ``text`` is read as it stands (exactly
    ``detect_legacy(text) is None``).  For the fast lanes, after :func:`looks_legacy` said yes: an
    ordinary name such as "Hoàng Thanh Mai" has Latin-1 letters only, but every word of it is a
    valid Vietnamese syllable, so it is taken as it is without decoding."""
    return detect_legacy(text, None) is None


_SUSPECT_LINES = re.compile(f"^[^\\n{_UNICODE_VIET.pattern[1:-1]}]*{_HIGH_LATIN1.pattern}"
                            f"[^\\n{_UNICODE_VIET.pattern[1:-1]}]*$", re.MULTILINE)


def not_legacy(texts: Iterable[str]) -> set[str]:
    """The texts :func:`looks_legacy` says no to, found in one regex pass over them all (texts with
    a line break of their own are left out, as are the suspects)."""
    lines = {text for text in texts if "\n" not in text}
    return lines.difference(_SUSPECT_LINES.findall("\n".join(lines)))


def font_encoding(font_name: str | None) -> tuple[Legacy | None, bool]:
    """The legacy encoding a font name implies, and whether it is a capitals-only (``…H``) font."""
    if not font_name:
        return None, False
    name = font_name.strip()
    if name.lower().startswith(".vn"):
        return Legacy.tcvn3, name.endswith("H")
    if name.upper().startswith("VNI"):
        return Legacy.vni, False
    return None, False


_VNI_CHARS = frozenset("".join(VNI_DECODE))


def _fits(text: str, encoding: Legacy) -> bool:
    """Every Latin-1 letter of ``text`` is one the encoding uses."""
    used = TCVN3_DECODE if encoding is Legacy.tcvn3 else _VNI_CHARS
    return all(ch in used for ch in _HIGH_LATIN1.findall(text))


def detect_legacy(text: str, font_name: str | None = None) -> tuple[Legacy, bool] | None:
    """The encoding of one cell, or ``None`` when it is (or may well be) Unicode already."""
    if not looks_legacy(text):
        return None
    by_font, capitals = font_encoding(font_name)
    if by_font is not None:
        # Unicode pasted into a cell that kept its old font has letters the old code never used
        return (by_font, capitals) if _fits(text, by_font) else None
    as_is = syllable_score(text)
    if as_is is not None and as_is >= 1.0:
        return None  # "Cà phê", "Bánh mì": Latin-1 letters that are valid Vietnamese as they stand
    best: tuple[float, Legacy] | None = None
    for encoding in (Legacy.tcvn3, Legacy.vni):
        score = syllable_score(decode(text, encoding))
        if score is not None and score >= 0.8 and score > (as_is or 0.0) and (best is None or score > best[0]):
            best = (score, encoding)
    return (best[1], False) if best else None


# --- Vietnamese syllables -------------------------------------------------------------------------
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ONSETS = _words("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x") | {""}
_RHYMES = _words("""
a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
e ec em en eng eo ep et ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oc oe oen oeo oet oi om on
ong ooc oong op ot ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
u ua uân uâng uât uây uc uê uêch uênh ui um un ung uơ uôc uôi uôm uôn uông uôt up ut uy uya uych uyên
uyêt uyn uynh uyp uyt uyu ư ưa ưc ưi ưm ưn ưng ươc ươi ươm ươn ương ươp ươt ươu ưt ưu
y yêm yên yêng yêt yêu
""")
_STOPS = ("c", "ch", "p", "t")
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4096)
def _syllable_ok(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    for cut in range(min(3, len(bare)) + 1):
        onset, rhyme = bare[:cut], bare[cut:]
        if onset in _ONSETS and (rhyme in _RHYMES or (onset == "gi" and rhyme in {"", "n", "ng", "m"})):
            if rhyme.endswith(_STOPS) and tones and tones[0] not in ("\u0301", "\u0323"):
                continue  # a syllable ending in a stop takes only sắc or nặng
            return True
    return False


def syllable_score(text: str) -> float | None:
    """Share of the words holding a non-ASCII letter that are valid Vietnamese syllables.

    ``None`` when no word has one (plain ASCII says nothing either way).
    """
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    if not words:
        return None
    return sum(_syllable_ok(w) for w in words) / len(words)
