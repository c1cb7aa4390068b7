"""Deterministic Turtle: triples sorted by subject, predicate and object, fixed prefixes.

Rerunning the loader on unchanged sources must leave ``data/ttl/`` byte-identical, so the
committed files only change when the data does.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .terms import to_ox
from .vocab import PREFIXES


def _sort_key(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple[int, str, str, str]:
    if isinstance(term, ox.Literal):
        return (2, term.value, term.language or "", term.datatype.value)
    return (0 if isinstance(term, ox.NamedNode) else 1, term.value, "", "")


def to_turtle(graph: Graph) -> bytes:
    """Serialize ``graph`` as sorted Turtle with the project's prefixes."""
    triples = sorted(
        (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph),
        key=lambda t: (_sort_key(t.subject), t.predicate.value, _sort_key(t.object)),
    )
    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode()
    # Oxigraph writes prefixes in hash order: sort them, and set subjects apart for readers.
    lines = text.splitlines()
    header = sorted(line for line in lines if line.startswith("@prefix"))
    body = [line for line in lines if not line.startswith("@prefix")]
    blocks = "\n".join(("\n" + line) if line.startswith("<") else line for line in body)
    return ("\n".join(header) + "\n" + blocks + "\n").encode()


def write_atomically(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` via a temporary file; return whether it changed."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
