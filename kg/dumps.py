"""Dumps of one store version: the files ``/dumps/…`` serves, written once per version.

Beside the version (``<store>.versions/<version>.dumps/``), so they share its life: written by the
load right after the switch (``loader/pipeline.py``) or, for a version loaded before dumps
existed, by the server at the first request that needs them; removed with the version by the
store's pruning. Each file is written to a temporary name and renamed, and ``manifest.json`` last,
so a reader sees all of them or none; a lock keeps two web processes from writing at once.

The files: the whole dataset as N-Quads (gzip), N-Triples (gzip, the union of the graphs: one
statement made in two graphs is one triple) and JSON-LD (gzip, compact, the named graphs kept, the
``@context`` inline so the dump reads offline), and one Turtle file per named graph.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import jsonld
from .store import DUMPS_SUFFIX

MANIFEST = "manifest.json"
DATASET = "smartcity-kg"


@dataclass(frozen=True)
class Dump:
    """One dump file as the manifest records it."""

    name: str  # file name under /dumps/
    media_type: str
    encoding: str | None  # "gzip" or None
    byte_size: int
    sha256: str
    title: str
    graph: str | None = None  # the named graph of a per-graph file

    @property
    def etag(self) -> str:
        return self.sha256[:32]


def directory(version_dir: Path) -> Path:
    """Where the dumps of the version at ``version_dir`` live."""
    return version_dir.with_name(version_dir.name + DUMPS_SUFFIX)


def graph_file_name(graph_iri: str, base_iri: str) -> str:
    """``<base>/graph/<name>`` → ``<name>.ttl`` (any other graph IRI: a hash of it)."""
    prefix = base_iri.rstrip("/") + "/graph/"
    if graph_iri.startswith(prefix) and "/" not in graph_iri[len(prefix):]:
        return graph_iri[len(prefix):] + ".ttl"
    return "graph-" + hashlib.sha256(graph_iri.encode()).hexdigest()[:12] + ".ttl"


def read_manifest(version_dir: Path) -> list[Dump] | None:
    """The dumps of a version, or None when they have not been written."""
    try:
        entries = json.loads((directory(version_dir) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return [Dump(**entry) for entry in entries]


def ensure(version_dir: Path, base_iri: str, source=None) -> list[Dump]:
    """The dumps of the version at ``version_dir``, written first if they are missing.

    ``source`` gives the store to write them from (a remote engine's graphs read into memory);
    by default the store version at ``version_dir`` itself.
    """
    found = read_manifest(version_dir)
    if found is not None:
        return found
    target = directory(version_dir)
    target.mkdir(exist_ok=True)
    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = read_manifest(version_dir)  # another process may have written them meanwhile
        if found is not None:
            return found
        store = source() if source is not None else ox.Store.read_only(str(version_dir))
        return _write(store, target, base_iri)


def _put(target: Path, name: str, data: bytes, media_type: str, encoding: str | None, title: str,
         graph: str | None = None) -> Dump:
    if encoding == "gzip":
        data = gzip.compress(data, compresslevel=6, mtime=0)
    temporary = target / f".{name}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, target / name)
    return Dump(name, media_type, encoding, len(data), hashlib.sha256(data).hexdigest(), title, graph)


def _write(store: ox.Store, target: Path, base_iri: str) -> list[Dump]:
    quads = sorted(store.quads_for_pattern(None, None, None, None), key=str)
    by_graph: dict[str, list[ox.Triple]] = {}  # each graph's triples, in the dump's order
    for quad in quads:
        by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
    dumps = [
        _put(target, f"{DATASET}.nq.gz", ox.serialize(quads, format=ox.RdfFormat.N_QUADS),
             "application/n-quads", "gzip", "The whole dataset, every named graph (N-Quads, gzip)"),
        _put(target, f"{DATASET}.nt.gz",
             ox.serialize(sorted({q.triple for q in quads}, key=str), format=ox.RdfFormat.N_TRIPLES),
             "application/n-triples", "gzip", "The whole dataset as one graph, the union of the named "
             "graphs (N-Triples, gzip)"),
        _put(target, f"{DATASET}.jsonld.gz",
             jsonld.dumps(jsonld.compact_dataset(quads, jsonld.context()["@context"]), indent=None),
             "application/ld+json", "gzip", "The whole dataset, every named graph (JSON-LD, gzip)"),
    ]
    for graph in sorted(by_graph):
        dumps.append(_put(target, graph_file_name(graph, base_iri),
                          ox.serialize(by_graph[graph], format=ox.RdfFormat.TURTLE, prefixes=jsonld.PREFIXES),
                          "text/turtle", None, f"The named graph <{graph}> (Turtle)", graph))
    manifest = json.dumps([d.__dict__ for d in dumps], indent=1, ensure_ascii=False)
    temporary = target / f".{MANIFEST}.tmp"
    temporary.write_text(manifest)
    os.replace(temporary, target / MANIFEST)
    return dumps
