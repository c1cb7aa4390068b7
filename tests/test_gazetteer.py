"""kg.gazetteer on a small hand-made gazetteer (each rule), and server.gazetteer on the loaded data."""

from __future__ import annotations

import random
import time
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.gazetteer import TYPES, Candidate, Entry, Gazetteer

P = "https://w3id.org/smartcity-kg/id/"


def body(code, kind, label, kana, en, pref=None, parent=None, until=None):
    return Entry(f"{P}{'prefecture' if kind == 'prefecture' else 'municipality'}/{code}", kind, label,
                 (label, kana, en), prefecture=pref and f"{P}prefecture/{pref}",
                 parent=parent and f"{P}municipality/{parent}", code=code, valid_until=until, label_en=en,
                 corporate_number=f"8000020{code}")


@pytest.fixture(scope="module")
def small() -> Gazetteer:
    return _small()


@cache
def _small() -> Gazetteer:
    """A gazetteer of a few bodies, with homonyms, wards, an abolished ward and a project."""
    return Gazetteer([
        body("370002", "prefecture", "香川県", "かがわけん", "Kagawa Prefecture"),
        body("130001", "prefecture", "東京都", "とうきょうと", "Tokyo Metropolis"),
        body("340006", "prefecture", "広島県", "ひろしまけん", "Hiroshima Prefecture"),
        body("010006", "prefecture", "北海道", "ほっかいどう", "Hokkaido"),
        body("220001", "prefecture", "静岡県", "しずおかけん", "Shizuoka Prefecture"),
        body("372056", "municipality", "観音寺市", "かんおんじし", "Kan'onji-shi", "370002"),
        body("374067", "municipality", "まんのう町", "まんのうちょう", "Manno-cho", "370002"),
        body("132063", "municipality", "府中市", "ふちゅうし", "Fuchu-shi, Tokyo", "130001"),
        body("342084", "municipality", "府中市", "ふちゅうし", "Fuchu-shi, Hiroshima", "340006"),
        body("131172", "municipality", "北区", "きたく", "Kita-ku", "130001"),
        body("011002", "municipality", "札幌市", "さっぽろし", "Sapporo-shi", "010006"),
        body("011029", "ward", "札幌市北区", "さっぽろしきたく", "Sapporo-shi Kita-ku", "010006", "011002"),
        body("011096", "ward", "札幌市手稲区", "さっぽろしていねく", "Sapporo-shi Teine-ku", "010006",
             "011002"),
        body("221309", "municipality", "浜松市", "はままつし", "Hamamatsu-shi", "220001"),
        body("221350", "ward", "浜松市北区", "はままつしきたく",
             "Hamamatsu-shi Kita-ku (abolished 2024-01-01)", "220001", "221309", "2024-01-01"),
        body("221376", "ward", "浜松市天竜区", "はままつしてんりゅうく",
             "Hamamatsu-shi Tenryu-ku (abolished)", "220001", "221309", "2024-01-01"),
        body("221406", "ward", "浜松市天竜区", "はままつしてんりゅうく", "Hamamatsu-shi Tenryu-ku", "220001",
             "221309"),
        Entry(f"{P}project/H29a", "project", "H29a 北海道札幌市", ("H29a 北海道札幌市",), code="H29a"),
    ])


def best(g: Gazetteer, text: str, **options) -> tuple[str | None, bool]:
    """(code of the best candidate, its match flag); (None, False) when nothing is found."""
    found = g.match(text, **options)
    return (found[0].entry.code, found[0].match) if found else (None, False)


@pytest.mark.parametrize("text", ["観音寺市", "観音寺", "かんおんじ", "カンオンジ", "ｶﾝｵﾝｼﾞ", "kanonji",
                                  "Kan'onji", "Kannonji", "Kanōnji", "Kanonji City", "Kan'onji-shi",
                                  "香川県観音寺市", "香川県 観音寺", "Kanonji, Kagawa", "観音寺市（香川県）",
                                  "372056", "37205", "8000020372056", "３７２０５６"])
def test_one_body_written_many_ways(small, text):
    assert best(small, text) == ("372056", True)


def test_scores_order_the_kinds_of_name(small):
    scores = {text: small.match(text)[0].score for text in ("観音寺市", "観音寺", "かんおんじし", "kanonji",
                                                            "Kanonji City")}
    assert scores["観音寺市"] == 100
    assert scores["観音寺市"] > scores["観音寺"] > scores["かんおんじし"]
    assert scores["かんおんじし"] >= scores["kanonji"] > scores["Kanonji City"]
    assert all(0 <= s <= 100 for s in scores.values())


@pytest.mark.parametrize("text", ["府中市", "府中", "ふちゅう", "Fuchu", "北区", "きたく", "Kita-ku"])
def test_homonyms_are_never_a_match(small, text):
    found = small.match(text)
    assert len(found) >= 2 and not any(c.match for c in found)


@pytest.mark.parametrize(("text", "hint", "code"), [
    ("府中市", "東京都", "132063"), ("府中市", "広島県", "342084"), ("府中市", "Hiroshima", "342084"),
    ("府中市", "ひろしま", "342084"), ("府中市", "34", "342084"), ("府中市", "340006", "342084"),
    ("府中市", "34000", "342084"), ("府中市", f"{P}prefecture/130001", "132063"), ("北区", "東京", "131172"),
    ("北区", "北海道", "011029"),
])
def test_prefecture_hint(small, text, hint, code):
    assert best(small, text, prefecture=hint) == (code, True)


@pytest.mark.parametrize("text", ["札幌市北区", "札幌市 北区", "札幌市　北区", "北海道札幌市北区",
                                  "Sapporo Kita-ku", "Kita-ku, Sapporo", "さっぽろしきたく", "札幌北区"])
