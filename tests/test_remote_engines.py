"""What the remote backend (issue 12) relies on, checked against the real engines: ``oxigraph serve``
(on disk and in memory) and Virtuoso Open Source 7, started on loopback by tests/remote_engines.py.

Every test talks HTTP to the engine with ``requests`` or SPARQLWrapper, the way the server's remote
engine and the loader will. Where an engine departs from the SPARQL 1.1 Protocol, the Graph Store
HTTP Protocol or RDF 1.1, the test is named ``test_<engine>_...`` and asserts the engine's actual
behaviour, so a change in a new version shows up as a failure here.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from remote_engines import (
    PROJECT_DIR,
    EngineError,
    RemoteEngine,
    oxigraph_server,
    render_virtuoso_ini,
    require,
    virtuoso_server,
)
from SPARQLWrapper import JSON, SPARQLWrapper

pytestmark = pytest.mark.slow  # real engine processes

TIMEOUT = 60  # seconds, on every request
NT = {"Content-Type": "application/n-triples"}
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
CLK_TCK = os.sysconf("SC_CLK_TCK")
MAX_ROWS = 1000  # the Virtuoso fixture's ResultSetMaxRows
MAX_EXECUTION_TIME = 4  # the Virtuoso fixture's MaxQueryExecutionTime, seconds
#: 300 triples in a graph; four of them joined with each other is 8.1e9 rows: never finishes in time
BIG = EX + "graph/big"
RUNAWAY = f"SELECT (COUNT(*) AS ?n) FROM <{BIG}> {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }}"

#: Literals the data has or could have: Japanese in three scripts, half-width kana, an emoji with a
#: variation selector, escapes, language tags with subtags, and the datatypes of the data.
_S, _L = "<http://example.org/id/m/372081>", "<http://www.w3.org/2000/01/rdf-schema#label>"
SPECIAL = "".join(line + " .\n" for line in [
    f'{_S} {_L} "観音寺市"@ja',
    f'{_S} {_L} "Kan\'onji"@en',
    f'{_S} {_L} "かんおんじし"@ja-Hira',
    f'{_S} <{EX}kana> "ｶﾝｵﾝｼﾞ"',
    f'{_S} <{EX}note> "🏙️ スマートシティ\\t\\"引用\\"\\nline2 \\\\ 𠮷野家"',
    f'{_S} <{EX}n> "42"^^<{XSD}integer>',
    f'{_S} <{EX}d> "1.5"^^<{XSD}decimal>',
    f'{_S} <{EX}date> "2021-04-01"^^<{XSD}date>',
    f'{_S} <{EX}dt> "2021-04-01T09:30:00+09:00"^^<{XSD}dateTime>',
    f'{_S} <{EX}y> "2021"^^<{XSD}gYear>',
    f'{_S} <{EX}b> "true"^^<{XSD}boolean>',
    f'{_S} <{EX}fy> "R3"^^<{EX}dt/fiscalYear>',
    f'{_S} <{EX}page> <http://example.org/市/観音寺?q=ｶﾝ#x>',
    f'{_S} <{EX}node> _:b1',
    f'_:b1 {_L} "空白ノード"@ja',
])

ENGINES = ["oxigraph", "oxigraph-memory", "virtuoso"]


# --- engines -------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=ENGINES)
def engine(request, tmp_path_factory) -> RemoteEngine:
    """Each engine once per module, with the 300-triple graph BIG loaded."""
    name = request.param
    require("virtuoso" if name == "virtuoso" else "oxigraph")
    workdir = tmp_path_factory.mktemp(name)
    if name == "virtuoso":
        manager = virtuoso_server(workdir)  # ResultSetMaxRows 100000: above the largest graph
    else:
        manager = oxigraph_server(workdir, in_memory=name == "oxigraph-memory")
    with manager as running:
        put(running, BIG, numbered(300)).raise_for_status()
        yield running


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory) -> RemoteEngine:
    """A Virtuoso of its own, for the tests of what only Virtuoso does."""
    require("virtuoso")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso-only"), max_rows=MAX_ROWS,
                         max_execution_time=MAX_EXECUTION_TIME) as running:
        put(running, BIG, numbered(300)).raise_for_status()
        yield running


# --- helpers -------------------------------------------------------------------------------------

def numbered(n: int, subject: str = "s") -> bytes:
    """N-Triples of ``n`` triples <ex:sI> <ex:p> "I"."""
    return "".join(f'<{EX}{subject}{i}> <{EX}p> "{i}" .\n' for i in range(n)).encode()


def put(engine: RemoteEngine, graph: str, body: bytes, content_type: str = NT["Content-Type"]):
    """Graph Store PUT of ``body`` into ``graph``."""
    return requests.put(engine.store_url, params={"graph": graph}, data=body, auth=engine.requests_auth(),
                        headers={"Content-Type": content_type}, timeout=TIMEOUT)


def get_graph(engine: RemoteEngine, graph: str) -> requests.Response:
    """Graph Store GET of ``graph`` as N-Triples."""
    return requests.get(engine.store_url, params={"graph": graph}, auth=engine.requests_auth(),
                        headers={"Accept": "application/n-triples"}, timeout=TIMEOUT)


def ask(engine: RemoteEngine, query: str, accept: str = JSON_RESULTS["Accept"],
        **params) -> requests.Response:
    """GET ``query`` from the engine's SPARQL endpoint."""
    return requests.get(engine.query_url, params={"query": query, **params}, headers={"Accept": accept},
                        timeout=TIMEOUT)


