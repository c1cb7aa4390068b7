"""Errors by whose fault they are: what the client sent is 4xx; our I/O and engine faults are 5xx
with a line in the server log and no detail (paths, tracebacks) for the client."""

from __future__ import annotations

import logging

import faults
import pytest

from kg import errors
from server import create_app
from server.engine import QueryEngine


@pytest.fixture(scope="module")
def faulty_client(kg, kg_root):
    """An app whose query engine runs the fault-injecting runner of tests/faults.py."""
    app = create_app({"STORE": str(kg_root / "store"), "TESTING": True, "CACHE": False})
    app.extensions["kg_engine"] = QueryEngine(kg_root / "store", workers=1, timeout=10.0,
                                              query_runner=faults.crash_on_request)
    try:
        yield app.test_client()
    finally:
        app.extensions["kg_engine"].close()


def _query(client, text: str):
    return client.get("/sparql", query_string={"query": text}, headers={"Accept": "application/json"})


def test_a_store_that_cannot_be_read_is_a_logged_500(faulty_client, caplog):
    with caplog.at_level(logging.INFO):
        response = _query(faulty_client, "ASK { ?s ?p ?o } " + faults.READ_ERROR)
    assert response.status_code == 500
    assert response.json["error"] == "the query could not be evaluated; see the server log"
    assert "sst" not in response.get_data(as_text=True)  # no file paths for the client
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "EngineFailure on GET /sparql" in logged
    assert "Input/output error" in logged  # the detail is in the log


@pytest.mark.parametrize("crash", [faults.ABORT, faults.SEGV])
def test_a_query_process_that_dies_is_a_logged_500_and_the_next_query_answers(faulty_client, caplog, crash):
    with caplog.at_level(logging.INFO):
        response = _query(faulty_client, "ASK { ?s ?p ?o } " + crash)
    assert response.status_code == 500
    assert "failed while running this query" in response.json["error"]
    assert any(r.levelno >= logging.ERROR and "/sparql" in r.getMessage() for r in caplog.records)
    after = _query(faulty_client, "ASK { ?s ?p ?o }")
    assert after.status_code == 200 and after.json["boolean"] is True


def test_the_clients_mistakes_are_4xx_and_not_logged_as_errors(faulty_client, caplog):
    with caplog.at_level(logging.INFO):
        bad = _query(faulty_client, "ASK {")
        unknown = _query(faulty_client, "SELECT (<http://example.org/f>(1) AS ?x) {}")
    assert (bad.status_code, unknown.status_code) == (400, 400)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_every_error_class_has_a_status_and_an_exit_code():
    classes = [cls for cls in vars(errors).values()
               if isinstance(cls, type) and issubclass(cls, errors.KGError)]
    assert len(classes) >= 15
    for cls in classes:
        assert cls.status in (400, 404, 406, 413, 415, 500, 503), cls
        assert cls.exit_code in (1, 2), cls
        client = issubclass(cls, errors.ClientError)
        assert (400 <= cls.status < 500) == client, cls
