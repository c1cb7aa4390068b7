"""The SPARQL 1.1 Protocol, over HTTP requests made with ``requests``.

The requests go to the session's app in-process (``server``: ``requests`` prepares them, the app
answers them without a socket); what only a real server shows, how request bodies and URLs near the
size limit travel over a connection, goes to the real server (granian, ``live_server``).

The W3C protocol test cases (https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/) that
apply to a read-only query endpoint are written here as our own tests; each names its W3C case.
Where a W3C case needs its own data (``http://kasei.us/.../data1.rdf`` …), the named graphs of this
store take its place, chosen so that the answer tells whether the dataset was really used.
The update cases of that suite become "refused, and nothing changed".
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
import rdflib
import requests
from conftest import http, select
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

TIMEOUT = 30  # seconds, on every request
BASE = "https://w3id.org/smartcity-kg/"
SCKG = BASE + "ontology#"
GRAPH = {name: f"{BASE}graph/{name}" for name in
         ("briefing", "localgovjp", "localgov-changes", "service-implementations", "curated", "translations",
          "iri-history", "search-keys", "ontology", "void")}
TAKAMATSU = BASE + "id/municipality/372013"
PREFIXES = (f"PREFIX sckg: <{SCKG}>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
W3C_DATA0 = "http://kasei.us/2009/09/sparql/data/data0.rdf"

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
BOOLEAN_TYPES = {SRJ, SRX}
TABULAR_TYPES = {SRJ, SRX, CSV, TSV}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld"}
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX_NS = "{http://www.w3.org/2005/sparql-results#}"

# rdflib's JSON-LD parser builds a ConjunctiveGraph internally, which rdflib itself deprecates
pytestmark = [pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")]

#: Both kinds of entity live in one graph each: the ASK is true only when both graphs are used.
BOTH_KINDS = "ASK { ?p a sckg:AdoptedProject . ?i a sckg:RegionalIssue }"
BOTH_NAMED = ("ASK { GRAPH ?g1 { ?p a sckg:AdoptedProject } "
              "GRAPH ?g2 { ?i a sckg:RegionalIssue } }")


# --- helpers -------------------------------------------------------------------------------------

def get(server: str, params, headers: dict | None = None, path: str = "/sparql") -> requests.Response:
    return http.get(server + path, params=params, headers=headers, timeout=TIMEOUT)


def post_form(server: str, data, params=None, headers: dict | None = None) -> requests.Response:
    return http.post(server + "/sparql", params=params, data=data,
                     headers={"Content-Type": FORM, **(headers or {})}, timeout=TIMEOUT)


def post_direct(server: str, query: str | bytes, params=None, headers: dict | None = None,
                content_type: str | None = QUERY) -> requests.Response:
    body = query.encode() if isinstance(query, str) else query
    merged = {"Content-Type": content_type, **(headers or {})}
    return http.post(server + "/sparql", params=params, data=body, headers=merged, timeout=TIMEOUT)


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


def boolean(response: requests.Response) -> bool:
    """The answer of an ASK, from either boolean result format."""
    assert response.status_code == 200, (response.status_code, response.text)
    kind = media_type(response)
    assert kind in BOOLEAN_TYPES, kind
    if kind == SRJ:
        return response.json()["boolean"]
    element = ET.fromstring(response.content).find(SRX_NS + "boolean")
    assert element is not None
    return element.text == "true"


def bindings(response: requests.Response) -> list[dict[str, str]]:
    """The rows of a SPARQL JSON result as plain values."""
    assert response.status_code == 200, (response.status_code, response.text)
    assert media_type(response) == SRJ
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def rdf_graph(response: requests.Response) -> rdflib.Graph:
    assert response.status_code == 200, (response.status_code, response.text)
    kind = media_type(response)
    assert kind in RDF_TYPES, kind
    return rdflib.Graph().parse(data=response.content, format=RDF_TYPES[kind])


def ask(server: str, query: str, **params) -> bool:
    return boolean(get(server, {"query": PREFIXES + query, **params}))


# --- W3C: query operation, the three ways to send a query ---------------------------------------

def test_query_get(server):
    """W3C :query_get — ``GET ?query=ASK {}&default-graph-uri=…`` answers true."""
    response = get(server, {"query": "ASK {}", "default-graph-uri": W3C_DATA0})
    assert boolean(response) is True


def test_query_post_form(server):
    """W3C :query_post_form — a URL-encoded POST (the test's own bytes) answers true."""
    response = http.post(server + "/sparql", params={"default-graph-uri": W3C_DATA0},
                         data=b"query=ASK%20%7B%7D", headers={"Content-Type": FORM}, timeout=TIMEOUT)
    assert boolean(response) is True


def test_query_post_direct(server):
    """W3C :query_post_direct — ``application/sparql-query`` body answers true."""
    assert boolean(post_direct(server, "ASK {}")) is True


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_the_three_ways_give_the_same_answer(server, how):
    query = PREFIXES + 'SELECT ?m WHERE { ?m rdfs:label "高松市"@ja }'
    response = {"get": lambda: get(server, {"query": query}),
                "form": lambda: post_form(server, {"query": query}),
                "direct": lambda: post_direct(server, query)}[how]()
    assert bindings(response) == [{"m": TAKAMATSU}]


# --- W3C: datasets -------------------------------------------------------------------------------

def test_default_dataset_is_the_union_of_the_named_graphs(server):
    assert ask(server, BOTH_KINDS) is True
    rows = bindings(get(server, {"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"}))
    assert {row["g"] for row in rows} == set(GRAPH.values())


@pytest.mark.parametrize("how", ["get", "post"])
def test_query_dataset_default_graphs(server, how):
    """W3C :query_dataset_default_graphs_get / _post — two ``default-graph-uri`` are merged."""
    query = PREFIXES + BOTH_KINDS

    def run(graphs):
        params = {"default-graph-uri": graphs}
        if how == "get":
            return boolean(get(server, {"query": query, **params}))
        return boolean(post_direct(server, query, params=params))

    assert run([GRAPH["briefing"], GRAPH["curated"]]) is True
    assert run([GRAPH["briefing"]]) is False  # only one of the two: the protocol dataset is used


@pytest.mark.parametrize("how", ["get", "post"])
def test_query_dataset_named_graphs(server, how):
    """W3C :query_dataset_named_graphs_get / _post — ``named-graph-uri`` makes the named graphs."""
    params = {"named-graph-uri": [GRAPH["briefing"], GRAPH["curated"]]}
    listing = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    if how == "get":
        answer = boolean(get(server, {"query": PREFIXES + BOTH_NAMED, **params}))
        graphs = bindings(get(server, {"query": listing, **params}))
    else:
        answer = boolean(post_direct(server, PREFIXES + BOTH_NAMED, params=params))
        graphs = bindings(post_direct(server, listing, params=params))
    assert answer is True
    assert {row["g"] for row in graphs} == {GRAPH["briefing"], GRAPH["curated"]}


def test_query_dataset_full(server):
    """W3C :query_dataset_full — one default graph and two named graphs, all from the protocol."""
    params = {"default-graph-uri": GRAPH["localgovjp"],
              "named-graph-uri": [GRAPH["briefing"], GRAPH["curated"]]}
    query = PREFIXES + f"""ASK {{
      <{TAKAMATSU}> a ?type
      GRAPH ?g1 {{ ?p a sckg:AdoptedProject }}
      GRAPH ?g2 {{ ?i a sckg:RegionalIssue }}
    }}"""
    assert boolean(post_direct(server, query, params=params)) is True
    # the default graph is localgovjp alone: the projects are only in a named graph
    assert boolean(post_direct(server, PREFIXES + "ASK { ?p a sckg:AdoptedProject }", params=params)) is False


def test_query_multiple_dataset(server):
    """W3C :query_multiple_dataset — FROM in the query and named graphs in the protocol: the protocol wins."""
    query = PREFIXES + f"ASK FROM <{GRAPH['localgovjp']}> {{ " + BOTH_NAMED[len("ASK { "):]
    params = {"named-graph-uri": [GRAPH["briefing"], GRAPH["curated"]]}
    assert boolean(post_direct(server, query, params=params)) is True
    assert boolean(post_direct(server, query)) is False  # FROM alone: no named graphs at all


def test_default_graph_uri_overrides_from(server):
    query = f"ASK FROM <{GRAPH['curated']}> {{ ?p a sckg:AdoptedProject }}"
    assert ask(server, query) is False
    assert ask(server, query, **{"default-graph-uri": GRAPH["briefing"]}) is True


def test_from_and_from_named_in_the_query(server):
    assert ask(server, f"ASK FROM <{GRAPH['briefing']}> {{ ?p a sckg:AdoptedProject }}") is True
    assert ask(server, f"ASK FROM <{GRAPH['curated']}> {{ ?p a sckg:AdoptedProject }}") is False
    assert ask(server, f"ASK FROM <{GRAPH['briefing']}> FROM <{GRAPH['curated']}> {{ "
                       + BOTH_KINDS[len("ASK { "):]) is True
    rows = bindings(get(server, {"query": f"SELECT DISTINCT ?g FROM NAMED <{GRAPH['curated']}> "
                                          "{ GRAPH ?g { ?s ?p ?o } }"}))
    assert rows == [{"g": GRAPH["curated"]}]


def test_dataset_parameters_in_the_url_of_a_form_post_are_not_silently_ignored(server):
    """W3C :query_post_form sends ``default-graph-uri`` in the URL and the query in the form body.

    The server must either use that dataset (as other stores do) or refuse the request; answering
    from the default dataset as if the parameter were not there gives a silently wrong result.
    """
    response = http.post(server + "/sparql", params={"default-graph-uri": GRAPH["curated"]},
                         data={"query": PREFIXES + "ASK { ?p a sckg:AdoptedProject }"},
                         headers={"Content-Type": FORM}, timeout=TIMEOUT)
    if response.status_code != 400:
        assert boolean(response) is False, "default-graph-uri in the URL of a form POST was ignored"


def test_an_invalid_graph_iri_is_a_400(server):
    response = get(server, {"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "not an iri" in response.text


# --- W3C: content types --------------------------------------------------------------------------

def test_query_content_type_select(server):
    """W3C :query_content_type_select — a tabular media type."""
    response = post_direct(server, "SELECT (1 AS ?value) {}", params={"default-graph-uri": W3C_DATA0})
    assert response.status_code == 200
    assert media_type(response) in TABULAR_TYPES
    assert bindings(response) == [{"value": "1"}]


def test_query_content_type_ask(server):
    """W3C :query_content_type_ask — a boolean media type."""
    response = post_direct(server, "ASK {}", params={"default-graph-uri": W3C_DATA0})
    assert media_type(response) in BOOLEAN_TYPES
    assert boolean(response) is True


def test_query_content_type_describe(server):
    """W3C :query_content_type_describe — an RDF media type (an empty graph here)."""
    response = post_direct(server, "DESCRIBE <http://example.org/>", params={"default-graph-uri": W3C_DATA0})
    assert len(rdf_graph(response)) == 0


def test_query_content_type_construct(server):
    """W3C :query_content_type_construct — the relative IRIs ``<s>``/``<p>`` resolve against the
    service's base IRI ("which MAY be the service endpoint"), and the result is RDF."""
    response = post_direct(server, "CONSTRUCT { <s> <p> 1 } WHERE {}",
                           params={"default-graph-uri": W3C_DATA0})
    assert response.status_code == 200, response.text
    graph = rdf_graph(response)
    assert len(graph) == 1
    (subject, predicate, obj), = graph
    assert isinstance(subject, rdflib.URIRef) and str(subject).endswith("s")
    assert obj == rdflib.Literal(1)


# --- content negotiation -------------------------------------------------------------------------

LABEL_QUERY = PREFIXES + (f'SELECT ?label WHERE {{ <{TAKAMATSU}> rdfs:label ?label '
                          'FILTER(lang(?label) = "ja") }')


@pytest.mark.parametrize(("accept", "expected"), [
    (SRJ, SRJ), (SRX, SRX), (CSV, CSV), (TSV, TSV),
    ("application/json", SRJ), ("application/xml", SRX), ("*/*", SRJ), ("text/*", CSV),
])
def test_select_content_negotiation(server, accept, expected):
    response = get(server, {"query": LABEL_QUERY}, headers={"Accept": accept})
    assert response.status_code == 200
    assert media_type(response) == expected
    assert "Accept" in response.headers.get("Vary", "")
    body = response.content.decode("utf-8")
    if expected == SRJ:
        data = json.loads(body)
        assert data["head"]["vars"] == ["label"]
        assert data["results"]["bindings"] == [
            {"label": {"type": "literal", "value": "高松市", "xml:lang": "ja"}}]
    elif expected == SRX:
        root = ET.fromstring(response.content)
        literals = root.findall(f"{SRX_NS}results/{SRX_NS}result/{SRX_NS}binding/{SRX_NS}literal")
        assert [(e.text, e.get("{http://www.w3.org/XML/1998/namespace}lang")) for e in literals] == [
            ("高松市", "ja")]
    elif expected == CSV:
        assert list(csv.reader(io.StringIO(body, newline=""))) == [["label"], ["高松市"]]
        assert body.endswith("\r\n")
    else:
        assert body.splitlines() == ["?label", '"高松市"@ja']
    if expected.startswith("text/"):
        assert "charset=utf-8" in response.headers["Content-Type"].lower()


@pytest.mark.parametrize("accept", [SRJ, SRX])
def test_ask_content_negotiation(server, accept):
    response = get(server, {"query": PREFIXES + "ASK { ?p a sckg:AdoptedProject }"},
                   headers={"Accept": accept})
    assert media_type(response) == accept
    assert boolean(response) is True


def _expected_labels(kg) -> set:
    rows = select(kg, f"SELECT ?label (lang(?label) AS ?lang) WHERE {{ <{TAKAMATSU}> rdfs:label ?label }}")
    assert len(rows) == 3
    return {(rdflib.URIRef(TAKAMATSU), RDFS.label, rdflib.Literal(r["label"], lang=r["lang"] or None))
            for r in rows}


@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_construct_in_every_rdf_syntax(server, kg, accept):
    query = PREFIXES + ('CONSTRUCT { ?m rdfs:label ?l } '
                        'WHERE { ?m sckg:localGovernmentCode "372013" ; rdfs:label ?l }')
    response = get(server, {"query": query}, headers={"Accept": accept})
    assert media_type(response) == accept
    assert "Accept" in response.headers.get("Vary", "")
    assert set(rdf_graph(response)) == _expected_labels(kg)


@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_describe_in_every_rdf_syntax(server, accept):
    response = get(server, {"query": f"DESCRIBE <{TAKAMATSU}>"}, headers={"Accept": accept})
    assert media_type(response) == accept
    graph = rdf_graph(response)
    subject = rdflib.URIRef(TAKAMATSU)
    assert (subject, RDFS.label, rdflib.Literal("高松市", lang="ja")) in graph
    assert (subject, RDF.type, rdflib.URIRef(SCKG + "Municipality")) in graph
    assert set(graph.subjects()) == {subject}
    reference = rdf_graph(get(server, {"query": f"DESCRIBE <{TAKAMATSU}>"},
                              headers={"Accept": "application/n-triples"}))
    assert isomorphic(graph, reference)


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", SRX),
    ("text/csv;q=0.9, application/sparql-results+xml;q=0.5", CSV),
    ("application/sparql-results+json;q=0.1, text/tab-separated-values", TSV),
    ("image/png, text/csv;q=0.2", CSV),
])
def test_q_values_are_honoured(server, accept, expected):
    response = get(server, {"query": LABEL_QUERY}, headers={"Accept": accept})
    assert response.status_code == 200
    assert media_type(response) == expected


def test_q_values_are_honoured_for_graphs(server):
    response = get(server, {"query": f"DESCRIBE <{TAKAMATSU}>"},
                   headers={"Accept": "application/rdf+xml;q=0.2, application/n-triples;q=0.8, */*;q=0.1"})
    assert media_type(response) == "application/n-triples"


@pytest.mark.parametrize(("fmt", "expected"), [
    ("json", SRJ), ("xml", SRX), ("csv", CSV), ("tsv", TSV), (SRX, SRX), ("CSV", CSV),
])
def test_format_parameter_chooses_the_result_type(server, fmt, expected):
    other = CSV if expected == SRJ else SRJ  # format= wins over the Accept header
    response = get(server, {"query": LABEL_QUERY, "format": fmt}, headers={"Accept": other})
    assert response.status_code == 200
    assert media_type(response) == expected


@pytest.mark.parametrize(("fmt", "expected"), [
    ("turtle", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
    ("rdfxml", "application/rdf+xml"), ("json", "application/ld+json"), ("xml", "application/rdf+xml"),
])
def test_format_parameter_for_graphs(server, fmt, expected):
    response = get(server, {"query": f"DESCRIBE <{TAKAMATSU}>", "format": fmt})
    assert media_type(response) == expected
    assert len(rdf_graph(response)) > 0


def test_format_parameter_in_a_form_post(server):
    response = post_form(server, {"query": LABEL_QUERY, "format": "tsv"})
    assert media_type(response) == TSV


@pytest.mark.parametrize("query", [LABEL_QUERY, "ASK {}", f"DESCRIBE <{TAKAMATSU}>"])
def test_unacceptable_media_type_is_406(server, query):
    response = get(server, {"query": query}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "available" in response.text


def test_format_that_cannot_carry_the_result_is_406(server):
    response = get(server, {"query": LABEL_QUERY, "format": "turtle"})
    assert response.status_code == 406


# --- W3C: bad requests ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_bad_query_method(server, method):
    """W3C :bad_query_method — a method other than GET/POST is refused with 405."""
    response = http.request(method, server + "/sparql",
                            params={"query": "ASK {}", "default-graph-uri": W3C_DATA0},
                            headers={"Content-Type": FORM}, timeout=TIMEOUT)
    assert response.status_code == 405


def test_405_names_the_allowed_methods(server):
    """RFC 9110 §15.5.6: a 405 response MUST carry an Allow header."""
    response = http.put(server + "/sparql", params={"query": "ASK {}"}, timeout=TIMEOUT)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert {"GET", "POST"} <= allowed, f"405 without an Allow header listing GET and POST: {response.headers}"


def test_bad_multiple_queries(server):
    """W3C :bad_multiple_queries — two ``query`` parameters."""
    response = http.get(server + "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D",
                        timeout=TIMEOUT)
    assert response.status_code == 400
    assert "query" in response.text


def test_two_query_parameters_in_a_form(server):
    response = post_form(server, [("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400


def test_bad_query_wrong_media_type(server):
    """W3C :bad_query_wrong_media_type — POST as text/plain."""
    response = post_direct(server, "ASK {}", content_type="text/plain")
    assert response.status_code == 415


def test_bad_query_missing_form_type(server):
    """W3C :bad_query_missing_form_type — a URL-encoded body without its media type."""
    response = http.post(server + "/sparql", data=b"query=ASK%20%7B%7D", timeout=TIMEOUT)
    assert 400 <= response.status_code < 500
    assert response.status_code == 415


def test_bad_query_missing_direct_type(server):
    """W3C :bad_query_missing_direct_type — a query body without its media type."""
    response = http.post(server + "/sparql", data=b"ASK {}", timeout=TIMEOUT)
    assert response.status_code == 415


def test_bad_query_non_utf8(server):
    """W3C :bad_query_non_utf8 — a direct POST in UTF-16 (with a BOM)."""
    response = post_direct(server, "ASK {}".encode("utf-16"), content_type=QUERY + "; charset=UTF-16")
    assert 400 <= response.status_code < 500
    assert response.status_code in (400, 415)


def test_bad_query_syntax(server):
    """W3C :bad_query_syntax — ``ASK {`` is a 400 carrying the parser's message."""
    response = http.get(server + "/sparql?query=ASK%20%7B", timeout=TIMEOUT)
    assert response.status_code == 400
    assert re.search(r"error at 1:\d+", response.text), response.text
    assert "expected" in response.text


def test_query_in_url_and_body(server):
    form = post_form(server, {"query": "ASK {}"}, params={"query": "ASK {}"})
    direct = post_direct(server, "ASK {}", params={"query": "ASK {}"})
    assert (form.status_code, direct.status_code) == (400, 400)
    assert "not both" in form.text


# --- W3C update cases: a read-only endpoint refuses them and changes nothing ---------------------

MARKER = "http://example.org/protocol-update-test/"


def _refusals(server) -> dict[str, requests.Response]:
    insert = f"INSERT DATA {{ GRAPH <{MARKER}> {{ <{MARKER}s> <{MARKER}p> <{MARKER}o> }} }}"
    update_type = {"Content-Type": "application/sparql-update"}

    def send(method: str, path: str = "", **kwargs) -> requests.Response:
        return http.request(method, server + "/sparql" + path, timeout=TIMEOUT, **kwargs)

    return {
        "bad_update_get": send("GET", "?update=CLEAR%20ALL"),
        "bad_multiple_updates": send("POST", data=b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                                     headers={"Content-Type": FORM}),
        "bad_update_wrong_media_type": send("POST", data=b"CLEAR NAMED",
                                            headers={"Content-Type": "text/plain"}),
        "bad_update_missing_form_type": send("POST", data=b"update=CLEAR%20NAMED"),
        "bad_update_non_utf8": send("POST", data="CLEAR NAMED".encode("utf-16"),
                                    headers={"Content-Type": "application/sparql-update; charset=UTF-16"}),
        "bad_update_syntax": send("POST", data=b"update=CLEAR%20XYZ", headers={"Content-Type": FORM}),
        "bad_update_dataset_conflict": send(
            "POST", "?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
            data=b"PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
                 b"DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
                 b"WHERE { ?person foaf:givenName 'Bill' }",
            headers=update_type),
        "update_post_form": send("POST", data={"update": insert}),
        "update_post_direct": send("POST", data=insert.encode(), headers=update_type),
        "update_dataset_default_graph": send(
            "POST", params={"using-graph-uri": GRAPH["curated"]}, data=insert.encode(), headers=update_type),
        "update_as_get_query": send("GET", params={"query": insert}),
        "update_as_form_query": send("POST", data={"query": insert}),
        "update_as_direct_query": send("POST", data=insert.encode(), headers={"Content-Type": QUERY}),
        "clear_as_query": send("GET", params={"query": "CLEAR ALL"}),
        "drop_as_query": send("GET", params={"query": f"DROP GRAPH <{GRAPH['curated']}>"}),
        "load_as_query": send("GET", params={"query": "LOAD <http://127.0.0.1:9/x.ttl>"}),
        "update_param_with_query": send("GET", params={"query": "ASK {}", "update": "CLEAR ALL"}),
        "update_in_form_with_query": send("POST", data={"query": "ASK {}", "update": "CLEAR ALL"}),
    }


def test_updates_are_refused_and_change_nothing(server, remote_engine):
    """W3C :bad_update_* (4xx) and the update cases (:update_post_form, :update_post_direct,
    :update_dataset_*) which a read-only endpoint must refuse."""
    before = http.get(server + "/healthz", timeout=TIMEOUT).json()
    refusals = _refusals(server)
    statuses = {name: response.status_code for name, response in refusals.items()}
    assert all(400 <= status < 500 for status in statuses.values()), statuses
    for name in ("bad_update_get", "update_post_form", "update_as_get_query", "update_as_form_query",
                 "update_as_direct_query", "clear_as_query", "drop_as_query", "load_as_query",
                 "update_param_with_query", "update_in_form_with_query"):
        assert statuses[name] == 400, (name, statuses[name])
        assert "read-only" in refusals[name].text, (name, refusals[name].text)
    after = http.get(server + "/healthz", timeout=TIMEOUT).json()
    assert after == before
    marker = f"ASK {{ GRAPH <{MARKER}> {{ ?s ?p ?o }} }}"
    if remote_engine is None:
        assert ask(server, marker) is False
    else:
        # asked of the engine itself, over every graph it holds: the server's queries see only the
        # loaded graphs (and Virtuoso 7 answers true to an ASK on a graph outside them)
        direct = http.get(remote_engine.query_url, params={"query": marker},
                          headers={"Accept": SRJ}, timeout=TIMEOUT)
        assert boolean(direct) is False
    assert ask(server, BOTH_KINDS) is True


# --- request size --------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("how", ["form", "direct"])
def test_over_size_request_body_is_413(live_server, how):
    query = "ASK {} #" + "x" * 1_000_001
    response = post_form(live_server, {"query": query}) if how == "form" else post_direct(live_server, query)
    assert response.status_code == 413
    assert "Traceback" not in response.text


@pytest.mark.slow
def test_body_just_under_the_limit_is_answered(live_server):
    response = post_direct(live_server, "ASK {} #" + "x" * 990_000)
    assert boolean(response) is True


@pytest.mark.parametrize(("padding", "expected"), [(20_000, 200), (900_000, 200), (1_000_100, 413)])
def test_url_length_follows_max_request_bytes(server, padding, expected):
    """MAX_REQUEST_BYTES (1,000,000) bounds the URL's query string too: a GET with a long query is
    answered, one over the limit is refused with 413 (Payload Too Large), like an over-size body.
    (The app's own limit: under gunicorn it is the only one; granian's is below, see next test.)"""
    response = http.get(server + "/sparql", params={"query": "ASK {} #" + "x" * padding}, timeout=TIMEOUT)
    assert response.status_code == expected, (response.status_code, response.text[:300])


@pytest.mark.slow
@pytest.mark.parametrize(("padding", "expected"), [(20_000, 200), (65_000, 200), (66_000, 414),
                                                   (1_000_100, 414)])
def test_url_length_on_the_real_server(live_server, padding, expected):
    """granian (hyper) takes a request target of up to 64 KiB and answers 414 URI Too Long beyond:
    a clear status, never a hang-up. Longer queries go in a POST body (up to MAX_REQUEST_BYTES)."""
    try:
        response = http.get(live_server + "/sparql", params={"query": "ASK {} #" + "x" * padding},
                            timeout=TIMEOUT)
    except requests.ConnectionError as exc:  # the server hung up instead of answering
        pytest.fail(f"connection failed instead of {expected}: {exc}")
    assert response.status_code == expected, (response.status_code, response.text[:300])


def _post_chunked(base: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    """POST ``body`` with ``Transfer-Encoding: chunked`` (no Content-Length), as streaming clients do."""
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT)
    try:
        pieces = (body[i:i + 65536] for i in range(0, len(body), 65536))
        connection.request("POST", "/sparql", body=pieces, encode_chunked=True,
                           headers={"Content-Type": content_type, "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["form", "direct"])
@pytest.mark.parametrize(("padding", "expected"), [(200_000, 200), (1_000_001, 413)])
def test_a_chunked_body_is_held_to_the_limit(live_server, how, padding, expected):
    """Without Content-Length the body used to be cut at MAX_REQUEST_BYTES and the truncated
    text run (a 400 for a parse error at the cut, or worse, a different query): now it is a 413,
    and a chunked body within the limit is answered whole."""
    query = "ASK { ?s ?p ?o } #" + "x" * padding
    if how == "form":
        status, body = _post_chunked(live_server, b"query=" + query.encode(), FORM)
    else:
        status, body = _post_chunked(live_server, query.encode(), "application/sparql-query")
    assert status == expected, body[:300]
    if expected == 413:
        assert b"larger than 1000000 bytes" in body
    else:
        assert json.loads(body)["boolean"] is True


@pytest.mark.parametrize("where", ["url", "form"])
def test_a_request_that_is_not_utf8_is_400_not_run(server, where):
    """%FF is no UTF-8: werkzeug would decode it as U+FFFD and run the query anyway."""
    encoded = "query=ASK%20%7B%7D%20%23%FF"
    if where == "url":
        response = http.get(server + "/sparql?" + encoded, timeout=TIMEOUT)
    else:
        response = http.post(server + "/sparql", data=encoded, headers={"Content-Type": FORM},
                             timeout=TIMEOUT)
    assert response.status_code == 400, response.text
    assert "not valid UTF-8" in response.text
    encoded_ok = "query=ASK%20%7B%7D%20%23%E9%AB%98"  # 高 in UTF-8
    assert http.get(server + "/sparql?" + encoded_ok, timeout=TIMEOUT).status_code == 200


def test_an_api_query_string_that_is_not_utf8_is_400(server):
    response = http.get(server + "/api/search?q=%FF%FE", timeout=TIMEOUT)
    assert response.status_code == 400
    assert "not valid UTF-8" in response.text


def test_a_query_the_engine_cannot_evaluate_is_the_clients_400(server):
    response = get(server, {"query": "SELECT (<http://example.org/unknown-function>(1) AS ?x) {}"})
    assert response.status_code == 400
    assert "could not be evaluated" in response.text and "unknown-function" in response.text


# --- service description -------------------------------------------------------------------------

def _service_description(server, accept: str | None) -> rdflib.Graph:
    response = http.get(server + "/sparql", headers={"Accept": accept}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert "Accept" in response.headers.get("Vary", "")
    return rdf_graph(response)


@pytest.mark.parametrize("accept", [None, *RDF_TYPES])
def test_get_without_query_is_a_service_description(server, accept):
    graph = _service_description(server, accept)
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(server + "/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert {rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON"),
            rdflib.URIRef("http://www.w3.org/ns/formats/Turtle")} <= formats
    names = set(graph.objects(None, SD.name))
    assert names == {rdflib.URIRef(g) for g in GRAPH.values()}


def test_service_description_as_turtle(server):
    response = http.get(server + "/sparql", headers={"Accept": "text/turtle"}, timeout=TIMEOUT)
    assert media_type(response) == "text/turtle"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (None, RDF.type, SD.Service) in graph


def test_service_description_for_a_browser_is_html(server):
    browser = "text/html,application/xhtml+xml,*/*;q=0.8"
    response = http.get(server + "/sparql", headers={"Accept": browser}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert media_type(response) == "text/html"
    assert "<form" in response.text and 'name="query"' in response.text
    assert "Accept" in response.headers.get("Vary", "")


def test_service_description_in_an_unacceptable_type_is_406(server):
    response = http.get(server + "/sparql", headers={"Accept": "image/png"}, timeout=TIMEOUT)
    assert response.status_code == 406


# --- CORS and HTTP caching -----------------------------------------------------------------------

def test_cors_on_a_get_with_origin(server):
    response = get(server, {"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") in ("*", "https://example.org")
    assert "ETag" in response.headers.get("Access-Control-Expose-Headers", "")


def test_no_cors_header_without_origin(server):
    response = get(server, {"query": "ASK {}"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_preflight(server):
    response = http.options(server + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"}, timeout=TIMEOUT)
    assert response.status_code in (200, 204)
    assert response.headers.get("Access-Control-Allow-Origin") in ("*", "https://example.org")
    assert "POST" in response.headers.get("Access-Control-Allow-Methods", "")
    assert "content-type" in response.headers.get("Access-Control-Allow-Headers", "").lower()


def test_etag_and_last_modified_give_304(server):
    params = {"query": LABEL_QUERY}
    first = get(server, params)
    assert first.status_code == 200
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and etag.endswith('"')
    assert "max-age" in first.headers.get("Cache-Control", "")

    by_etag = get(server, params, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["ETag"] == etag

    by_date = get(server, params, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304

    earlier = format_datetime(parsedate_to_datetime(last_modified) - timedelta(days=1), usegmt=True)
    assert get(server, params, headers={"If-Modified-Since": earlier}).status_code == 200
    assert get(server, params, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_etag_depends_on_query_and_media_type(server):
    json_answer = get(server, {"query": LABEL_QUERY}, headers={"Accept": SRJ})
    csv_answer = get(server, {"query": LABEL_QUERY}, headers={"Accept": CSV})
    other = get(server, {"query": LABEL_QUERY + " LIMIT 1"}, headers={"Accept": SRJ})
    assert len({json_answer.headers["ETag"], csv_answer.headers["ETag"], other.headers["ETag"]}) == 3
    # a cached JSON representation must not satisfy a request for CSV
    conditional = get(server, {"query": LABEL_QUERY},
                      headers={"Accept": CSV, "If-None-Match": json_answer.headers["ETag"]})
    assert conditional.status_code == 200
    assert media_type(conditional) == CSV


def test_last_modified_is_the_load_time(server):
    health = http.get(server + "/healthz", timeout=TIMEOUT).json()
    response = get(server, {"query": "ASK {}"})
    loaded = datetime.fromisoformat(health["loaded"]).replace(microsecond=0)
    assert parsedate_to_datetime(response.headers["Last-Modified"]) == loaded


# --- errors never leak internals -----------------------------------------------------------------

def _error_responses(server) -> dict[str, requests.Response]:
    u = server + "/sparql"
    t = TIMEOUT
    return {
        "syntax": http.get(u, params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=t),
        "bad iri": http.get(u, params={"query": "ASK {}", "named-graph-uri": "::"}, timeout=t),
        "update": http.get(u, params={"query": "DROP ALL"}, timeout=t),
        "service": http.get(
            u, params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, timeout=t),
        "unknown function": http.get(u, params={"query": "SELECT (<http://example.org/f>(1) AS ?x) {}"},
                                     timeout=t),
        "406": http.get(u, params={"query": "ASK {}"}, headers={"Accept": "image/png"}, timeout=t),
        "405": http.delete(u, timeout=t),
        "404": http.get(server + "/no/such/page", timeout=t),
        "415": http.post(u, data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=t),
        "413": http.post(u, data=b"x" * 1_000_100, headers={"Content-Type": QUERY}, timeout=t),
        "not utf-8": http.post(u, data=b"ASK {} # \xff\xfe", headers={"Content-Type": QUERY}, timeout=t),
    }


def test_error_bodies_show_no_traceback_and_no_file_paths(server, kg_root):
    for name, response in _error_responses(server).items():
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:300])
        text = response.text
        assert text.strip(), name
        for leak in ("Traceback", 'File "', "site-packages", ".py", "/work/", "/tmp/", str(kg_root)):
            assert leak not in text, (name, leak, text[:500])
        assert media_type(response) in ("text/plain", "application/json"), (name, media_type(response))


def test_errors_in_json_for_clients_that_ask(server):
    response = get(server, {"query": "ASK {"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert media_type(response) == "application/json"
    body = response.json()
    assert body["status"] == 400 and "error at" in body["error"]


# --- health --------------------------------------------------------------------------------------

def test_healthz(server, served_version):
    response = http.get(server + "/healthz", timeout=TIMEOUT)
    assert response.status_code == 200
    assert media_type(response) == "application/json"
    health = response.json()
    assert health["status"] == "ok"
    assert health["graphs"] == len(GRAPH)
    assert isinstance(health["triples"], int) and health["triples"] > 20_000
    assert health["version"] == served_version
    datetime.fromisoformat(health["loaded"])
    count = bindings(get(server, {"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}))
    assert int(count[0]["n"]) == health["triples"]
