"""The one normaliser of names: what makes ｶﾝｵﾝｼﾞ, カンオンジ, かんおんじ and Kan'onji compare equal.

Used by search, reconciliation, CSV enrichment, the label parameters of the canned queries and
the SPARQL function ``sckgfn:normalize``, so that all of them agree on what "the same name" is.
The rules (docs/matching.md): Unicode NFKC (full/half width), case folding, 異体字 folded with
OpenCC's Japanese table (``t2jp``) plus a short supplement, katakana → hiragana and kana → a
romaji *skeleton* (jaconv), in which Hepburn, kunrei, long vowels written any way, doubled
letters, m/n before b/p/m and apostrophes, hyphens, dots and spaces make no difference. Kanji
stay kanji: a kanji name and its reading are two names (the gazetteer holds both).

>>> {normalize(s) for s in ("かんおんじ", "カンオンジ", "ｶﾝｵﾝｼﾞ", "Kan'onji", "Kanonji", "Kan-onji",
...                         "Kannonji", "Kanōnji", "KAN’ONJI")}
{'kanonzi'}
>>> normalize("Tōkyō") == normalize("Tokyo") == normalize("Toukyou") == normalize("とうきょう")
True
>>> normalize("Semboku") == normalize("せんぼく"), normalize("Ohtawara") == normalize("おおたわら")
(True, True)
>>> normalize("Shinjuku") == normalize("Sinzyuku"), normalize("Chiba") == normalize("Tiba")
(True, True)
>>> normalize("檜原村") == normalize("桧原村"), normalize("龍ケ崎市") == normalize("竜ヶ崎市")
(True, True)
>>> normalize("髙松") == normalize("高松"), normalize("島﨑") == normalize("島崎")
(True, True)
>>> normalize("札幌市　北区") == normalize("札幌市北区") == normalize(" 札幌市 北区 ")
True
>>> normalize("ＡＢＣ　ｄ")
'abcd'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jaconv
import opencc

#: 異体字 that OpenCC's ``t2jp`` leaves alone but Japanese names are written with, each folded to
#: its Jōyō/Jinmeiyō form: the common pairs of the Moji Jōhō Kiban (文字情報基盤, IPA) MJ 縮退マップ
#: for names. ``tests/test_normalize.py`` checks that OpenCC still misses each. 嶋 → 島 is left out
#: on purpose: it would make 鹿嶋市 (Ibaraki) and 鹿島市 (Saga), two bodies, one name.
VARIANTS = {
    "髙": "高",  # はしご高
    "﨑": "崎",  # たつさき (U+FA11, which NFKC leaves alone)
    "嵜": "崎",
    "邉": "辺",  # 渡邉 (OpenCC has 邊 → 辺 but not 邉)
    "𠮷": "吉",  # つちよし
    "濵": "浜",
    "鰺": "鯵",  # 鰺ヶ沢町, often typed 鯵ヶ沢
    "檮": "梼",  # 檮原町, often typed 梼原
    "驒": "騨",  # 飛驒 / 飛騨
    "渕": "淵",  # 剣淵 / 剣渕
    "舘": "館",  # 飯舘 / 飯館
    "剱": "剣",
    "ヶ": "ケ", "ヵ": "ケ", "ゖ": "ケ", "ゕ": "ケ",  # 龍ケ崎 = 竜ヶ崎: the small ke/ka of place names
}
_VARIANTS = str.maketrans(VARIANTS)

#: Characters that never distinguish names: spaces of both widths (NFKC maps U+3000 to U+0020),
#: apostrophes, hyphens and dashes, dots and middle dots, commas, the long-vowel mark.
_IGNORED = re.compile(r"[\s'’‘`´ʻʼ\-‐‑‒–—―−~〜.．・･·,、。ー]+")

_T2JP = opencc.OpenCC("t2jp")
_LATIN_MARKS = {  # Latin letters with diacritics (ō ô ū â …) → their base letter
    c: unicodedata.normalize("NFD", c)[0]
    for c in map(chr, [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)])
    if unicodedata.normalize("NFD", c)[0].isascii() and unicodedata.normalize("NFD", c)[0].isalpha()
}
_STRIP_MARKS = str.maketrans(_LATIN_MARKS)
_KANA = re.compile(r"[\u3041-\u309f]")

#: Romaji to its skeleton, in order: jaconv's small っ left over, Hepburn to kunrei, m before
#: b/p/m, the long vowel written oh, ou/oo/uu, doubled consonants (っ, Kannonji). Long a, i and e
#: are kept: romaji writes them out (Niigata, Iide), so dropping them would only merge names.
_ROMAJI_RULES = [(re.compile(pattern), replace) for pattern, replace in (
    (r"xtsu|xtu", ""),
    (r"[tc]ch", "ch"),
    (r"(?:sh|ch|j)i", lambda m: {"s": "si", "c": "ti", "j": "zi"}[m[0][0]]),
    (r"(sh|ch|j)(?=[aeuo])", lambda m: {"sh": "sy", "ch": "ty", "j": "zy"}[m[1]]),
    (r"tsu", "tu"),
    (r"fu", "hu"),
    (r"d(?=[iu])", "z"),
    (r"wo", "o"),
    (r"m(?=[bpm])", "n"),
    (r"([aeiou])h(?![aeiouy])", r"\1"),
    (r"ou", "o"),
    (r"([bcdfghjklmnpqrstvwxyzou])\1+", r"\1"),  # not aa/ii/ee: Iide and Ide are two names
    (r"ou", "o"),
)]


@lru_cache(maxsize=1 << 17)
def normalize(text: str) -> str:
    """The comparison form of ``text`` (equal forms = the same name as people write it)."""
    s = _fold(text)
    if _KANA.search(s):
        s = _IGNORED.sub("", jaconv.kana2alphabet(s))
    for pattern, replace in _ROMAJI_RULES:
        s = pattern.sub(replace, s)
    return s


@lru_cache(maxsize=1 << 16)
def spelling_key(text: str) -> str:
    """A finer key than :func:`normalize`: width, case, 異体字, katakana/hiragana and separators
    aside, but kana and romaji as spelt. The gazetteer ranks a name spelt exactly so (Minoh for
    箕面市, not 美濃市 Mino; イデ for 井手町, not 飯豊町 いいで) above one only normalize() makes equal.

    >>> spelling_key("ｶﾝｵﾝｼﾞ") == spelling_key("かんおんじ"), spelling_key("Minoh") == spelling_key("Mino")
    (True, False)
    """
    return _fold(text)


def _fold(text: str) -> str:
    """Rules 1–5 (docs/matching.md): NFKC, 異体字, case and diacritics, hiragana, no separators."""
    s = unicodedata.normalize("NFKC", text).translate(_VARIANTS)
    if not s.isascii():  # a lone surrogate (from JSON) cannot reach OpenCC's UTF-8
        s = _T2JP.convert(_repeat_marks(s.encode("utf-8", "ignore").decode("utf-8")))
    return _IGNORED.sub("", jaconv.kata2hira(s.casefold().translate(_STRIP_MARKS)))


def _repeat_marks(s: str) -> str:
    """々 written out (野々市 = 野野市), so both spellings compare equal."""
    while (i := s.find("々")) > 0:
        s = s[:i] + s[i - 1] + s[i + 1:]
    return s


#: Administrative suffixes: kanji (道 is not one: 北海 is no name), romaji after a separator,
#: English words, and their readings at the end of a name written wholly in kana.
_KANJI_SUFFIX = re.compile(r"(?<=.)[都府県市区町村]$")
_ROMAJI_SUFFIX = re.compile(
    r"(?<=[a-z])[\s\-‐]+(?:shi|si|cho|chou|tyo|machi|mati|mura|son|ku|ken|fu|hu|to|gun|city|town|"
    r"village|ward|prefecture|metropolis)$")
_KANA_SUFFIX = re.compile(r"(?<=[\u3041-\u309f]{2})(?:し|く|ちょう|まち|むら|そん|けん|ふ|と)$")


#: The kanji of an administrative suffix written in romaji, English or kana.
SUFFIX_KANJI = {
    **dict.fromkeys(("shi", "si", "city", "し"), "市"),
    **dict.fromkeys(("cho", "chou", "tyo", "machi", "mati", "town", "ちょう", "まち"), "町"),
    **dict.fromkeys(("mura", "son", "village", "むら", "そん"), "村"),
    **dict.fromkeys(("ku", "ward", "く"), "区"),
    **dict.fromkeys(("ken", "prefecture", "けん"), "県"),
    **dict.fromkeys(("fu", "hu", "ふ"), "府"),
    **dict.fromkeys(("to", "metropolis", "と"), "都"),
}


def suffix_of(text: str) -> str | None:
    """The administrative suffix ``text`` ends with, as its kanji (市 for -shi, City, し …), or None.

    >>> suffix_of("観音寺市"), suffix_of("Kanonji City"), suffix_of("Tōkyō-to"), suffix_of("Kanonji")
    ('市', '市', '都', None)
    """
    plain = jaconv.kata2hira(unicodedata.normalize("NFKC", text).strip().casefold().translate(_STRIP_MARKS))
    if (m := _KANJI_SUFFIX.search(plain)) is not None:
        return m[0]
    for pattern in (_ROMAJI_SUFFIX, _KANA_SUFFIX):
        if (m := pattern.search(plain)) is not None:
            return SUFFIX_KANJI[m[0].lstrip(" -‐")]
    return None


@lru_cache(maxsize=1 << 16)
def _stems(text: str) -> tuple[str, ...]:
    """``text`` (NFKC, case folded, hiragana) without its administrative suffix, if it has one."""
    plain = jaconv.kata2hira(unicodedata.normalize("NFKC", text).strip().casefold().translate(_STRIP_MARKS))
    stems = (pattern.sub("", plain) for pattern in (_KANJI_SUFFIX, _ROMAJI_SUFFIX, _KANA_SUFFIX))
    return tuple(stem for stem in stems if stem != plain)


def name_keys(text: str) -> set[str]:
    """The comparison forms of ``text`` with and without its administrative suffix.

    >>> sorted(name_keys("観音寺市")), sorted(name_keys("Kan'onji-shi")), sorted(name_keys("Kanonji City"))
    (['観音寺', '観音寺市'], ['kanonzi', 'kanonzisi'], ['kanonzi', 'kanonzicity'])
    >>> sorted(name_keys("かんおんじし")), sorted(name_keys("香川県")), sorted(name_keys("北海道"))
    (['kanonzi', 'kanonzisi'], ['香川', '香川県'], ['北海道'])
    """
    return {normalize(text)} | {key for stem in _stems(text) if (key := normalize(stem))}


def spelling_keys(text: str) -> set[str]:
    """:func:`spelling_key` of ``text`` with and without its administrative suffix."""
    return {spelling_key(text)} | {key for stem in _stems(text) if (key := spelling_key(stem))}
