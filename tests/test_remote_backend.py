"""The remote backend (issue 12): loads through the Graph Store protocol, and what the server does
around a remote engine that the shared suite does not show: the load record and version switch,
failed loads, hidden graphs, timeouts, an engine that is down, and bound values written into text.

The engine is the session's backend when it is a remote one, else a real ``oxigraph serve``
(``tests/remote_engines.py``): the embedded run of the suite tests the remote path too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import BACKEND, PROJECT_DIR, backend_env, remote_settings, start_server, stop_server

from kg import remote as kgremote
from kg.errors import QueryEvaluationError, StoreError
from server.api import load as load_queries
from server.engine.substitute import substitute
from server.params import bind_arguments

ENGINE_NAME = BACKEND if BACKEND != "embedded" else "oxigraph"
G = "https://example.org/graph/"


def _nt(*objects: str) -> bytes:
    return "".join(f'<https://example.org/s> <https://example.org/p> "{o}" .\n' for o in objects).encode()


@pytest.fixture()
def engine(tmp_path):
    """A fresh, empty engine of the backend's kind (Oxigraph on the embedded run)."""
    import remote_engines

    with getattr(remote_engines, f"{ENGINE_NAME}_server")(tmp_path) as running:
        yield running


# --- bound values written into query text ---------------------------------------------------------

def _rows(result) -> tuple:
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return names, sorted(tuple(str(s[n]) for n in names) for s in result)
    return sorted(map(str, result))


def _examples():
    return [(name, example) for name, query in load_queries(PROJECT_DIR / "queries").items()
            for example in query.examples]


@pytest.mark.parametrize(("name", "example"), _examples())
def test_text_substitution_answers_as_pyoxigraph_binding(kg, name, example):
    """Every canned query and example: the text a remote engine gets answers what the embedded
    engine's binding answers (same variables, same rows)."""
    from kg.sparql_functions import FUNCTIONS

    query = load_queries(PROJECT_DIR / "queries")[name]
    values = dict(bind_arguments(query, urllib.parse.parse_qs(urllib.parse.urlsplit(example).query)))
    bound = kg.store.query(query.text, use_default_graph_as_union=True, custom_functions=FUNCTIONS,
                           substitutions={ox.Variable(k): v for k, v in values.items()})
    written = kg.store.query(substitute(query.text, values), use_default_graph_as_union=True,
                             custom_functions=FUNCTIONS)
    assert _rows(written) == _rows(bound)


def test_substitution_leaves_strings_iris_and_comments_alone():
    query = 'SELECT ?x WHERE { ?s <http://ex/?x> "?x" . ?s ?p ?x } # ?x'
    assert substitute(query, {"x": ox.Literal("v")}) == \
        'SELECT ("v" AS ?x) WHERE { ?s <http://ex/?x> "?x" . ?s ?p "v" } # ?x'


def test_substitution_escapes_what_the_client_sent():
    query = "SELECT ?q WHERE { ?s ?p ?q }"
    hostile = '" } DROP ALL ; SELECT * { "'
    text = substitute(query, {"q": ox.Literal(hostile)})
    assert text.count('\\"') == 2 * hostile.count('"')  # every quote escaped, in both places
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.Literal(hostile)))
    assert [row["q"].value for row in store.query(text)] == [hostile]


def test_substitution_drops_constant_keys_and_subselect_projections():
    query = ("SELECT ?g ?n WHERE { { SELECT ?g (COUNT(*) AS ?n) WHERE { ?s ?p ?g } GROUP BY ?g } } "
             "ORDER BY ?g ?n")
    text = substitute(query, {"g": ox.Literal("a")})
    assert text == ('SELECT ("a" AS ?g) ?n WHERE { { SELECT  (COUNT(*) AS ?n) WHERE { ?s ?p "a" } '
                    'GROUP BY ("a") } } ORDER BY  ?n')
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.Literal("a")))
    assert [(r["g"].value, r["n"].value) for r in store.query(text)] == [("a", "1")]


@pytest.mark.parametrize("query", [
    "SELECT ?y WHERE { BIND(1 AS ?x) ?s ?p ?y }",
    "SELECT ?y WHERE { VALUES ?x { 1 } ?s ?p ?y }",
    "SELECT ?y WHERE { VALUES (?y ?x) { (1 2) } }",
    "SELECT * WHERE { ?s ?p ?x }",
])
def test_substitution_refuses_what_it_cannot_keep_equivalent(query):
    with pytest.raises(QueryEvaluationError):
        substitute(query, {"x": ox.Literal("v")})


# --- loading ---------------------------------------------------------------------------------------

