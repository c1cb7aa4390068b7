"""The SPARQL extension functions (``sckgfn:``, kg/sparql_functions.py) through real ``/sparql``
requests: round trips of fiscal years and era labels, the change of era in May 2019, the check
digits of every code of the reference data, wrong arguments, and how they are documented (the
Service Description, ``/function``, the README).

The expected values come from rules written out here (an era counts from its first day or year),
from the published reference data (its codes are official), and from published corporate numbers;
never from the functions themselves.
"""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta

import pyoxigraph as ox
import pytest
import rdflib
from conftest import PROJECT_DIR, http, select
from hypothesis import given, settings
from hypothesis import strategies as st
from SPARQLWrapper import JSON, SPARQLWrapper
from test_linked_data import PLACEHOLDER, W3ID, redirect

from kg import fiscal
from kg.normalize import normalize
from kg.sparql_functions import CATALOGUE, FUNCTIONS, NAMESPACE

#: Extension functions are the embedded engine's: a remote engine does not have them.
pytestmark = pytest.mark.embedded_only

PREFIXES = (f"PREFIX sckgfn: <{NAMESPACE}>\n"
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>\n")
XSD = "http://www.w3.org/2001/XMLSchema#"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
REIWA_FIRST_DAY = date(2019, 5, 1)

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


# --- how the tests ask ---------------------------------------------------------------------------

def bindings(server: str, query: str) -> list[dict]:
    """The SPARQL JSON bindings of a SELECT sent to ``server``'s /sparql (in-process app, real engine)."""
    response = http.post(server + "/sparql", data={"query": PREFIXES + query},
                         headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def live(endpoint: str, query: str) -> list[dict]:
    """The same through SPARQLWrapper against the real server."""
    client = SPARQLWrapper(endpoint, returnFormat=JSON)
    client.setQuery(PREFIXES + query)
    client.setMethod("POST")
    client.setTimeout(60)
    return client.query().convert()["results"]["bindings"]


def values(name: str, items, literal=lambda v: f'"{v}"') -> str:
    return f"VALUES ?{name} {{ {' '.join(literal(v) for v in items)} }}"


@pytest.fixture(scope="module")
def endpoint(live_server) -> str:
    return live_server + "/sparql"


# --- oracles: the rules, written out independently ---------------------------------------------------

def era_label(year: int) -> str:
    return f"R{year - 2018}" if year >= 2019 else f"H{year - 1988}"


def era_label_ja(year: int) -> str:
    name, number = ("令和", year - 2018) if year >= 2019 else ("平成", year - 1988)
    return f"{name}{'元' if number == 1 else number}年度"


def fiscal_year(day: date) -> int:
    return day.year - (day.month < 4)


def era_year_ja(day: date) -> str:
    name, number = ("令和", day.year - 2018) if day >= REIWA_FIRST_DAY else ("平成", day.year - 1988)
    return f"{name}{'元' if number == 1 else number}年"


# --- fiscal years and eras ---------------------------------------------------------------------------

@pytest.mark.slow
def test_every_fiscal_year_2000_to_2100_to_its_labels_and_back(endpoint):
    years = range(2000, 2101)
    rows = live(endpoint, "SELECT * WHERE { " + values("y", years, str) + """
        BIND(sckgfn:eraLabel(?y) AS ?short) BIND(sckgfn:eraLabelJa(?y) AS ?ja)
        BIND(sckgfn:parseFiscalYear(?short) AS ?fromShort) BIND(sckgfn:parseFiscalYear(?ja) AS ?fromJa)
        BIND(sckgfn:parseFiscalYear(STR(?y)) AS ?fromWestern)
    } ORDER BY ?y""")
    assert [int(r["y"]["value"]) for r in rows] == list(years)
    for row in rows:
        year = int(row["y"]["value"])
        assert row["short"] == {"type": "literal", "value": era_label(year)}
        assert row["ja"] == {"type": "literal", "value": era_label_ja(year), "xml:lang": "ja"}
        for back in ("fromShort", "fromJa", "fromWestern"):
            assert row[back] == {"type": "literal", "value": str(year), "datatype": XSD + "integer"}


def test_every_labelled_year_round_trips_in_kg_fiscal():
    assert fiscal.LABELLED == range(1989, 2118)  # 平成元年度 to 令和99年度
    for year in fiscal.LABELLED:
        assert (fiscal.era_label(year), fiscal.era_label_ja(year)) == (era_label(year), era_label_ja(year))
        assert fiscal.parse(era_label(year)) == fiscal.parse(era_label_ja(year)) == year
    for year in (1988, 2118):
        with pytest.raises(ValueError):
            fiscal.era_label(year)


def test_the_first_and_last_years_of_the_eras(server):
    row, = bindings(server, """SELECT * WHERE {
        BIND(sckgfn:eraLabelJa(1989) AS ?h1) BIND(sckgfn:eraLabelJa(2018) AS ?h30)
        BIND(sckgfn:eraLabelJa(2019) AS ?r1) BIND(sckgfn:eraLabel(2019) AS ?r1short)
        BIND(sckgfn:eraLabel(1988) AS ?showa) BIND(sckgfn:eraLabel(2118) AS ?r100)
        BIND(sckgfn:parseFiscalYear("H31") AS ?h31) BIND(sckgfn:parseFiscalYear("平成31年度") AS ?h31ja)
        BIND(sckgfn:parseFiscalYear("R1") AS ?r1back) BIND(sckgfn:parseFiscalYear("令和元年度") AS ?gannen)
        BIND(sckgfn:parseFiscalYear("ｒ３") AS ?fullWidth) BIND(sckgfn:parseFiscalYear("FY2021") AS ?fy)
        BIND(sckgfn:parseFiscalYear("H32") AS ?h32) BIND(sckgfn:parseFiscalYear("R0") AS ?r0)
        BIND(sckgfn:parseFiscalYear(2021) AS ?integer)
    }""")
    value = {k: v["value"] for k, v in row.items()}
    assert value == {"h1": "平成元年度", "h30": "平成30年度", "r1": "令和元年度", "r1short": "R1",
                     "h31": "2019", "h31ja": "2019", "r1back": "2019", "gannen": "2019",
                     "fullWidth": "2021", "fy": "2021", "integer": "2021"}  # 1988, 2118, H32, R0: unbound


@pytest.mark.slow
def test_the_change_of_era_on_2019_05_01(endpoint):
    rows = live(endpoint, """SELECT ?d (sckgfn:fiscalYear(?d) AS ?fy) (sckgfn:eraYearJa(?d) AS ?era) WHERE {
        VALUES ?d { "2019-03-31"^^xsd:date "2019-04-01"^^xsd:date "2019-04-30"^^xsd:date
                    "2019-05-01"^^xsd:date "2020-03-31"^^xsd:date "1989-01-07"^^xsd:date
                    "1989-01-08"^^xsd:date "平成31年4月30日" "令和元年5月1日" "H31.4.30" "R1.5.1"
                    "平成31年5月1日" "令和元年4月30日"
                    "2019-04-30T14:59:59Z"^^xsd:dateTime "2019-04-30T15:00:00Z"^^xsd:dateTime
                    "2019-04-30T23:00:00+09:00"^^xsd:dateTime "2019-04-30T23:00:00"^^xsd:dateTime }
    }""")
    got = {r["d"]["value"]: (r.get("fy", {}).get("value"), r.get("era", {}).get("value")) for r in rows}
    assert got == {
        "2019-03-31": ("2018", "平成31年"), "2019-04-01": ("2019", "平成31年"),
        "2019-04-30": ("2019", "平成31年"), "2019-05-01": ("2019", "令和元年"),
        "2020-03-31": ("2019", "令和2年"), "1989-01-07": ("1988", None), "1989-01-08": ("1988", "平成元年"),
        "平成31年4月30日": ("2019", "平成31年"), "令和元年5月1日": ("2019", "令和元年"),
        "H31.4.30": ("2019", "平成31年"), "R1.5.1": ("2019", "令和元年"),
        "平成31年5月1日": (None, None), "令和元年4月30日": (None, None),  # no such days
        "2019-04-30T14:59:59Z": ("2019", "平成31年"), "2019-04-30T15:00:00Z": ("2019", "令和元年"),
        "2019-04-30T23:00:00+09:00": ("2019", "平成31年"), "2019-04-30T23:00:00": ("2019", "平成31年"),
    }
    assert all(r["era"]["xml:lang"] == "ja" and r["fy"]["datatype"] == XSD + "integer"
               for r in rows if "era" in r)


def test_the_fiscal_year_and_era_of_every_day_around_the_change(server):
    days = [date(2017, 1, 1) + timedelta(n) for n in range(4 * 366)]
    rows = bindings(server, "SELECT ?d ?fy ?fyText ?era WHERE { "
                    + values("d", days, lambda d: f'"{d}"^^xsd:date')
                    + " BIND(sckgfn:fiscalYear(?d) AS ?fy) BIND(sckgfn:fiscalYear(STR(?d)) AS ?fyText)"
                    " BIND(sckgfn:eraYearJa(?d) AS ?era) }")
    got = {r["d"]["value"]: (int(r["fy"]["value"]), int(r["fyText"]["value"]), r["era"]["value"])
           for r in rows}
    assert got == {str(d): (fiscal_year(d), fiscal_year(d), era_year_ja(d)) for d in days}


# --- codes ---------------------------------------------------------------------------------------

def reference_codes() -> list[str]:
    """Every local-government code of the reference data (prefectures and municipalities)."""
    codes = []
    for name in ("prefectures.csv", "municipalities.csv"):
        with open(PROJECT_DIR / "data" / "source" / name, encoding="utf-8", newline="") as file:
            codes += [row["lgcode"] for row in csv.DictReader(file)]
    return codes


def test_the_check_digit_of_every_code_in_the_reference_data(server):
    codes = reference_codes()
    assert len(codes) > 1900 and all(re.fullmatch(r"[0-9]{6}", c) for c in codes)
    wrong = {c: c[:5] + str((int(c[5]) + 1) % 10) for c in codes}
    rows = bindings(server, "SELECT ?code ?wrong ?digit ?valid ?wrongValid WHERE { "
                    + "VALUES (?code ?wrong) { " + " ".join(f'("{c}" "{w}")' for c, w in wrong.items()) + " }"
                    " BIND(sckgfn:lgCheckDigit(SUBSTR(?code, 1, 5)) AS ?digit)"
                    " BIND(sckgfn:isLgCode(?code) AS ?valid) BIND(sckgfn:isLgCode(?wrong) AS ?wrongValid) }")
    assert len(rows) == len(set(codes))
    for row in rows:
        code = row["code"]["value"]
        got = (row["digit"]["value"], row["valid"]["value"], row["wrongValid"]["value"])
        assert got == (code[5], "true", "false")
        assert row["valid"]["datatype"] == XSD + "boolean"


#: Corporate numbers as the National Tax Agency publishes them (法人番号公表サイト).
PUBLISHED = {"130001": "8000020130001"}  # 東京都


def test_corporate_numbers_of_every_body(server, kg):
    bodies = select(kg, "SELECT ?code ?number "
                        "{ ?b sckg:localGovernmentCode ?code ; sckg:corporateNumber ?number }")
    without = select(kg, "SELECT ?b { ?b sckg:localGovernmentCode ?code "
                     "FILTER NOT EXISTS { ?b sckg:corporateNumber ?n } "
                     "MINUS { ?b a sckg:DesignatedCityWard } }")
    assert len(bodies) > 1700 and not without  # a ward of a designated city is no legal person
    by_code = {row["code"]: row["number"] for row in bodies}
    assert {code: by_code[code] for code in PUBLISHED} == PUBLISHED
    rows = bindings(server, """SELECT ?code ?number ?derived ?digit ?valid ?mutated WHERE {
        ?b sckg:localGovernmentCode ?code ; sckg:corporateNumber ?number .
        BIND(sckgfn:corporateNumber(?code) AS ?derived)
        BIND(sckgfn:corporateCheckDigit(SUBSTR(?number, 2)) AS ?digit)
        BIND(sckgfn:isCorporateNumber(?number) AS ?valid)
        BIND(CONCAT(IF(SUBSTR(?number, 1, 1) = "9", "1", "9"), SUBSTR(?number, 2)) AS ?otherDigit)
        BIND(sckgfn:isCorporateNumber(?otherDigit) AS ?mutated)
    }""")
    assert len(rows) == len(bodies)
    for row in rows:
        number = row["number"]["value"]
        assert number[1:7] == "000020" and number[7:] == row["code"]["value"]
        got = (row["derived"]["value"], row["digit"]["value"], row["valid"]["value"], row["mutated"]["value"])
        assert got == (number, number[0], "true", "false")


# --- wrong arguments ---------------------------------------------------------------------------------

WRONG = [
    "sckgfn:fiscalYear(<https://example.org/x>)", "sckgfn:fiscalYear(BNODE())", "sckgfn:fiscalYear(2021)",
    'sckgfn:fiscalYear("2022-02-30"^^xsd:date)', 'sckgfn:fiscalYear("yesterday")',
    'sckgfn:fiscalYear("2022-03-31", "2022-04-01")', "sckgfn:fiscalYear()",
    'sckgfn:eraYearJa("1989-01-07"^^xsd:date)', 'sckgfn:eraYearJa("令和元年4月30日")',
    'sckgfn:eraLabel("2021")', "sckgfn:eraLabel(2021.0)", "sckgfn:eraLabel(1988)", "sckgfn:eraLabel(2118)",
    'sckgfn:eraLabelJa("R3")', 'sckgfn:eraLabelJa("2021"^^xsd:gYearMonth)', "sckgfn:eraLabelJa(-5)",
    'sckgfn:parseFiscalYear("R")', 'sckgfn:parseFiscalYear("令和")', 'sckgfn:parseFiscalYear("H32")',
    "sckgfn:parseFiscalYear(<https://example.org/2021>)",
    'sckgfn:lgCheckDigit("3720")', 'sckgfn:lgCheckDigit("372013")', 'sckgfn:lgCheckDigit("3720a")',
    'sckgfn:lgCheckDigit("３７２０１")', "sckgfn:lgCheckDigit(<https://example.org/37201>)",
    'sckgfn:corporateCheckDigit("00002013000")', 'sckgfn:corporateNumber("372014")',
    'sckgfn:corporateNumber("37201")', "sckgfn:isLgCode(<https://example.org/372013>)",
    "sckgfn:isCorporateNumber(BNODE())", "sckgfn:normalize(<https://example.org/x>)", "sckgfn:normalize()",
]


def test_a_wrong_argument_is_an_unbound_result_not_a_failed_request(server):
    query = "SELECT * WHERE { " + " ".join(f"BIND({e} AS ?v{i})" for i, e in enumerate(WRONG)) + " }"
    assert bindings(server, query) == [{}]


DATATYPES = [None, *(XSD + t for t in
                      ("string", "date", "dateTime", "integer", "gYear", "decimal", "boolean"))]
DATE_LIKE = r"-?[0-9]{4,5}-[0-9]{2}-[0-9]{2}(T[0-9:.]{8,12}([+-][0-9]{2}:[0-9]{2}|Z)?)?"


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40) | st.from_regex(DATE_LIKE, fullmatch=True),
       datatype=st.sampled_from(DATATYPES), language=st.sampled_from([None, "ja"]))
