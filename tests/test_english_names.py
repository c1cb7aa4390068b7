"""English names of local governments (issue 9, item 3).

The table holds the hard cases: vowel pairs across a kanji boundary (never one long vowel),
long vowels within one kanji's reading, ん before a vowel or y, っ, the bodies' own spellings
that differ from Hepburn (data/source/official-english-names.csv), wards, and names two
bodies share. Every label is checked as the loader writes it, in the translations graph.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.defaults import SOURCE_DIR
from loader.pipeline import compile_sources
from loader.romanize import municipality_name_en
from loader.vocab import SCKG

BASE = "https://w3id.org/smartcity-kg"
CURATION = URIRef(f"{BASE}/id/source/project-curation")
OFFICIAL = SOURCE_DIR / "official-english-names.csv"

# (code, name, expected English label)
CASES = [
    # a vowel pair across a kanji boundary stays two vowels: the 21 bodies whose label changed
    ("015601", "滝上町", "Takinoue-cho"),
    ("015717", "豊浦町", "Toyoura-cho"),
    ("016420", "広尾町", "Hiroo-cho"),
    ("092096", "真岡市", "Moka-shi"),
    ("122181", "勝浦市", "Katsuura-shi"),
    ("204161", "豊丘村", "Toyooka-mura"),
    ("205613", "山ノ内町", "Yamanouchi-machi"),
    ("213829", "輪之内町", "Wanouchi-cho"),
    ("272205", "箕面市", "Minoh-shi"),
    ("282090", "豊岡市", "Toyooka-shi"),
    ("304212", "那智勝浦町", "Nachikatsuura-cho"),
    ("313718", "琴浦町", "Kotoura-cho"),
    ("332127", "瀬戸内市", "Setouchi-shi"),
    ("336220", "勝央町", "Shoo-cho"),
    ("352161", "山陽小野田市", "Sanyo-Onoda-shi"),
    ("363014", "勝浦町", "Katsuura-cho"),
    ("382159", "東温市", "Toon-shi"),
    ("422088", "松浦市", "Matsuura-shi"),
    ("462136", "西之表市", "Nishinoomote-shi"),
    ("462179", "曽於市", "Soo-shi"),
    ("465259", "瀬戸内町", "Setouchi-cho"),
    # jukujikun 桑折 こおり: the romanizer merges; the town's own spelling is Koori
    ("073016", "桑折町", "Koori-machi"),
    # a boundary between two vowels that make no long vowel
    ("221007", "静岡市", "Shizuoka-shi"),
    ("401307", "福岡市", "Fukuoka-shi"),
    ("062031", "鶴岡市", "Tsuruoka-shi"),
    ("204145", "泰阜村", "Yasuoka-mura"),
    ("152251", "魚沼市", "Uonuma-shi"),
    # ん before a vowel or y
    ("372056", "観音寺市", "Kan'onji-shi"),
    ("062138", "南陽市", "Nan'yo-shi"),
    ("073440", "天栄村", "Ten'ei-mura"),
    ("285862", "新温泉町", "Shin'onsen-cho"),
    # っ (and っち as tch)
    ("011002", "札幌市", "Sapporo-shi"),
    ("012149", "稚内市", "Wakkanai-shi"),
    ("014001", "倶知安町", "Kutchan-cho"),
    ("016624", "厚岸町", "Akkeshi-cho"),
    ("014559", "比布町", "Pippu-cho"),
    ("015610", "興部町", "Okoppe-cho"),
    ("024112", "六ヶ所村", "Rokkasho-mura"),
    ("053490", "八峰町", "Happo-cho"),
    ("092061", "日光市", "Nikko-shi"),
    ("122262", "富津市", "Futtsu-shi"),
    ("132187", "福生市", "Fussa-shi"),
    ("252085", "栗東市", "Ritto-shi"),
    ("312011", "鳥取市", "Tottori-shi"),
    ("442020", "別府市", "Beppu-shi"),
    # long vowels within one kanji's reading (上越: 上 is じょう, not うえ; 河内 read as one word)
    ("271004", "大阪市", "Osaka-shi"),
    ("261009", "京都市", "Kyoto-shi"),
    ("392014", "高知市", "Kochi-shi"),
    ("072036", "郡山市", "Koriyama-shi"),
    ("292036", "大和郡山市", "Yamatokoriyama-shi"),
    ("152102", "十日町市", "Tokamachi-shi"),
    ("032085", "遠野市", "Tono-shi"),
    ("132012", "八王子市", "Hachioji-shi"),
    ("132055", "青梅市", "Ome-shi"),
    ("152226", "上越市", "Joetsu-shi"),
    ("402044", "直方市", "Nogata-shi"),
    ("105252", "邑楽町", "Ora-machi"),
    ("363219", "佐那河内村", "Sanagochi-son"),
    ("232149", "蒲郡市", "Gamagori-shi"),
    ("402168", "小郡市", "Ogori-shi"),
    ("372048", "善通寺市", "Zentsuji-shi"),
    ("353051", "周防大島町", "Suo-Oshima-cho"),
    ("442127", "豊後大野市", "Bungo-Ohno-shi"),
    ("442011", "大分市", "Oita-shi"),
    ("043010", "蔵王町", "Zao-machi"),
    ("253847", "竜王町", "Ryuoh-cho"),
    # the bodies' own spellings, from their web domains (official-english-names.csv)
    ("014541", "当麻町", "Tohma-cho"),
    ("015636", "雄武町", "Oumu-cho"),
    ("024236", "大間町", "Ooma-machi"),
    ("024244", "東通村", "Higashidoori-mura"),
    ("092100", "大田原市", "Ohtawara-shi"),
    ("112178", "鴻巣市", "Kounosu-shi"),
    ("122378", "山武市", "Sammu-shi"),
    ("123498", "東庄町", "Tohnosho-machi"),
    ("222151", "御殿場市", "Gotemba-shi"),
    ("012190", "紋別市", "Mombetsu-shi"),
    ("192082", "南アルプス市", "Minami-Alps-shi"),
    ("282219", "丹波篠山市", "Tambasasayama-shi"),
    ("184837", "おおい町", "Ohi-cho"),
    ("374067", "まんのう町", "Manno-cho"),
    # names in hiragana
    ("111007", "さいたま市", "Saitama-shi"),
    ("011011", "札幌市中央区", "Sapporo-shi Chuo-ku"),
    # wards carry their city; Tokyo's special wards are municipalities of their own
    ("271284", "大阪市中央区", "Osaka-shi Chuo-ku"),
    ("231061", "名古屋市中区", "Nagoya-shi Naka-ku"),
    ("141097", "横浜市港北区", "Yokohama-shi Kohoku-ku"),
    ("261050", "京都市東山区", "Kyoto-shi Higashiyama-ku"),
    ("131016", "千代田区", "Chiyoda-ku"),
    ("132063", "府中市", "Fuchu-shi, Tokyo"),
    # one name, two bodies: the prefecture, then the code, tells them apart
    ("342084", "府中市", "Fuchu-shi, Hiroshima"),
    ("012335", "伊達市", "Date-shi, Hokkaido"),
    ("072133", "伊達市", "Date-shi, Fukushima"),
    ("013617", "江差町", "Esashi-cho, Hokkaido (013617)"),
    ("015148", "枝幸町", "Esashi-cho, Hokkaido (015148)"),
    ("473243", "読谷村", "Yomitan-son"),
    # 村 read そん and むら
    ("203050", "南牧村", "Minamimaki-mura"),
]

# Web domains whose spelling differs from the romanized name but is not the body's English
# name: abbreviations, other names, and Kunrei-shiki spellings (a transliteration system the
# English labels do not use). Every other difference must be in official-english-names.csv.
NOT_AN_ENGLISH_NAME = {
    "013927": "寿都町 suttu: Kunrei-shiki (tu for つ); Hepburn Suttsu kept",
    "133825": "御蔵島村 mikurasima: Kunrei-shiki (si for し); Hepburn Mikurajima kept",
    "014281": "長沼町 maoi-net: another place name (馬追)",
    "282049": "西宮市 nishi.or.jp: an abbreviation",
    "345458": "神石高原町 jinsekigun: the district (神石郡), not the town",
    "423211": "東彼杵町 sonogi: an abbreviation",
    "463043": "十島村 tokara: the islands (トカラ列島), not the village",
    "473154": "伊江村 iejima: the island (伊江島), not the village",
}
# Words of a web address that are not part of a name: city-, -town, www, e-, -net …
_DECORATION = {"www", "city", "town", "vill", "village", "mura", "machi", "cho", "e", "v", "net",
               "info", "official", "web", "lg", "jp", "or", "com", "org", "go"}
_AFFIXES = ("city", "town", "vill", "mura", "machi", "cho")
_SUFFIX = re.compile(r"-(shi|ku|cho|machi|mura|son)$")


@pytest.fixture(scope="module")
def compiled():
    return compile_sources()


@pytest.fixture(scope="module")
def english(compiled) -> dict[str, str]:
    """The English label of every local government by code, from the translations graph."""
    labels: dict[str, list[str]] = {}
    for s, o in compiled.graphs["translations"].subject_objects(RDFS.label):
        kind, _, code = str(s).removeprefix(f"{BASE}/id/").partition("/")
        if kind in ("municipality", "prefecture"):
            labels.setdefault(code, []).append(str(o))
    assert all(len(v) == 1 for v in labels.values()), "one English label per local government"
    return {code: v[0] for code, v in labels.items()}


@pytest.fixture(scope="module")
def municipalities() -> list[dict[str, str]]:
    with open(SOURCE_DIR / "municipalities.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def official() -> list[dict[str, str]]:
    with open(OFFICIAL, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_table_holds_at_least_80_distinct_municipalities():
    assert len({code for code, _, _ in CASES}) == len(CASES) >= 80


@pytest.mark.parametrize(("code", "name", "expected"), CASES, ids=[f"{c}-{n}" for c, n, _ in CASES])
def test_english_name(english, municipalities, code, name, expected):
    row = next(r for r in municipalities if r["lgcode"] == code)
    assert row["city"].replace(" ", "") == name
    assert english[code] == expected


@pytest.mark.parametrize(("name", "kana", "romanized"), [
    ("勝浦市", "かつうらし", "Katsuura-shi"), ("東温市", "とうおんし", "Toon-shi"),
    ("箕面市", "みのおし", "Minoo-shi"), ("真岡市", "もおかし", "Mooka-shi"),
    ("桑折町", "こおりまち", "Kori-machi"), ("上越市", "じょうえつし", "Joetsu-shi"),
    ("札幌市 中央区", "さっぽろし ちゅうおうく", "Sapporo-shi Chuo-ku"),
])
def test_romanizer_before_the_bodies_own_spellings(name, kana, romanized):
    """The romanizer alone: what the reading gives, before official-english-names.csv applies."""
    assert municipality_name_en(name, kana) == romanized


def test_no_two_local_governments_share_an_english_label(compiled, english):
    bodies = {s for cls in (SCKG.Municipality, SCKG.Prefecture)
              for graph in compiled.graphs.values() for s in graph.subjects(RDF.type, cls)}
    assert len(english) == len(bodies) >= 1916 + 47
    shared = {label: n for label, n in Counter(english.values()).items() if n > 1}
    assert not shared, f"English labels shared by several local governments: {shared}"


@pytest.mark.parametrize(("code", "expected"), [
    ("130001", "Tokyo Metropolis"), ("010006", "Hokkaido"), ("260002", "Kyoto Prefecture"),
    ("270008", "Osaka Prefecture"), ("420000", "Nagasaki Prefecture"), ("370002", "Kagawa Prefecture"),
])
def test_prefectures_have_an_unambiguous_english_label(english, code, expected):
    assert english[code] == expected


def test_nagasaki_prefecture_and_city_do_not_collide(english):
    assert (english["420000"], english["422011"]) == ("Nagasaki Prefecture", "Nagasaki-shi")


def test_every_official_name_row_names_an_existing_municipality(official, municipalities):
    by_code = {r["lgcode"]: r for r in municipalities}
    unknown = [row["code"] for row in official if row["code"] not in by_code]
    assert not unknown, f"official English names of unknown municipalities: {unknown}"
    wrong = [row["code"] for row in official if by_code[row["code"]]["city"] != row["name"]]
    assert not wrong, f"official English names whose name column is not the body's name: {wrong}"


def test_every_official_name_is_spelled_as_in_its_evidence(official, municipalities):
    """The evidence is the body's own web address (its url in municipalities.csv), and the
    spelling is the one of that address, letter for letter."""
    by_code = {r["lgcode"]: r for r in municipalities}
    for row in official:
        assert row["evidence"] == by_code[row["code"]]["url"], row
        assert _letters(row["name_en"]) in {_letters(s) for s in _domain_spellings(row["evidence"])}, row
        assert row["note"], row


def test_every_official_name_is_used(official, english):
    for row in official:
        assert english[row["code"]].startswith(row["name_en"]), row


def test_every_domain_spelling_that_differs_from_the_romanization_is_decided(municipalities, official):
    """Compare each body's romanized name with the spelling of its own web domain: every
    difference (a hyphen inside the name included) is either its English name
    (official-english-names.csv) or listed above as not being one. Wards are left out: their
    addresses are their city's."""
    decided = {row["code"] for row in official} | NOT_AN_ENGLISH_NAME.keys()
    undecided = []
    for row in municipalities:
        if " " in row["city"]:
            continue
        stem = _SUFFIX.sub("", municipality_name_en(row["city"], row["citykana"]))
        spellings = _domain_spellings(row["url"])
        letters = stem.lower().replace("'", "")
        # a hyphen inside the name (sanyo-onoda) is a spelling of its own
        hyphenated = any("-" in s and s.replace("-", "") == letters for s in spellings)
        if (letters not in spellings or hyphenated) and row["lgcode"] not in decided:
            undecided.append((row["lgcode"], row["city"], stem, sorted(spellings), row["url"]))
    assert not undecided, f"domain spellings that differ from the romanized name: {undecided}"


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _domain_spellings(url: str) -> set[str]:
    """The spellings of a name a web address may hold: each label, each hyphenated part, and
    each without the decoration (city-, -town, …) around it."""
    host = urlsplit(url).hostname or ""
    out: set[str] = set()
    for part in host.split("."):
        pieces = part.split("-")
        out.add(part)
        out.update(pieces)
        kept = [p for p in pieces if p not in _DECORATION]
        out.add("-".join(kept))
        out.add("".join(kept))
        for piece in kept:
            for affix in _AFFIXES:
                if piece.startswith(affix):
                    out.add(piece[len(affix):])
                if piece.endswith(affix):
                    out.add(piece[: -len(affix)])
    return {s for s in out if s}


