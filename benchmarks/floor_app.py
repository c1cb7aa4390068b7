"""The least any Python SPARQL server over pyoxigraph can do per request: the floor under ours.

A bare WSGI app, run by gunicorn like our server, that answers a POSTed query from an in-memory
store in its own process and lets pyoxigraph serialize the result. It has none of what makes an
endpoint safe or standard: no protocol checks, content negotiation, limits, timeouts, crash
isolation, caching or access log. Its throughput beside ``oxigraph serve`` shows what part of the gap
between our server and Oxigraph is the price of Python and gunicorn alone.

Used by ``bench_sparql.py`` as the ``py-floor`` server; the store link comes from
``BENCH_FLOOR_STORE``. Never deploy it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from kg.store import KnowledgeGraph


def create_app():
    """A WSGI callable over an in-memory copy of the store at ``$BENCH_FLOOR_STORE``."""
    on_disk = KnowledgeGraph.open(Path(os.environ["BENCH_FLOOR_STORE"]))
    store = ox.Store()
    store.bulk_extend(on_disk.store.quads_for_pattern(None, None, None, None))
    del on_disk

    def app(environ, start_response):
        if environ["REQUEST_METHOD"] != "POST":  # readiness probe
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        result = store.query(environ["wsgi.input"].read(length).decode(), use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions):
            body, content_type = result.serialize(format=ox.QueryResultsFormat.JSON), \
                "application/sparql-results+json"
        else:
            body, content_type = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES), "application/n-triples"
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    return app
