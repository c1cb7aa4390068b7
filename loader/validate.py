"""Stage 3: SHACL validation of everything about to be loaded, reported in the sources' terms.

A violation names the focus node, the property and the shape's message, and the source file
and row the focus node came from, so the person who edits the CSV knows where to look.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
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


def violations(data: Graph, origins: Mapping[URIRef, tuple[str, int]] | None = None) -> list[Violation]:
    """Every SHACL violation of ``data`` against the project's shapes, sorted by origin."""
    conforms, results, _ = shacl_validate(
        data, shacl_graph=shapes(), ont_graph=ontology(), inference="none",
        advanced=True, allow_warnings=True,
    )
    if conforms:
        return []
    origins = origins or {}
    names = _prefixed(data)
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = results.value(result, SH.focusNode)
        where = origins.get(focus)
        found.append(Violation(
            origin=f"{where[0]}:{where[1]}" if where else "(no source row)",
            focus=str(focus),
            path=_short(names, results.value(result, SH.resultPath)),
            message=str(results.value(result, SH.resultMessage) or "constraint violated"),
            value=_short(names, results.value(result, SH.value)),
        ))
    return sorted(found)


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
