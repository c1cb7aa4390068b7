"""Issue 12: the canned queries are standard SPARQL 1.1, so that a remote engine (oxigraph serve,
Virtuoso, Fuseki) answers them as the embedded one does.

They used to call the project's extension functions (``sckgfn:normalize``, ``sckgfn:eraLabel``,
``sckgfn:eraLabelJa``), which only the embedded engine has. Now the loader stores every label's
comparison form (graph ``search-keys``: ``skosxl:literalForm``, ``sckg:nameKey``), the server binds
the request value's form (a parameter's ``key:``), and era labels are plain SPARQL expressions.

* the answers are those recorded with the extension functions before the change
  (``tests/data/canned-answers.json``, by ``tests/canned_answers.py``), term for term;
* no query file calls a function outside SPARQL 1.1, and each parses with rdflib's grammar too;
* every label has its key, computed as ``kg.normalize.normalize`` computes it;
* the era expressions agree with ``kg.fiscal`` for every year.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from canned_answers import table
from conftest import http, select
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from kg import fiscal
from kg.normalize import normalize
from kg.sparql_functions import NAMESPACE
from server import queries
from server.params import bind_arguments

PROJECT_DIR = Path(__file__).resolve().parent.parent
QUERY_FILES = sorted((PROJECT_DIR / "queries").glob("*.rq"))
RECORDED = json.loads((PROJECT_DIR / "tests" / "data" / "canned-answers.json").read_text(encoding="utf-8"))
BASE = "https://w3id.org/smartcity-kg"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: The only function IRIs a canned query may call: the XSD casts of SPARQL 1.1 (17.5).
XSD_CASTS = {XSD + t for t in ("boolean", "double", "float", "decimal", "integer", "dateTime", "string")}


def key_columns(name: str) -> set[str]:
    """The columns a query gained for its parameters' keys (``key:`` in its header)."""
    query = queries.parse((PROJECT_DIR / "queries" / f"{name}.rq").read_text(encoding="utf-8"), name)
    return {p.key for p in query.params if p.key}


# -- the same answers as with the extension functions ----------------------------------------------


@pytest.mark.parametrize("url", sorted(RECORDED))
def test_answers_are_those_recorded_with_the_extension_functions(server, url):
    recorded = RECORDED[url]
    response = http.get(server + url, params={"format": "srj"}, timeout=30)
    assert response.status_code == 200, response.text
    now = table(response.json())
    columns = recorded["columns"]
    name = url.split("?")[0].rsplit("/", 1)[1]
    assert now["columns"][:len(columns)] == columns
    assert set(now["columns"][len(columns):]) == key_columns(name), "only the key echo columns are new"
    assert [row[:len(columns)] for row in now["rows"]] == recorded["rows"]


def test_the_recording_covers_every_example_and_the_search_terms_of_the_api_tests():
    from urllib.parse import unquote

    from canned_answers import SEARCH_TERMS, example_urls

    assert set(example_urls()) <= set(RECORDED)
    searched = {unquote(u.split("?q=", 1)[1]) for u in RECORDED if u.startswith("/api/search?q=")}
    assert set(SEARCH_TERMS) <= searched
    # the terms of tests/test_api.py and tests/test_queries.py
    assert {"カンオンジ", "ｶﾝｵﾝｼﾞ", "kanonji", "Kan'onji", "香川県観音寺市", "高松", "たかまつ", "takamatsu",
            "H29f", "ＴＡＫＡＭＡＴＳＵ", "札幌市　北区", "KAN'ONJI"} <= searched
    for url in ("/api/projects?field=Tourism", "/api/services-for-issue?issue=・",
                "/api/issues-solved-by-service?service=no such service"):
        assert url in RECORDED


def test_key_echo_columns_hold_the_comparison_form_of_the_value(server):
    top = http.get(server + "/api/search", params={"q": "ｶﾝｵﾝｼﾞ"}, timeout=30).json()[0]
    assert (top["q"], top["qKey"], top["label"]) == ("カンオンジ", "kanonzi", "観音寺市")
    rows = http.get(server + "/api/projects", params={"field": "ＴＯＵＲＩＳＭ"}, timeout=30).json()
    assert rows and {(r["field"], r["fieldKey"]) for r in rows} == {("ＴＯＵＲＩＳＭ", normalize("tourism"))}
    by_iri = http.get(server + "/api/services-for-issue",
                      params={"issue": f"{BASE}/id/regional-issue/shopping-support"}, timeout=30).json()
    assert by_iri and all(r["issueKeyIn"] is None and r["issueLabelIn"] is None for r in by_iri)


