"""Write tests/data/name-variants.csv: names of local governments written the ways people write
them, each with the answer the reference data gives (never the matcher's).

Run from the project root: ``python tests/data/make_name_variants.py``. The sheet is committed;
the generator is here so that it can be checked and rerun when the reference data changes.

Bodies: every prefecture, and four municipalities of each (the first, a third and two thirds of
the way down, and the last of its rows in data/source/municipalities.csv) plus those whose reading
has ん before a vowel (Kan'onji), the first and last ward of every designated city,
Hamamatsu's abolished wards, the names local governments romanise their own way
(data/source/official-english-names.csv), and a hand-written list of hard cases. The expected
answer of a generated name is the LG code of the one current body (else the one abolished body)
that has that form of name in the reference data, ``ambiguous`` when several do, ``none`` when
none does. Romaji is generated from the kana reading with jaconv (Hepburn), written with and
without macrons, apostrophes and hyphens.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

import jaconv

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from kg.codes import corporate_number  # noqa: E402 (run as a script from anywhere)

SOURCE = ROOT / "data" / "source"
OUT = Path(__file__).with_name("name-variants.csv")

#: Suffix kanji → its readings at the end of a kana reading, and how romaji and English write it.
SUFFIX_READINGS = {"市": ("し",), "区": ("く",), "町": ("ちょう", "まち"), "村": ("むら", "そん"),
                   "県": ("けん",), "府": ("ふ",), "都": ("と",)}
ENGLISH = {"市": "City", "区": "Ward", "町": "Town", "村": "Village", "県": "Prefecture"}
#: 異体字 people type for the standard form in a name (test input only; the matcher folds them
#: with OpenCC's t2jp table and its own short supplement).
#: Not 島 → 嶋: 鹿嶋市 and 鹿島市 are two bodies.
ITAIJI = {"桧": "檜", "竜": "龍", "塩": "鹽", "斎": "齋", "沢": "澤", "高": "髙", "崎": "﨑", "辺": "邊",
          "浜": "濱", "広": "廣", "国": "國", "桜": "櫻", "条": "條", "万": "萬"}
VOWELS = "あいうえおやゆよ"
N_BEFORE_VOWEL = f"ん[{VOWELS}]"  # 観音寺 かんおんじ: Kan'onji, Kan-onji, Kanonji, Kannonji


def read(name: str) -> list[dict[str, str]]:
    with open(SOURCE / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


# -- forms of a name -------------------------------------------------------------------------------


def split_suffix(name: str, reading: str) -> tuple[str, str, str]:
    """(stem, stem reading, suffix kanji) of a body's name; 道 and wardless names keep it all."""
    suffix = name[-1] if name[-1] in SUFFIX_READINGS and len(name) > 1 else ""
    for kana in SUFFIX_READINGS.get(suffix, ()):
        if reading.endswith(kana) and len(reading) > len(kana):
            return name[:-1], reading[: -len(kana)], suffix
    return name, reading, ""


def hepburn(kana: str, *, apostrophe: str = "'", long: str = "drop", nn: bool = False,
            mb: bool = False) -> str:
    """Hepburn romaji of a hiragana reading (jaconv), lower case: n before a vowel marked with
    ``apostrophe`` (or written nn), long vowels dropped or written with macrons, n before b/p/m as m."""
    parts = kana.split("ん")
    out = jaconv.kana2alphabet(parts[0])
    for part in parts[1:]:
        before_vowel = part[:1] != "" and part[:1] in VOWELS
        joint = "n" + ("n" if nn and before_vowel else apostrophe if before_vowel else "")
        if mb and part[:1] and jaconv.kana2alphabet(part[:1])[:1] in "bpm":
            joint = "m"
        out += joint + jaconv.kana2alphabet(part)
    out = out.replace("xtsu", "")
    if long == "macron":
        return re.sub(r"ou|oo", "ō", out).replace("uu", "ū")
    return re.sub(r"ou|oo", "o", out).replace("uu", "u")


def plain_romaji(kana: str) -> str:
    """The romaji form used to decide whether two bodies share a romaji name."""
    return hepburn(kana, apostrophe="")


# -- the bodies ------------------------------------------------------------------------------------


