"""A remote SPARQL engine: where it is, how to write graphs to it, and the record of each load.

The project runs on an existing engine when one machine is outgrown (Oxigraph server, Virtuoso,
Apache Jena Fuseki, GraphDB): reads go through the SPARQL 1.1 Protocol, writes through the SPARQL
1.1 Graph Store HTTP Protocol, nothing engine-specific. HTTP is ``requests`` (digest and basic
authentication, streamed uploads and downloads).

A load replaces each named graph with one ``PUT``, then writes the *load record* last: a small
graph (:data:`LOAD_RECORD_GRAPH`) naming the version, the time, the base IRI and every graph with
its triple count. It plays the part the store link and ``<version>.json`` play for the embedded
store: servers read it to learn the version they serve and which graphs make the dataset, and a
version changes only once every graph of it is in place. It is not part of the dataset: queries
get an explicit dataset of the recorded graphs (``server/engine/remote.py``), so neither the record
nor an engine's own system graphs leak into answers.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import requests

from .errors import ConfigError, StoreError

#: The graph holding the load record (outside the project's base, so any base can use it).
LOAD_RECORD_GRAPH = "https://w3id.org/smartcity-kg/load-record"
_RECORD = "https://w3id.org/smartcity-kg/load-record#load"
_DCT = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"
_VOID = "http://rdfs.org/ns/void#"
_SCKG = "https://w3id.org/smartcity-kg/ontology#"
_XSD = "http://www.w3.org/2001/XMLSchema#"

ENGINES = ("embedded", "remote")
AUTH_SCHEMES = ("none", "basic", "digest")
#: Seconds to open a connection to the engine (the read time is the query's own limit).
CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True)
class RemoteEngineSettings:
    """Where the remote engine is and how to authenticate; built from the server settings."""

    query_url: str
    store_url: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    auth: str = "none"
    #: a query parameter that tells the engine its time limit in milliseconds (Virtuoso, Fuseki:
    #: ``timeout``); empty for engines with a server-side limit only (``oxigraph serve --timeout-s``)
    timeout_parameter: str = ""

    @classmethod
    def from_config(cls, config: Mapping) -> RemoteEngineSettings:
        """From the settings ``REMOTE_*`` (``kg/config.py``).

        :raises ConfigError: when the query URL is missing or a URL is not http(s).
        """
        settings = cls(config.get("REMOTE_QUERY_URL", ""), config.get("REMOTE_STORE_URL", ""),
                       config.get("REMOTE_USER", ""), config.get("REMOTE_PASSWORD", ""),
                       config.get("REMOTE_AUTH", "none"), config.get("REMOTE_TIMEOUT_PARAMETER", ""))
        if not settings.query_url:
            raise ConfigError("REMOTE_QUERY_URL: needed with ENGINE=remote (the engine's SPARQL query URL)")
        for key, url in (("REMOTE_QUERY_URL", settings.query_url), ("REMOTE_STORE_URL", settings.store_url)):
            if url and not url.startswith(("http://", "https://")):
                raise ConfigError(f"{key}: {url!r} is not an http(s) URL")
        return settings

    def session(self) -> requests.Session:
        """An HTTP session with the engine's credentials (one per thread: sessions are not shared)."""
        session = requests.Session()
        if self.auth == "basic":
            session.auth = requests.auth.HTTPBasicAuth(self.user, self.password)
        elif self.auth == "digest":
            session.auth = requests.auth.HTTPDigestAuth(self.user, self.password)
        session.headers["User-Agent"] = "smartcity-kg"
        return session


