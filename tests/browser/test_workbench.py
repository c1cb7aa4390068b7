"""The query workbench at /sparql in Chromium: type, run, see the table, the map and the chart,
follow a shareable link, download links, Japanese and English, keyboard, axe-core."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

#: What a person types: the municipalities of 香川県 with their Japanese labels (on one line, so
#: the editor's completion pop-ups never take an Enter).
KAGAWA = ('PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#> '
          'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> '
          'SELECT ?municipality ?label WHERE { ?pref rdfs:label "香川県"@ja . '
          '?municipality sckg:prefecture ?pref ; rdfs:label ?label . FILTER(LANG(?label) = "ja") '
          '} ORDER BY ?label')


PREFIXES = ("PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")


def select(kg, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT on the session's store (sckg and rdfs predeclared)."""
    result = kg.query(PREFIXES + sparql)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def _kagawa(kg) -> list[str]:
    rows = select(kg, 'SELECT ?label WHERE { ?p rdfs:label "香川県"@ja . ?m sckg:prefecture ?p ; '
                      'rdfs:label ?label . FILTER(LANG(?label) = "ja") } ORDER BY ?label')
    return [row["label"] for row in rows]


def _answers(page) -> int:
    return int(page.js("return Number(document.getElementById('yasgui').dataset.answered || 0)"))


def _run_and_wait(page, before: int) -> None:
    """Wait until YASGUI has answered once more than ``before`` and its labels are drawn."""
    page.wait_for(lambda d: _answers(page) > before, 30, "the query was not answered")


def _table_rows(page) -> list[list[str]]:
    rows = page.find_all(".yasr_results table tbody tr")
    return [[cell.text for cell in row.find_elements("css selector", "td")] for row in rows]