def bodies() -> list[dict]:
    """Every body of the reference data: code, name, reading, prefecture, parent city, validity."""
    changes = {r["code"]: r for r in read("local-government-changes.csv")}
    out = []
    for p in read("prefectures.csv"):
        out.append({"code": p["lgcode"], "name": p["pref"], "kana": p["prefkana"], "pref": p["pref"],
                    "en": p["pref_en"], "city": "", "ward": "", "abolished": False, "kind": "prefecture"})
    for m in read("municipalities.csv"):
        city, _, ward = m["city"].partition(" ")
        kcity, _, kward = m["citykana"].partition(" ")
        out.append({"code": m["lgcode"], "name": city + ward, "kana": kcity + kward, "pref": m["pref"],
                    "city": city if ward else "", "ward": ward, "kcity": kcity, "kward": kward,
                    "abolished": changes.get(m["lgcode"], {}).get("change") == "abolished",
                    "kind": "ward" if ward else "municipality"})
    for c in changes.values():
        if c["change"] == "established":
            city, _, ward = c["name"].partition(" ")
            kcity, _, kward = c["kana"].partition(" ")
            out.append({"code": c["code"], "name": city + ward, "kana": kcity + kward, "pref": "静岡県",
                        "city": city, "ward": ward, "kcity": kcity, "kward": kward, "abolished": False,
                        "kind": "ward"})
    return out


