"""What server/engine/remote.py does about Virtuoso's answers, on recorded bytes (no engine needed).

The same behaviour is exercised against a real Virtuoso by the files in the Makefile's REMOTE_TESTS
with ``SMARTCITY_KG_TEST_BACKEND=virtuoso``.
"""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest

from server.engine.query import QueryRequest
from server.engine.remote import NO_GRAPH, _declared_dataset, _syntax_error, _VirtuosoJson

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _chunked(body: bytes, chunk: int) -> io.RawIOBase:
    class Chunked(io.RawIOBase):
        def __init__(self):
            self.data = io.BytesIO(body)

        def readable(self) -> bool:
            return True

        def read(self, size=-1):
            return self.data.read(min(size, chunk) if size and size > 0 else chunk)

    return Chunked()


@pytest.mark.parametrize("chunk", [1, 7, 31, 32, 33, 4096])
def test_virtuoso_booleans_become_true_and_false_whatever_the_chunks(chunk):
    # the bytes as Virtuoso 07.20.3229 writes them (spaces, tab and order as measured)
    cell = '{{ "b": {{ "type": "typed-literal", "datatype": "{dt}", "value": "{v}" }}\t, ' \
           '"n": {{ "type": "bnode", "value": "nodeID://b{i}" }}}}'
    values = ["1", "0"] * 20
    cells = ",\n".join(cell.format(dt=XSD_BOOLEAN, v=v, i=i) for i, v in enumerate(values))
    body = ('{ "head": { "link": [], "vars": ["b", "n"] },\n  "results": { "distinct": false, '
            '"ordered": true, "bindings": [\n' + cells + " ] } }").encode()
    stream = _VirtuosoJson(_chunked(body, chunk))
    rows = list(ox.parse_query_results(stream, format=ox.QueryResultsFormat.JSON))
    assert [row["b"] for row in rows] == [ox.Literal(v == "1") for v in values]
    assert [row["b"].value for row in rows] == ["true" if v == "1" else "false" for v in values]
    assert [row["n"].value for row in rows] == [f"b{i}" for i in range(len(values))]


def test_an_integer_one_stays_an_integer():
    body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"typed-literal",' \
           b'"datatype":"http://www.w3.org/2001/XMLSchema#integer","value":"1"}}]}}'
    (row,) = ox.parse_query_results(_VirtuosoJson(_chunked(body, 5)), format=ox.QueryResultsFormat.JSON)
    assert row["x"] == ox.Literal(1)


G, H = "http://ex/g", "http://ex/h"


@pytest.mark.parametrize(("query", "virtuoso", "expected"), [
    (f"ASK FROM <{G}> {{ ?s ?p ?o }}", False, [("default-graph-uri", G), ("named-graph-uri", NO_GRAPH)]),
    (f"ASK FROM NAMED <{G}> {{ GRAPH ?g {{ ?s ?p ?o }} }}", False,
     [("default-graph-uri", NO_GRAPH), ("named-graph-uri", G)]),
    (f"ask from <{G}> from <{H}> from named <{H}> {{ ?s ?p ?o }}", True,
     [("default-graph-uri", G), ("default-graph-uri", H), ("named-graph-uri", H)]),
    (f'ASK FROM <{G}> {{ ?s ?p "FROM NAMED <{H}>" }} # FROM NAMED <{H}>', False,
     [("default-graph-uri", G), ("named-graph-uri", NO_GRAPH)]),
    # a declaration it cannot read is left to the engine; Virtuoso still gets the missing part
    ("PREFIX ex: <http://ex/> ASK FROM ex:g { ?s ?p ?o }", False, []),
    ("PREFIX ex: <http://ex/> ASK FROM ex:g { ?s ?p ?o }", True, [("named-graph-uri", NO_GRAPH)]),
    ("ASK FROM <g> { ?s ?p ?o }", False, []),
])
def test_a_declared_dataset_is_sent_as_request_parameters(query, virtuoso, expected):
    assert _declared_dataset(query, virtuoso) == expected


def test_syntax_errors_are_reported_as_the_embedded_engine_words_them():
    message = _syntax_error(QueryRequest(query="ASK {", format="srj"))
    assert message is not None and message.startswith("error at 1:6: expected")
    assert _syntax_error(QueryRequest(query="ASK {}", format="srj")) is None
