"""The query engine and its result serializers, with real worker processes.

The serializers are checked byte for byte against pyoxigraph's own; the engine is checked for
what a public endpoint needs: runaway queries killed without harming other queries, crashes
contained to one worker, new store versions picked up, nothing left running after close.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
from pathlib import Path

import faults
import pyoxigraph as ox
import pytest

from kg import formats
from kg.errors import EngineFailure, EngineUnavailable, QuerySyntaxError, QueryTimeout, StoreError
from kg.store import build
from server import results
from server.engine import INLINE_BYTES, QueryEngine, QueryRequest
from server.engine.spill import SpillingBuffer

EX = "http://ex/"
G_BIG, G_A, G_B = EX + "g/big", EX + "g/a", EX + "g/b"
XSD = "http://www.w3.org/2001/XMLSchema#"
JSON = "application/sparql-results+json"
SOLUTION_TYPES = formats.media_types(formats.SOLUTIONS)
GRAPH_TYPES = formats.media_types(formats.GRAPH)
BIG = 3000  # triples in G_BIG: a three-way cross product of them never ends
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LABEL = f"SELECT ?label {{ <{EX}store> <{EX}label> ?label }}"


def _graphs(label: str) -> dict[str, bytes]:
    big = "".join(f'<{EX}s{i}> <{EX}p> "{i}" .\n' for i in range(BIG))
    return {
        G_BIG: big.encode(),
        G_A: f'<{EX}a> <{EX}in> "A" .\n<{EX}store> <{EX}label> "{label}" .\n'.encode(),
        G_B: f'<{EX}b> <{EX}in> "B"@en .\n<{EX}b> <{EX}knows> <{EX}a> .\n'.encode(),
    }


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("engine") / "store"
    build(path, _graphs("v1"))
    return path


@pytest.fixture(scope="module")
def engine(store_path):
    """A shared engine; tests that kill or crash workers make their own."""
    with QueryEngine(store_path, workers=2, timeout=5.0, max_rows=1000) as engine:
        assert engine.wait_ready()
        yield engine


def _run(engine: QueryEngine, query: str, media_type: str = JSON, **dataset) -> tuple[str, bytes]:
    """Execute and read the result (deleting its file, if any), as the web layer does."""
    result = engine.execute(QueryRequest(query, media_type, **dataset))
    data = result.read()
    assert len(data) == result.size
    return result.media_type, data


def _values(media_type: str, data: bytes) -> list[dict[str, str]]:
    """Rows of a solutions document as variable → term text (plain value for CSV)."""
    if media_type == "text/csv":
        reader = csv.DictReader(io.StringIO(data.decode(), newline=""))
        return [{k: v for k, v in row.items() if v} for row in reader]
    parsed = ox.parse_query_results(data, formats.FORMATS[media_type].native)
    names = [v.value for v in parsed.variables]
    return [{n: str(row[n]) for n in names if row[n] is not None} for row in parsed]


def _triples(media_type: str, data: bytes) -> set[str]:
    return {str(t) for t in ox.parse(data, formats.FORMATS[media_type].native)}


def _children() -> set[int]:
    """Process ids whose parent is this process, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == os.getpid():
                found.add(int(entry.name))
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


# --- serializers, against pyoxigraph's own ------------------------------------------------------


@pytest.fixture(scope="module")
def tricky() -> ox.Store:
    """Terms that exercise every escaping rule of the four result formats."""
    store = ox.Store()
    terms = [
        ox.Literal("plain"), ox.Literal('q"uo,te\nnl\r\ttab\\ <&> \x01\x7f é 日本 \u2028 😀'),
        ox.Literal("hi", language="en"), ox.Literal(" \t edge whitespace \r\n"), ox.Literal(""),
        ox.Literal("\b\f\x00\x1f"), ox.Literal("a&b<c>d'e\"f"),
        ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("-1.5", datatype=ox.NamedNode(XSD + "decimal")),
        ox.Literal("1.5E0", datatype=ox.NamedNode(XSD + "double")),
        ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("x", datatype=ox.NamedNode(EX + "dt")),
        ox.Literal("مرحبا", language="ar", direction=ox.BaseDirection.RTL),
        ox.NamedNode(EX + "o?a=1&b='2'"), ox.BlankNode("b1"),
        ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal('a,"b')),
    ]
    for i, term in enumerate(terms):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i:02}"), ox.NamedNode(EX + "p"), term))
    return store