# -- standard SPARQL 1.1 only ---------------------------------------------------------------------


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_no_canned_query_mentions_the_extension_functions(path):
    text = path.read_text(encoding="utf-8")
    assert "sckgfn:" not in text and NAMESPACE not in text and NAMESPACE.rstrip("#") not in text


def _function_calls(node) -> set[str]:
    """The IRIs of the function calls in rdflib's algebra of a query (``iri(args)`` is a
    ``Function``; the SPARQL 1.1 built-ins are ``Builtin_…``)."""
    found = set()
    if isinstance(node, CompValue):
        if node.name == "Function":
            found.add(str(node["iri"]))
        children = node.values()
    elif isinstance(node, (list, tuple, set)):
        children = node
    else:
        return found
    for child in children:
        found |= _function_calls(child)
    return found


def calls_of(text: str) -> set[str]:
    """The function IRIs a query calls, by rdflib's parser and algebra (prefixes resolved)."""
    return _function_calls(translateQuery(parseQuery(text)).algebra)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_canned_query_parses_with_rdflibs_sparql_grammar(path):
    """A second, independent SPARQL 1.1 grammar (the server checks each with pyoxigraph's)."""
    text = path.read_text(encoding="utf-8")
    assert parseQuery(text)[1].name == "SelectQuery"
    calls = calls_of(text)
    assert calls <= XSD_CASTS, f"{path.name} calls functions outside SPARQL 1.1: {calls - XSD_CASTS}"


def test_the_function_check_sees_an_extension_function():
    query = f"PREFIX f: <{NAMESPACE}> SELECT ?x WHERE {{ BIND(f:normalize(\"a\") AS ?x) }}"
    assert calls_of(query) == {NAMESPACE + "normalize"}
    assert calls_of("SELECT ?x WHERE { BIND(STRLANG(CONCAT(\"a\", STR(1)), \"ja\") AS ?x) }") == set()


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_canned_query_runs_without_the_extension_functions(path):
    """pyoxigraph refuses an unknown function at parse time, as a remote engine would."""
    result = ox.Store().query(path.read_text(encoding="utf-8"))  # no custom_functions
    assert isinstance(result, ox.QuerySolutions)


def test_the_servers_own_queries_call_no_extension_function():
    calls = [(p.name, m[0]) for p in sorted((PROJECT_DIR / "server").glob("*.py"))
             for m in re.finditer(r"sckgfn:\w+\(|<" + re.escape(NAMESPACE) + r"\w+>\s*\(",
                                  p.read_text(encoding="utf-8"))]
    assert calls == []


# -- the keys -------------------------------------------------------------------------------------


def test_every_label_has_its_key(kg):
    rows = select(kg, f"""
        PREFIX skosxl: <http://www.w3.org/2008/05/skos-xl#>
        SELECT DISTINCT ?label ?key WHERE {{
          GRAPH ?g {{ ?s rdfs:label|skos:prefLabel|skos:altLabel ?label }}
          FILTER(?g != <{BASE}/graph/ontology>)
          OPTIONAL {{ GRAPH <{BASE}/graph/search-keys> {{
            ?name skosxl:literalForm ?label ; sckg:nameKey ?key }} }}
        }}""")
    assert len(rows) > 6000
    wrong = [(r["label"], r["key"]) for r in rows if r["key"] != normalize(r["label"])]
    assert wrong == []


