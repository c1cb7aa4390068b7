"""The landing page and the resource pages in Chromium, as a newcomer uses them.

The landing page's map, chart and graph show as many marks of each kind as the store has things
(counted by the SPARQL of tests/test_landing.py, not written down), each drawn inside its picture; a
canned query runs with one click; a path of links leads from the landing page to 高松市 and on to
観音寺市 through the sharing relation; the header's switch turns the page English. Every kind of
page passes axe-core (no serious or critical violation), fetches nothing beyond the server, keeps
within the window's width, and is saved as a screenshot (test-artifacts/screenshots/).
"""

from __future__ import annotations

import json

import pytest
import requests
from conftest import select
from test_landing import (
    Q_INTRODUCTION_YEARS,
    Q_INTRODUCTIONS,
    Q_OWNERS,
    Q_POINTS,
    Q_PROJECT_REGIONS,
    Q_SHARINGS,
    count,
)

from .conftest import DESKTOP, PHONE

TAKAMATSU = "/page/municipality/372013"
KANONJI = "/page/municipality/372056"

#: One page of each kind: (id for the screenshot, path, what its <h1> says in Japanese).
KINDS = [
    ("landing", "/?lang=ja", None),
    ("municipality", TAKAMATSU + "?lang=ja", "高松市"),
    ("project", "/page/project/H29a?lang=ja", None),
    ("city-os", "/page/city-os/372013-1?lang=ja", "高松市"),
    ("class", "/page/class/Municipality?lang=ja", None),
    ("scheme", "/page/scheme/regional-issue?lang=ja", "地域課題"),
    ("not-found", "/page/municipality/999999?lang=ja", "この IRI のリソースはありません"),
]

#: Marks of each picture as the page draws them (CSS selectors inside the page).
MAP_DOTS = "svg#kg-map .pt"
MAP_PROJECTS = "svg#kg-map .mark.project"
MAP_INTRODUCTIONS = "svg#kg-map .mark.introduction"
CHART_BARS = "svg#kg-chart .mark.bar"
CHART_TOTALS = "svg#kg-chart .mark.cumulative"
GRAPH_EDGES = "svg#kg-graph .mark.edge"
GRAPH_OWNERS = "svg#kg-graph .node.owner"


def label(kg, code: str, lang: str) -> str:
    """The municipality's rdfs:label in a language, from the store."""
    rows = select(kg, f"SELECT ?l WHERE {{ <https://w3id.org/smartcity-kg/id/municipality/{code}> "
                      f"rdfs:label ?l FILTER(LANG(?l) = '{lang}') }}")
    assert len(rows) == 1, rows
    return rows[0]["l"]


def drawn(page, css: str) -> dict:
    """How many elements match ``css``, how many have a box on screen, how many lie outside their
    <svg>'s box (by more than a pixel)."""
    return page.js("""
        const found = [...document.querySelectorAll(arguments[0])];
        let visible = 0, outside = 0;
        for (const e of found) {
          const r = e.getBoundingClientRect(), s = e.ownerSVGElement.getBoundingClientRect();
          if (r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden') visible++;
          if (r.left < s.left - 1 || r.right > s.right + 1 || r.top < s.top - 1 || r.bottom > s.bottom + 1)
            outside++;
        }
        return {count: found.length, visible: visible, outside: outside};""", css)