def test_ward_with_its_city(small, text):
    assert best(small, text) == ("011029", True)


def test_ward_alone_when_unique(small):
    assert best(small, "手稲区") == ("011096", True)
    assert best(small, "Teine-ku") == ("011096", True)


def test_abolished_bodies_are_found_but_rank_below_current(small):
    assert best(small, "浜松市北区") == ("221350", True)
    found = small.match("浜松市天竜区")
    assert [c.entry.code for c in found] == ["221406", "221376"] and found[0].match
    assert found[0].score > found[1].score
    assert best(small, "221376") == ("221376", True)


@pytest.mark.parametrize("text", ["", "  ", "東京市", "存在しない村", "札幌市千代田区", "東京都観音寺",
                                  "372057", "xyzzy", "北海道観音寺市"])
def test_nothing_matches(small, text):
    assert not any(c.match for c in small.match(text))


def test_prefecture_prefix_picks_the_homonym(small):
    assert best(small, "東京都府中市") == ("132063", True)
    assert best(small, "東京都府中") == ("132063", True)
    assert best(small, "Fuchu, Hiroshima") == ("342084", True)


def test_district_between_prefecture_and_town(small):
    assert best(small, "香川県仲多度郡まんのう町") == ("374067", True)
    assert best(small, "仲多度郡まんのう町") == ("374067", True)


def test_types_and_limit(small):
    assert best(small, "H29a") == ("H29a", True)
    assert small.match("H29a", types=["municipality"]) == []
    assert [c.entry.type for c in small.match("北区", types=["ward"])] == ["ward", "ward"]
    assert len(small.match("北区", limit=1)) == 1
    assert set(TYPES) >= {e.type for e in small.entries.values()}


def test_iri_and_get(small):
    iri = f"{P}municipality/372056"
    assert small.match(iri)[0].entry.iri == iri and small.match(iri)[0].match
    assert small.get(iri).label == "観音寺市" and small.get("nope") is None


def test_suggest_by_prefix(small):
    assert [c.entry.code for c in small.suggest("かんお")] == ["372056"]
    assert [c.entry.code for c in small.suggest("Kan")][:1] == ["372056"]
    assert {c.entry.code for c in small.suggest("札幌市")} == {"011002", "011029", "011096"}
    assert small.suggest("札幌市")[0].entry.code == "011002"  # the whole name first
    assert {c.entry.type for c in small.suggest("札幌", types=["ward"])} == {"ward"}
    assert small.suggest("") == [] and small.suggest("zzz") == []


def test_suggest_prefers_the_prefix_as_typed():
    """かんお is the start of かんおんじ (観音寺), not of かのや (鹿屋), though both skeletons start kano."""
    g = Gazetteer([body("372056", "municipality", "観音寺市", "かんおんじし", "Kan'onji-shi", "370002"),
                   body("462039", "municipality", "鹿屋市", "かのやし", "Kanoya-shi", "460001")])
    assert [c.entry.code for c in g.suggest("かんお")] == ["372056", "462039"]
    assert [c.entry.code for c in g.suggest("かの")] == ["462039", "372056"]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.text()), st.integers(min_value=-1, max_value=20))
def test_any_text_is_answered(text, hint, limit):
    found = _small().match(text, prefecture=hint, limit=limit)
    assert len(found) <= max(limit, 0) and sum(c.match for c in found) <= 1
    assert all(0 <= c.score <= 100 for c in found)
    _small().suggest(text, limit=limit)


def test_candidates_are_candidates(small):
    assert all(isinstance(c, Candidate) and c.matched for c in small.match("北区"))


# -- the gazetteer of the loaded data ----------------------------------------------------------------


@pytest.fixture(scope="module")
def served(app) -> Gazetteer:
    """The gazetteer ``server.gazetteer.current()`` builds from the store being served."""
    from server.gazetteer import current

    with app.app_context():
        return current()


def test_served_gazetteer_reads_every_kind(served):
    kinds = {e.type for e in served.entries.values()}
    assert kinds == set(TYPES)
    bodies = [e for e in served.entries.values() if e.type in ("municipality", "ward", "prefecture")]
    assert len(bodies) >= 1_900
    kanonji = served.get("https://w3id.org/smartcity-kg/id/municipality/372056")
    assert kanonji.corporate_number == "8000020372056" and "かんおんじし" in kanonji.names
    assert kanonji.label_en == "Kan'onji-shi" and kanonji.prefecture.endswith("/prefecture/370002")


def test_no_two_bodies_share_a_name_form_unless_homonyms(served):
    """Folding (widths, 異体字, kana) merges no two bodies' full names that are spelt differently."""
    from kg.normalize import normalize

    by_form: dict[str, set[str]] = {}
    for e in served.entries.values():
        if e.type in ("municipality", "ward", "prefecture"):
            by_form.setdefault(normalize(e.label), set()).add(e.label)
    assert [labels for labels in by_form.values() if len(labels) > 1] == []


def test_match_is_fast(served):
    """The reconciliation service needs ≥ 1,000 names/s: match() must take well under 1 ms."""
    names = [n for e in served.entries.values() if e.type in ("municipality", "ward") for n in e.names]
    random.Random(11).shuffle(names)
    names = names[:2000] + ["Sapporo Kita-ku", "香川県仲多度郡まんのう町", "no such name at all"] * 100
    start = time.perf_counter()
    for name in names:
        served.match(name)
    per_name = (time.perf_counter() - start) / len(names)
    print(f"match: {per_name * 1e6:.0f} µs per name, {1 / per_name:,.0f} names/s")
    assert per_name < 0.001
