"""Skip validation of data already validated: a record of the last conforming load beside the store.

The record (``<store>.validated.json``) holds one key: a SHA-256 over the shapes, the ontology,
the validator's own code and every graph's IRI and content. A load whose key equals it has
nothing new to judge (SHACL is deterministic), so it need not run the validator again. Any change
to any graph or rule gives a new key, and the whole union is validated: a changed graph can break
a rule about an unchanged one (a reference, a count), so nothing partial is skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from .validate import ONTOLOGY_FILE, SHAPES_FILE

CODE = sorted(Path(__file__).resolve().parent.glob("validate*.py")) + \
    [Path(__file__).resolve().parent / "closedshapes.py"]


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def key(graphs: Mapping[str, bytes | Path]) -> str:
    """The key of validating ``graphs`` (N-Triples bytes or files) with today's rules and code.

    Blank-node labels are part of it, so data with blank nodes (the ontology graph, whose file is
    hashed instead) is never matched by mistake, only missed.
    """
    digest = hashlib.sha256()
    for path in [SHAPES_FILE, ONTOLOGY_FILE, *CODE]:
        digest.update(f"{path.name} {_file_digest(path)}\n".encode())
    for iri in sorted(graphs):
        data = graphs[iri]
        if isinstance(data, Path):
            content = _file_digest(data)
        else:  # rdflib's order of triples varies between runs; the set of lines does not
            content = hashlib.sha256(b"\n".join(sorted(data.split(b"\n")))).hexdigest()
        digest.update(f"{iri} {content}\n".encode())
    return digest.hexdigest()


def record_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".validated.json")


def validated(store_path: Path, graphs_key: str) -> bool:
    """Whether the last conforming load beside ``store_path`` validated exactly this key."""
    try:
        return json.loads(record_path(store_path).read_text())["key"] == graphs_key
    except (OSError, ValueError, KeyError):
        return False


def remember(store_path: Path, graphs_key: str) -> None:
    """Record that data with this key conformed (written after the store switched to it)."""
    record_path(store_path).write_text(json.dumps({"key": graphs_key}) + "\n")
