"""Stage 3: SHACL validation of everything about to be loaded, reported in the sources' terms.

A violation names the focus node, the property and the shape's message, and the source file
and row the focus node came from, so the person who edits the CSV knows where to look.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from kg.errors import ValidationFailed

from .closedshapes import closed_shapes
from .vocab import PREFIXES, SH

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "smartcity.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result, with the source position of its focus node when known."""

    origin: str
    focus: str
    path: str
    message: str
    value: str
    component: str = ""  # e.g. sh:MinCountConstraintComponent: what the engines must agree on

    def __str__(self) -> str:
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.origin}: <{self.focus}> {self.path}: {self.message}{value}"


@cache
def ontology() -> Graph:
    """The project's OWL ontology, parsed once."""
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@cache
def shapes() -> Graph:
    """The project's SHACL shapes, parsed once, with the closed shapes derived from them."""
    graph = Graph().parse(SHAPES_FILE, format="turtle")
    graph += closed_shapes(graph, ontology())
    return graph


def violations(data: Graph, origins: Mapping[URIRef, tuple[str, int]] | None = None,
               shacl_graph: Graph | None = None) -> list[Violation]:
    """Every SHACL violation of ``data`` against the project's shapes, sorted by origin."""
    return located(raw_violations(data, shacl_graph), origins)


def raw_violations(data: Graph, shacl_graph: Graph | None = None) -> list[Violation]:
    """One pySHACL run (the reference engine); the violations without their source rows."""
    conforms, results, _ = shacl_validate(
        data, shacl_graph=shapes() if shacl_graph is None else shacl_graph, ont_graph=ontology(),
        inference="none", advanced=True, allow_warnings=True,
    )
    if conforms:
        return []
    names = _prefixed(data)
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        found.append(Violation(
            origin="",
            focus=str(results.value(result, SH.focusNode)),
            path=path_text(names, results, results.value(result, SH.resultPath)),
            message=str(results.value(result, SH.resultMessage) or "constraint violated"),
            value=_short(names, results.value(result, SH.value)),
            component=_short(names, results.value(result, SH.sourceConstraintComponent)),
        ))
    return found


def located(found: Iterable[Violation], origins: Mapping[URIRef, tuple[str, int]] | None) -> list[Violation]:
    """The violations with the source file and row of their focus nodes, sorted."""
    origins = origins or {}
    out = []
    for violation in found:
        where = origins.get(URIRef(violation.focus))
        origin = f"{where[0]}:{where[1]}" if where else "(no source row)"
        out.append(replace(violation, origin=origin))
    return sorted(out)


def path_text(names: Graph, graph: Graph, path) -> str:
    """A SHACL property path as text (``p``, ``^p``, ``p/q``, ``p|q``), stable across runs.

    A blank-node path would otherwise print as its random node id.
    """
    if not isinstance(path, BNode):
        return _short(names, path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(names, graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(path_text(names, graph, p) for p in Collection(graph, alternatives))
    if graph.value(path, RDF.first) is not None:
        return "/".join(path_text(names, graph, p) for p in Collection(graph, path))
    return "(path)"


def _prefixed(data: Graph) -> Graph:
    """An empty graph knowing the data's prefixes and the project's, to shorten IRIs in a report."""
    names = Graph(bind_namespaces="none")
    for prefix, namespace in data.namespaces():
        names.bind(prefix, namespace)
    for prefix, namespace in PREFIXES.items():
        names.bind(prefix, namespace, replace=True)
    return names


def _short(graph: Graph, term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except ValueError:
            return f"<{term}>"
    return str(term)


def check(data: Graph, origins: Mapping[URIRef, tuple[str, int]] | None = None) -> None:
    """Validate ``data``.

    :raises ValidationFailed: with one line per violation when ``data`` does not conform.
    """
    found = violations(data, origins)
    if found:
        raise ValidationFailed(report(found))


def report(found: Iterable[Violation]) -> str:
    """A readable report, one violation a line."""
    found = list(found)
    lines = [f"SHACL validation failed: {len(found)} violation(s)"]
    lines += [f"  {violation}" for violation in found]
    return "\n".join(lines)
