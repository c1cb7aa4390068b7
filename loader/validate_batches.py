"""Node shapes validated in batches of focus nodes, in worker processes, from an Oxigraph store.

One pySHACL run over 10^6 triples takes many minutes and holds the whole graph as Python objects;
a batch holds a few thousand subjects. What a node shape looks at is the focus node's own triples
(in every graph), the triples pointing at it through the inverse paths the shapes use, and the
triples of the nodes at the other end (their type, the property a ``*Reference`` shape requires,
the second step of a sequence path). A batch holds exactly that for its subjects; results about
other nodes of the batch (the neighbours, judged on partial data) are dropped. Each subject of
the union of the graphs is judged in one batch only. Oxigraph builds a batch's data with one
CONSTRUCT query (:func:`batch_query`) and serializes it, so no triple becomes a Python object.

Engines: ``pyshacl`` (the reference) or ``rudof`` (pyrudof, Rust), used as a fast screen: a batch
it passes is accepted, the subjects it flags are judged again by pySHACL, so every report is
pySHACL's.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from .validate import Violation, ontology, raw_violations
from .validate_sets import split
from .vocab import SH

ENGINES = ("pyshacl", "rudof")


@cache
def inverse_predicates() -> tuple[ox.NamedNode, ...]:
    """The predicates the node shapes follow backwards (``sh:inversePath``)."""
    found = {ox.NamedNode(str(p)) for p in split()[0].objects(None, SH.inversePath)}
    return tuple(sorted(found, key=lambda n: n.value))


def _first_steps(graph: Graph, path) -> set:
    """The predicates a SHACL path starts with (the first step of a sequence, every alternative)."""
    if not isinstance(path, BNode):
        return {path}
    if graph.value(path, RDF.first) is not None:
        return _first_steps(graph, next(iter(Collection(graph, path))))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return set().union(*(_first_steps(graph, p) for p in Collection(graph, alternatives)))
    for step in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        if graph.value(path, step) is not None:
            return _first_steps(graph, graph.value(path, step))
    return set()  # an inverse path starts at triples pointing at the node: not its own


def _nested(graph: Graph, shape) -> list:
    """The shapes ``shape`` applies to its value nodes (``sh:node``, ``sh:not``, … the lists too)."""
    found = [o for k in (SH.node, SH.qualifiedValueShape, SH["not"]) for o in graph.objects(shape, k)]
    for key in (SH["or"], SH.xone, SH["and"]):
        for members in graph.objects(shape, key):
            found += list(Collection(graph, members))
    return found


@cache
def neighbour_predicates() -> tuple[ox.NamedNode, ...] | None:
    """The predicates of a neighbour's triples that any shape can look at: ``rdf:type`` (for
    ``sh:class``), the paths of the shapes applied to value nodes (``sh:node`` — the
    ``*Reference`` shapes —, ``sh:qualifiedValueShape``, ``sh:not``, ``sh:or`` …, recursively),
    the second steps of sequence paths, and the predicates of ``sh:equals`` and its kin. None (all
    of them) if a shape applied to value nodes is closed, since it looks at every predicate.

    A batch holds only these of its neighbours' triples: about 30 % less for the engines to read.
    """
    shapes = split()[0]
    found = {RDF.type}
    todo = [n for s in set(shapes.subjects(None, None)) for n in _nested(shapes, s)]
    seen = set()
    while todo:
        shape = todo.pop()
        if shape in seen:
            continue
        seen.add(shape)
        if shapes.value(shape, SH.closed) is not None:
            return None
        for prop in [shape, *shapes.objects(shape, SH.property)]:
            for path in shapes.objects(prop, SH.path):
                found |= _first_steps(shapes, path)
            todo += _nested(shapes, prop)
    for path in shapes.objects(None, SH.path):
        if isinstance(path, BNode) and shapes.value(path, RDF.first) is not None:
            for step in list(Collection(shapes, path))[1:]:
                found |= _first_steps(shapes, step)
    for key in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
        found |= set(shapes.objects(None, key))
    return tuple(sorted(ox.NamedNode(str(p)) for p in found if isinstance(p, URIRef)))


def all_subjects(store: ox.Store) -> list[str]:
    """Every subject of the union of the graphs once (N-Triples terms), in IRI order.

    In IRI order, so that neighbouring subjects (a programme's records, a KPI's observations)
    share their neighbours' triples in one batch: ~10 % fewer triples to judge. Sorted here, not
    with ``ORDER BY`` (Oxigraph decodes both strings at every comparison: minutes at 10^6).
    """
    return sorted(str(row[0]) for row in store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"))


def subject_batches(store: ox.Store, size: int) -> Iterator[list[str]]:
    """Batches of ``size`` subjects at most (:func:`all_subjects`): each subject is judged once,
    with its triples in every graph."""
    subjects = all_subjects(store)
    for start in range(0, len(subjects), size):
        yield subjects[start:start + size]


def _term(text: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(text[2:]) if text.startswith("_:") else ox.NamedNode(text[1:-1])


def batch_query(subjects: list[str]) -> str:
    """The CONSTRUCT of what the IRI ``subjects`` are judged on (run over the union of the graphs).

    Their own triples, the triples pointing at them along the shapes' inverse paths, and the
    triples of the nodes at the other end of either that a shape can look at
    (:func:`neighbour_predicates`; once each: the neighbours are made distinct first, so a node
    many subjects point at is not repeated).
    """
    values = " ".join(subjects)
    inverse = " ".join(str(p) for p in inverse_predicates())
    kept = neighbour_predicates()
    restrict = "" if kept is None else f"VALUES ?r {{ {' '.join(str(p) for p in kept)} }}"
    # LATERAL: Oxigraph looks each subject up in its indexes (a plain join with VALUES would
    # scan every triple of the store for a hash join)
    return (
        "CONSTRUCT { ?s ?p ?o . ?x ?q ?s . ?n ?r ?m } WHERE {\n"
        f"  {{ VALUES ?s {{ {values} }} LATERAL {{ ?s ?p ?o }} }}\n"
        f"  UNION {{ VALUES ?s {{ {values} }} LATERAL {{ VALUES ?q {{ {inverse} }} ?x ?q ?s }} }}\n"
        "  UNION {\n"
        "    { SELECT DISTINCT ?n WHERE {\n"
        f"      VALUES ?s0 {{ {values} }}\n"
        "      LATERAL { { ?s0 ?p0 ?n FILTER (!isLiteral(?n)) }\n"
        f"                UNION {{ VALUES ?q0 {{ {inverse} }} ?n ?q0 ?s0 }} }} }} }}\n"
        f"    LATERAL {{ {restrict} ?n ?r ?m }} }}\n"
        "}"
    )


def _blank_subject_triples(store: ox.Store, node: ox.BlankNode) -> set[ox.Triple]:
    """What a blank-node subject is judged on (SPARQL cannot name it in VALUES): the same parts
    as :func:`batch_query`, by pattern lookups."""
    triples: set[ox.Triple] = set()
    neighbours: set = set()
    for q in store.quads_for_pattern(node, None, None):
        triples.add(q.triple)
        if not isinstance(q.object, ox.Literal):
            neighbours.add(q.object)
    for predicate in inverse_predicates():
        for q in store.quads_for_pattern(None, predicate, node):
            triples.add(q.triple)
            neighbours.add(q.subject)
    for other in neighbours:
        triples.update(q.triple for q in store.quads_for_pattern(other, None, None))
    return triples


def batch_data(store: ox.Store, subjects: list[str]) -> tuple[bytes, set[str]]:
    """N-Triples of what the batch's subjects are judged on, and the subjects it owns (their
    IRIs or blank-node ids, as the engines name focus nodes). Built by Oxigraph, not in Python."""
    iris = [s for s in subjects if not s.startswith("_:")]
    blanks = [_term(s) for s in subjects if s.startswith("_:")]
    data = b""
    if iris:
        data = store.query(batch_query(iris), use_default_graph_as_union=True).serialize(
            format=ox.RdfFormat.N_TRIPLES) or b""
    if blanks:
        triples = set().union(*(_blank_subject_triples(store, b) for b in blanks))
        data += ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return data, {s[1:-1] for s in iris} | {b.value for b in blanks}


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


def _rudof_flags(data: bytes, owned: set[str]) -> set[str]:
    """The nodes the batch owns that rudof finds a violation about."""
    import pyrudof

    rudof = _rudof()
    rudof.reset_data()
    rudof.read_data(data.decode() + _ontology_ntriples(), format=pyrudof.RDFFormat.NTriples)
    report = rudof.validate_shacl()
    return {v.focus_node for v in report.violations} & owned


def validate_batch(job: tuple[str, list[str], str]) -> list[Violation]:
    """Judge one batch in a worker: the violations about the subjects it owns.

    With rudof as the screen, pySHACL judges again, on their own neighbourhoods, only the
    subjects rudof flags: the report is pySHACL's, and a few faults in 10^6 triples cost a few
    small pySHACL runs, not one per batch.
    """
    store_path, subjects, engine = job
    store = _store(store_path)
    data, owned = batch_data(store, subjects)
    if owned and engine == "rudof":
        flagged = _rudof_flags(data, owned)
        subjects = [s for s in subjects if _term(s).value in flagged]
        if not subjects:
            return []
        data, owned = batch_data(store, subjects)
    return [v for v in _pyshacl(data) if v.focus in owned] if owned else []


def violations(store_path: str, engine: str = "pyshacl", batch_size: int = 2000,
               workers: int | None = None, subjects: Sequence[str] | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[Violation]:
    """Node-shape violations of the store at ``store_path`` (opened read-only here and in workers),
    of every subject or only of ``subjects`` (N-Triples terms); a single batch is judged here,
    without starting worker processes. ``progress(done, batches)`` is called every tenth."""
    if engine not in ENGINES:  # "sparql" is loader.validate_store's: a screen ahead of these
        raise ValueError(f"unknown SHACL engine {engine!r} (use one of {', '.join(ENGINES)})")
    workers = workers or min(2, os.cpu_count() or 1)
    if subjects is None:
        subjects = all_subjects(ox.Store.read_only(store_path))
    # at least four batches a worker when there are few subjects, so that none waits for the last
    size = max(1, min(batch_size, -(-len(subjects) // (4 * workers))))
    batches = [list(subjects[i:i + size]) for i in range(0, len(subjects), size)]
    if len(batches) <= 1:
        workers = 1  # one batch: judged here, no worker processes to start
    jobs = ((store_path, batch, engine) for batch in batches)
    every = max(1, len(batches) // 10)
    if progress is not None:
        progress(0, len(batches))
    found: list[Violation] = []
    with ExitStack() as stack:
        if workers == 1:
            judged: Iterable[list[Violation]] = map(validate_batch, jobs)
        else:
            pool = stack.enter_context(multiprocessing.get_context("spawn").Pool(workers))
            judged = pool.imap_unordered(validate_batch, jobs)
        for done, batch in enumerate(judged, start=1):
            found += batch
            if progress is not None and (done % every == 0 or done == len(batches)):
                progress(done, len(batches))
    return found
