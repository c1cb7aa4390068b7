"""Validation that scales: all graphs into a scratch Oxigraph store, then set-level constraints once
(:mod:`loader.validate_sets`) and node shapes in batches (:mod:`loader.validate_batches`).

Gives the violations one pySHACL run over everything gives (``tests/test_validation_scale.py``),
without holding the data as Python objects: the graphs go to the scratch store as N-Triples, from
memory or straight from their files, and the store is removed afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from kg.errors import LoaderError

from . import validate_batches, validate_sets
from .validate import Violation, located


def scratch_store(directory: str, graphs: Mapping[str, bytes | Path]) -> None:
    """Bulk-load each graph (N-Triples bytes, or an N-Triples file) into a new store at ``directory``.

    :raises LoaderError: for a file that is not valid N-Triples, naming its line.
    """
    store = ox.Store(directory)
    for iri, data in graphs.items():
        try:
            if isinstance(data, Path):
                store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
            else:
                store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
        except SyntaxError as exc:
            where = data if isinstance(data, Path) else iri
            raise LoaderError(f"{where}: not valid N-Triples: {exc}") from None
    store.flush()


def violations(graphs: Mapping[str, bytes | Path], origins: Mapping[URIRef, tuple[str, int]] | None = None,
               engine: str = "pyshacl", workers: int | None = None, batch_size: int = 2000,
               workdir: Path | None = None) -> list[Violation]:
    """Every violation of the union of ``graphs`` (ontology included), sorted, with source rows."""
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".validate-", dir=workdir) as directory:
        scratch_store(directory, graphs)
        found = validate_sets.violations(ox.Store.read_only(directory))
        found += validate_batches.violations(directory, engine, batch_size, workers)
    return located(found, origins)