# -- the translations graph --------------------------------------------------------------------

def test_every_english_label_is_in_the_translations_graph(compiled):
    for name, graph in compiled.graphs.items():
        if name in ("translations", "ontology"):
            continue
        english = [(s, p, o) for s, p, o in graph
                   if p in (RDFS.label, SKOS.prefLabel) and isinstance(o, Literal) and o.language == "en"]
        assert not english, f"English labels in the {name} graph: {english[:3]}"


def test_the_translations_graph_holds_only_english(compiled):
    other = [(s, p, o) for s, p, o in compiled.graphs["translations"]
             if not (isinstance(o, Literal) and o.language == "en")]
    assert not other, f"the translations graph holds more than English texts: {other[:3]}"


def test_japanese_and_kana_labels_stay_in_the_source_graph(compiled):
    takamatsu = URIRef(f"{BASE}/id/municipality/372013")
    labels = {(o.language, str(o)) for o in compiled.graphs["localgovjp"].objects(takamatsu, RDFS.label)}
    assert labels == {("ja", "高松市"), ("ja-hrkt", "たかまつし")}
    assert set(compiled.graphs["translations"].objects(takamatsu, RDFS.label)) == {
        Literal("Takamatsu-shi", lang="en")}


def test_void_describes_the_translations_graph_as_the_projects(compiled):
    void = compiled.graphs["void"]
    subset = URIRef(f"{BASE}/id/dataset/smartcity-kg/graph/translations")
    assert (subset, DCTERMS.source, CURATION) in void
    assert any("translations" in str(d) for d in void.objects(subset, DCTERMS.description))