@dataclass(frozen=True)
class LoadRecord:
    """What one load wrote: the version, when, the base IRI, and every graph with its triples."""

    version: str
    created: datetime
    base_iri: str
    graphs: dict[str, int]

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    @staticmethod
    def new_version() -> str:
        """A version name like the embedded store's: sortable time, then a random suffix."""
        return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]

    def ntriples(self) -> bytes:
        """The record as the N-Triples of :data:`LOAD_RECORD_GRAPH`."""
        load = ox.NamedNode(_RECORD)
        triples = [
            ox.Triple(load, ox.NamedNode(_DCT + "identifier"), ox.Literal(self.version)),
            ox.Triple(load, ox.NamedNode(_PROV + "endedAtTime"),
                      ox.Literal(self.created.astimezone(UTC).isoformat(timespec="seconds"),
                                 datatype=ox.NamedNode(_XSD + "dateTime"))),
            ox.Triple(load, ox.NamedNode(_SCKG + "baseIri"), ox.Literal(self.base_iri)),
        ]
        for number, (graph, count) in enumerate(sorted(self.graphs.items())):
            part = ox.NamedNode(f"{_RECORD}-graph-{number}")
            triples += [ox.Triple(load, ox.NamedNode(_VOID + "subset"), part),
                        ox.Triple(part, ox.NamedNode(_SCKG + "namedGraph"), ox.NamedNode(graph)),
                        ox.Triple(part, ox.NamedNode(_VOID + "triples"),
                                  ox.Literal(str(count), datatype=ox.NamedNode(_XSD + "integer")))]
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str]]) -> LoadRecord | None:
        """The record from (subject, predicate, object value) rows of its graph; None when incomplete."""
        fields: dict[str, str] = {}
        parts: dict[str, dict[str, str]] = {}
        for subject, predicate, value in rows:
            if subject == _RECORD:
                fields[predicate] = value
            else:
                parts.setdefault(subject, {})[predicate] = value
        try:
            graphs = {part[_SCKG + "namedGraph"]: int(part[_VOID + "triples"]) for part in parts.values()}
            return cls(fields[_DCT + "identifier"], datetime.fromisoformat(fields[_PROV + "endedAtTime"]),
                       fields[_SCKG + "baseIri"], graphs)
        except (KeyError, ValueError):
            return None


#: Reads the load record with one standard query (engines without a Graph Store can answer it).
RECORD_QUERY = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{LOAD_RECORD_GRAPH}> {{ ?s ?p ?o }} }}"


class GraphStore:
    """The SPARQL 1.1 Graph Store HTTP Protocol, indirect graph identification (``?graph=``)."""

    def __init__(self, settings: RemoteEngineSettings, timeout: float = 3600.0):
        if not settings.store_url:
            raise ConfigError("REMOTE_STORE_URL: needed to load into a remote engine "
                              "(its SPARQL 1.1 Graph Store endpoint)")
        self.settings = settings
        self.timeout = timeout
        self._session = settings.session()

    def put(self, graph: str, data: bytes | BinaryIO | Path) -> None:
        """Replace ``graph`` with the N-Triples ``data`` (bytes, an open file or a file path).

        :raises StoreError: when the engine refuses or cannot be reached.
        """
        if isinstance(data, Path):
            with open(data, "rb") as handle:
                return self.put(graph, handle)
        body = io.BytesIO(data) if isinstance(data, bytes) else data
        self._call("PUT", graph, data=body, headers={"Content-Type": "application/n-triples"})
        return None

    def delete(self, graph: str) -> None:
        """Remove ``graph``; a graph that is not there is not an error."""
        self._call("DELETE", graph, missing_ok=True)

    def _call(self, method: str, graph: str, missing_ok: bool = False, **kwargs) -> None:
        try:
            response = self._session.request(method, self.settings.store_url, params={"graph": graph},
                                             timeout=(CONNECT_TIMEOUT, self.timeout), **kwargs)
        except requests.RequestException as exc:
            raise StoreError(f"{self.settings.store_url}: {method} of <{graph}> failed "
                             f"({_reason(exc)})") from None
        if response.status_code == 404 and missing_ok:
            return
        if response.status_code >= 300:
            text = " ".join(response.text.split())[:300]
            raise StoreError(f"{self.settings.store_url}: {method} of <{graph}> answered "
                             f"{response.status_code} {response.reason}: {text}")