def test_publish_replaces_graphs_and_writes_the_record_last(engine):
    settings = remote_settings(engine)
    first = kgremote.publish(settings, {G + "a": _nt("1", "2"), G + "b": _nt("3")}, "https://example.org")
    assert first.graphs == {G + "a": 2, G + "b": 1}
    assert kgremote.read_record(settings) == first
    second = kgremote.publish(settings, {G + "a": _nt("9")}, "https://example.org")
    assert second.version != first.version and second.graphs == {G + "a": 1}
    # b was in the previous load and not in this one: deleted, not left behind
    assert kgremote.count_triples(settings, [G + "a", G + "b"]) == {G + "a": 1, G + "b": 0}


def test_a_failed_put_names_the_graphs_already_replaced(engine):
    settings = remote_settings(engine)
    before = kgremote.publish(settings, {G + "a": _nt("1"), G + "b": _nt("2"), G + "c": _nt("3")},
                              "https://example.org")
    payload = {G + "a": _nt("new"), G + "b": b"<not n-triples\n", G + "c": _nt("new", "newer")}
    with pytest.raises(StoreError) as caught:
        kgremote.publish(settings, payload, "https://example.org")
    message = caught.value.message
    assert f"<{G}b>" in message and f"(1 of 3): <{G}a>;" in message and before.version in message
    assert kgremote.read_record(settings) == before  # servers keep reporting the previous version
    assert kgremote.count_triples(settings, [G + "c"]) == {G + "c": 1}  # never reached: unchanged


def test_an_engine_that_does_not_answer_is_a_clear_error(tmp_path):
    settings = kgremote.RemoteEngineSettings("http://127.0.0.1:9/query", "http://127.0.0.1:9/store")
    with pytest.raises(StoreError, match="does not answer"):
        kgremote.publish(settings, {G + "a": _nt("1")}, "https://example.org")


def test_a_server_says_why_it_cannot_read_the_record_until_it_reads_again(tmp_path):
    from server.engine.remote import RemoteState

    settings = kgremote.RemoteEngineSettings("http://127.0.0.1:9/query", "http://127.0.0.1:9/store")
    state = RemoteState(settings, tmp_path, poll=60.0)
    for _attempt in range(2):  # the second call, within the poll interval, reads nothing new
        with pytest.raises(StoreError, match="does not answer"):
            state.record()
    assert state.version() is None


