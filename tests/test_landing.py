"""The landing page at ``/`` and the SVG renderers of ``server/svg``.

The page: 200 text/html in Japanese and English with the right ``lang``; its three pictures parse
as XML, carry a text alternative and have as many marks of each kind as the store has things
(counted here by SPARQL, not written down); every link resolves; revalidation gives 304.
The renderers: tiny inputs, exact output.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import http, select

from server.svg import Edge, Mark, Point, YearCount, chart_svg, graph_svg, map_svg
from server.svg.map import INSETS, MAIN

SVG = "{http://www.w3.org/2000/svg}"


# The counts the pictures must show, by SPARQL over the store (the bundled data gives 1909 dots,
# 29 project regions, 46 introductions, 24 shared uses of which 21 curated, 6 years with introductions).
GEO = "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n"
Q_POINTS = GEO + """SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m a sckg:Municipality ; geo:lat ?lat ;
     geo:long ?lon .
  FILTER NOT EXISTS { ?m <https://schema.org/dissolutionDate> ?end } }"""
Q_PROJECT_REGIONS = GEO + """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?p ?r WHERE {
  ?p a sckg:AdoptedProject ; sckg:region ?r . ?r geo:lat ?lat } }"""
Q_INTRODUCTIONS = GEO + """SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?i a sckg:CityOSIntroduction ; sckg:municipality ?m . ?m geo:lat ?lat }"""
Q_INTRODUCTION_YEARS = """SELECT ?year (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?i a sckg:CityOSIntroduction ; sckg:fiscalYear ?year ; sckg:municipality ?m }
GROUP BY ?year ORDER BY ?year"""
Q_INTRODUCED_MUNICIPALITIES = """SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?i a sckg:CityOSIntroduction ; sckg:municipality ?m }"""
Q_KPI = """SELECT ?target ?year WHERE { ?k a sckg:KPI ; sckg:targetValue ?target ; sckg:targetFiscalYear ?year
  FILTER(STRENDS(STR(?k), "/kpi/city-os-introductions")) }"""
Q_SHARINGS = """SELECT (COUNT(DISTINCT ?s) AS ?n) (COUNT(DISTINCT ?c) AS ?curated)
WHERE {
  ?s a sckg:CityOSSharing . OPTIONAL { ?s sckg:curatedByProject true BIND(?s AS ?c) } }"""
Q_OWNERS = """SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {
  ?s a sckg:CityOSSharing ; sckg:cityOS/sckg:owner ?o }"""


def count(kg, query: str) -> int:
    return int(select(kg, query)[0]["n"])


@pytest.fixture(scope="module")
def pages(server) -> dict[str, str]:
    """The landing page's HTML in each language."""
    out = {}
    for lang in ("ja", "en"):
        response = http.get(server + "/", params={"lang": lang})
        assert response.status_code == 200, response.text
        out[lang] = response.text
    return out


def svgs(html: str) -> dict[str, ET.Element]:
    """The inline ``<svg>`` elements of a page, parsed, by id."""
    found = {}
    for match in re.finditer(r"<svg\b.*?</svg>", html, re.S):
        element = ET.fromstring(match.group(0))
        found[element.get("id")] = element
    return found


def marks(svg: ET.Element, kind: str) -> list[ET.Element]:
    return [e for e in svg.iter() if f"mark {kind}" == e.get("class")]


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_answers_html_in_the_language(server, lang):
    response = http.get(server + "/", params={"lang": lang})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Content-Language"] == lang
    assert re.search(rf'<html lang="{lang}">', response.text)
    for picture in svgs(response.text).values():
        assert picture.get("lang") == lang


def test_the_icon_every_browser_asks_for_is_there(server):
    page = http.get(server + "/").text
    assert '<link rel="icon" href="/favicon.ico"' in page
    icon = http.get(server + "/favicon.ico")
    assert icon.status_code == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")
    assert ET.fromstring(icon.content).tag == "{http://www.w3.org/2000/svg}svg"


def test_language_from_accept_language(server):
    response = http.get(server + "/", headers={"Accept-Language": "en-GB,en;q=0.9"}, cookies={})
    assert '<html lang="en">' in response.text
    assert "Canned queries" in response.text


def test_page_says_what_the_dataset_is(pages, kg):
    title = select(kg, "PREFIX void: <http://rdfs.org/ns/void#>\n"
                       "SELECT ?t WHERE { ?d a void:Dataset ; dcterms:title ?t "
                       "FILTER(LANG(?t) = 'ja') FILTER NOT EXISTS { ?p void:subset ?d } }")
    assert title and title[0]["t"] in pages["ja"]
    assert "CC BY 4.0" in pages["ja"] and "CC0" in pages["ja"]
    for source in ("総務省説明資料～令和３年度スマートシティ調査事業について～", "localgovjp",
                   "スマートシティサービス実装事例の出典付き一覧"):
        assert source in pages["ja"]
    # The description exists only in English: in the Japanese page it is marked as English.
    assert re.search(r'<p lang="en" class="muted">Every fact of the MIC briefing', pages["ja"])


def test_counts_per_class_link_to_class_pages(pages, kg):
    rows = select(kg, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
                      "FILTER(STRSTARTS(STR(?c), STR(sckg:))) } GROUP BY ?c")
    assert len(rows) > 10
    for row in rows:
        name = row["c"].rsplit("#", 1)[-1]
        assert f'href="/page/class/{name}"' in pages["en"]
        assert re.search(rf'data-class="{name}">{int(row["n"]):,}<', pages["en"]), name


def test_canned_queries_with_their_example_runs(pages, app):
    for query in app.extensions["kg_queries"].values():
        assert query.title["ja"] in pages["ja"] and query.title["en"] in pages["en"]
        for example in query.examples:
            json = example + ("&" if "?" in example else "?") + "format=json"  # shown, not downloaded
            assert f'href="{_html_attr(json)}"' in pages["en"], example


def _html_attr(value: str) -> str:
    return value.replace("&", "&amp;")


def test_downloads_and_void_description(pages, server):
    """The downloads are the dumps /.well-known/void lists as void:dataDump, each by its file name."""
    import rdflib

    void = rdflib.Graph().parse(data=http.get(server + "/.well-known/void",
                                              headers={"Accept": "text/turtle"}).text, format="turtle")
    dumps = {str(o) for o in void.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert len(dumps) >= 4, dumps
    for html in pages.values():
        assert 'href="/.well-known/void"' in html
        assert 'id="downloads"' in html
        for url in dumps:  # listed by their server path (the public base maps onto the server)
            assert f'href="{url.removeprefix("https://w3id.org/smartcity-kg")}"' in html, url


# --- the pictures -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pictures_have_text_alternatives(pages, lang):
    pictures = svgs(pages[lang])
    assert set(pictures) == {"kg-map", "kg-chart", "kg-graph"}
    for ident, svg in pictures.items():
        assert svg.get("role") == "img"
        assert svg.get("viewBox"), ident
        labelled = svg.get("aria-labelledby").split()
        assert labelled == [f"{ident}-title", f"{ident}-desc"]
        texts = {e.get("id"): (e.text or "") for e in svg if e.tag in (SVG + "title", SVG + "desc")}
        assert all(len(texts[i]) > 10 for i in labelled), texts
    # beside each picture, its data as a table
    assert pages[lang].count('<details class="picture-data">') == 3


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_map_marks_match_the_store(pages, kg, lang):
    svg = svgs(pages[lang])["kg-map"]
    dots = [e for e in svg.iter() if e.get("class") == "pt"]
    assert len(dots) == count(kg, Q_POINTS)
    projects = marks(svg, "project")
    assert len(projects) == count(kg, Q_PROJECT_REGIONS)
    assert {m.get("data-code") for m in projects} == {r["c"] for r in select(
        kg, "SELECT DISTINCT ?c WHERE { ?p a sckg:AdoptedProject ; dcterms:identifier ?c }")}
    introductions = marks(svg, "introduction")
    assert len(introductions) == count(kg, Q_INTRODUCTIONS)
    # every mark is coloured by its fiscal year, and the legend has a swatch per year
    years = {m.get("data-year") for m in projects + introductions}
    swatches = {e.get("data-year") for e in svg.iter() if e.get("class") == "swatch"}
    assert years == swatches
    # every point inside the drawing
    width, height = (float(v) for v in svg.get("viewBox").split()[2:])
    for dot in dots:
        assert 0 <= float(dot.get("cx")) <= width and 0 <= float(dot.get("cy")) <= height


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_chart_marks_match_the_store(pages, kg, lang):
    svg = svgs(pages[lang])["kg-chart"]
    per_year = select(kg, Q_INTRODUCTION_YEARS)
    bars = marks(svg, "bar")
    assert [(b.get("data-year"), b.get("data-value")) for b in bars] == \
        [(r["year"], r["n"]) for r in per_year]
    totals = marks(svg, "cumulative")
    assert len(totals) == len(per_year)
    assert int(totals[-1].get("data-value")) == count(kg, Q_INTRODUCED_MUNICIPALITIES)
    kpi = select(kg, Q_KPI)[0]
    (target,) = marks(svg, "target")
    assert (target.get("data-value"), target.get("data-year")) == (kpi["target"], kpi["year"])
    (observed,) = marks(svg, "observed")
    assert (observed.get("data-year"), observed.get("data-value")) == ("2019", "13")
    axis_words = ("年度", "市区町村数") if lang == "ja" else ("Fiscal year", "Municipalities")
    labels = {e.text for e in svg.iter(SVG + "text")}
    assert set(axis_words) <= labels


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_graph_marks_match_the_store(pages, kg, lang):
    svg = svgs(pages[lang])["kg-graph"]
    edges = marks(svg, "edge")
    row = select(kg, Q_SHARINGS)[0]
    assert len(edges) == int(row["n"])
    assert sum(e.get("data-curated") == "true" for e in edges) == int(row["curated"])
    owners = [e for e in svg.iter() if e.get("class") == "node owner"]
    assert len(owners) == count(kg, Q_OWNERS)
    # 高松市 → 観音寺市, approach ア, as the briefing states it
    (kanonji,) = [e for e in edges if e.get("data-user") == "372056"]
    assert (kanonji.get("data-owner"), kanonji.get("data-approach"), kanonji.get("data-curated")) == \
        ("372013", "ア", "false")
    legend = "".join(e.text or "" for e in svg.iter(SVG + "text"))
    assert ("プロジェクトの解釈" if lang == "ja" else "project’s reading") in legend


# --- links, caching ---------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.add(value)


def test_every_link_resolves(server, pages):
    """Links within the site answer below 400 (the /page/, /dumps/, /sparql … routes included);
    links elsewhere are absolute http(s) IRIs (not fetched: no network in tests)."""
    links = set()
    for html in pages.values():
        parser = _Links()
        parser.feed(html)
        links |= parser.links
    checked = []
    for link in sorted(links):
        if link.startswith("#"):
            assert f'id="{link[1:]}"' in pages["en"], link
            continue
        parts = urlsplit(link)
        if parts.scheme:
            assert parts.scheme in ("http", "https") and parts.netloc, link
            continue
        response = http.get(urljoin(server + "/", link), allow_redirects=False)
        checked.append(parts.path)
        assert response.status_code < 400, (link, response.status_code, response.text[:200])
    for prefix in ("/api/", "/page/", "/dumps/", "/.well-known/void", "/sparql", "/ontology"):
        assert any(p.startswith(prefix) for p in checked), prefix


def test_etag_and_304(server):
    first = http.get(server + "/", params={"lang": "ja"})
    etag = first.headers["ETag"]
    again = http.get(server + "/", params={"lang": "ja"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    assert "lang=ja" in again.headers["Set-Cookie"]  # ?lang= is remembered on a 304 too
    english = http.get(server + "/", params={"lang": "en"})
    assert english.headers["ETag"] != etag
    assert "Accept-Language" in first.headers["Vary"]


def test_pictures_are_cached_per_version_and_language(server, app):
    from server import landing

    http.get(server + "/", params={"lang": "ja"})
    http.get(server + "/", params={"lang": "en"})
    version = app.extensions["kg_engine"].version
    assert {(version, "ja"), (version, "en")} <= set(landing._cache)


def test_locator_map_for_a_resource_page(app, kg):
    from server import landing

    with app.test_request_context("/page/municipality/372056?lang=en"):
        svg = ET.fromstring(str(landing.locator_map("372056", 34.1279, 133.6613, "Kan'onji-shi")))
    assert svg.get("role") == "img" and svg.get("id") == "kg-locator-372056"
    (ring,) = [e for e in svg.iter(SVG + "g") if e.get("class") == "highlight"]
    assert ring.get("data-code") == "372056" and "Kan'onji-shi" in "".join(ring.itertext())
    assert len([e for e in svg.iter() if e.get("class") == "pt"]) == count(kg, Q_POINTS)
    assert not [e for e in svg.iter() if (e.get("class") or "").startswith("mark ")]


# --- the renderers, alone ---------------------------------------------------------------------


def test_map_places_islands_in_insets_and_highlights_one_body():
    naha = Point("472018", 26.21, 127.68, "那覇市")
    ogasawara = Point("134210", 27.09, 142.19)
    svg = ET.fromstring(map_svg([naha, Point("011002", 43.06, 141.35), ogasawara], highlight="472018",
                                width=300, legend=False))
    dots = {(float(e.get("cx")), float(e.get("cy")))
            for e in svg.iter(SVG + "circle") if e.get("class") == "pt"}
    scale = 300 / MAIN.size()[0]
    for inset, point in zip(INSETS, (naha, ogasawara), strict=True):
        x0, y0 = inset.at[0] * scale, inset.at[1] * scale
        w, h = (v * scale for v in inset.size())
        inside = [(x, y) for x, y in dots if x0 <= x <= x0 + w and y0 <= y <= y0 + h]
        x, y = inset.place(point.lat, point.lon)
        near = (pytest.approx(x * scale, abs=0.01), pytest.approx(y * scale, abs=0.01))
        assert inside == [near], inset.name
    (ring,) = [e for e in svg.iter(SVG + "g") if e.get("class") == "highlight"]
    assert ring.get("data-code") == "472018"
    assert "那覇市" in "".join(ring.itertext())
    assert not [e for e in svg.iter() if e.get("class") == "legend"]


def test_map_spreads_marks_at_one_place_and_escapes_labels():
    marks_ = [Mark("project", code, "111007", 35.86, 139.65, year, "<さいたま&市>")
              for code, year in (("H29c", 2017), ("R2b", 2020), ("R3e", 2021))]
    svg = map_svg([Point("111007", 35.86, 139.65)], marks_, lang="en")
    root = ET.fromstring(svg)
    centres = {(e.get("cx"), e.get("cy"))
               for e in root.iter(SVG + "circle") if e.get("class") == "mark project"}
    assert len(centres) == 3
    assert "&lt;さいたま&amp;市&gt;" in svg
    assert [e.get("data-year") for e in root.iter() if e.get("class") == "swatch"] == ["2017", "2020", "2021"]


def test_chart_axis_spans_the_target_year():
    svg = ET.fromstring(chart_svg([YearCount(2018, 1, 1), YearCount(2020, 2, 3)], target=10,
                                  target_year=2023, lang="ja"))
    labels = [e.text for e in svg.iter(SVG + "text")]
    for era in ("H30", "R1", "R2", "R3", "R4", "R5"):
        assert era in labels
    assert not [e for e in svg.iter() if e.get("class") == "mark observed"]
    bars = [e for e in svg.iter() if e.get("class") == "mark bar"]
    assert float(bars[1].get("height")) == pytest.approx(2 * float(bars[0].get("height")), abs=0.02)


def test_chart_without_data_still_draws_an_empty_chart():
    svg = ET.fromstring(chart_svg([], lang="en"))
    assert svg.get("role") == "img"
    assert not [e for e in svg.iter() if (e.get("class") or "").startswith("mark ")]


def test_graph_layout_is_deterministic_and_styles_approaches():
    edges = [Edge("420000", "長崎県", "422011", "長崎市", "ウ", True, 2021, "導入予定"),
             Edge("372013", "高松市", "372056", "観音寺市", "ア", False, 2019),
             Edge("372013", "高松市", "373877", "綾川町", "イ", False, 2019)]
    first = graph_svg(edges, [("ア", "範囲拡大型"), ("イ", "広域"), ("ウ", "県")])
    assert first == graph_svg(list(reversed(edges)), [("ア", "範囲拡大型"), ("イ", "広域"), ("ウ", "県")])
    root = ET.fromstring(first)
    owners = [e.get("data-code") for e in root.iter() if e.get("class") == "node owner"]
    assert owners == ["372013", "420000"]  # by code
    paths = {e.get("data-user"): e.find(SVG + "path") for e in root.iter() if e.get("class") == "mark edge"}
    assert paths["372056"].get("stroke-dasharray") is None
    assert paths["373877"].get("stroke-dasharray") and paths["422011"].get("stroke-dasharray")
    # curated: hollow arrowhead
    heads = {e.get("data-user"): e.findall(SVG + "path")[1].get("fill")
             for e in root.iter() if e.get("class") == "mark edge"}
    assert heads["422011"] == "#fff" and heads["372056"] != "#fff"
