"""The API's own result formats, written by the query process from the terms: plain JSON, CSV with BOM."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest

from server import results

XSD = "http://www.w3.org/2001/XMLSchema#"
BOM = b"\xef\xbb\xbf"

#: SPARQL JSON results, read back into pyoxigraph solutions: terms of every kind, ill-typed ones too.
TERMS = json.dumps({"head": {"vars": ["n", "d", "b", "s", "u", "x", "f"]}, "results": {"bindings": [
    {"n": {"type": "literal", "value": "1890000000", "datatype": XSD + "integer"},
     "d": {"type": "literal", "value": "0.333333333333333333", "datatype": XSD + "decimal"},
     "b": {"type": "literal", "value": "false", "datatype": XSD + "boolean"},
     "s": {"type": "literal", "value": "高松\"市\n", "xml:lang": "ja"},
     "u": {"type": "uri", "value": "https://e/x"},
     "f": {"type": "literal", "value": "1.5E3", "datatype": XSD + "double"}},
    {"s": {"type": "literal", "value": "2019", "datatype": XSD + "gYear"},
     "d": {"type": "literal", "value": "100.0", "datatype": XSD + "decimal"},
     "n": {"type": "literal", "value": "bad", "datatype": XSD + "integer"},
     "u": {"type": "bnode", "value": "b1"},
     "x": {"type": "triple", "value": {"subject": {"type": "uri", "value": "https://e/s"},
                                       "predicate": {"type": "uri", "value": "https://e/p"},
                                       "object": {"type": "literal", "value": "o"}}},
     "f": {"type": "literal", "value": "1", "datatype": XSD + "boolean"}},
]}}, ensure_ascii=False).encode()


def _solutions(document: bytes = TERMS) -> ox.QuerySolutions:
    return ox.parse_query_results(document, ox.QueryResultsFormat.JSON)


def _write(solutions, key: str, max_rows: int | None = None) -> tuple[bytes, results.Written]:
    out = io.BytesIO()
    written = results.write_result(solutions, key, out, max_rows)
    return out.getvalue(), written


def test_plain_json_numbers_booleans_strings_and_nulls():
    data, written = _write(_solutions(), "plain-json")
    assert written == results.Written(2, False)
    assert json.loads(data) == [
        {"n": 1890000000, "d": 0.333333333333333333, "b": False, "s": "高松\"市\n", "u": "https://e/x",
         "x": None, "f": 1500.0},
        {"n": "bad", "d": 100, "b": None, "s": "2019", "u": "_:b1", "x": "https://e/s https://e/p o",
         "f": True},
    ]
    assert b'"d":0.333333333333333333,' in data and b'"d":100,' in data  # exact digits, no float rounding
    assert data.startswith(b'[{"n":1890000000,') and data.endswith(b"}]")


def test_plain_json_of_no_rows_is_an_empty_array():
    empty = b'{"head":{"vars":["a"]},"results":{"bindings":[]}}'
    assert _write(_solutions(empty), "plain-json")[0] == b"[]"


@pytest.mark.parametrize("key", ["plain-json", "csv-bom"])
def test_row_cap_cuts_the_api_formats_into_a_valid_document(key):
    query = "SELECT ?n { VALUES ?n { 1 2 3 4 5 } }"
    data, written = _write(ox.Store().query(query), key, max_rows=2)
    assert written == results.Written(2, True)
    if key == "plain-json":
        assert json.loads(data) == [{"n": 1}, {"n": 2}]
    else:
        assert data == BOM + b"n\r\n1\r\n2\r\n"


def test_csv_with_bom_is_the_csv_behind_a_byte_order_mark():
    csv, _ = _write(_solutions(), "csv")
    with_bom, _ = _write(_solutions(), "csv-bom")
    assert with_bom == BOM + csv and csv.startswith(b"n,d,b,s,u,x,f\r\n") and b'"\xe9\xab\x98' in csv


def test_api_formats_are_written_in_batches():
    """Streaming: a large result reaches the output in many writes, never held whole."""
    writes = []
    query = "SELECT ?i { VALUES ?x { 0 1 2 3 4 5 6 7 8 9 } VALUES ?y { 0 1 2 3 4 5 6 7 8 9 } " \
            "VALUES ?z { 0 1 2 3 4 5 6 7 8 9 } BIND(?x * 100 + ?y * 10 + ?z AS ?i) }"

    class Recording(io.RawIOBase):
        def writable(self):
            return True

        def write(self, data):
            writes.append(bytes(data))
            return len(data)

    assert results.write_result(ox.Store().query(query), "plain-json", Recording()).rows == 1000
    assert len(writes) >= 1000 // results.BATCH_ROWS
    assert len(json.loads(b"".join(writes))) == 1000


@pytest.mark.parametrize(("query", "key"), [("ASK {}", "plain-json"),
                                            ("CONSTRUCT WHERE { ?s ?p ?o }", "csv-bom")])
def test_api_formats_carry_solutions_only(query, key):
    assert results.format_for(key, results.kind_of(ox.Store().query(query))) is None
    with pytest.raises(ValueError, match="cannot carry"):
        _write(ox.Store().query(query), key)
