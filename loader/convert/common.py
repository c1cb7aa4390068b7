"""What every conversion step shares: the graphs being built, reading a table, minting instances.

A step gets a :class:`Context` and the lookups of earlier steps as arguments and returns the
lookups later steps need; the only thing steps write in common is the :class:`Build`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.errors import MissingSource

from .. import cells
from ..csvsource import Row, Table, read_table
from ..vocab import SCKG, Iris

TRANSLATIONS = "translations"  # the graph of every English label the project wrote
CURATED = "curated"  # the graph of the project's readings, classifications and composed names


class BuildGraph(Graph):
    """A named graph of a :class:`Build`, which knows its build so :func:`label` can reach the
    translations graph from any graph it is given."""

    def __init__(self, build: Build, name: str) -> None:
        super().__init__(identifier=build.iris.graph(name))
        self.build = build


@dataclass
class Build:
    """The graphs being built and where each instance came from."""

    iris: Iris
    graphs: dict[str, Graph] = field(default_factory=dict)
    origins: dict[URIRef, tuple[str, int]] = field(default_factory=dict)

    def graph(self, name: str) -> Graph:
        """The named graph ``name``, created on first use."""
        if name not in self.graphs:
            self.graphs[name] = BuildGraph(self, name)
        return self.graphs[name]


@dataclass(frozen=True)
class Context:
    """Where the sources are, how IRIs are minted, the build to fill and the source documents known.

    ``sources`` is empty until sources.csv is read; every later step gets a context holding it,
    since any row may cite a source document.
    """

    source_dir: Path
    iris: Iris
    build: Build
    sources: frozenset[str] = frozenset()

    def table(self, name: str, *required: str, key: str | None = None) -> Table:
        """The rows of ``name``, which must exist, hold ``required`` and have unique ``key`` values."""
        path = self.source_dir / name
        label = _display(path)
        if not path.is_file():
            raise MissingSource(f"{label}: source file not found")
        table = read_table(path, required, label=label)
        if key:
            cells.unique(table, key)
        return table

    def instance(self, graph: str, kind: str, key: str, cls: URIRef, row: Row) -> tuple[Graph, URIRef]:
        """Type a new instance in ``graph``, remembering the row it came from for SHACL reports."""
        g = self.build.graph(graph)
        subject = self.iris.id(kind, key)
        g.add((subject, RDF.type, cls))
        self.build.origins.setdefault(subject, (row.file, row.number))
        return g, subject

    def cite(self, g: Graph, subject: URIRef, row: Row, sources: str = "source") -> None:
        """Link the source documents (and section) a row names, so every fact can be traced."""
        for key in cells.text(row, sources).split():
            known("source", row, sources, self.sources, key)
            g.add((subject, DCTERMS.source, self.iris.source(key)))
            if key == "project-curation":
                g.add((subject, SCKG.curatedByProject, Literal(True)))
        if section := cells.optional(row, "section"):
            g.add((subject, SCKG.sourceSection, Literal(section)))

    def concept(self, g: Graph, subject: URIRef, scheme: str, scheme_label: tuple[str, str]) -> None:
        """Make ``subject`` a top concept of the SKOS scheme ``scheme`` (described on first use)."""
        scheme_iri = self.iris.scheme(scheme)
        g.add((subject, RDF.type, SKOS.Concept))
        g.add((subject, SKOS.inScheme, scheme_iri))
        g.add((scheme_iri, RDF.type, SKOS.ConceptScheme))
        g.add((scheme_iri, SKOS.hasTopConcept, subject))
        label(g, scheme_iri, *scheme_label, concept=True)


def known(kind: str, row: Row, column: str, keys: Collection[str], value: str | None = None) -> str:
    """A cell (or ``value`` from it) that must be the key of a row read earlier."""
    value = cells.text(row, column) if value is None else value
    if value not in keys:
        raise row.error(column, f"unknown {kind} '{value}'")
    return value


def label(g: Graph, subject: URIRef, ja: str, en: str | None = None, kana: str | None = None,
          concept: bool = False, composed: bool = False) -> None:
    """rdfs:label in Japanese, kana and English; concepts also get skos:prefLabel (without kana).

    The Japanese and kana labels are the source's and go to ``g``; a Japanese name the project
    composed for something the source does not name (「高松市の都市OS」) is ``composed`` and goes
    to the ``curated`` graph. No source of ours states an English name, so the English label is
    the project's translation or romanization: it goes to the ``translations`` graph of the build
    ``g`` belongs to (to ``g`` itself only for a graph outside a build).
    """
    english = _translations(g)
    values = [(_sibling(g, CURATED) if composed else g, Literal(ja, lang="ja"))]
    if kana:
        values.append((g, Literal(kana, lang="ja-hrkt")))
    if en:
        values.append((english, Literal(en, lang="en")))
    for graph, value in values:
        graph.add((subject, RDFS.label, value))
        if concept and value.language != "ja-hrkt":
            graph.add((subject, SKOS.prefLabel, value))


def translation(g: Graph, subject: URIRef, predicate: URIRef, en: str) -> None:
    """An English text the project wrote (a title, definition or note no source states), in the
    ``translations`` graph of the build ``g`` belongs to, like the English labels of :func:`label`."""
    _translations(g).add((subject, predicate, Literal(en, lang="en")))


def _translations(g: Graph) -> Graph:
    """The translations graph of the build ``g`` belongs to; ``g`` itself outside a build."""
    return _sibling(g, TRANSLATIONS)


def _sibling(g: Graph, name: str) -> Graph:
    """The graph ``name`` of the build ``g`` belongs to; ``g`` itself outside a build."""
    return g.build.graph(name) if isinstance(g, BuildGraph) else g


def ids(table: Table, column: str = "id") -> frozenset[str]:
    """The keys of a table's rows, for later rows that refer to them."""
    return frozenset(row[column] for row in table)


def _display(path: Path) -> str:
    """A path as a user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