SERIALIZER_QUERIES = [
    "SELECT ?s ?o ?unbound { ?s ?p ?o OPTIONAL { ?s <http://ex/none> ?unbound } } ORDER BY ?s",
    "SELECT * {}",
    "SELECT ?x { FILTER(false) }",
    f'SELECT (1E3 AS ?d) (.5 AS ?e) (-5 AS ?f) (STRDT("5.", <{XSD}decimal>) AS ?g) {{}}',
]


@pytest.mark.parametrize("media_type", SOLUTION_TYPES)
@pytest.mark.parametrize("query", SERIALIZER_QUERIES)
def test_solutions_are_written_byte_for_byte_as_pyoxigraph_does(tricky, media_type, query):
    native = tricky.query(query).serialize(format=formats.FORMATS[media_type].native)
    out = io.BytesIO()
    written = results.write_result(tricky.query(query), media_type, out, max_rows=100)
    assert out.getvalue() == native
    assert not written.truncated


def test_csv_quotes_an_iri_holding_a_comma():
    """Where pyoxigraph writes such an IRI unquoted (breaking the row), RFC 4180 quoting applies."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "a,b")))
    out = io.BytesIO()
    results.write_result(store.query("SELECT ?o ?s { ?s ?p ?o }"), "text/csv", out)
    assert out.getvalue() == b'o,s\r\n"http://ex/a,b",http://ex/s\r\n'


@pytest.mark.parametrize("media_type", SOLUTION_TYPES)
@pytest.mark.parametrize("query", ["ASK { ?s ?p ?o }", "ASK { ?s <http://ex/none> ?o }"])
def test_booleans_are_written_as_pyoxigraph_does(tricky, media_type, query):
    out = io.BytesIO()
    assert results.write_result(tricky.query(query), media_type, out) == results.Written(1, False)
    assert out.getvalue() == tricky.query(query).serialize(format=formats.FORMATS[media_type].native)


@pytest.mark.parametrize("media_type", GRAPH_TYPES)
def test_triples_are_written_as_pyoxigraph_does(tricky, media_type):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(!isTriple(?o)) }"
    native = tricky.query(query).serialize(format=formats.FORMATS[media_type].native)
    out = io.BytesIO()
    assert results.write_result(tricky.query(query), media_type, out) == results.Written(16, False)
    assert out.getvalue() == native


@pytest.mark.parametrize("media_type", SOLUTION_TYPES)
@pytest.mark.parametrize(("cap", "rows", "truncated"),
                         [(2, 2, True), (5, 5, False), (9, 5, False), (0, 0, True)])
def test_row_cap_cuts_solutions_into_a_valid_document(media_type, cap, rows, truncated):
    query = "SELECT ?n { VALUES ?n { 1 2 3 4 5 } }"
    out = io.BytesIO()
    written = results.write_result(ox.Store().query(query), media_type, out, max_rows=cap)
    assert written == results.Written(rows, truncated)
    assert len(_values(media_type, out.getvalue())) == rows


@pytest.mark.parametrize("media_type", GRAPH_TYPES)
def test_row_cap_cuts_triples_into_a_valid_document(tricky, media_type):
    out = io.BytesIO()
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(!isTriple(?o)) }"
    written = results.write_result(tricky.query(query), media_type, out, max_rows=3)
    assert written == results.Written(3, True)
    assert len(_triples(media_type, out.getvalue())) == 3


def test_solutions_are_written_as_they_come():
    """Streaming: a large result reaches the file in many writes, not one held in memory."""

    class Counting(io.RawIOBase):
        writes = 0

        def writable(self):
            return True

        def write(self, data):
            self.writes += 1
            return len(data)

    out = Counting()
    query = "SELECT ?i { VALUES ?x { 0 1 2 3 4 5 6 7 8 9 } VALUES ?y { 0 1 2 3 4 5 6 7 8 9 } " \
            "VALUES ?z { 0 1 2 3 4 5 6 7 8 9 } BIND(?x * 100 + ?y * 10 + ?z AS ?i) }"
    assert results.write_result(ox.Store().query(query), JSON, out).rows == 1000
    assert out.writes >= 1000 // results.BATCH_ROWS


def test_media_types_resolve_per_kind():
    assert formats.resolve("application/json", formats.SOLUTIONS) == JSON
    assert formats.resolve("application/json", formats.GRAPH) == "application/ld+json"
    assert formats.resolve("Text/CSV; charset=utf-8", formats.BOOLEAN) == "text/csv"
    assert formats.resolve("text/turtle", formats.SOLUTIONS) is None
    assert formats.FORMATS["text/csv"].content_type == "text/csv; charset=utf-8"
    assert formats.FORMATS["application/n-triples"].content_type == "application/n-triples"
    with pytest.raises(ValueError, match="cannot carry"):
        results.write_result(ox.Store().query("ASK {}"), "text/turtle", io.BytesIO())


# --- the engine ----------------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", SOLUTION_TYPES)
def test_select_in_every_media_type(engine, media_type):
    query = f'SELECT ?s ?o {{ ?s <{EX}in> ?o }} ORDER BY ?s'
    answered, data = _run(engine, query, media_type)
    assert answered == media_type
    rows = _values(media_type, data)
    if media_type == "text/csv":
        assert rows == [{"s": EX + "a", "o": "A"}, {"s": EX + "b", "o": "B"}]
    else:
        assert rows == [{"s": f"<{EX}a>", "o": '"A"'}, {"s": f"<{EX}b>", "o": '"B"@en'}]


@pytest.mark.parametrize("media_type", SOLUTION_TYPES)
def test_ask_in_every_media_type(engine, media_type):
    _, yes = _run(engine, f"ASK {{ <{EX}a> <{EX}in> 'A' }}", media_type)
    _, no = _run(engine, f"ASK {{ <{EX}a> <{EX}in> 'Z' }}", media_type)
    if media_type in ("text/csv", "text/tab-separated-values"):
        assert (yes, no) == (b"true", b"false")
    else:
        native = formats.FORMATS[media_type].native
        assert bool(ox.parse_query_results(yes, native)) and not bool(ox.parse_query_results(no, native))


@pytest.mark.parametrize("media_type", GRAPH_TYPES)
def test_construct_and_describe_in_every_media_type(engine, media_type):
    answered, data = _run(engine, f"CONSTRUCT {{ ?s <{EX}in> ?o }} WHERE {{ ?s <{EX}in> ?o }}", media_type)
    assert answered == media_type
    assert _triples(media_type, data) == {f'<{EX}a> <{EX}in> "A"', f'<{EX}b> <{EX}in> "B"@en'}
    _, data = _run(engine, f"DESCRIBE <{EX}b>", media_type)
    assert _triples(media_type, data) == {f'<{EX}b> <{EX}in> "B"@en', f"<{EX}b> <{EX}knows> <{EX}a>"}


def test_media_type_that_does_not_fit_the_result_falls_back_to_the_default(engine):
    """Content negotiation happens before the query form is certain; the result says what it is."""
    answered, data = _run(engine, "SELECT * {}", "text/turtle")
    assert answered == JSON and json.loads(data)["results"]["bindings"] == [{}]
    answered, _ = _run(engine, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/json")
    assert answered == "application/ld+json"
    with pytest.raises(ValueError, match="not a result media type"):
        engine.execute(QueryRequest("ASK {}", "image/png"))


def test_union_default_graph_versus_protocol_dataset(engine):
    query = f"SELECT ?o {{ ?s <{EX}in> ?o }} ORDER BY ?o"
    named = f"SELECT ?g {{ GRAPH ?g {{ ?s <{EX}in> ?o }} }} ORDER BY ?g"
    assert _values(JSON, _run(engine, query)[1]) == [{"o": '"A"'}, {"o": '"B"@en'}]
    assert _values(JSON, _run(engine, query, default_graph_uris=(G_A,))[1]) == [{"o": '"A"'}]
    assert _values(JSON, _run(engine, query, default_graph_uris=(G_A, G_B))[1]) == [
        {"o": '"A"'}, {"o": '"B"@en'}]
    # named-graph-uri alone: an empty default graph, only the listed named graphs
    assert _values(JSON, _run(engine, query, named_graph_uris=(G_B,))[1]) == []
    assert _values(JSON, _run(engine, named, named_graph_uris=(G_B,))[1]) == [{"g": f"<{G_B}>"}]
    assert _values(JSON, _run(engine, named)[1]) == [{"g": f"<{G_A}>"}, {"g": f"<{G_B}>"}]


def test_from_clause_is_honoured_despite_the_union_default(engine):
    query = f"SELECT ?o FROM <{G_B}> {{ ?s <{EX}in> ?o }}"
    assert _values(JSON, _run(engine, query)[1]) == [{"o": '"B"@en'}]
    # … but the protocol's default-graph-uri overrides FROM, as SPARQL 1.1 Protocol says
    assert _values(JSON, _run(engine, query, default_graph_uris=(G_A,))[1]) == [{"o": '"A"'}]


def test_small_results_come_through_the_pipe(engine):
    result = engine.execute(QueryRequest(f"SELECT ?s {{ ?s <{EX}p> ?o }} LIMIT 10", "text/csv"))
    assert result.path is None and result.body.count(b"\n") == 11 and result.size == len(result.body)


def test_large_results_come_through_a_file_that_streams_and_goes(engine):
    padding = "x" * 400
    query = f'SELECT ?s ?pad {{ ?s <{EX}p> ?o BIND("{padding}" AS ?pad) }} LIMIT 900'
    result = engine.execute(QueryRequest(query, "text/csv"))
    assert result.body is None and result.path.exists() and result.size > INLINE_BYTES
    data = b"".join(result.chunks(4096))
    assert len(data) == result.size and data.count(b"\n") == 901 and data.count(padding.encode()) == 900
    assert not result.path.exists()


@pytest.mark.parametrize(("pieces", "inline"), [
    ([b"ab", b"cd"], True),  # exactly at the limit: still in memory
    ([b"ab", b"cde"], False),  # one byte over: everything moves to the file, in order
    ([b"abcdef"], False),
    ([], True),
])
def test_spilling_buffer_keeps_up_to_the_limit_in_memory(tmp_path, pieces, inline):
    path = tmp_path / "result"
    with SpillingBuffer(str(path), 4) as output:
        for piece in pieces:
            output.write(piece)
    if inline:
        assert output.inline() == b"".join(pieces) and not path.exists()
    else:
        assert output.inline() is None and path.read_bytes() == b"".join(pieces)


def test_row_cap_truncates_and_says_so(engine):
    result = engine.execute(QueryRequest(f"SELECT ?s {{ ?s <{EX}p> ?o }}", "text/tab-separated-values"))
    lines = result.read().splitlines()
    assert result.truncated and len(lines) == 1 + 1000
    result = engine.execute(QueryRequest(f"SELECT ?s {{ ?s <{EX}p> ?o }} LIMIT 1000", JSON))
    result.discard()
    assert not result.truncated


def test_malformed_queries_and_graph_iris_are_syntax_errors(engine):
    with pytest.raises(QuerySyntaxError, match=r"error at 1:\d+"):
        engine.execute(QueryRequest("SELEC ?x {}", JSON))
    with pytest.raises(QuerySyntaxError):
        engine.execute(QueryRequest(f"INSERT DATA {{ <{EX}x> <{EX}y> <{EX}z> }}", JSON))
    with pytest.raises(QuerySyntaxError, match="invalid graph IRI"):
        engine.execute(QueryRequest("ASK {}", JSON, default_graph_uris=("not an iri",)))
    assert _run(engine, "ASK {}")[1] == b'{"head":{},"boolean":true}'  # the worker is fine


def test_eight_threads_query_concurrently(engine):
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            for i in range(5):
                k = n * 100 + i
                media_type = SOLUTION_TYPES[(n + i) % 4]
                _, data = _run(engine, f"SELECT ?o {{ <{EX}s{k}> <{EX}p> ?o }}", media_type)
                expected = str(k) if media_type == "text/csv" else f'"{k}"'
                assert _values(media_type, data) == [{"o": expected}], (k, media_type, data)
        except BaseException as exc:  # re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors[0]


def test_timeout_kills_the_query_and_other_queries_keep_answering(store_path):
    with QueryEngine(store_path, workers=2, timeout=1.0) as engine:
        assert engine.wait_ready()
        before = engine._worker_pids()
        outcome: dict = {}

        def runaway() -> None:
            started = time.monotonic()
            try:
                engine.execute(QueryRequest(RUNAWAY, JSON))
            except QueryTimeout as exc:
                outcome["error"] = exc
            outcome["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.3)
        started = time.monotonic()
        assert _run(engine, f"ASK {{ <{EX}a> ?p ?o }}")[1] == b'{"head":{},"boolean":true}'
        meanwhile = time.monotonic() - started
        thread.join(10)
        assert isinstance(outcome.get("error"), QueryTimeout)
        assert 1.0 <= outcome["seconds"] < 2.5
        assert meanwhile < 0.5

        after = engine._worker_pids()
        assert len(before - after) == 1 and len(after - before) == 1, "one worker killed and replaced"
        killed = (before - after).pop()
        assert not Path(f"/proc/{killed}").exists()
        assert engine.wait_ready()
        children = _children()
        spent = {pid: _cpu_seconds(pid) for pid in children}
        time.sleep(0.5)
        assert sum(_cpu_seconds(pid) - spent[pid] for pid in children) < 0.1, "a process still burns CPU"
        assert _run(engine, RUNAWAY.replace("?g ?h ?i", "FILTER(false)"))[0] == JSON


def test_waiting_for_a_busy_worker_is_bounded(store_path):
    with QueryEngine(store_path, workers=1, timeout=1.0, max_wait=0.3) as engine:
        assert engine.wait_ready()
        thread = threading.Thread(target=lambda: pytest.raises(QueryTimeout, engine.execute,
                                                                QueryRequest(RUNAWAY, JSON)))
        thread.start()
        time.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="busy"):
            engine.execute(QueryRequest("ASK {}", JSON))
        assert time.monotonic() - started < 0.6
        thread.join(10)
        assert engine.wait_ready(30)  # the replacement starts slowly on a loaded machine
        assert _run(engine, "ASK {}")[0] == JSON


@pytest.mark.parametrize("fault", [faults.ABORT, faults.SEGV])
def test_a_crash_loses_one_worker_only(store_path, fault):
    with QueryEngine(store_path, workers=2, timeout=5.0, query_runner=faults.crash_on_request) as engine:
        assert engine.wait_ready()
        before = engine._worker_pids()
        with pytest.raises(EngineFailure, match="failed while running this query"):
            engine.execute(QueryRequest("ASK {} " + fault, JSON))  # crashes in the worker
        after = engine._worker_pids()
        assert len(before & after) == 1 and len(after) == 2
        assert not Path(f"/proc/{(before - after).pop()}").exists()
        for _ in range(3):
            assert _run(engine, "ASK {}")[0] == JSON


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "on-disk"])
def test_a_new_store_version_is_picked_up(tmp_path, in_memory):
    path = tmp_path / "store"
    first = build(path, _graphs("v1"))
    with QueryEngine(path, workers=2, in_memory=in_memory, timeout=5.0) as engine:
        assert engine.version == first.version
        assert _values(JSON, _run(engine, LABEL)[1]) == [{"label": '"v1"'}]
        second = build(path, _graphs("v2"))
        assert engine.version == second.version != first.version
        labels: list = []
        threads = [threading.Thread(target=lambda: labels.append(_values(JSON, _run(engine, LABEL)[1])))
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert labels == [[{"label": '"v2"'}]] * 4


def test_on_disk_store_without_union_sees_the_store_default_graph(store_path):
    with QueryEngine(store_path, workers=1, in_memory=False, union_default_graph=False) as engine:
        assert _values(JSON, _run(engine, f"SELECT ?o {{ ?s <{EX}in> ?o }}")[1]) == []
        named = f"SELECT ?o {{ GRAPH <{G_A}> {{ ?s <{EX}in> ?o }} }}"
        assert _values(JSON, _run(engine, named)[1]) == [{"o": '"A"'}]


def test_close_leaves_no_child_processes(store_path):
    before = _children()
    engine = QueryEngine(store_path, workers=3, timeout=5.0)
    assert engine.wait_ready()
    pids = engine._worker_pids()
    result = engine.execute(QueryRequest("ASK {}", JSON))
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(pytest.raises(
        EngineUnavailable, engine.execute, QueryRequest(RUNAWAY, JSON))))
    thread.start()
    time.sleep(0.3)
    engine.close()
    thread.join(5)
    assert outcome, "the query running at close fails instead of hanging"
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)
    left = _children() - before
    assert all("resource_tracker" in _cmdline(pid) for pid in left), [_cmdline(p) for p in left]
    assert result.body is not None and not engine._dir.exists()
    with pytest.raises(EngineUnavailable, match="shut down"):
        engine.execute(QueryRequest("ASK {}", JSON))
    engine.close()  # twice is harmless


def test_a_missing_store_is_refused_at_once(tmp_path):
    with pytest.raises(StoreError, match="no store here"):
        QueryEngine(tmp_path / "nothing")


def test_workers_start_on_first_use(store_path):
    """Making an engine (and so the web app) starts no process; the first query starts them all."""
    before = _children()
    with QueryEngine(store_path, workers=2, timeout=5.0) as engine:
        assert _children() == before and not engine._worker_pids()
        assert _run(engine, "ASK {}")[0] == JSON
        assert len(engine._worker_pids()) == 2 and engine._worker_pids() <= _children()


@pytest.mark.parametrize(("key", "content_type", "start"), [
    ("plain-json", "application/json", b'[{"s":"http://ex/a","o":"A"}'),
    ("csv-bom", "text/csv; charset=utf-8", b"\xef\xbb\xbfs,o\r\nhttp://ex/a,A\r\n"),
])
def test_the_api_formats_are_written_by_the_worker(engine, key, content_type, start):
    result = engine.execute(QueryRequest(f"SELECT ?s ?o {{ ?s <{EX}in> ?o }} ORDER BY ?s", key))
    assert (result.format, result.content_type) == (key, content_type)
    assert result.read().startswith(start)
    fallback = engine.execute(QueryRequest("ASK {}", key))  # solutions only: a boolean comes as SPARQL JSON
    assert (fallback.media_type, fallback.read()) == (JSON, b'{"head":{},"boolean":true}')
