"""Resource and class pages (issue 10, deliverable 2): /page/<key>, /page/class/<Name>, concept schemes.

Pages are parsed with the standard library's HTML parser: every element with its attributes, the
language it is in (its own or an ancestor's ``lang``) and its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from conftest import http, select

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                 "track", "wbr"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    lang: str | None
    parent: Element | None = None
    parts: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class Document(HTMLParser):
    """A page as a flat list of elements (with their language and text)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.stack = [self.root]
        self.elements: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        parent = self.stack[-1]
        attributes = {k: v or "" for k, v in attrs}
        element = Element(tag, attributes, attributes.get("lang", parent.lang), parent)
        parent.parts.append(element)
        self.elements.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].parts.append(data)

    def find(self, tag=None, **attrs) -> list[Element]:
        return [e for e in self.elements if (tag is None or e.tag == tag)
                and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def by_id(self, ident: str) -> Element:
        (element,) = self.find(id=ident)
        return element

    def links(self) -> list[Element]:
        return self.find("a")

    def hrefs(self) -> set[str]:
        return {a.attrs.get("href", "") for a in self.links()}

    def within(self, container: Element) -> list[Element]:
        return [e for e in self.elements if container in e.ancestors()]


def page(server: str, path: str, lang: str = "ja", status: int = 200) -> Document:
    response = http.get(server + path, params={"lang": lang}, headers={"Accept": "text/html"})
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    if status == 200:
        assert response.headers["Content-Type"].startswith("text/html")
        assert response.headers["Content-Language"] == lang
    return Document(response.text)


def text_in(doc: Document, text: str, lang: str | None = None) -> list[Element]:
    """Elements whose own text is ``text`` (in ``lang`` when given)."""
    return [e for e in doc.elements if e.text.strip() == text and (lang is None or e.lang == lang)]


TAKAMATSU = "/page/municipality/372013"
KANONJI = "/page/municipality/372056"
AYAGAWA = "/page/municipality/373877"


def test_takamatsu_page_shows_label_kind_corporate_number_and_city_os(server):
    doc = page(server, TAKAMATSU)
    assert doc.find("html")[0].attrs["lang"] == "ja"
    (h1,) = doc.find("h1")
    assert "高松市" in h1.text
    assert text_in(doc, "高松市", "ja")
    facts = doc.within(doc.find("dl", class_="facts")[0])
    assert any(e.text.strip() == "市" and e.lang == "ja" for e in facts)
    assert doc.find("code", class_="corporate-number")[0].text == "1000020372013"
    assert "/page/city-os/372013-1" in doc.hrefs()
    assert "/page/class/City" in doc.hrefs()
    assert doc.find("input", id="iri")[0].attrs["value"] == "https://w3id.org/smartcity-kg/id/municipality/372013"
    assert {"/data/municipality/372013.ttl", "/data/municipality/372013.jsonld"} <= doc.hrefs()


def test_a_municipality_page_has_a_locator_map_with_a_text_alternative(server):
    doc = page(server, TAKAMATSU)
    (svg,) = doc.find("svg", id="kg-locator-372013")
    assert svg.attrs["role"] == "img" and svg.attrs.get("aria-labelledby")
    assert doc.find("title") and any("高松市" in e.text for e in doc.find("title"))
    assert len(doc.within(svg)) > 1000, "the dots of every municipality are drawn around it"


def test_a_body_without_coordinates_has_a_page_without_a_map(server):
    """浜松市中央区 (221384, established 2024-01-01): the list gives it no coordinates."""
    doc = page(server, "/page/municipality/221384")
    assert not doc.find("svg", id="kg-locator-221384")
    assert any("中央区" in h.text for h in doc.find("h1"))


def test_takamatsu_links_to_its_sharing_partners_and_they_link_back(server):
    doc = page(server, TAKAMATSU)
    partners = doc.within(doc.find("table", class_="partners")[0])
    hrefs = {e.attrs.get("href") for e in partners if e.tag == "a"}
    assert {KANONJI, AYAGAWA} <= hrefs
    for user in (KANONJI, AYAGAWA):
        back = page(server, user)
        table = back.find("table", class_="partners")[0]
        assert TAKAMATSU in {e.attrs.get("href") for e in back.within(table) if e.tag == "a"}
        assert "/page/city-os/372013-1" in back.hrefs()


def test_links_out(server):
    hrefs = page(server, TAKAMATSU).hrefs()
    assert "http://data.e-stat.go.jp/lod/sac/C37201" in hrefs
    assert "https://www.city.takamatsu.kagawa.jp/" in hrefs
    assert "https://www.houjin-bangou.nta.go.jp/henkorireki-johoto.html?selHouzinNo=1000020372013" in hrefs


def test_project_page_shows_fields_and_region(server, kg):
    doc = page(server, "/page/project/H29a")
    rows = select(kg, """SELECT ?f ?r { <https://w3id.org/smartcity-kg/id/project/H29a> sckg:field ?f ;
                                         sckg:region ?r }""")
    base = "https://w3id.org/smartcity-kg/id/"
    expected = {"/page/" + row[k][len(base):] for row in rows for k in ("f", "r")}
    assert expected and expected <= doc.hrefs()
    query = f"SELECT ?l {{ <{rows[0]['r']}> rdfs:label ?l FILTER(LANG(?l) = 'ja') }}"
    region_label = select(kg, query)[0]["l"]
    assert text_in(doc, region_label, "ja")
    assert doc.find("table", id="group-relations")


def test_nagasaki_introduction_marks_the_projects_reading(server):
    doc = page(server, "/page/city-os-introduction/422011/420000-1", lang="en")
    statements = doc.find("table", id="group-relations")[0]
    rows = [e for e in doc.within(statements) if e.tag == "tr"]
    by_property = {next(c for c in doc.within(r) if c.tag == "small").text: r for r in rows
                   if any(c.tag == "small" for c in doc.within(r))}
    for curated in ("sckg:cityOS", "sckg:sharedUse"):
        marks = [e.text for e in doc.within(by_property[curated]) if "graph" in e.attrs.get("class", "")]
        assert marks == ["the project's reading"], (curated, marks)
    marked = [e.text for e in doc.within(by_property["sckg:sharedUseMarked"])
              if "graph" in e.attrs.get("class", "")]
    assert marked == ["the briefing says"]
    assert "/page/city-os/420000-1" in doc.hrefs()


@pytest.mark.parametrize(("lang", "label", "other", "other_label"),
                         [("ja", "高松市", "en", "Takamatsu-shi"), ("en", "Takamatsu-shi", "ja", "高松市")])
def test_languages(server, lang, label, other, other_label):
    doc = page(server, TAKAMATSU, lang=lang)
    assert doc.find("html")[0].attrs["lang"] == lang
    (h1,) = doc.find("h1")
    assert [e.attrs["lang"] for e in doc.within(h1) if e.text.strip() == label] == [lang]
    assert [e.attrs["lang"] for e in doc.within(h1) if e.text.strip() == other_label] == [other]
    # every label of a linked body carries its language
    for a in doc.links():
        if re.fullmatch(r"/page/(municipality|prefecture)/\d{6}", a.attrs.get("href", "")):
            assert a.attrs.get("lang") in ("ja", "en"), a.attrs
    switch = doc.find("a", class_="lang-switch")[0]
    assert switch.attrs["hreflang"] == other and switch.attrs["lang"] == other
    assert doc.find("a", class_="skip")[0].attrs["href"] == "#main"


def test_etag_and_304(server):
    first = http.get(server + TAKAMATSU, params={"lang": "ja"})
    etag = first.headers["ETag"]
    again = http.get(server + TAKAMATSU, params={"lang": "ja"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    english = http.get(server + TAKAMATSU, params={"lang": "en"})
    assert english.headers["ETag"] != etag


def test_class_page_counts_and_pages(server, kg):
    (row,) = select(kg, "SELECT (COUNT(DISTINCT ?m) AS ?n) { ?m a sckg:Municipality }")
    total = int(row["n"])
    assert total == 1919
    doc = page(server, "/page/class/Municipality")
    assert doc.by_id("member-count").text.replace(",", "") == str(total)
    members = doc.within(doc.find("ol", class_="members")[0])
    assert len([e for e in members if e.tag == "li"]) == 100
    assert "?page=2" in doc.hrefs()
    last = page(server, f"/page/class/Municipality?page={-(-total // 100)}")
    items = [e for e in last.within(last.find("ol", class_="members")[0]) if e.tag == "li"]
    assert len(items) == (total % 100 or 100)
    page(server, f"/page/class/Municipality?page={-(-total // 100) + 1}", status=404)
    page(server, "/page/class/Municipality?page=x", status=404)
    # a superclass counts its subclasses' members
    doc = page(server, "/page/class/LocalGovernment", lang="en")
    assert doc.by_id("member-count").text == "1,966"


def test_scheme_page_lists_concepts_with_hierarchy_and_uses(server):
    doc = page(server, "/page/scheme/regional-issue")
    tree = doc.find("ul", class_="concepts")[0]
    nested = [e for e in doc.within(tree) if e.tag == "ul"]
    assert nested, "skos:broader gives a nested list"
    counts = [e for e in doc.within(tree) if e.tag == "span" and e.attrs.get("class") == "count"]
    assert counts and all(c.text.isdigit() for c in counts)
    fields = page(server, "/page/scheme/field")
    assert len([e for e in fields.within(fields.find("ul", class_="concepts")[0]) if e.tag == "li"]) == 19


@pytest.mark.parametrize("path", ["/page/municipality/999999", "/page/nothing", "/page/class/Nothing",
                                  "/page/class/lowercase", "/page/municipality/%3Cscript%3E"])
def test_unknown_keys_are_404(server, path):
    response = http.get(server + path)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


def test_abolished_ward_shows_dissolution_and_successors(server):
    doc = page(server, "/page/municipality/221317", lang="en")
    abolished = doc.find("dd", class_="abolished")[0]
    assert "2024-01-01" in abolished.text
    successors = [e.attrs["href"] for e in doc.within(abolished) if e.tag == "a"]
    assert successors and all(h.startswith("/page/municipality/2213") for h in successors)


def test_every_page_link_on_a_municipality_page_resolves(server):
    for path in (TAKAMATSU, KANONJI):
        doc = page(server, path)
        targets = {h.split("?")[0] for h in doc.hrefs() if h.startswith("/page/")}
        assert len(targets) > 10
        for target in sorted(targets):
            assert http.get(server + target).status_code == 200, target


def test_class_page_names_its_super_and_subclasses_once(server):
    doc = page(server, "/page/class/Municipality", lang="en")
    hrefs = [a.attrs["href"] for a in doc.links() if a.attrs.get("href", "").startswith("/page/class/")]
    assert hrefs.count("/page/class/LocalGovernment") == 1
    assert hrefs.count("/page/class/City") == 1


def test_the_site_stylesheet_has_balanced_braces():
    """One unclosed block hides every later rule (a merge once dropped a closing brace)."""
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "server" / "static" / "site.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    depth = 0
    for line_no, line in enumerate(css.split("\n"), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"site.css:{line_no}: a closing brace too many"
    assert depth == 0, "site.css: a block is not closed"


def test_a_page_for_an_instance_of_every_class_and_every_body_without_coordinates(server, kg):
    """No kind of resource breaks its page: one instance of every class, and every local
    government the list gives no coordinates (whose page has no map)."""
    base = "https://w3id.org/smartcity-kg/id/"
    rows = select(kg, f"""
        SELECT (SAMPLE(?s) AS ?s) {{ ?s a ?type FILTER(STRSTARTS(STR(?s), "{base}")) }} GROUP BY ?type""")
    rows += select(kg, """
        PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>
        PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
        SELECT ?s { ?s sckg:localGovernmentCode ?c FILTER NOT EXISTS { ?s geo:lat ?lat } }""")
    assert len(rows) > 30
    for row in rows:
        path = "/page/" + row["s"].removeprefix(base)
        response = http.get(server + path)
        assert response.status_code == 200, (path, response.status_code)