def test_the_keys_graph_holds_only_keys_and_is_described_as_the_projects(kg):
    predicates = select(kg, f"SELECT DISTINCT ?p {{ GRAPH <{BASE}/graph/search-keys> {{ ?s ?p ?o }} }}")
    assert {r["p"] for r in predicates} == {"http://www.w3.org/2008/05/skos-xl#literalForm",
                                            "https://w3id.org/smartcity-kg/ontology#nameKey"}
    described = select(kg, f"""PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?curated ?source ?description {{ GRAPH <{BASE}/graph/void> {{
          ?subset sckg:namedGraph <{BASE}/graph/search-keys> ; sckg:curatedByProject ?curated ;
                  dcterms:source ?source ; dcterms:description ?description }} }}""")
    assert len(described) == 1 and described[0]["curated"] == "true"
    assert described[0]["source"] == f"{BASE}/id/source/project-curation"
    assert "no source" in described[0]["description"]


def test_a_value_binds_its_key_and_an_iri_none():
    search = queries.parse((PROJECT_DIR / "queries" / "search.rq").read_text(encoding="utf-8"), "search")
    bound = dict(bind_arguments(search, {"q": ["Ｋａｎ’ｏｎｊｉ"]}))
    assert (bound["q"].value, bound["qKey"].value) == ("Kan’onji", "kanonzi")
    issue = queries.parse((PROJECT_DIR / "queries" / "services-for-issue.rq").read_text(encoding="utf-8"),
                          "services-for-issue")
    assert set(dict(bind_arguments(issue, {"issue": [f"{BASE}/id/regional-issue/x"]}))) == {"issueIn"}
    assert set(dict(bind_arguments(issue, {"issue": ["見守り"]}))) == {"issueLabelIn", "issueKeyIn"}


@pytest.mark.parametrize(("param", "message"), [
    ('{name: n, type: integer, required: false, example: 1, key: nKey, '
     'description: {ja: "数", en: "n"}}', "'key' is only for the types"),
    ('{name: n, type: text, required: false, example: "a", key: "not a variable", '
     'description: {ja: "数", en: "n"}}', "must be a SPARQL variable name"),
])
def test_a_bad_key_declaration_stops_the_file(param, message):
    text = (f"#+ name: bad\n#+ title: {{ja: \"悪\", en: \"Bad\"}}\n"
            f"#+ description: {{ja: \"悪\", en: \"Bad\"}}\n#+ params:\n#+   - {param}\n"
            "#+ columns: [n, nKey]\n#+ examples: [\"/api/bad\"]\n"
            "SELECT ?n ?nKey WHERE {}\n")
    with pytest.raises(queries.QueryFileError, match=message):
        queries.parse(text, "bad.rq")


# -- era labels -----------------------------------------------------------------------------------


def test_era_expressions_agree_with_kg_fiscal_for_every_year():
    text = (PROJECT_DIR / "queries" / "programs-by-year.rq").read_text(encoding="utf-8")
    end = "AS ?fiscalYearJa)"
    binds = text[text.index("  BIND(?fiscalYear >= 1989"):text.index(end) + len(end)]
    years = range(1980, 2131)
    query = ("SELECT ?fiscalYear ?fiscalYearEra ?fiscalYearJa WHERE { VALUES ?fiscalYear { "
             + " ".join(map(str, years)) + " }\n" + binds + "\n}")
    got = {int(r["fiscalYear"].value): (r["fiscalYearEra"], r["fiscalYearJa"])
           for r in ox.Store().query(query)}

    def expected(year):
        try:
            return ox.Literal(fiscal.era_label(year)), ox.Literal(fiscal.era_label_ja(year), language="ja")
        except ValueError:
            return None, None

    assert got == {year: expected(year) for year in years}


def test_keys_of_a_streamed_file_are_those_the_loader_wrote(tmp_path):
    """``derive_streamed`` (for extra files too large for rdflib) gives data/ttl/search-keys.ttl's
    triples for the bundled data written as N-Triples: the same nodes, the same keys."""
    from loader.search_keys import derive_streamed
    from loader.vocab import Iris

    def triples(file: Path) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(path=file, format=ox.RdfFormat.TURTLE)]

    ttl = PROJECT_DIR / "data" / "ttl"
    data = [t for p in sorted(ttl.glob("*.ttl")) if p.stem != "search-keys" for t in triples(p)]
    path = tmp_path / "bundled.nt"
    path.write_bytes(ox.serialize(data, format=ox.RdfFormat.N_TRIPLES))
    written = set(triples(ttl / "search-keys.ttl"))
    assert len(written) > 12000
    assert set(derive_streamed(path, Iris())) == written