@pytest.mark.slow
def test_the_issue_command_loads_and_serves(engine, kg, tmp_path):
    """`ENGINE=remote … smartcity-kg load` then `smartcity-kg serve` with the same environment."""
    env = {**os.environ, **backend_env(engine)}
    script = Path(sys.executable).parent / "smartcity-kg"
    done = subprocess.run([str(script), "load", "--store", str(tmp_path / "store"), "--ttl-dir",
                           str(tmp_path / "ttl"), "--shacl", "rudof", "--no-dumps"],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    record = kgremote.read_record(remote_settings(engine))
    assert record.graphs == kg.triple_counts()  # exactly what the embedded load holds
    assert not (tmp_path / "store").exists()  # nothing embedded was built
    process, base = start_server(tmp_path / "store", env=backend_env(engine))
    try:
        health = requests.get(base + "/healthz", timeout=10).json()
        assert health["version"] == record.version and health["triples"] == len(kg)
        rows = requests.get(base + "/api/municipality", params={"code": "372013"}, timeout=30,
                            headers={"Accept": "application/json"}).json()
        assert rows[0]["label"] == "高松市"
    finally:
        stop_server(process)


# --- serving --------------------------------------------------------------------------------------

def _payload(kg) -> dict[str, bytes]:
    """The session's graphs as N-Triples by graph IRI, read from the embedded store."""
    return {graph: ox.serialize((quad.triple for quad in kg.store.quads_for_pattern(None, None, None,
                                                                                     ox.NamedNode(graph))),
                                format=ox.RdfFormat.N_TRIPLES)
            for graph in kg.triple_counts()}


@pytest.fixture()
def loaded_engine(engine, kg):
    """A fresh engine holding the session's data (copied graph by graph from the embedded store)."""
    kgremote.publish(remote_settings(engine), _payload(kg), "https://w3id.org/smartcity-kg")
    return engine


@pytest.fixture()
def remote_app(loaded_engine, tmp_path):
    from conftest import backend_settings

    from server import create_app

    app = create_app({"STORE": str(tmp_path / "store"), "TESTING": True, "REMOTE_POLL": 0.2,
                      "QUERY_TIMEOUT": 2.0, **backend_settings(loaded_engine)})
    yield app.test_client(), loaded_engine
    app.extensions["kg_engine"].close()


def test_the_load_record_and_engine_graphs_stay_out_of_answers(remote_app, kg):
    client, _ = remote_app
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = client.get("/sparql", query_string={"query": query},
                        headers={"Accept": "application/sparql-results+json"})
    graphs = {row["g"]["value"] for row in answer.get_json()["results"]["bindings"]}
    assert graphs == set(kg.triple_counts())
    assert kgremote.LOAD_RECORD_GRAPH not in graphs


def test_a_new_load_switches_version_and_etag(remote_app, kg):
    client, engine = remote_app
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    first = client.get("/sparql", query_string=query)
    version = client.get("/healthz").get_json()["version"]
    kgremote.publish(remote_settings(engine), {G + "extra": _nt("1")} | _payload(kg),
                     "https://w3id.org/smartcity-kg")
    time.sleep(0.3)  # REMOTE_POLL
    second = client.get("/sparql", query_string=query)
    assert client.get("/healthz").get_json()["version"] != version
    assert second.headers["ETag"] != first.headers["ETag"]
    count = lambda r: int(r.get_json()["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert count(second) == count(first) + 1


def test_row_cap_and_formats_match_the_embedded_engine(remote_app, app):
    client, _ = remote_app
    embedded = app.test_client()
    for accept in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                   "text/tab-separated-values"):
        # ORDER BY STR(): engines order language-tagged literals differently (Virtuoso by tag first)
        query = {"query": "SELECT ?m ?l WHERE { ?m a <https://w3id.org/smartcity-kg/ontology#Prefecture> ; "
                          "<http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?m STR(?l) LANG(?l)"}
        mine, theirs = (c.get("/sparql", query_string=query, headers={"Accept": accept})
                        for c in (client, embedded))
        assert mine.status_code == theirs.status_code == 200
        assert mine.data == theirs.data, accept
    construct = {"query": "CONSTRUCT { ?m ?p ?o } WHERE { ?m ?p ?o FILTER(?m = "
                          "<https://w3id.org/smartcity-kg/id/municipality/372013>) }"}
    mine, theirs = (c.get("/sparql", query_string=construct, headers={"Accept": "application/n-triples"})
                    for c in (client, embedded))
    assert sorted(mine.data.splitlines()) == sorted(theirs.data.splitlines()) and mine.data


def test_a_slow_query_is_abandoned_at_the_time_limit(remote_app):
    client, _ = remote_app
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    answer = client.get("/sparql", query_string={"query": slow})
    assert answer.status_code == 503, answer.data[:300]
    assert "did not finish within 2 s" in answer.get_data(as_text=True)
    assert time.monotonic() - started < 10
    assert client.get("/healthz").status_code == 200  # and the server goes on


def test_syntax_errors_are_400_with_the_engines_words(remote_app):
    client, _ = remote_app
    answer = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert answer.status_code == 400 and "query error" in answer.get_data(as_text=True)


def test_an_engine_that_goes_down_is_503_not_500(remote_app):
    client, engine = remote_app
    import signal

    os.kill(engine.pid, signal.SIGTERM)
    time.sleep(0.5)
    for path in ("/healthz", "/sparql?query=ASK%7B%7D", "/api/municipality?code=372013"):
        answer = client.get(path)
        assert answer.status_code == 503, (path, answer.status_code, answer.data[:200])
        assert b"Traceback" not in answer.data


@pytest.mark.parametrize("chunk", [1, 2, 9, 10, 11, 4096])
def test_virtuoso_blank_node_ids_are_read_whatever_the_chunks(chunk):
    """Virtuoso's ``nodeID://b1`` blank nodes in JSON results become labels pyoxigraph reads."""
    import io

    from server.engine.remote import _BlankNodeIds

    body = ('{"head":{"vars":["b","l"]},"results":{"bindings":[' + ",".join(
        f'{{"b":{{"type":"bnode","value":"nodeID://b{n}"}},"l":{{"type":"literal","value":"x{n}"}}}}'
        for n in range(50)) + "]}}").encode()

    class Chunked(io.RawIOBase):
        def __init__(self):
            self.data = io.BytesIO(body)

        def read(self, size=-1):
            return self.data.read(min(size, chunk) if size and size > 0 else chunk)

    rows = list(ox.parse_query_results(_BlankNodeIds(Chunked()), format=ox.QueryResultsFormat.JSON))
    assert [row["b"].value for row in rows] == [f"b{n}" for n in range(50)]
    assert [row["l"].value for row in rows] == [f"x{n}" for n in range(50)]


def test_the_service_description_claims_no_extension_function_on_a_remote_engine(remote_app):
    client, _ = remote_app
    answer = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    assert b"extensionFunction" not in answer.data and b"/function#" not in answer.data
    assert b"http://www.w3.org/ns/sparql-service-description#resultFormat" in answer.data
