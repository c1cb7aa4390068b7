"""The set-level SHACL-SPARQL constraints, run once over the whole store with Oxigraph's SPARQL.

The shapes split in two (:func:`split`): node shapes, which judge one focus node from its own
triples and its neighbours' (validated in batches, :mod:`loader.validate_batches`), and the
set-level shapes of ``ontology/shapes.ttl`` (``sh:targetNode`` plus ``sh:sparql``: uniqueness,
counts, cycles), which look across all the data and so cannot be batched. Those run here, once,
on the store that holds every graph, and give the results pySHACL gives for them: focus node the
target node, ``sh:value`` the ``?value``, the message with ``{?var}`` replaced as pySHACL does,
component ``sh:SPARQLConstraintComponent``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from .validate import Violation, _prefixed, _short, shapes
from .vocab import SH

STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}


@dataclass(frozen=True)
class SetConstraint:
    """One ``sh:sparql`` constraint of a set-level shape."""

    focus: URIRef
    message: str
    query: str


def _is_set_shape(graph: Graph, shape) -> bool:
    return (shape, SH.sparql, None) in graph and (shape, SH.targetNode, None) in graph


def _drop(graph: Graph, node) -> None:
    """Remove ``node``'s triples and, recursively, those of the blank nodes they lead to."""
    for _, p, o in list(graph.triples((node, None, None))):
        graph.remove((node, p, o))
        if isinstance(o, BNode):
            _drop(graph, o)


@cache
def split() -> tuple[Graph, tuple[SetConstraint, ...]]:
    """(the node shapes as a graph, the set-level constraints), from the project's shapes."""
    full = shapes()
    node_shapes = Graph()
    for prefix, namespace in full.namespaces():
        node_shapes.bind(prefix, namespace)
    node_shapes += full
    constraints = []
    for shape in sorted({s for s in full.subjects(SH.sparql, None) if _is_set_shape(full, s)}):
        for focus in full.objects(shape, SH.targetNode):
            for constraint in full.objects(shape, SH.sparql):
                message = full.value(constraint, SH.message) or full.value(shape, SH.message)
                constraints.append(SetConstraint(
                    focus, str(message.value if isinstance(message, Literal) else message),
                    _prefix_header(full, constraint) + str(full.value(constraint, SH.select))))
        _drop(node_shapes, shape)
    return node_shapes, tuple(constraints)


def _prefix_header(graph: Graph, constraint) -> str:
    declared = dict(STANDARD_PREFIXES)
    for ontology in graph.objects(constraint, SH.prefixes):
        for declaration in graph.objects(ontology, SH.declare):
            declared[str(graph.value(declaration, SH.prefix))] = str(graph.value(declaration, SH.namespace))
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))


def _rdflib(term):
    """The rdflib term of a pyoxigraph term (for the report's text, as pySHACL renders it)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _format(message: str, bindings: dict) -> str:
    """pySHACL's substitution of ``{?var}`` / ``{$var}`` by ``str`` of the bound value."""
    for var, value in bindings.items():
        message = re.sub(f"{{[?$]{var}}}", str(value), message)
    return message


def violations(store: ox.Store) -> list[Violation]:
    """The results of every set-level constraint over the union of the store's graphs."""
    names = _prefixed(Graph())
    found = []
    for constraint in split()[1]:
        solutions = store.query(constraint.query, use_default_graph_as_union=True)
        variables = [v.value for v in solutions.variables]
        for row in solutions:
            bound = {"this": constraint.focus}
            bound.update({v: _rdflib(row[v]) for v in variables if row[v] is not None})
            value = bound.get("value")
            found.append(Violation(
                origin="", focus=str(constraint.focus), path=_short(names, bound.get("path")),
                message=_format(constraint.message, bound), value=_short(names, value),
                component=_short(names, SH.SPARQLConstraintComponent)))
    return found

