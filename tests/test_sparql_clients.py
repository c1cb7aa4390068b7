"""Real SPARQL clients against the real server: SPARQLWrapper, rdflib's SPARQLStore and curl."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
import rdflib
import requests
from conftest import select
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, RDFXML, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

TIMEOUT = 30
BASE = "https://w3id.org/smartcity-kg/"
SCKG = rdflib.Namespace(BASE + "ontology#")
CURATED = BASE + "graph/curated"
TAKAMATSU = rdflib.URIRef(BASE + "id/municipality/372013")
PREFIXES = (f"PREFIX sckg: <{SCKG}>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
PROJECTS = PREFIXES + "SELECT ?p WHERE { ?p a sckg:AdoptedProject } ORDER BY ?p"
LABELS = PREFIXES + f"CONSTRUCT {{ <{TAKAMATSU}> rdfs:label ?l }} WHERE {{ <{TAKAMATSU}> rdfs:label ?l }}"
CURL = shutil.which("curl") or "/usr/bin/curl"

# SPARQLWrapper and rdflib's JSON-LD parser build ConjunctiveGraphs, which rdflib itself deprecates
pytestmark = [pytest.mark.slow,  # a live server
              pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")]


@pytest.fixture(scope="module")
def endpoint(live_server) -> str:
    return live_server + "/sparql"


@pytest.fixture(scope="module")
def expected_projects(kg) -> list[str]:
    rows = select(kg, "SELECT ?p WHERE { ?p a sckg:AdoptedProject } ORDER BY ?p")
    assert len(rows) == 28
    return [row["p"] for row in rows]


@pytest.fixture(scope="module")
def expected_labels(kg) -> set:
    rows = select(kg, f"SELECT ?l (lang(?l) AS ?lang) WHERE {{ <{TAKAMATSU}> rdfs:label ?l }}")
    return {(TAKAMATSU, RDFS.label, rdflib.Literal(r["l"], lang=r["lang"] or None)) for r in rows}


def wrapper(endpoint: str, query: str, return_format: str, method: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint, returnFormat=return_format)
    client.setQuery(query)
    client.setTimeout(TIMEOUT)
    if method:
        client.setMethod(method)
    return client


# --- SPARQLWrapper -------------------------------------------------------------------------------

@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_select_json(endpoint, expected_projects, method):
    result = wrapper(endpoint, PROJECTS, JSON, method).query().convert()
    assert result["head"]["vars"] == ["p"]
    assert [b["p"]["value"] for b in result["results"]["bindings"]] == expected_projects


def test_sparqlwrapper_select_xml(endpoint, expected_projects):
    document = wrapper(endpoint, PROJECTS, XML).query().convert()  # xml.dom.minidom
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert uris == expected_projects


def test_sparqlwrapper_select_csv(endpoint, expected_projects):
    data = wrapper(endpoint, PROJECTS, CSV).query().convert()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ["p"]
    assert [row[0] for row in rows[1:]] == expected_projects


def test_sparqlwrapper_construct_into_an_rdflib_graph(endpoint, expected_labels):
    graph = wrapper(endpoint, LABELS, XML).query().convert()
    assert isinstance(graph, rdflib.Graph)
    assert set(graph) == expected_labels


def test_sparqlwrapper_construct_as_turtle(endpoint, expected_labels):
    data = wrapper(endpoint, LABELS, TURTLE).query().convert()
    assert set(rdflib.Graph().parse(data=data, format="turtle")) == expected_labels


def test_sparqlwrapper_construct_as_rdfxml(endpoint, expected_labels):
    """SPARQLWrapper's RDFXML format sends ``Accept: application/rdf+xml`` with ``format=rdf+xml``
    and ``format=application/rdf+xml``: the server can answer that."""
    graph = wrapper(endpoint, LABELS, RDFXML).query().convert()
    assert set(graph) == expected_labels


@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(endpoint, return_format):
    yes = wrapper(endpoint, PREFIXES + "ASK { ?p a sckg:AdoptedProject }", return_format).query().convert()
    no = wrapper(endpoint, PREFIXES + "ASK { ?p a sckg:NoSuchClass }", return_format).query().convert()
    if return_format == JSON:
        assert (yes["boolean"], no["boolean"]) == (True, False)
    else:
        values = [d.getElementsByTagName("boolean")[0].firstChild.data for d in (yes, no)]
        assert values == ["true", "false"]


def test_sparqlwrapper_reports_a_malformed_query(endpoint):
    with pytest.raises(QueryBadFormed) as error:
        wrapper(endpoint, "SELECT * WHERE { ?s ?p }", JSON).query()
    assert "error at" in str(error.value)


# --- rdflib SPARQLStore --------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["GET", "POST", "POST_FORM"])
def remote_graph(request, endpoint) -> rdflib.Graph:
    """The endpoint's default graph (the union of the named graphs) as a read-only rdflib Graph."""
    store = SPARQLStore(query_endpoint=endpoint, method=request.param)
    graph = rdflib.Graph(store=store)
    yield graph
    graph.close()


