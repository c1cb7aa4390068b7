"""The one table of result formats: names, media types, W3C format IRIs, pyoxigraph's writers.

Every place that names a format reads it from here: content negotiation and ``format=`` on
``/sparql`` and ``/api``, the writers in the query processes, the Service Description, the
OpenAPI document. The eight W3C formats come first; then the API's two re-encodings of SELECT
results (plain JSON, CSV with a byte-order mark for Excel), which the query processes write too.

>>> resolve("application/json", GRAPH), resolve("application/json", SOLUTIONS)
('application/ld+json', 'application/sparql-results+json')
>>> [f.key for f in (by_api_name("json", bom=False), by_api_name("csv", bom=True))]
['plain-json', 'csv-bom']
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

SOLUTIONS = "solutions"
BOOLEAN = "boolean"
GRAPH = "graph"
#: Query form → the kind of result it produces.
FORM_KINDS = {"SELECT": SOLUTIONS, "ASK": BOOLEAN, "CONSTRUCT": GRAPH, "DESCRIBE": GRAPH}

_W3C = "http://www.w3.org/ns/formats/"
_TABULAR = frozenset({SOLUTIONS, BOOLEAN})


@dataclass(frozen=True)
class ResultFormat:
    """One way of writing a query result."""

    key: str  # unique; what the query process is asked to write
    media_type: str
    kinds: frozenset[str]  # result kinds it can carry
    title: str
    iri: str | None = None  # W3C format IRI (Service Description); None for our own re-encodings
    native: ox.QueryResultsFormat | ox.RdfFormat | None = None  # pyoxigraph's name for it
    sparql_names: tuple[str, ...] = ()  # ``format=`` spellings on /sparql
    api_name: str | None = None  # the ``format=`` name on /api (None: not offered there)
    bom: bool = False  # starts with a UTF-8 byte-order mark (Excel)

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text types declare UTF-8, as the SPARQL specs require)."""
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")


TABLE = (
    ResultFormat("srj", "application/sparql-results+json", _TABULAR, "SPARQL 1.1 Query Results JSON",
                 _W3C + "SPARQL_Results_JSON", ox.QueryResultsFormat.JSON, ("srj",), "srj"),
    ResultFormat("srx", "application/sparql-results+xml", _TABULAR, "SPARQL Query Results XML",
                 _W3C + "SPARQL_Results_XML", ox.QueryResultsFormat.XML, ("srx",), "xml"),
    ResultFormat("csv", "text/csv", _TABULAR, "SPARQL 1.1 Query Results CSV (UTF-8)",
                 _W3C + "SPARQL_Results_CSV", ox.QueryResultsFormat.CSV, ("csv",), "csv"),
    ResultFormat("tsv", "text/tab-separated-values", _TABULAR, "SPARQL 1.1 Query Results TSV",
                 _W3C + "SPARQL_Results_TSV", ox.QueryResultsFormat.TSV, ("tsv",), "tsv"),
    ResultFormat("turtle", "text/turtle", frozenset({GRAPH}), "Turtle",
                 _W3C + "Turtle", ox.RdfFormat.TURTLE, ("turtle", "ttl", "n3")),
    ResultFormat("ntriples", "application/n-triples", frozenset({GRAPH}), "N-Triples",
                 _W3C + "N-Triples", ox.RdfFormat.N_TRIPLES, ("nt", "ntriples")),
    ResultFormat("rdfxml", "application/rdf+xml", frozenset({GRAPH}), "RDF/XML",
                 _W3C + "RDF_XML", ox.RdfFormat.RDF_XML, ("rdfxml", "rdf", "rdf+xml")),
    ResultFormat("jsonld", "application/ld+json", frozenset({GRAPH}), "JSON-LD",
                 _W3C + "JSON-LD", ox.RdfFormat.JSON_LD, ("jsonld", "json-ld")),
    ResultFormat("plain-json", "application/json", frozenset({SOLUTIONS}),
                 "plain JSON: an array of objects, numbers as numbers, unbound as null", api_name="json"),
    ResultFormat("csv-bom", "text/csv", frozenset({SOLUTIONS}),
                 "CSV with a UTF-8 byte-order mark, for Excel", bom=True),
)
BY_KEY: dict[str, ResultFormat] = {f.key: f for f in TABLE}

#: The W3C formats by media type, preferred first within a kind (the first is the kind's default).
FORMATS: dict[str, ResultFormat] = {f.media_type: f for f in TABLE if f.iri is not None}

#: Generic media types clients send, resolved per kind (``application/json`` means different
#: things for SELECT and CONSTRUCT).
ALIASES: dict[str, dict[str, str]] = {
    SOLUTIONS: {"application/json": "application/sparql-results+json",
                "application/xml": "application/sparql-results+xml"},
    GRAPH: {"application/json": "application/ld+json", "application/xml": "application/rdf+xml",
            "application/x-turtle": "text/turtle"},
}
ALIASES[BOOLEAN] = ALIASES[SOLUTIONS]

#: The ``format=`` names of /api and what each writes (``csv`` with ``bom=1`` is ``csv-bom``).
API_FORMATS: dict[str, ResultFormat] = {f.api_name: f for f in TABLE if f.api_name}

#: ``format=`` spellings on /sparql → media type (``json`` and ``xml`` resolve per kind).
SPARQL_FORMAT_NAMES: dict[str, str] = {
    "json": "application/json", "xml": "application/xml",
    **{name: f.media_type for f in FORMATS.values() for name in f.sparql_names},
}


def media_types(kind: str) -> tuple[str, ...]:
    """The W3C media types able to carry a result of ``kind``, preferred first."""
    return tuple(f.media_type for f in FORMATS.values() if kind in f.kinds)


def resolve(media_type: str, kind: str) -> str | None:
    """The canonical W3C media type serving ``media_type`` for ``kind``, or None when none can."""
    media_type = media_type.split(";", 1)[0].strip().lower()
    media_type = ALIASES[kind].get(media_type, media_type)
    fmt = FORMATS.get(media_type)
    return media_type if fmt is not None and kind in fmt.kinds else None


def by_api_name(name: str, bom: bool) -> ResultFormat:
    """The format an /api request asks for by name; CSV with ``bom`` gets the byte-order mark."""
    fmt = API_FORMATS[name]
    return BY_KEY["csv-bom"] if bom and fmt.key == "csv" else fmt