def select(engine: RemoteEngine, query: str, **params) -> list[dict[str, ox.Term]]:
    """Run a SELECT (GET, JSON results) and return its rows as pyoxigraph terms."""
    response = ask(engine, query, **params)
    assert response.status_code == 200, response.text[:500]
    results = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    return [{str(v)[1:]: row[v] for v in results.variables if row[v] is not None} for row in results]


def count(engine: RemoteEngine, pattern: str = "?s ?p ?o", **params) -> int:
    """COUNT(*) of ``pattern``."""
    return int(select(engine, f"SELECT (COUNT(*) AS ?n) {{ {pattern} }}", **params)[0]["n"].value)


def triples(body: bytes) -> list[ox.Triple]:
    """Parse N-Triples (pyoxigraph gives quads in the default graph; keep their triples)."""
    return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]


def shape(found: list[ox.Triple]) -> tuple[set[ox.Triple], Counter]:
    """The triples without blank nodes as a set, and those with them with every blank node as "_"."""
    plain = {t for t in found if not isinstance(t.subject, ox.BlankNode)
             and not isinstance(t.object, ox.BlankNode)}
    blank = Counter(tuple("_" if isinstance(term, ox.BlankNode) else str(term) for term in t)
                    for t in found if t not in plain)
    return plain, blank