def read_record(settings: RemoteEngineSettings, session: requests.Session | None = None,
                timeout: float = 10.0) -> LoadRecord | None:
    """The engine's load record, or None when nothing was loaded there.

    :raises StoreError: when the engine cannot be reached or does not answer the query.
    """
    session = session or settings.session()
    try:
        response = session.post(settings.query_url, data={"query": RECORD_QUERY},
                                headers={"Accept": "application/sparql-results+json"},
                                timeout=(CONNECT_TIMEOUT, timeout))
    except requests.RequestException as exc:
        raise StoreError(f"{settings.query_url}: the remote engine does not answer "
                         f"({_reason(exc)})") from None
    if response.status_code != 200:
        raise StoreError(f"{settings.query_url}: the remote engine answered {response.status_code} "
                         f"{response.reason} to the load record query")
    try:
        solutions = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        rows = [(row["s"].value, row["p"].value, row["o"].value) for row in solutions]
    except (SyntaxError, ValueError, TypeError, KeyError) as exc:
        raise StoreError(f"{settings.query_url}: unreadable load record ({exc})") from None
    return LoadRecord.from_rows(rows)


def publish(settings: RemoteEngineSettings, payload: Mapping[str, bytes | Path], base_iri: str,
             say=lambda message: None) -> LoadRecord:
    """Replace each graph of ``payload`` (N-Triples by graph IRI) on the engine, then the load record.

    Graphs the previous record named and this payload lacks are deleted; the record goes last, so
    servers see the new version only once all of it is in place.

    :raises StoreError: naming exactly the graphs already replaced when one fails (the previous
        record stays, so servers keep reporting the previous version).
    """
    store = GraphStore(settings)
    previous = read_record(settings)
    replaced: list[str] = []
    for graph, data in payload.items():
        say(f"PUT <{graph}> …")
        try:
            store.put(graph, data)
        except StoreError as exc:
            done = ", ".join(f"<{g}>" for g in replaced) or "none"
            raise StoreError(f"{exc.message}. Graphs already replaced ({len(replaced)} of {len(payload)}): "
                             f"{done}; the others are unchanged, and the load record still names "
                             f"{previous.version if previous else 'no version'}") from None
        replaced.append(graph)
    counts = count_triples(settings, list(payload))
    for graph in sorted(set(previous.graphs if previous else ()) - set(payload)):
        say(f"DELETE <{graph}> (not in this load) …")
        store.delete(graph)
    record = LoadRecord(LoadRecord.new_version(), datetime.now(UTC).replace(microsecond=0), base_iri, counts)
    store.put(LOAD_RECORD_GRAPH, record.ntriples())
    return record


def count_triples(settings: RemoteEngineSettings, graphs: list[str],
                  timeout: float = 600.0) -> dict[str, int]:
    """Triples per graph as the engine holds them now (one query for all).

    :raises StoreError: when the engine does not answer.
    """
    values = " ".join(f"<{g}>" for g in graphs)
    query = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
             "GROUP BY ?g")
    try:
        response = settings.session().post(settings.query_url, data={"query": query},
                                           headers={"Accept": "application/sparql-results+json"},
                                           timeout=(CONNECT_TIMEOUT, timeout))
        response.raise_for_status()
        rows = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        counts = {row["g"].value: int(row["n"].value) for row in rows}
    except requests.RequestException as exc:
        raise StoreError(f"{settings.query_url}: counting the loaded triples failed "
                         f"({_reason(exc)})") from None
    except (SyntaxError, ValueError, TypeError) as exc:
        raise StoreError(f"{settings.query_url}: unreadable answer to the count query ({exc})") from None
    return {graph: counts.get(graph, 0) for graph in graphs}


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.ConnectionError):
        return "connection refused or lost"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return type(exc).__name__
