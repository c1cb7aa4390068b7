"""Romanize municipality readings (hiragana) into the style of e-Stat's English labels.

e-Stat names municipalities like ``Kawagoe-shi``: modified Hepburn without macrons, with
the administrative suffix (-shi, -ku, -machi, -cho, -mura, -son) joined by a hyphen.

A long vowel (ou, oo, uu) is written as one vowel only when both vowels belong to one kanji's
reading (東 とう → to, 大 おお → o, 中 ちゅう → chu), never across a kanji boundary: 勝浦 かつ|うら
is Katsuura, 豊岡 とよ|おか Toyooka, 東温 とう|おん Toon. The source gives only the whole name
and its whole reading, so the boundaries that matter are found with :data:`VOWEL_READINGS`,
the readings beginning with う or お of the kanji in the municipality list. A boundary can
only split a vowel pair when the second vowel starts a reading, so these are all the
alignment needed (tests/test_english_names.py checks the whole list).

A body's own English spelling (箕面市 Minoh, not Mino) is not a matter of romanization: it
comes from data/source/official-english-names.csv, with its evidence.

>>> romanize_kana("さっぽろ")
'sapporo'
>>> municipality_name_en("札幌市 中央区", "さっぽろし ちゅうおうく")
'Sapporo-shi Chuo-ku'
>>> municipality_name_en("観音寺市", "かんおんじし")
"Kan'onji-shi"
>>> municipality_name_en("勝浦市", "かつうらし")
'Katsuura-shi'
>>> municipality_name_en("東温市", "とうおんし")
'Toon-shi'
"""

from __future__ import annotations

_DIGRAPHS = {
    "きゃ": "kya", "きゅ": "kyu", "きょ": "kyo", "しゃ": "sha", "しゅ": "shu", "しょ": "sho",
    "ちゃ": "cha", "ちゅ": "chu", "ちょ": "cho", "にゃ": "nya", "にゅ": "nyu", "にょ": "nyo",
    "ひゃ": "hya", "ひゅ": "hyu", "ひょ": "hyo", "みゃ": "mya", "みゅ": "myu", "みょ": "myo",
    "りゃ": "rya", "りゅ": "ryu", "りょ": "ryo", "ぎゃ": "gya", "ぎゅ": "gyu", "ぎょ": "gyo",
    "じゃ": "ja", "じゅ": "ju", "じょ": "jo", "ぢゃ": "ja", "ぢゅ": "ju", "ぢょ": "jo",
    "びゃ": "bya", "びゅ": "byu", "びょ": "byo", "ぴゃ": "pya", "ぴゅ": "pyu", "ぴょ": "pyo",
}
_MONOGRAPHS = dict(zip(
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわゐゑをん"
    "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽぁぃぅぇぉゔ",
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho "
    "ma mi mu me mo ya yu yo ra ri ru re ro wa i e o n "
    "ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo pa pi pu pe po a i u e o vu".split(),
    strict=True,
))
# Kanji ending of the official name -> (kana ending, English suffix).
_SUFFIXES = {
    "市": (("し", "-shi"),),
    "区": (("く", "-ku"),),
    "町": (("ちょう", "-cho"), ("まち", "-machi")),
    "村": (("むら", "-mura"), ("そん", "-son")),
}
_SUFFIX_NAMES = frozenset(suffix for pairs in _SUFFIXES.values() for _, suffix in pairs)
# Readings beginning with う or お of kanji in municipality names, where the vowel before them
# could be mistaken for the first half of a long vowel (勝浦 かつ|うら, 豊岡 とよ|おか). Only
# readings that start a kanji belong here; 大 おお is listed so that its own long vowel is
# merged while the vowel before it is not (豊後大野 ぶんご|おお|の).
VOWEL_READINGS: dict[str, tuple[str, ...]] = {
    "浦": ("うら",),  # 勝浦 松浦 豊浦 琴浦
    "内": ("うち",),  # 瀬戸内 山ノ内 輪之内
    "上": ("うえ",),  # 滝上 (たき の うえ)
    "岡": ("おか",),  # 豊岡 真岡
    "丘": ("おか",),  # 豊丘
    "尾": ("お",),  # 広尾
    "面": ("お",),  # 箕面 (みの お)
    "於": ("お",),  # 曽於
    "表": ("おもて",),  # 西之表
    "温": ("おん",),  # 東温
    "央": ("おう",),  # 勝央 中央
    "小": ("お",),  # 山陽小野田
    "大": ("おお",),  # 豊後大野 常陸大宮 周防大島
}
# Compounds read as one word, whose reading cannot be split between their kanji: 河内 こうち
# (from かわうち; 佐那河内 さなごうち is Sanagochi, as e-Stat and the village write it).
FUSED_READINGS = ("河内",)
_PAIRS = {("o", "u"), ("o", "o"), ("u", "u")}  # written as one vowel within one reading