def test_sparqlstore_query(remote_graph, expected_projects):
    rows = remote_graph.query("SELECT ?p WHERE { ?p a sckg:AdoptedProject } ORDER BY ?p",
                              initNs={"sckg": SCKG})
    assert [str(row.p) for row in rows] == expected_projects
    assert remote_graph.query("ASK { ?p a sckg:AdoptedProject }", initNs={"sckg": SCKG}).askAnswer is True


def test_sparqlstore_construct(remote_graph, expected_labels):
    result = remote_graph.query(LABELS)
    assert set(result.graph) == expected_labels


def test_sparqlstore_triples_pattern(remote_graph, expected_projects, expected_labels):
    subjects = {str(s) for s, _, _ in remote_graph.triples((None, RDF.type, SCKG.AdoptedProject))}
    assert subjects == set(expected_projects)
    assert set(remote_graph.triples((TAKAMATSU, RDFS.label, None))) == expected_labels
    assert set(remote_graph.subjects(RDFS.label, rdflib.Literal("高松市", lang="ja"))) == {TAKAMATSU}


def test_sparqlstore_len(remote_graph, live_server):
    triples = requests.get(live_server + "/healthz", timeout=TIMEOUT).json()["triples"]
    assert len(remote_graph) == triples


def test_sparqlstore_named_graph(endpoint, kg):
    """A Graph with a graph name queries that graph alone (rdflib sends it as default-graph-uri)."""
    store = SPARQLStore(query_endpoint=endpoint)
    graph = rdflib.Graph(store=store, identifier=rdflib.URIRef(CURATED))
    try:
        expected = select(kg, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{CURATED}> {{ ?s ?p ?o }} }}")[0]["n"]
        assert len(graph) == int(expected)
        assert not list(graph.triples((None, RDF.type, SCKG.AdoptedProject)))
        assert list(graph.triples((None, RDF.type, SCKG.RegionalIssue)))
    finally:
        graph.close()


def test_sparqlstore_is_read_only(remote_graph):
    with pytest.raises(TypeError):
        remote_graph.add((TAKAMATSU, RDFS.label, rdflib.Literal("x")))


# --- curl ----------------------------------------------------------------------------------------

def curl(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CURL, "-sS", "--max-time", str(TIMEOUT), *args], input=stdin,
                          capture_output=True, timeout=TIMEOUT + 5, check=False)


needs_curl = pytest.mark.skipif(shutil.which(CURL) is None, reason="curl is not installed")


@needs_curl
def test_curl_get(endpoint, expected_projects):
    done = curl("-G", "--data-urlencode", f"query={PROJECTS}", "-H", "Accept: text/csv",
                "-w", "\n%{http_code} %{content_type}", endpoint)
    assert done.returncode == 0, done.stderr
    body, _, status_line = done.stdout.decode("utf-8").rpartition("\n")
    assert status_line == "200 text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows == [["p"], *([p] for p in expected_projects)]


@needs_curl
def test_curl_post_direct_with_headers(endpoint):
    done = curl("-i", "-X", "POST", "-H", "Content-Type: application/sparql-query",
                "-H", "Accept: application/sparql-results+json", "--data-binary", "@-", endpoint,
                stdin=f'{PREFIXES}ASK {{ ?m rdfs:label "高松市"@ja }}'.encode())
    assert done.returncode == 0, done.stderr
    head, _, body = done.stdout.decode("utf-8").partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 200")
    assert "vary: accept" in head.lower()
    assert body == '{"head":{},"boolean":true}'


@needs_curl
def test_curl_sees_a_malformed_query_as_400(endpoint):
    done = curl("-G", "--data-urlencode", "query=ASK {", "-o", "/dev/null", "-w", "%{http_code}", endpoint)
    assert done.stdout == b"400"
