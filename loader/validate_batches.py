"""Node shapes validated in batches of focus nodes, in worker processes, from an Oxigraph store.

One pySHACL run over 10^6 triples takes many minutes and holds the whole graph as Python objects;
a batch holds a few thousand subjects. What a node shape looks at is the focus node's own triples
(in every graph), the triples pointing at it through the inverse paths the shapes use, and the
triples of the nodes at the other end (their type, the property a ``*Reference`` shape requires,
the second step of a sequence path). A batch holds exactly that for its subjects; results about
other nodes of the batch (the neighbours, judged on partial data) are dropped. Each subject is
judged in one batch only: the one of the first graph (in name order) it has triples in.

Engines: ``pyshacl`` (the reference) or ``rudof`` (pyrudof, Rust), used as a fast screen: a batch
it passes is accepted, a batch it fails is judged again by pySHACL, so every report is pySHACL's.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from functools import cache

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from .validate import Violation, ontology, raw_violations
from .validate_sets import split
from .vocab import SH

ENGINES = ("pyshacl", "rudof")
RDF_TYPE = ox.NamedNode(str(RDF.type))


@cache
def inverse_predicates() -> tuple[ox.NamedNode, ...]:
    """The predicates the node shapes follow backwards (``sh:inversePath``)."""
    return tuple(sorted(inverse_lookups(), key=lambda n: n.value))


@cache
def inverse_lookups() -> dict[ox.NamedNode, frozenset[ox.NamedNode] | None]:
    """Each inverse-path predicate, with the classes whose instances are judged along it (the
    shape's target classes and their subclasses), or None where a shape has another kind of target.

    A subject of none of those classes needs no lookup of triples pointing at it.
    """
    node_shapes, onto = split()[0], ontology()
    lookups: dict[ox.NamedNode, frozenset[ox.NamedNode] | None] = {}
    for path, predicate in node_shapes.subject_objects(SH.inversePath):
        key = ox.NamedNode(str(predicate))
        for prop in node_shapes.subjects(SH.path, path):
            for shape in node_shapes.subjects(SH.property, prop):
                targets = set(node_shapes.objects(shape, SH.targetClass))
                other = any((shape, t, None) in node_shapes for t in (
                    SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target))
                classes = {c for t in targets for c in onto.transitive_subjects(RDFS.subClassOf, t)}
                if other or not targets or lookups.get(key, frozenset()) is None:
                    lookups[key] = None
                else:
                    lookups[key] = lookups.get(key, frozenset()) | {ox.NamedNode(str(c)) for c in classes}
    return lookups


def subject_batches(store: ox.Store, size: int) -> Iterator[tuple[str, list[str]]]:
    """(graph IRI, subjects) batches: every subject of every named graph, ``size`` at most."""
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        batch = []
        for row in store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"):
            batch.append(str(row["s"]))
            if len(batch) >= size:
                yield graph.value, batch
                batch = []
        if batch:
            yield graph.value, batch


def _term(text: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(text[2:]) if text.startswith("_:") else ox.NamedNode(text[1:-1])


def batch_data(store: ox.Store, graph: str, subjects: list[str]) -> tuple[bytes, set[str]]:
    """N-Triples of what the batch's subjects are judged on, and the subjects it owns (as IRIs)."""
    triples: set[ox.Triple] = set()
    owned: set[str] = set()
    neighbours: set = set()
    for text in subjects:
        node = _term(text)
        quads = list(store.quads_for_pattern(node, None, None))
        if min(q.graph_name.value for q in quads) != graph:
            continue  # judged with the first graph it has triples in
        owned.add(node.value)
        types = set()
        for q in quads:
            triples.add(q.triple)
            if not isinstance(q.object, ox.Literal):
                neighbours.add(q.object)
                if q.predicate == RDF_TYPE:
                    types.add(q.object)
        for predicate, classes in inverse_lookups().items():
            if classes is not None and not types & classes:
                continue
            for q in store.quads_for_pattern(None, predicate, node):
                triples.add(q.triple)
                neighbours.add(q.subject)
    for node in neighbours:
        for q in store.quads_for_pattern(node, None, None):
            triples.add(q.triple)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", owned


@cache
def _store(path: str) -> ox.Store:
    return ox.Store.read_only(path)


@cache
def _ontology_ntriples() -> str:
    return ontology().serialize(format="nt")


def _pyshacl(data: bytes) -> list[Violation]:
    graph = Graph().parse(data=data, format="nt")
    return raw_violations(graph, split()[0])


@cache
def _rudof():
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(split()[0].serialize(format="turtle"))
    return rudof


def _rudof_fails(data: bytes, owned: set[str]) -> bool:
    """Whether rudof finds a violation about a node the batch owns."""
    import pyrudof

    rudof = _rudof()
    rudof.reset_data()
    rudof.read_data(data.decode() + _ontology_ntriples(), format=pyrudof.RDFFormat.NTriples)
    report = rudof.validate_shacl()
    return any(v.focus_node in owned for v in report.violations)


def validate_batch(job: tuple[str, str, list[str], str]) -> list[Violation]:
    """Judge one batch in a worker: the violations about the subjects it owns."""
    store_path, graph, subjects, engine = job
    data, owned = batch_data(_store(store_path), graph, subjects)
    if not owned or (engine == "rudof" and not _rudof_fails(data, owned)):
        return []
    return [v for v in _pyshacl(data) if v.focus in owned]


def violations(store_path: str, engine: str = "pyshacl", batch_size: int = 2000,
               workers: int | None = None) -> list[Violation]:
    """Node-shape violations of the store at ``store_path`` (opened read-only here and in workers)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r} (use one of {', '.join(ENGINES)})")
    workers = workers or min(2, os.cpu_count() or 1)
    jobs = ((store_path, graph, subjects, engine)
            for graph, subjects in subject_batches(ox.Store.read_only(store_path), batch_size))
    found: list[Violation] = []
    if workers == 1:
        for job in jobs:
            found += validate_batch(job)
        return found
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for batch in pool.imap_unordered(validate_batch, jobs):
            found += batch
    return found