def _boundaries(name: str, kana: str) -> frozenset[int]:
    """Indices of ``kana`` where a reading from :data:`VOWEL_READINGS` of a kanji of ``name`` starts.

    Each kanji reads at least one kana, so the reading of the kanji at ``position`` starts at
    ``position`` or later and leaves at least one kana for each kanji after it (上越 じょうえつ
    holds うえ, but 上 is the first kanji, so it is not 上's reading). No boundary is placed
    inside a compound of :data:`FUSED_READINGS`.
    """
    fused = {i + 1 + k for compound in FUSED_READINGS for i in _find_all(name, compound)
             for k in range(len(compound) - 1)}
    found = set()
    for position, char in enumerate(name):
        if position == 0 or position in fused:
            continue
        for reading in VOWEL_READINGS.get(char, ()):
            for start in _find_all(kana, reading):
                if start >= position and len(kana) - start - len(reading) >= len(name) - position - 1:
                    found.add(start)
    return frozenset(found)


def _find_all(text: str, part: str) -> list[int]:
    """Every index where ``part`` occurs in ``text``."""
    return [i for i in range(len(text)) if text.startswith(part, i)]


def _syllables(kana: str) -> list[tuple[int, str]]:
    """Hepburn syllables of ``kana`` with the index of the kana each starts at."""
    out: list[tuple[int, str]] = []
    i = 0
    geminate = False
    while i < len(kana):
        start, pair, char = i, kana[i : i + 2], kana[i]
        if char == "っ":
            geminate = True
            i += 1
            continue
        if pair in _DIGRAPHS:
            syllable, i = _DIGRAPHS[pair], i + 2
        elif char in _MONOGRAPHS:
            syllable, i = _MONOGRAPHS[char], i + 1
        else:
            syllable, i = char, i + 1
        if char == "ん" and i < len(kana) and _MONOGRAPHS.get(kana[i], "x")[0] in "aiueoy":
            syllable = "n'"
        if geminate:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            geminate = False
        out.append((start, syllable))
    return out


def romanize_kana(kana: str, boundaries: frozenset[int] = frozenset()) -> str:
    """Transliterate hiragana to lower-case Hepburn; other characters pass through.

    A long vowel (ou, oo, uu: a syllable ending in o or u followed by the kana う or お) is
    written as one vowel unless a reading starts at that kana (an index in ``boundaries``).
    """
    out: list[str] = []
    merged = False
    for start, syllable in _syllables(kana):
        previous = out[-1][-1:] if out else ""
        if (not merged and kana[start] in "うお" and (previous, syllable) in _PAIRS
                and start not in boundaries):
            merged = True
            continue
        merged = False
        out.append(syllable)
    return "".join(out)


def _part_en(name: str, kana: str) -> str:
    for kana_end, suffix in _SUFFIXES.get(name[-1:], ()):
        if kana.endswith(kana_end) and len(kana) > len(kana_end):
            stem, reading = name[:-1], kana[: -len(kana_end)]
            return romanize_kana(reading, _boundaries(stem, reading)).capitalize() + suffix
    return romanize_kana(kana, _boundaries(name, kana)).capitalize()


def municipality_name_en(name: str, kana: str) -> str:
    """Romanized English label of a municipality (or ward) from its official name and kana reading.

    A ward carries its city: ``Sapporo-shi Chuo-ku``.
    """
    names, readings = name.split(), kana.split()
    if len(names) != len(readings):
        joined, reading = name.replace(" ", ""), kana.replace(" ", "")
        return romanize_kana(reading, _boundaries(joined, reading)).capitalize()
    return " ".join(_part_en(n, k) for n, k in zip(names, readings, strict=True))


def with_spelling(romanized: str, spelling: str) -> str:
    """``romanized`` with its first name written as the body spells it, the suffix kept.

    >>> with_spelling("Minoo-shi", "Minoh")
    'Minoh-shi'
    >>> with_spelling("Otawara-shi", "Ohtawara")
    'Ohtawara-shi'
    """
    first, _, rest = romanized.partition(" ")
    _, dash, suffix = first.rpartition("-")
    if not dash or "-" + suffix not in _SUFFIX_NAMES:
        suffix = ""
    return spelling + (f"-{suffix}" if suffix else "") + (f" {rest}" if rest else "")