def form_index(all_bodies: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """(script, form) → bodies that have that form of name: kanji, kana and romaji, full and
    without suffix; a ward also without its city."""
    index: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for b in all_bodies:
        names = [(b["name"], b["kana"])]
        if b["ward"]:
            names.append((b["ward"], b["kward"]))
        forms = set()
        for name, kana in names:
            stem, kstem, _ = split_suffix(name, kana)
            forms |= {("kanji", name), ("kanji", stem), ("kana", kana), ("kana", kstem),
                      ("romaji", plain_romaji(kana)), ("romaji", plain_romaji(kstem))}
        for form in forms:
            index[form].append(b)
    return index


def answer(index, script: str, form: str, pref: str | None = None, suffix: str = "") -> str:
    """The expected answer for a name of that form, in ``pref`` if given, of a body whose name
    ends with ``suffix`` if given (Kanonji City is a 市, whatever else is called Kanonji)."""
    found = [b for b in index.get((script, form), [])
             if (pref is None or b["pref"] == pref) and b["name"].endswith(suffix)]
    current = [b for b in found if not b["abolished"]] or found
    if not current:
        return "none"
    return current[0]["code"] if len({b["code"] for b in current}) == 1 else "ambiguous"


# -- the sheet -------------------------------------------------------------------------------------


def variants(b: dict, index, prefectures: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(input, prefecture hint, expected, kind of variant) for one body."""
    name, kana = b["name"], b["kana"]
    stem, kstem, suffix = split_suffix(name, kana)
    kata = jaconv.hira2kata(kstem)
    roman = hepburn(kstem)
    pref = prefectures[b["pref"]]
    rows = [
        (name, "", answer(index, "kanji", name), "kanji"),
        (kana, "", answer(index, "kana", kana), "hiragana reading"),
        (jaconv.hira2kata(kana), "", answer(index, "kana", kana), "katakana reading"),
        (kata, "", answer(index, "kana", kstem), "katakana, suffix dropped"),
        (jaconv.z2h(kata, kana=True, ascii=False, digit=False), "", answer(index, "kana", kstem),
         "half-width katakana, suffix dropped"),
        (roman.capitalize(), "", answer(index, "romaji", plain_romaji(kstem)), "romaji, suffix dropped"),
        (f"　{name} ", "", answer(index, "kanji", name), "spaces of both widths around"),
    ]
    if stem != name:
        rows.append((stem, "", answer(index, "kanji", stem), "kanji, suffix dropped"))
    if suffix in ("市", "町", "村", "区"):
        sfx = hepburn(kana[len(kstem):])
        by_suffix = answer(index, "romaji", plain_romaji(kstem), suffix=suffix)
        rows.append((f"{hepburn(kstem, long='macron').capitalize()}-{sfx}", "",
                     answer(index, "romaji", plain_romaji(kana)), "romaji with macrons, -shi/-cho/-mura"))
        rows.append((f"{roman.capitalize()} {ENGLISH[suffix]}", "", by_suffix, "romaji, English suffix"))
    if re.search(N_BEFORE_VOWEL, kstem):
        spellings = {"apostrophe": hepburn(kstem), "hyphen": hepburn(kstem, apostrophe="-"),
                     "no apostrophe": hepburn(kstem, apostrophe=""), "nn": hepburn(kstem, nn=True)}
        for kind, spelled in spellings.items():
            rows.append((spelled.capitalize(), "", answer(index, "romaji", plain_romaji(kstem)),
                         f"romaji, n before a vowel: {kind}"))
    if re.search("ん[ばびぶべぼぱぴぷぺぽまみむめも]", kstem):
        rows.append((hepburn(kstem, mb=True).capitalize(), "", answer(index, "romaji", plain_romaji(kstem)),
                     "romaji, m before b/p/m"))
    if b["kind"] != "prefecture":
        rows.append((b["pref"] + name, "", answer(index, "kanji", name, b["pref"]), "prefecture prefixed"))
        rows.append((f"{b['pref']} {stem}", "", answer(index, "kanji", stem, b["pref"]),
                     "prefecture prefixed, space, suffix dropped"))
        in_pref = answer(index, "romaji", plain_romaji(kstem), b["pref"])
        rows.append((f"{roman.capitalize()}, {pref['pref_en']}", "", in_pref,
                     "romaji, comma, prefecture in English"))
        rows.append((name, pref["pref"], answer(index, "kanji", name, b["pref"]), "kanji, prefecture hint"))
        rows.append((kata, pref["pref_en"], answer(index, "kana", kstem, b["pref"]),
                     "katakana, prefecture hint in English"))
        rows.append((stem, pref["lgcode"][:2], answer(index, "kanji", stem, b["pref"]),
                     "suffix dropped, 2-digit prefecture hint"))
    if (itaiji := "".join(ITAIJI.get(c, c) for c in name)) != name:
        rows.append((itaiji, "", answer(index, "kanji", name), "異体字"))
    for small, other in (("ヶ", "ケ"), ("ケ", "ヶ")):
        if small in name:
            rows.append((name.replace(small, other), "", answer(index, "kanji", name), "ヶ/ケ"))
    rows.append((b["code"], "", b["code"], "LG code, 6 digits"))
    rows.append((b["code"][:5], "", b["code"], "LG code, 5 digits without check digit"))
    rows.append((corporate_number(b["code"]), "", b["code"], "corporate number"))
    return rows


def ward_variants(b: dict, index, prefectures) -> list[tuple[str, str, str, str]]:
    """A ward of a designated city: with and without its city, spaces, romaji, abolished."""
    city, ward, kcity, kward = b["city"], b["ward"], b["kcity"], b["kward"]
    wstem, kwstem, _ = split_suffix(ward, kward)
    expected = answer(index, "kanji", city + ward)
    rows = [
        (city + ward, "", expected, "ward with city"),
        (f"{city} {ward}", "", expected, "ward with city, space"),
        (f"{city}　{ward}", "", expected, "ward with city, full-width space"),
        (ward, "", answer(index, "kanji", ward), "ward without city"),
        (b["pref"] + city + ward, "", answer(index, "kanji", city + ward, b["pref"]),
         "ward, prefecture prefixed"),
        (f"{hepburn(split_suffix(city, kcity)[1]).capitalize()} {hepburn(kwstem).capitalize()}-ku", "",
         expected, "ward in romaji after its city"),
        (f"{hepburn(kwstem).capitalize()}-ku, {hepburn(split_suffix(city, kcity)[1]).capitalize()}", "",
         expected, "ward in romaji, comma, city"),
        (jaconv.hira2kata(kcity + kward), "", answer(index, "kana", kcity + kward), "ward, katakana reading"),
    ]
    if b["abolished"]:
        rows = [(i, h, e, k + " (abolished ward)") for i, h, e, k in rows]
    return rows


HARD_CASES = [  # (input, prefecture hint, LG code | ambiguous | none, kind), checked in the data below
    ("かんおんじ", "", "372056", "hard case: the issue's examples"),
    ("カンオンジ", "", "372056", "hard case: the issue's examples"),
    ("ｶﾝｵﾝｼﾞ", "", "372056", "hard case: the issue's examples"),
    ("Kan'onji", "", "372056", "hard case: the issue's examples"),
    ("Kanonji", "", "372056", "hard case: the issue's examples"),
    ("Kan-onji", "", "372056", "hard case: the issue's examples"),
    ("Kannonji", "", "372056", "hard case: the issue's examples"),
    ("Kanōnji", "", "372056", "hard case: the issue's examples"),
    ("KANONJI", "", "372056", "hard case: the issue's examples"),
    ("香川県観音寺市", "", "372056", "hard case: the issue's examples"),
    ("Kanonji, Kagawa", "", "372056", "hard case: the issue's examples"),
    ("観音寺市（香川県）", "", "372056", "hard case: prefecture in brackets"),
    ("香川県仲多度郡まんのう町", "", "374067", "hard case: 郡 between prefecture and town"),
    ("仲多度郡まんのう町", "", "374067", "hard case: 郡 before the town"),
    ("北区", "", "ambiguous", "hard case: ward name of many cities and Tokyo"),
    ("中央区", "", "ambiguous", "hard case: ward name of many cities and Tokyo"),
    ("札幌市北区", "", "011029", "hard case: ward with its city"),
    ("札幌市 北区", "", "011029", "hard case: ward with its city"),
    ("Sapporo Kita-ku", "", "011029", "hard case: ward with its city"),
    ("北区", "東京都", "131172", "hard case: Tokyo's special ward by hint"),
    ("北区", "北海道", "011029", "hard case: ward by prefecture hint"),
    ("府中市", "", "ambiguous", "hard case: homonym"),
    ("府中市", "東京都", "132063", "hard case: homonym with hint"),
    ("府中市", "34", "342084", "hard case: homonym with 2-digit hint"),
    ("府中市", "340006", "342084", "hard case: homonym with 6-digit hint"),
    ("府中市", "Hiroshima", "342084", "hard case: homonym with hint in English"),
    ("府中市", "ひろしまけん", "342084", "hard case: homonym with hint in kana"),
    ("伊達市", "", "ambiguous", "hard case: homonym"),
    ("伊達市", "福島県", "072133", "hard case: homonym with hint"),
    ("森町", "", "ambiguous", "hard case: homonym"),
    ("森町", "静岡", "224618", "hard case: homonym with hint, suffix dropped"),
    ("美里町", "", "ambiguous", "hard case: homonym"),
    ("美里町", "埼玉県", "113816", "hard case: homonym with hint"),
    ("東京都伊達市", "", "none", "hard case: homonym in the wrong prefecture"),
    ("札幌市千代田区", "", "none", "hard case: ward not in that city"),
    ("檜原村", "", "133078", "hard case: 異体字 as written officially"),
    ("桧原村", "", "133078", "hard case: 異体字 桧/檜"),
    ("竜ケ崎市", "", "082082", "hard case: 異体字 竜/龍"),
    ("龍ヶ崎市", "", "082082", "hard case: ヶ/ケ"),
    ("竜ヵ崎市", "", "082082", "hard case: ヵ/ケ"),
    ("鯵ヶ沢町", "", "023213", "hard case: 異体字 鯵/鰺"),
    ("梼原町", "", "394050", "hard case: 異体字 梼/檮"),
    ("飛驒市", "", "212172", "hard case: 異体字 驒/騨"),
    ("髙松市", "", "372013", "hard case: 異体字 髙/高"),
    ("鹿嶋市", "", "082228", "hard case: 鹿嶋 and 鹿島 are two bodies"),
    ("鹿島市", "", "412074", "hard case: 鹿嶋 and 鹿島 are two bodies"),
    ("塩竈市", "", "042030", "hard case: 異体字 as written officially"),
    ("野野市市", "", "172120", "hard case: 々 written out"),
    ("Tokyo", "", "130001", "hard case: romaji without macrons"),
    ("Tōkyō-to", "", "130001", "hard case: romaji with macrons"),
    ("Toukyou", "", "130001", "hard case: long vowels written ou"),
    ("TOKYO METROPOLIS", "", "130001", "hard case: English"),
    ("Osaka", "", "ambiguous", "hard case: prefecture and city share the name"),
    ("Osaka", "27", "ambiguous", "hard case: prefecture and city share the name"),
    ("大阪市", "", "271004", "hard case: city of the prefecture's name"),
    ("京都", "", "ambiguous", "hard case: prefecture and city share the name"),
    ("浜松市北区", "", "221350", "hard case: abolished ward, still found"),
    ("浜松市天竜区", "", "221406", "hard case: current ward of an abolished ward's name"),
    ("221376", "", "221376", "hard case: abolished ward by code"),
    ("浜名区", "", "221392", "hard case: new ward without city"),
    ("Sinzyuku", "", "131041", "hard case: kunrei romaji"),
    ("Shinjuku-ku", "", "131041", "hard case: Hepburn romaji"),
    ("Tiba", "", "ambiguous", "hard case: kunrei romaji, prefecture and city"),
    ("千葉市", "", "121002", "hard case: kanji"),
    ("Hukuoka-si", "", "401307", "hard case: kunrei romaji with suffix"),
    ("Hiroshima City", "", "341002", "hard case: English suffix"),
    ("372057", "", "none", "hard case: LG code with a wrong check digit"),
    ("8000020372057", "", "none", "hard case: corporate number with a wrong check digit"),
    ("H29a", "", "H29a", "hard case: project code"),
    ("ｈ２９ｆ", "", "H29f", "hard case: project code in full width"),
    ("存在しない村", "", "none", "hard case: no such body"),
    ("Atlantis", "", "none", "hard case: no such body"),
    ("東京市", "", "none", "hard case: abolished before the data begins"),
    ("xyzzy-shi", "", "none", "hard case: no such body"),
]


def main() -> None:
    all_bodies = bodies()
    index = form_index(all_bodies)
    prefectures = {p["pref"]: p for p in read("prefectures.csv")}
    rows: list[tuple[str, str, str, str]] = []
    for p in prefectures.values():
        b = next(b for b in all_bodies if b["code"] == p["lgcode"])
        rows += variants(b, index, prefectures)
        stem_reading = split_suffix(p["pref"], p["prefkana"])[1]
        rows.append((p["pref_en"], "", answer(index, "romaji", plain_romaji(stem_reading)),
                     "prefecture in English"))
        municipalities = [b for b in all_bodies if b["pref"] == p["pref"] and b["kind"] == "municipality"]
        n = len(municipalities)
        chosen = {0, n // 3, 2 * n // 3, n - 1}
        chosen |= {i for i, b in enumerate(municipalities)
                   if re.search(N_BEFORE_VOWEL, split_suffix(b["name"], b["kana"])[1])}
        for i in sorted(chosen):
            rows += variants(municipalities[i], index, prefectures)
    wards = [b for b in all_bodies if b["kind"] == "ward"]
    for city in sorted({b["city"] for b in wards}):
        of_city = [b for b in wards if b["city"] == city]
        for b in (of_city[0], of_city[-1]):
            rows += ward_variants(b, index, prefectures)
    for b in (b for b in wards if b["abolished"]):
        rows += ward_variants(b, index, prefectures)[:4]
    for e in read("official-english-names.csv"):
        rows.append((e["name_en"], "", e["code"], f"official romanisation: {e['note']}"))
    codes = {b["code"]: b for b in all_bodies} | {p["code"]: p for p in read("projects.csv")}
    for text, _, expected, _ in HARD_CASES:  # a typo in the list must not become a test
        if expected not in ("ambiguous", "none") and expected not in codes:
            raise SystemExit(f"hard case {text!r}: {expected} is no code of the reference data")
    rows += HARD_CASES
    seen: set[tuple[str, str]] = set()
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["input", "prefecture_hint", "expected", "kind_of_variant"])
        for row in rows:
            if (row[0], row[1]) not in seen:
                seen.add((row[0], row[1]))
                out.writerow(row)
    print(f"{OUT.relative_to(ROOT)}: {len(seen)} rows")


if __name__ == "__main__":
    main()
