"""Romanize municipality readings (hiragana) into the style of e-Stat's English labels.

e-Stat names municipalities like ``Kawagoe-shi``: modified Hepburn without macrons, with
the administrative suffix (-shi, -ku, -machi, -cho, -mura, -son) joined by a hyphen.

>>> romanize_kana("さっぽろ")
'sapporo'
>>> municipality_name_en("札幌市 中央区", "さっぽろし ちゅうおうく")
'Sapporo-shi Chuo-ku'
>>> municipality_name_en("観音寺市", "かんおんじし")
"Kan'onji-shi"
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


def romanize_kana(kana: str) -> str:
    """Transliterate hiragana to lower-case Hepburn; other characters pass through."""
    out: list[str] = []
    i = 0
    geminate = False
    while i < len(kana):
        pair, char = kana[i : i + 2], kana[i]
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
        out.append(syllable)
    return _drop_long_vowels("".join(out))


def _drop_long_vowels(text: str) -> str:
    """Write long vowels as e-Stat does, without macrons: ou/oo -> o, uu -> u."""
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u")):
        text = text.replace(long, short)
    return text


def _part_en(name: str, kana: str) -> str:
    for kana_end, suffix in _SUFFIXES.get(name[-1:], ()):
        if kana.endswith(kana_end) and len(kana) > len(kana_end):
            return romanize_kana(kana[: -len(kana_end)]).capitalize() + suffix
    return romanize_kana(kana).capitalize()


def municipality_name_en(name: str, kana: str) -> str:
    """English label of a municipality (or ward) from its official name and kana reading."""
    names, readings = name.split(), kana.split()
    if len(names) != len(readings):
        return romanize_kana(kana.replace(" ", "")).capitalize()
    return " ".join(_part_en(n, k) for n, k in zip(names, readings, strict=True))
