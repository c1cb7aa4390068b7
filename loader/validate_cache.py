"""Skip validation of data already validated: a record of the last conforming load beside the store.

The record (``<store>.validated.json``) holds a key: a SHA-256 over the shapes, the ontology,
the validator's own code (:func:`rules_key`) and every graph's IRI and content; and, apart, the
rules' key and each graph's digest. A load whose key equals it has nothing new to judge (SHACL is
deterministic), so it need not run the validator again. A load with the same rules and some
graphs changed (:func:`changed_graphs`) lets the batched validator judge again only the subjects
those changes can reach (``loader.validate_store.changed_subjects``), with the set-level rules
run over everything: a changed graph can break a rule about an unchanged one.
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


def rules_key() -> str:
    """A SHA-256 over the shapes, the ontology and the validator's code."""
    digest = hashlib.sha256()
    for path in [SHAPES_FILE, ONTOLOGY_FILE, *CODE]:
        digest.update(f"{path.name} {_file_digest(path)}\n".encode())
    return digest.hexdigest()


def digests(graphs: Mapping[str, bytes | Path]) -> dict[str, str]:
    """Each graph's content digest by IRI (N-Triples bytes: of the set of lines; a file: of its bytes).

    Blank-node labels are part of it, so data with blank nodes (the ontology graph, whose file is
    hashed instead) is never matched by mistake, only missed.
    """
    out = {}
    for iri, data in graphs.items():
        if isinstance(data, Path):
            out[iri] = _file_digest(data)
        else:  # rdflib's order of triples varies between runs; the set of lines does not
            out[iri] = hashlib.sha256(b"\n".join(sorted(data.split(b"\n")))).hexdigest()
    return out


def key(graphs: Mapping[str, bytes | Path], graph_digests: Mapping[str, str] | None = None) -> str:
    """The key of validating ``graphs`` (N-Triples bytes or files) with today's rules and code."""
    graph_digests = graph_digests if graph_digests is not None else digests(graphs)
    digest = hashlib.sha256(f"{rules_key()}\n".encode())
    for iri in sorted(graph_digests):
        digest.update(f"{iri} {graph_digests[iri]}\n".encode())
    return digest.hexdigest()


def record_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".validated.json")


def _record(store_path: Path) -> dict:
    try:
        found = json.loads(record_path(store_path).read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def validated(store_path: Path, graphs_key: str) -> bool:
    """Whether the last conforming load beside ``store_path`` validated exactly this key."""
    return _record(store_path).get("key") == graphs_key


def changed_graphs(store_path: Path, graph_digests: Mapping[str, str]) -> set[str] | None:
    """The graphs (IRIs) whose content differs from the last conforming load's, added or removed
    ones included; None when there is no such load, the store no longer serves its version, or the
    rules or code have changed since."""
    record = _record(store_path)
    before = record.get("graphs")
    try:
        serving = store_path.resolve(strict=True).name if store_path.is_symlink() else None
    except OSError:
        serving = None
    if record.get("rules") != rules_key() or not isinstance(before, dict) or \
            serving is None or record.get("version") != serving:
        return None
    return {iri for iri in set(before) | set(graph_digests) if before.get(iri) != graph_digests.get(iri)}


def remember(store_path: Path, graphs_key: str, graph_digests: Mapping[str, str] | None = None,
             version: str | None = None) -> None:
    """Record that data with this key (and these graph digests) conformed, as store ``version``
    (written after the store switched to it)."""
    record = {"key": graphs_key, "rules": rules_key(), "version": version,
              "graphs": dict(graph_digests or {})}
    record_path(store_path).write_text(json.dumps(record, indent=1) + "\n")