def test_no_argument_makes_a_function_raise(text, datatype, language):
    """pyoxigraph would make an exception unbound too, but silently: each function decides instead."""
    term = (ox.Literal(text, language=language) if language else
            ox.Literal(text, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(text))
    for function in FUNCTIONS.values():
        for arguments in ((term,), (), (term, term), (ox.NamedNode("https://ex.org/x"),), (ox.BlankNode(),)):
            result = function(*arguments)
            assert result is None or isinstance(result, ox.Literal)


def test_a_wrong_argument_drops_the_row_in_a_filter(server):
    rows = bindings(server, """SELECT ?x WHERE {
        VALUES ?x { "2021-04-01" "not a date" <https://example.org/x> 2021 "2022-03-31"^^xsd:date }
        FILTER(sckgfn:fiscalYear(?x) = 2021)
    }""")
    assert sorted(r["x"]["value"] for r in rows) == ["2021-04-01", "2022-03-31"]


def test_false_for_a_wrong_code_is_not_an_error(server):
    row, = bindings(server, 'SELECT * WHERE { BIND(sckgfn:isLgCode("10006") AS ?short) '
                    'BIND(sckgfn:isLgCode(10006) AS ?integer) BIND(sckgfn:isLgCode("０１０００６") AS ?wide) '
                    'BIND(sckgfn:isCorporateNumber("0000020130001") AS ?zero) '
                    'BIND(sckgfn:isLgCode(10) AS ?ten) }')
    assert {k: v["value"] for k, v in row.items()} == dict.fromkeys(
        ["short", "integer", "wide", "zero", "ten"], "false")


# --- normalize --------------------------------------------------------------------------------------

def test_normalize_in_sparql_is_kg_normalize(server):
    texts = ["ｶﾝｵﾝｼﾞ", "カンオンジ", "Kan'onji", "香川県観音寺市", "札幌市　北区", "ＡＢＣ", "檜原村", ""]
    rows = bindings(server, "SELECT ?t (sckgfn:normalize(?t) AS ?n) WHERE { "
                    + values("t", texts) + " }")
    assert {r["t"]["value"]: r["n"]["value"] for r in rows} == {t: normalize(t) for t in texts}


def readme_section() -> str:
    text = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    return text.split("### SPARQL extension functions", 1)[1].split("\n### ", 1)[0]


def test_the_readme_example_finds_kanonji(server):
    query = re.search(r"```sparql\n(.*?)```", readme_section(), re.S)[1]
    response = http.post(server + "/sparql", data={"query": query},
                         headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert {(r["body"]["value"], r["name"]["value"]) for r in rows} == {
        ("https://w3id.org/smartcity-kg/id/municipality/372056", "観音寺市")}


# --- documentation ----------------------------------------------------------------------------------

def test_every_example_of_the_catalogue_gives_its_documented_value(server):
    query = "SELECT * WHERE { " + " ".join(f"BIND({f.example} AS ?{f.name})" for f in CATALOGUE) + " }"
    row, = bindings(server, query)
    assert {name: term["value"] for name, term in row.items()} == {f.name: f.expected for f in CATALOGUE}
    for f in CATALOGUE:  # the declared result type is the one returned
        term = row[f.name]
        kind = ("rdf:langString" if "xml:lang" in term else
                "xsd:" + term.get("datatype", XSD + "string").removeprefix(XSD))
        assert f.result.startswith(kind), (f.name, term)


@pytest.mark.slow
def test_the_service_description_lists_every_function(live_server):
    response = http.get(live_server + "/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    listed = set(graph.objects(service, SD.extensionFunction))
    assert listed == {rdflib.URIRef(iri.value) for iri in FUNCTIONS}
    for function in listed:
        assert (function, rdflib.RDF.type, SD.Function) in graph
        labels = {label.language for label in graph.objects(function, rdflib.RDFS.label)}
        comments = {c.language for c in graph.objects(function, rdflib.RDFS.comment)}
        assert labels == comments == {"en", "ja"}, function


def test_every_function_iri_dereferences_to_its_description(server):
    page = http.get(server + "/function", headers={"Accept": "text/html"})
    turtle = http.get(server + "/function", headers={"Accept": "text/turtle"})
    assert page.status_code == turtle.status_code == 200
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    for f in CATALOGUE:
        target, status = redirect(W3ID + "/function#" + f.name)  # a fragment stays in the browser
        assert (target, status) == (PLACEHOLDER + "/function", 303)
        assert f'id="{f.name}"' in page.text
        assert (rdflib.URIRef(f.iri), rdflib.RDF.type, SD.Function) in graph
    assert http.get(server + "/function.jsonld").headers["Content-Type"].startswith("application/ld+json")
    assert http.get(server + "/function.xyz").status_code == 404


def test_the_readme_documents_every_function():
    section = readme_section()
    table = {m[1] for m in re.finditer(r"^\| `(\w+)` \|", section, re.M)}
    assert table == {f.name for f in CATALOGUE}
    assert "issue 12" in section  # remote engines do not have them