def _type_query(page, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    editor = page.find(".yasqe .CodeMirror")
    editor.click()
    area = page.find(".yasqe .CodeMirror textarea")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(text)
    area.send_keys(Keys.ESCAPE)  # closes a completion pop-up, if any
    page.find(".yasqe .CodeMirror").click()
    page.find(".yasqe .CodeMirror textarea").send_keys(Keys.CONTROL, Keys.ENTER)


def test_type_a_query_run_it_by_keyboard_and_see_the_table(page, kg):
    expected = _kagawa(kg)
    assert len(expected) == 17  # 8 cities, 9 towns
    page.open("/sparql?lang=ja")
    page.find(".yasqe .CodeMirror")
    before = _answers(page)
    _type_query(page, KAGAWA)
    _run_and_wait(page, before)
    assert page.js("return workbench.getTab().getQuery()") == KAGAWA
    page.wait_for(lambda d: len(_table_rows(page)) == len(expected), 15, "the table lacks rows")
    rows = _table_rows(page)
    assert [row[-1] for row in rows] == [f'"{label}"@ja' for label in expected]  # ?label, in order
    # the ?municipality column shows the label, links to the resource on this server, keeps the IRI
    page.wait_for(lambda d: page.find_all(".yasr_results tbody td .wb-iri"), 15, "no labels")
    link = page.find(".yasr_results tbody tr td a.iri")
    assert link.text == expected[0]
    code = link.get_attribute("title").rsplit("/", 1)[1]  # the title is the IRI
    assert link.get_attribute("href") == page.base + "/id/municipality/" + code
    assert "高松市" in page.find(".yasr_results").text
    # sortable: a click on the label column's header orders it the other way
    header = page.find_all(".yasr_results thead th")[-1]
    header.click()
    header.click()
    page.wait_for(lambda d: [r[-1] for r in _table_rows(page)]
                  == [f'"{label}"@ja' for label in sorted(expected, reverse=True)], 10,
                  "the table did not sort")
    # downloads in every format, each answering with what it says
    links = {a.get_attribute("data-format"): a.get_attribute("href")
             for a in page.find_all("#wb-downloads a")}
    assert set(links) == {"csv", "tsv", "json", "xml"}
    for name, href in links.items():
        assert parse_qs(urlsplit(href).query)["query"] == [KAGAWA]
        response = requests.get(href, timeout=30)
        assert response.status_code == 200, (name, response.text)
        assert "高松市" in response.content.decode("utf-8")
    page.screenshot("table-ja")
    page.check_accessibility()
    assert page.offsite_requests() == []


def test_a_shareable_link_reproduces_the_query(page, kg):
    page.open("/sparql?lang=en")
    before = _answers(page)
    _type_query(page, KAGAWA)
    _run_and_wait(page, before)
    link = page.find("#wb-share-link").get_attribute("href")
    assert urlsplit(link).path == "/sparql" and parse_qs(urlsplit(link).fragment)["query"] == [KAGAWA]
    # a newcomer: nothing remembered
    page.js("localStorage.clear(); sessionStorage.clear();")
    page.driver.delete_all_cookies()
    page.open("/healthz")  # leave the page: a link that differs only after # would not reload it
    page.open(link)
    page.wait_for(lambda d: _answers(page) >= 1, 30, "the shared link did not run its query")
    assert page.js("return workbench.getTab().getQuery()") == KAGAWA
    page.wait_for(lambda d: len(_table_rows(page)) == len(_kagawa(kg)), 15, "the table lacks rows")
    assert page.js("return document.documentElement.lang") == "en"


def test_the_map_marks_every_point_with_coordinates(page, kg):
    from selenium.webdriver.common.keys import Keys

    with_coordinates = select(kg, """PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
        SELECT ?m WHERE { ?p rdfs:label "香川県"@ja .
                          ?m sckg:prefecture ?p ; geo:lat ?lat ; geo:long ?long }""")
    everything = select(kg, "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n"
                            "SELECT ?s WHERE { ?s geo:lat ?lat ; geo:long ?long }")
    assert with_coordinates
    page.open("/sparql?lang=ja")
    page.find(".yasqe .CodeMirror")
    before = _answers(page)
    page.find(".yasqe .CodeMirror").click()
    page.find(".yasqe .CodeMirror textarea").send_keys(Keys.CONTROL, Keys.ENTER)
    _run_and_wait(page, before)  # the default query: 香川県's municipalities with ?lat ?long
    page.find(".yasr button.select_map").click()
    page.wait_for(lambda d: page.find_all(".wb-map-points .wb-mark"), 15, "no map")
    assert len(page.find_all(".wb-map-points .wb-mark")) == len(with_coordinates)
    assert len(page.find_all(".wb-map-background circle")) == len(everything)
    marks = page.find_all(".wb-map-points a")
    assert marks and all((a.get_dom_attribute("href") or "").startswith("/id/") for a in marks), \
        [a.get_dom_attribute("href") for a in marks[:3]]
    page.screenshot("map-ja")
    page.check_accessibility()
    assert page.offsite_requests() == []


def test_a_canned_query_from_the_picker_draws_a_bar_chart(page, kg):
    from selenium.webdriver.support.ui import Select

    page.open("/sparql?lang=en")
    before = _answers(page)
    Select(page.find("#wb-example")).select_by_value("city-os-adoption-by-year")
    page.find("#wb-open").click()
    try:
        _run_and_wait(page, before)
    except Exception:
        print(page.console_errors(), page.js("return workbench.getTab().getQuery().slice(0, 200)"))
        raise
    rows = page.js("return workbench.getTab().getYasr().results.getBindings().length")
    assert rows > 0
    # the active tab's view buttons (the first tab's are hidden)
    button = page.js("return workbench.getTab().getYasr().rootEl.querySelector('button.select_chart')")
    assert button.is_enabled()
    button.click()
    bars = ".tabPanel.active .wb-chart .wb-bar"
    page.wait_for(lambda d: page.find_all(bars), 15, "no chart")
    assert len(page.find_all(bars)) == rows
    assert page.find(".tabPanel.active .wb-chart figcaption").text
    page.screenshot("chart-en")
    page.check_accessibility()


@pytest.mark.parametrize("lang, heading", [("ja", "SPARQL クエリ"), ("en", "SPARQL query")], ids=["ja", "en"])
def test_the_page_in_each_language_on_a_phone(page, lang, heading):
    page.resize((390, 844))
    page.open(f"/sparql?lang={lang}")
    page.find(".yasqe .CodeMirror")
    assert page.find("h1").text == heading
    assert page.js("return document.documentElement.lang") == lang
    assert page.js("return document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"
    page.screenshot(f"phone-{lang}")
    page.check_accessibility()
