"""Validation that scales: set-level constraints once (:mod:`loader.validate_sets`) and node shapes
in batches (:mod:`loader.validate_batches`), over an Oxigraph store that holds every graph.

Gives the violations one pySHACL run over everything gives (``tests/test_validation_scale.py``),
without holding the data as Python objects. The store is either the new store version itself,
before ``kg.store.build`` switches to it (:func:`store_violations`, what ``smartcity-kg load``
does: the data is bulk-loaded once), or a scratch store the graphs go to as N-Triples, from memory
or straight from their files, removed afterwards (:func:`violations`, for ``smartcity-kg
validate`` and loads whose target is not a local store).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from kg.errors import LoaderError

from . import validate_batches, validate_sets, validate_sparql
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


#: Subjects per node-shape batch: a batch's data in rudof takes ~0.5 GB per 10^4 triples
BATCH_SIZE = 2000


def violations(graphs: Mapping[str, bytes | Path], origins: Mapping[URIRef, tuple[str, int]] | None = None,
               engine: str = "pyshacl", workers: int | None = None, batch_size: int = BATCH_SIZE,
               workdir: Path | None = None) -> list[Violation]:
    """Every violation of the union of ``graphs`` (ontology included), sorted, with source rows."""
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".validate-", dir=workdir) as directory:
        scratch_store(directory, graphs)
        return store_violations(Path(directory), origins, engine, workers, batch_size)


def store_violations(directory: Path, origins: Mapping[URIRef, tuple[str, int]] | None = None,
                     engine: str = "pyshacl", workers: int | None = None, batch_size: int = BATCH_SIZE,
                     subjects: Sequence[str] | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     say: Callable[[str], None] = lambda _: None) -> list[Violation]:
    """Every violation of the union of the graphs of the (closed, complete) store at ``directory``,
    sorted, with source rows. The store is only read, here and in the worker processes.

    With ``subjects`` (N-Triples terms, from :func:`changed_subjects`), the node shapes judge only
    those; the set-level rules always run over everything. ``progress(done, batches)`` reports
    the node-shape batches judged, ``say`` the stages.
    """
    say("set-level rules …")
    found = validate_sets.violations(ox.Store.read_only(str(directory)))
    if engine == "sparql":
        found += _screened(directory, batch_size, workers, subjects, progress, say)
    else:
        found += validate_batches.violations(str(directory), engine, batch_size, workers, subjects, progress)
    return located(found, origins)


def _screened(directory: Path, batch_size: int, workers: int | None, subjects: Sequence[str] | None,
              progress: Callable[[int, int], None] | None, say: Callable[[str], None]) -> list[Violation]:
    """Node shapes screened with SPARQL (:mod:`loader.validate_sparql`): pySHACL judges the
    subjects it flags; the targets of shapes it cannot translate are screened by rudof."""
    store = ox.Store.read_only(str(directory))
    screen = validate_sparql.compile_screen(store)
    say(f"SPARQL screen of the node shapes: {len(screen.queries)} queries …")
    flagged = validate_sparql.flagged(store, screen, str(directory), workers or min(2, os.cpu_count() or 1))
    left = validate_sparql.left_to_rudof(store, screen) - flagged
    say(f"{len(flagged)} subjects flagged for pySHACL, {len(left)} of untranslated shapes left to rudof")
    if subjects is not None:
        wanted = set(subjects)
        flagged, left = flagged & wanted, left & wanted
    found = validate_batches.violations(str(directory), "pyshacl", batch_size, workers, sorted(flagged),
                                        progress)
    if left:
        found += validate_batches.violations(str(directory), "rudof", batch_size, workers, sorted(left))
    return found


#: Above this many triples in the changed graphs, validate everything rather than hold their
#: difference in memory
CHANGED_LIMIT = 500_000


def _graph_lines(store: ox.Store, graph: str) -> set[bytes] | None:
    """A graph's triples as N-Triples lines (Oxigraph's canonical form); None if it has blank nodes."""
    name = ox.NamedNode(graph)
    if store.query("ASK { GRAPH ?g { ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) } }",
                   substitutions={ox.Variable("g"): name}):
        return None
    data = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                       substitutions={ox.Variable("g"): name}).serialize(format=ox.RdfFormat.N_TRIPLES)
    return set((data or b"").splitlines()) - {b""}


def changed_subjects(before: Path, after: Path, graphs: Iterable[str]) -> list[str] | None:
    """The subjects of the store at ``after`` whose node-shape verdict can differ from the one they
    had in the (conforming) store at ``before``, the two differing only in ``graphs``; None when
    that cannot be told cheaply (the changed graphs hold blank nodes or are large).

    A subject is judged on its own triples, the triples pointing at it along the shapes' inverse
    paths, and every triple of the nodes at the other end (:mod:`loader.validate_batches`). So a
    triple added or removed can change the verdict of its subject, of its object, and of every node
    pointing at its subject (forward, or backward along an inverse path): exactly those are given.
    """
    old, new = ox.Store.read_only(str(before)), ox.Store.read_only(str(after))
    delta: set[bytes] = set()
    size = 0
    for graph in graphs:
        lines = [_graph_lines(store, graph) for store in (old, new)]
        if lines[0] is None or lines[1] is None:
            return None
        size += len(lines[0]) + len(lines[1])
        if size > CHANGED_LIMIT:
            return None
        delta |= lines[0] ^ lines[1]
    triples = list(ox.parse(b"\n".join(delta), format=ox.RdfFormat.N_TRIPLES))
    heads = {t.subject for t in triples}
    reached = heads | {t.object for t in triples if isinstance(t.object, ox.NamedNode)}
    inverse = validate_batches.inverse_predicates()
    for node in heads:
        reached.update(q.subject for q in new.quads_for_pattern(None, None, node))
        for predicate in inverse:
            reached.update(q.object for q in new.quads_for_pattern(node, predicate, None)
                           if isinstance(q.object, ox.NamedNode))
    present = [n for n in reached if next(new.quads_for_pattern(n, None, None), None) is not None]
    return sorted(str(n) for n in present)