def reference(body: bytes, graph: str) -> list[ox.Triple]:
    """The triples as the embedded store (pyoxigraph) keeps them: the reference for an exact round trip."""
    store = ox.Store()
    store.load(body, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


# --- Graph Store HTTP Protocol: PUT, GET, DELETE -------------------------------------------------

def test_put_round_trips_the_bundled_data_exactly(engine):
    """Every data/ttl file, PUT as N-Triples into its own graph, comes back as pyoxigraph keeps it."""
    total = 0
    for path in sorted((PROJECT_DIR / "data" / "ttl").glob("*.ttl")):
        graph = f"{EX}graph/{path.stem}"
        parsed = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        body = ox.serialize(parsed, format=ox.RdfFormat.N_TRIPLES)
        expected = reference(body, graph)
        response = put(engine, graph, body)
        assert response.status_code in (200, 201, 204), (path.name, response.status_code, response.text[:300])
        back = get_graph(engine, graph)
        assert back.status_code == 200, back.text[:300]
        assert shape(triples(back.content)) == shape(expected), path.name
        assert count(engine, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == len(expected), path.name
        total += len(expected)
    assert total > 20000  # the bundled data, not an empty directory


def test_japanese_literals_language_tags_and_datatypes_round_trip(engine):
    """Put SPECIAL; GET and SELECT give back exactly its terms (UTF-8 outside the BMP included)."""
    graph = EX + "graph/special"
    body = SPECIAL.encode("utf-8")
    assert put(engine, graph, body).status_code in (200, 201, 204)
    assert shape(triples(get_graph(engine, graph).content)) == shape(triples(body))
    pattern = f"<{EX}id/m/372081> ?p ?o FILTER(!isBlank(?o))"
    rows = select(engine, f"SELECT ?p ?o {{ GRAPH <{graph}> {{ {pattern} }} }}")
    found = {(row["p"].value, row["o"]) for row in rows}
    assert (f"{EX}kana", ox.Literal("ｶﾝｵﾝｼﾞ")) in found
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert (label, ox.Literal("観音寺市", language="ja")) in found
    assert (label, ox.Literal("かんおんじし", language="ja-hira")) in found
    assert (f"{EX}note", ox.Literal('🏙️ スマートシティ\t"引用"\nline2 \\ 𠮷野家')) in found
    assert (f"{EX}page", ox.NamedNode("http://example.org/市/観音寺?q=ｶﾝ#x")) in found
    # and a literal in the query text finds its triple
    assert count(engine, f'GRAPH <{graph}> {{ ?s <{EX}kana> "ｶﾝｵﾝｼﾞ" }}') == 1
    assert count(engine, f'GRAPH <{graph}> {{ ?s ?p "観音寺市"@ja }}') == 1


def test_non_canonical_numbers_come_back_canonical(engine):
    """Both engines keep numbers as values: "042" comes back "42", "1.50" comes back "1.5".

    So does the embedded store (pyoxigraph), so a load round-trips the same on both backends. xsd:double
    differs: "1.0E3" is "1000" in Oxigraph and "1000.0" in Virtuoso (XSD's canonical form is "1.0E3").
    """
    graph = EX + "graph/numbers"
    body = (f'<{EX}s> <{EX}n> "042"^^<{XSD}integer> .\n<{EX}s> <{EX}d> "1.50"^^<{XSD}decimal> .\n'
            f'<{EX}s> <{EX}e> "1.0E3"^^<{XSD}double> .\n').encode()
    assert put(engine, graph, body).status_code in (200, 201, 204)
    back = {t.predicate.value[len(EX):]: t.object.value for t in triples(get_graph(engine, graph).content)}
    embedded = {t.predicate.value[len(EX):]: t.object.value for t in reference(body, graph)}
    assert embedded == {"n": "42", "d": "1.5", "e": "1000"}
    assert back == {"n": "42", "d": "1.5", "e": "1000.0" if engine.name == "virtuoso" else "1000"}


def test_put_replaces_the_graph_and_delete_removes_it(engine):
    """PUT 5 then PUT 2: exactly the 2 remain; DELETE: the graph is gone (404), a second DELETE is 404."""
    graph = EX + "graph/replaced"
    created = put(engine, graph, numbered(5, "old"))
    assert created.status_code == 201
    replaced = put(engine, graph, numbered(2, "new"))
    assert replaced.status_code in (200, 204)
    assert count(engine, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 2
    assert {t.subject.value for t in triples(get_graph(engine, graph).content)} == {EX + "new0", EX + "new1"}
    deleted = requests.delete(engine.store_url, params={"graph": graph}, auth=engine.requests_auth(),
                              timeout=TIMEOUT)
    assert deleted.status_code in (200, 204)
    assert get_graph(engine, graph).status_code == 404
    assert count(engine, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 0
    again = requests.delete(engine.store_url, params={"graph": graph}, auth=engine.requests_auth(),
                            timeout=TIMEOUT)
    assert again.status_code == 404


def test_put_of_an_empty_graph(engine):
    """PUT of no triples empties the graph. Oxigraph then still knows the (empty) graph (GET 200);
    Virtuoso, a quad store, has no empty graphs: GET answers 404."""
    graph = EX + "graph/emptied"
    put(engine, graph, numbered(3)).raise_for_status()
    assert put(engine, graph, b"").status_code in (200, 204)
    assert count(engine, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 0
    assert get_graph(engine, graph).status_code == (404 if engine.name == "virtuoso" else 200)


# --- SPARQL 1.1 Protocol: dataset, errors --------------------------------------------------------

def test_explicit_default_and_named_graphs(engine):
    """default-graph-uri and named-graph-uri (repeated) set the dataset, with GET and POST (form)."""
    a, b = EX + "graph/a", EX + "graph/b"
    put(engine, a, numbered(3, "a")).raise_for_status()
    put(engine, b, numbered(4, "b")).raise_for_status()
    assert count(engine, **{"default-graph-uri": [a]}) == 3
    assert count(engine, **{"default-graph-uri": [a, b]}) == 7
    rows = select(engine, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                  **{"named-graph-uri": [a, b]})
    assert {(row["g"].value, int(row["n"].value)) for row in rows} == {(a, 3), (b, 4)}
    # named graphs only: the default graph is empty
    assert count(engine, **{"named-graph-uri": [a]}) == 0
    form = requests.post(engine.query_url, data={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                                                 "default-graph-uri": [a, b]},
                         headers=JSON_RESULTS, timeout=TIMEOUT)
    assert form.status_code == 200
    assert form.json()["results"]["bindings"][0]["n"]["value"] == "7"
    # SPARQLWrapper, the client most users have
    client = SPARQLWrapper(engine.query_url)
    client.setQuery("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    client.addDefaultGraph(b)
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["results"]["bindings"][0]["n"]["value"] == "4"


def test_a_triple_in_two_default_graphs_counts_twice(engine):
    """Deviation of both engines: several default graphs are not merged as sets (RDF merge would
    count the same triple once); the default graph behaves as a bag of the graphs' triples."""
    a, b = EX + "graph/same1", EX + "graph/same2"
    put(engine, a, numbered(3, "same")).raise_for_status()
    put(engine, b, numbered(3, "same")).raise_for_status()
    assert count(engine, **{"default-graph-uri": [a, b]}) == 6
    assert count(engine, "{ SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
                 **{"default-graph-uri": [a, b]}) == 3


def test_protocol_dataset_against_from_in_the_query(engine):
    """The Protocol says default-graph-uri overrides FROM. Oxigraph does; Virtuoso adds both."""
    a = EX + "graph/from-a"
    put(engine, a, numbered(3, "fa")).raise_for_status()
    query = f"SELECT (COUNT(*) AS ?n) FROM <{BIG}> {{ ?s ?p ?o }}"
    n = int(select(engine, query, **{"default-graph-uri": [a]})[0]["n"].value)
    assert n == (303 if engine.name == "virtuoso" else 3)


def test_the_default_graph_without_a_dataset(engine):
    """Oxigraph --union-default-graph: the union of the named graphs, nothing else. Virtuoso: the union
    of every graph, its own system graphs (virtrdf#, ...) included, so the server must always send
    default-graph-uri/named-graph-uri lists to Virtuoso."""
    graphs = {row["g"].value: int(row["n"].value) for row in
              select(engine, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    ours = {g: n for g, n in graphs.items() if g.startswith(EX)}
    assert ours[BIG] == 300
    union = count(engine)
    if engine.name == "virtuoso":
        assert "http://www.openlinksw.com/schemas/virtrdf#" in graphs
        assert union == sum(graphs.values()) > sum(ours.values())
    else:
        assert graphs == ours
        assert union == sum(ours.values())


ORDER_BY_TERMS = ('"Hokkaido"@en "北海道"@ja "ホッカイドウ"@ja-hrkt "Aomori" "青森"@ja '
                  f'<http://x.example/i> 3 "b"^^<{XSD}string>')


def test_order_by_across_kinds_of_terms(engine):
    """The engines order terms differently. SPARQL 1.1 puts IRIs before literals and leaves the order
    of language-tagged literals open: Oxigraph sorts literals by their text whatever the tag; Virtuoso
    puts a simple literal before the IRI (against the spec), then the tagged literals grouped by tag,
    the groups in an order that depends on the database (it differed between two of its instances
    here), then "x"^^xsd:string, then numbers. ORDER BY STR(?l) gives one order on both."""
    query = f"SELECT ?l {{ VALUES ?l {{ {ORDER_BY_TERMS} }} }} ORDER BY ?l"
    found = [row["l"].value for row in select(engine, query)]
    if engine.name == "virtuoso":
        assert found[:2] == ["Aomori", "http://x.example/i"] and found[-2:] == ["b", "3"]
        groups = [["Hokkaido"], ["北海道", "青森"], ["ホッカイドウ"]]  # en, ja, ja-hrkt
        tagged = found[2:-2]
        assert sorted(tagged) == sorted(sum(groups, []))
        assert all(tagged[tagged.index(g[0]):tagged.index(g[0]) + len(g)] == g for g in groups)
    else:
        assert found == ["http://x.example/i", "3", "Aomori", "Hokkaido", "b", "ホッカイドウ", "北海道",
                         "青森"]
    by_text = f"SELECT ?l {{ VALUES ?l {{ {ORDER_BY_TERMS} }} FILTER(isLiteral(?l)) }} ORDER BY STR(?l)"
    assert [row["l"].value for row in select(engine, by_text)] == [
        "3", "Aomori", "Hokkaido", "b", "ホッカイドウ", "北海道", "青森"]  # code point order


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_syntax_error_is_400_with_a_message(engine, method):
    """A query that does not parse: 400, text/plain, with where it failed."""
    query = "SELECT * WHERE { ?s ?p "
    if method == "GET":
        response = ask(engine, query)
    else:
        response = requests.post(engine.query_url, data={"query": query}, headers=JSON_RESULTS,
                                 timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    if engine.name == "virtuoso":
        # the message quotes the query as Virtuoso rewrote it (a "define" pragma prepended)
        assert response.text.startswith("Virtuoso 37000 Error SP030: SPARQL compiler, line ")
        assert "syntax error" in response.text
    else:
        assert response.text.startswith("error at 1:")


# --- limits and timeouts -------------------------------------------------------------------------

def test_oxigraph_has_no_row_cap(tmp_path):
    """Oxigraph returns every row (90000 here); the server has to cap results itself."""
    require("oxigraph")
    with oxigraph_server(tmp_path, in_memory=True) as engine:
        put(engine, BIG, numbered(300)).raise_for_status()
        assert count(engine, f"GRAPH <{BIG}> {{ ?a ?b ?c . ?d ?e ?f }}") == 90000
        response = ask(engine, f"SELECT * {{ GRAPH <{BIG}> {{ ?a ?b ?c . ?d ?e ?f }} }}")
        assert len(response.json()["results"]["bindings"]) == 90000


def test_virtuoso_cuts_results_at_result_set_max_rows_silently(virtuoso):
    """Deviation: more than ResultSetMaxRows rows are cut off with 200 OK; SELECT says so only in the
    X-SPARQL-MaxRows header, CONSTRUCT not at all. A query LIMIT above the cap is cut too."""
    query = f"SELECT * FROM <{BIG}> {{ ?a ?b ?c . ?d ?e ?f }}"
    for text in (query, query + " LIMIT 5000"):
        response = ask(virtuoso, text)
        assert response.status_code == 200
        assert response.headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
        assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    construct = ask(virtuoso, f"CONSTRUCT {{ ?a ?b ?d }} FROM <{BIG}> WHERE {{ ?a ?b ?c . ?d ?e ?f }}",
                    accept="application/n-triples")
    assert construct.status_code == 200
    assert "X-SPARQL-MaxRows" not in construct.headers
    assert len(triples(construct.content)) == MAX_ROWS + 1  # of 90000; one more than the cap
    # below the cap, all rows and no header
    small = requests.get(virtuoso.query_url, params={"query": query + " LIMIT 10"}, headers=JSON_RESULTS,
                         timeout=TIMEOUT)
    assert "X-SPARQL-MaxRows" not in small.headers
    assert len(small.json()["results"]["bindings"]) == 10


def test_virtuoso_cuts_graph_store_get_at_result_set_max_rows(virtuoso):
    """Deviation: a Graph Store GET of a graph larger than ResultSetMaxRows returns ResultSetMaxRows + 1
    triples with 200 and no sign of it. Set ResultSetMaxRows above the largest graph (the README's
    configuration does), or read graphs back with SPARQL."""
    graph = EX + "graph/large"
    put(virtuoso, graph, numbered(1500, "large")).raise_for_status()
    assert count(virtuoso, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 1500  # all stored
    back = get_graph(virtuoso, graph)
    assert back.status_code == 200
    assert "X-SPARQL-MaxRows" not in back.headers
    assert len(triples(back.content)) == MAX_ROWS + 1


def test_virtuoso_blank_nodes_in_json_results_are_not_valid_identifiers(virtuoso):
    """Deviation: Virtuoso names blank nodes "nodeID://b10006" in JSON results; pyoxigraph refuses
    that (SyntaxError). A client reading Virtuoso results with pyoxigraph must rename them first."""
    graph = EX + "graph/blank"
    put(virtuoso, graph, f'<{EX}s> <{EX}p> _:b1 .\n_:b1 <{EX}q> "x" .\n'.encode()).raise_for_status()
    query = f"SELECT ?o {{ GRAPH <{graph}> {{ <{EX}s> <{EX}p> ?o }} }}"
    response = ask(virtuoso, query)
    binding = response.json()["results"]["bindings"][0]["o"]
    assert binding["type"] == "bnode"
    assert binding["value"].startswith("nodeID://")
    with pytest.raises(SyntaxError, match="bnode"):
        list(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON))


def test_virtuoso_timeout_parameter_answers_200_with_partial_results(virtuoso):
    """Deviation: with timeout=<ms>, Virtuoso stops the query and answers 200 with what it has, flagged
    only by X-SQL-State: S1TAT: for this COUNT (truly 8.1e9) a count of the rows seen so far (5890000
    in one run) or no row at all (another run). A client must treat S1TAT as a timeout."""
    started = time.monotonic()
    response = requests.get(virtuoso.query_url, params={"query": RUNAWAY, "timeout": "1000"},
                            headers=JSON_RESULTS, timeout=TIMEOUT)
    seconds = time.monotonic() - started
    assert response.status_code == 200
    assert response.headers["X-SQL-State"] == "S1TAT"
    assert "query interrupted by result timeout" in response.headers["X-SQL-Message"]
    partial = [int(row["n"]["value"]) for row in response.json()["results"]["bindings"]]
    assert partial == [] or partial[0] < 300 ** 4
    assert seconds < 1 + 10, f"answered after {seconds:.1f} s"


def test_virtuoso_max_query_execution_time_answers_500(virtuoso):
    """Without the timeout parameter, MaxQueryExecutionTime stops the query with 500 and SR171."""
    started = time.monotonic()
    response = ask(virtuoso, RUNAWAY)
    seconds = time.monotonic() - started
    assert response.status_code == 500
    assert response.text.startswith("Virtuoso S1T00 Error SR171: Transaction timed out")
    assert MAX_EXECUTION_TIME * 0.9 <= seconds < MAX_EXECUTION_TIME + 10, f"answered after {seconds:.1f} s"


def test_virtuoso_stops_a_query_when_the_client_goes_away(tmp_path):
    """Closing the connection is Virtuoso's cancel: its CPU use falls to ~0 within seconds.

    A Virtuoso of its own with a 60 s MaxQueryExecutionTime, so that the query could not have ended
    by its time limit instead (the shared fixture's 4 s limit made the two indistinguishable, and a
    window that overlapped it failed on a loaded CI machine). The query uses both cores (~4 CPU s in
    2 s); "quiet" is any 2 s window under 0.3 CPU s, looked for in the 12 s after the client left.
    """
    require("virtuoso")
    with virtuoso_server(tmp_path, max_rows=MAX_ROWS, max_execution_time=60) as engine:
        put(engine, BIG, numbered(300)).raise_for_status()
        before = cpu_seconds(engine.pid)
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(engine.query_url, params={"query": RUNAWAY}, timeout=2)
        assert cpu_seconds(engine.pid) - before > 0.2  # it did work on the query
        left = time.monotonic()
        windows = []
        while time.monotonic() - left < 12:
            start = cpu_seconds(engine.pid)
            time.sleep(2)
            windows.append(round(cpu_seconds(engine.pid) - start, 2))
            if windows[-1] < 0.3:
                break
        assert windows[-1] < 0.3, f"still computing after the client left: CPU s per 2 s {windows}"
        # and it answers the next query at once
        assert ask(engine, "ASK {}").status_code == 200


def test_oxigraph_keeps_computing_after_the_client_goes_away(tmp_path):
    """Deviation from what the server needs: oxigraph serve has no cancel; a query keeps a core busy
    after its client closed the connection (until --timeout-s, if set, catches it, or forever)."""
    require("oxigraph")
    with oxigraph_server(tmp_path, in_memory=True) as engine:
        put(engine, BIG, numbered(300)).raise_for_status()
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(engine.query_url, params={"query": RUNAWAY}, timeout=2)
        time.sleep(1.5)
        quiet = cpu_seconds(engine.pid)
        time.sleep(3)
        assert cpu_seconds(engine.pid) - quiet > 0.3, "stopped: Oxigraph now cancels on disconnect"
        # and it still answers other queries meanwhile
        assert requests.get(engine.query_url, params={"query": "ASK {}"}, timeout=TIMEOUT).status_code == 200


def test_oxigraph_timeout_answers_200_then_breaks_the_body(tmp_path):
    """Deviation: oxigraph serve --timeout-s has already sent 200 and the start of the results when
    the timeout hits; the body ends with "The SPARQL operation has been cancelled" (no valid JSON).
    The timeout is checked as results are produced, not everywhere: it took 2-4 s for a 1-2 s limit
    here, and a five-way cross join ran for 10 minutes past a 2 s limit in a manual run (not tested:
    it burns a core)."""
    require("oxigraph")
    with oxigraph_server(tmp_path, in_memory=True, timeout_s=1) as engine:
        put(engine, BIG, numbered(300)).raise_for_status()
        started = time.monotonic()
        response = ask(engine, RUNAWAY)
        seconds = time.monotonic() - started
        assert response.status_code == 200
        assert response.text.endswith("The SPARQL operation has been cancelled")
        with pytest.raises(ValueError):
            response.json()
        assert seconds < 20, f"stopped after {seconds:.1f} s"


# --- Virtuoso only -------------------------------------------------------------------------------

def test_virtuoso_graph_store_needs_digest_auth(virtuoso):
    """No credentials, a wrong password and Basic authentication are all refused with 401."""
    body = numbered(1)
    anonymous = requests.put(virtuoso.store_url, params={"graph": EX + "graph/x"}, data=body, headers=NT,
                             timeout=TIMEOUT)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Digest ")
    basic = requests.put(virtuoso.store_url, params={"graph": EX + "graph/x"}, data=body, headers=NT,
                         auth=(virtuoso.user, virtuoso.password), timeout=TIMEOUT)
    assert basic.status_code == 401
    wrong = requests.put(virtuoso.store_url, params={"graph": EX + "graph/x"}, data=body, headers=NT,
                         auth=requests.auth.HTTPDigestAuth(virtuoso.user, "wrong"), timeout=TIMEOUT)
    assert wrong.status_code == 401
    assert get_graph(virtuoso, EX + "graph/x").status_code == 404


def test_virtuoso_graph_store_refuses_the_default_graph(virtuoso):
    """PUT ?default is a 500 (error 22023) in Virtuoso: load named graphs only."""
    response = requests.put(virtuoso.store_url, params={"default": ""}, data=numbered(1), headers=NT,
                            auth=virtuoso.requests_auth(), timeout=TIMEOUT)
    assert response.status_code == 500
    assert "Error 22023" in response.text


def test_virtuoso_reads_n_triples_leniently(virtuoso):
    """Deviation: Virtuoso parses N-Triples as Turtle: a bare word becomes an IRI relative to the
    graph (201 Created); invalid UTF-8 becomes "?" (200); only unparseable text fails, with 500
    (not 400), leaving the graph as it was. The loader must send valid N-Triples itself."""
    graph = EX + "graph/lenient"
    assert put(virtuoso, graph, b"<http://a.example/s> <http://a.example/p> oops .\n").status_code == 201
    assert triples(get_graph(virtuoso, graph).content)[0].object == ox.NamedNode(graph + "#oops")
    bad_utf8 = b'<http://a.example/s> <http://a.example/p> "\xff\xfe" .\n'
    assert put(virtuoso, graph, bad_utf8).status_code == 200
    assert triples(get_graph(virtuoso, graph).content)[0].object == ox.Literal("??")
    failed = put(virtuoso, graph, b"garbage garbage\n")
    assert failed.status_code == 500
    assert triples(get_graph(virtuoso, graph).content)[0].object == ox.Literal("??")  # unchanged


def test_virtuoso_keeps_explicit_xsd_string_apart(virtuoso):
    """Deviation from RDF 1.1: "x"^^xsd:string is a different term from "x" in Virtuoso (not in
    Oxigraph). pyoxigraph writes xsd:string literals without the datatype, so our loads are not hit."""
    graph = EX + "graph/xsd-string"
    put(virtuoso, graph, f'<{EX}s> <{EX}p> "typed"^^<{XSD}string> .\n<{EX}s> <{EX}p> "plain" .\n'.encode())
    assert count(virtuoso, f'GRAPH <{graph}> {{ ?s ?p "typed" }}') == 0
    assert count(virtuoso, f'GRAPH <{graph}> {{ ?s ?p "typed"^^<{XSD}string> }}') == 1
    assert count(virtuoso, f'GRAPH <{graph}> {{ ?s ?p "plain"^^<{XSD}string> }}') == 0
    assert count(virtuoso, f'GRAPH <{graph}> {{ ?s ?p "plain" }}') == 1
    assert ox.serialize([ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("x"))],
                        format=ox.RdfFormat.N_TRIPLES) == f'<{EX}s> <{EX}p> "x" .\n'.encode()


def test_virtuoso_json_results_differ_in_form(virtuoso):
    """Virtuoso writes "type": "typed-literal" (the 2008 format; pyoxigraph and rdflib read it) and
    leaves DATATYPE() of a language-tagged literal unbound where RDF 1.1 says rdf:langString."""
    query = 'SELECT ?o (DATATYPE(?o) AS ?d) { VALUES ?o { "観音寺市"@ja 1 } }'
    response = ask(virtuoso, query)
    bindings = response.json()["results"]["bindings"]
    assert bindings[1]["o"]["type"] == "typed-literal"
    rows = select(virtuoso, query)
    assert rows[0] == {"o": ox.Literal("観音寺市", language="ja")}  # no ?d
    assert rows[1]["d"] == ox.NamedNode(XSD + "integer")


def test_virtuoso_does_not_answer_a_direct_post(virtuoso):
    """Virtuoso 7.2.5 never answers POST with Content-Type application/sparql-query
    (openlink/virtuoso-opensource#842): send queries as GET or as an urlencoded form."""
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(virtuoso.query_url, data=b"ASK {}", timeout=3,
                      headers={"Content-Type": "application/sparql-query", **JSON_RESULTS})
    form = requests.post(virtuoso.query_url, data={"query": "ASK {}"}, headers=JSON_RESULTS, timeout=TIMEOUT)
    assert form.json()["boolean"] is True


def test_virtuoso_public_endpoint_refuses_updates_with_500(virtuoso):
    """Updates on /sparql are refused, but as 500 (SR186 SECURITY), not 403; /sparql-auth takes them
    from the SPARQL_UPDATE user."""
    update = f'INSERT DATA {{ GRAPH <{EX}graph/upd> {{ <{EX}s> <{EX}p> "u" }} }}'
    refused = requests.post(virtuoso.query_url, data={"update": update}, timeout=TIMEOUT)
    assert refused.status_code == 500
    assert "SR186:SECURITY" in refused.text
    done = requests.post(virtuoso.update_url, data={"update": update}, auth=virtuoso.requests_auth(),
                         timeout=TIMEOUT)
    assert done.status_code == 200
    assert count(virtuoso, f"GRAPH <{EX}graph/upd> {{ ?s ?p ?o }}") == 1


def test_the_virtuoso_template_has_no_unfilled_placeholder(tmp_path):
    """deploy/virtuoso/virtuoso.ini renders with loopback ports and the given limits."""
    text = render_virtuoso_ini(tmp_path, 1111, 8890, max_rows=5, max_execution_time=7)
    assert "${" not in text
    assert "ServerPort           = 127.0.0.1:8890" in text
    assert "ResultSetMaxRows           = 5" in text
    assert "MaxQueryExecutionTime      = 7" in text


# --- the helpers themselves ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["oxigraph", "virtuoso"])
def test_the_engine_is_stopped_even_when_the_test_fails(tmp_path, name):
    """An exception inside the with block still stops the engine process (and frees its port)."""
    require(name)
    manager = virtuoso_server(tmp_path) if name == "virtuoso" else oxigraph_server(tmp_path)
    with pytest.raises(RuntimeError, match="the test failed"):
        with manager as engine:
            pid, url = engine.pid, engine.query_url
            assert ask(engine, "ASK {}").json()["boolean"] is True
            raise RuntimeError("the test failed")
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, params={"query": "ASK {}"}, timeout=5)


def test_an_engine_that_cannot_start_is_reported_with_its_log(tmp_path):
    """oxigraph serve on a --location that is a file exits at once: EngineError quotes its log."""
    require("oxigraph")
    (tmp_path / "oxigraph").write_text("not a directory")
    with pytest.raises(EngineError, match="exited with") as error:
        with oxigraph_server(tmp_path):
            pass
    assert "oxigraph.log" in str(error.value)