def overflow(page) -> int:
    """Pixels by which the page is wider than the window (0: no sideways scrolling)."""
    return int(page.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def follow(page, link, path: str) -> None:
    """Click a link (scrolled into view first) and wait for the page at ``path`` to load."""
    page.js("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    page.wait_for(lambda d: d.current_url.split("?")[0] == page.url(path)
                  and d.execute_script("return document.readyState") == "complete",
                  message=f"the link did not lead to {path}")


def test_landing_pictures_show_the_stores_marks(page, kg):
    page.open("/?lang=ja")
    rows = select(kg, Q_SHARINGS)[0]
    expected = {
        MAP_DOTS: count(kg, Q_POINTS),
        MAP_PROJECTS: count(kg, Q_PROJECT_REGIONS),
        MAP_INTRODUCTIONS: count(kg, Q_INTRODUCTIONS),
        CHART_BARS: len(select(kg, Q_INTRODUCTION_YEARS)),
        CHART_TOTALS: len(select(kg, Q_INTRODUCTION_YEARS)),
        GRAPH_EDGES: int(rows["n"]),
        GRAPH_OWNERS: count(kg, Q_OWNERS),
    }
    assert all(expected.values()), expected
    seen = {css: drawn(page, css) for css in expected}
    for css, n in expected.items():
        assert seen[css] == {"count": n, "visible": n, "outside": 0}, (css, seen[css], n)
    assert len(page.find_all("svg#kg-chart .mark.target")) == 1
    # the graph tells the curated uses apart as the store does
    assert len(page.find_all(GRAPH_EDGES + "[data-curated='true']")) == int(rows["curated"])
    # each picture is named for a screen reader by its <title> and <desc>
    for ident in ("kg-map", "kg-chart", "kg-graph"):
        name = page.js("const s = document.getElementById(arguments[0]);"
                       "return s.getAttribute('aria-labelledby').split(' ')"
                       ".map(i => document.getElementById(i).textContent).join(' ')", ident)
        assert len(name) > 20, (ident, name)
    assert page.offsite_requests() == []


def test_a_canned_query_runs_with_one_click(page):
    page.open("/?lang=ja")
    link = page.find("li.query[data-query='city-os-sharing'] a.run[href*='municipality=372056']")
    href = link.get_attribute("href")
    follow(page, link, "/api/city-os-sharing")
    # the answer is shown, not downloaded: JSON, one object a row
    shown = json.loads(page.js("return document.body.innerText"))
    assert shown == requests.get(href, timeout=30).json()
    assert len(shown) > 0 and any(row.get("userLabel") == "観音寺市" for row in shown)
    assert page.offsite_requests() == []


def test_from_the_landing_page_to_takamatsu_and_on_to_kanonji_then_english(page, kg):
    page.open("/?lang=ja")
    # the shared uses' table beside the graph names 高松市 as an owner
    page.find("#sharing details.picture-data summary").click()
    (takamatsu, *_) = [a for a in page.find_all("#sharing details.picture-data a")
                       if a.get_attribute("pathname") == TAKAMATSU]
    assert takamatsu.text == label(kg, "372013", "ja")
    follow(page, takamatsu, TAKAMATSU)
    assert label(kg, "372013", "ja") in page.find("h1").text
    # its sharing partners: the users of 高松市's City OS, 観音寺市 among them
    partners = page.find("section[aria-labelledby='partners-h']")
    (kanonji,) = [a for a in partners.find_elements("css selector", "a")
                  if a.get_attribute("pathname") == KANONJI]
    assert kanonji.text == label(kg, "372056", "ja")
    follow(page, kanonji, KANONJI)
    assert label(kg, "372056", "ja") in page.find("h1").text
    assert page.js("return document.documentElement.lang") == "ja"
    # the header's language switch
    switch = page.find("header.site a.lang-switch")
    assert switch.text == "English" and switch.get_attribute("hreflang") == "en"
    follow(page, switch, KANONJI)
    page.wait_for(lambda d: d.execute_script("return document.documentElement.lang") == "en")
    english = label(kg, "372056", "en")
    assert page.find("h1 [lang='en']").text == english
    assert page.find("header.site a.lang-switch").text == "日本語"
    # the choice sticks (cookie): the next page, asked for without ?lang, is English too
    page.open(TAKAMATSU)
    assert page.js("return document.documentElement.lang") == "en"
    assert label(kg, "372013", "en") in page.find("h1").text
    assert page.offsite_requests() == []


@pytest.mark.parametrize(("kind", "path", "heading"), KINDS, ids=[k[0] for k in KINDS])
def test_each_kind_of_page_in_japanese(page, kind, path, heading):
    page.open(path)
    assert page.js("return document.documentElement.lang") == "ja"
    if heading:
        assert heading in page.find("h1").text
    assert overflow(page) == 0
    page.screenshot(kind + "-ja")
    lesser = page.check_accessibility()
    print(kind, "axe-core, moderate or minor:", sorted(f"{v['impact']} {v['id']}" for v in lesser) or "none")
    assert page.offsite_requests() == []


def test_landing_page_in_english_and_on_a_phone(page):
    # the top of the Japanese page, as docs/screenshots/landing-ja.png in the README shows it
    page.resize((DESKTOP[0], 1800))
    page.open("/?lang=ja")
    page.screenshot("landing-ja-top", full_page=False)
    page.resize(DESKTOP)
    page.open("/?lang=en")
    assert page.js("return document.documentElement.lang") == "en"
    assert page.find("#queries-title").text == "Canned queries"
    assert overflow(page) == 0
    page.screenshot("landing-en")
    page.check_accessibility()
    page.resize(PHONE)
    for lang in ("ja", "en"):
        page.open(f"/?lang={lang}")
        assert overflow(page) == 0, lang  # the wide pictures scroll inside their own box
        page.screenshot(f"landing-{lang}-phone")
        page.check_accessibility()
    page.open(TAKAMATSU + "?lang=ja")
    assert overflow(page) == 0
    page.screenshot("municipality-ja-phone")
    page.check_accessibility()
    assert page.offsite_requests() == []
