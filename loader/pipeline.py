"""The load pipeline: read CSV -> build RDF -> validate -> write data/ttl -> swap in a new store.

Nothing is written before validation passes, and the store switches to the new data only
once it is completely built, so bad input never touches ``data/ttl/`` or the serving store.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from tqdm import tqdm

from kg import dumps as kgdumps
from kg import store as kgstore
from kg.defaults import DEFAULT_STORE, SOURCE_DIR, TTL_DIR
from kg.errors import LoaderError

from . import validate as shacl
from .convert import convert
from .csvsource import read_table
from .terms import to_ox
from .turtle import to_turtle, write_atomically
from .vocab import Iris
from .void import describe

GENERATED = ("briefing", "localgovjp", "localgov-changes", "service-implementations", "curated",
             "translations", "iri-history", "void")
EXTRA_FORMATS = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt",
    ".rdf": "xml", ".xml": "xml", ".owl": "xml", ".jsonld": "json-ld", ".json": "json-ld",
}


@dataclass
class Compiled:
    """Everything one load would put in the store, by graph name, before validation."""

    iris: Iris
    graphs: dict[str, Graph]
    origins: dict[URIRef, tuple[str, int]]
    extras: dict[str, Graph] = field(default_factory=dict)

    def all_graphs(self) -> dict[str, Graph]:
        """Bundled and extra graphs by name (extras as ``extra/<file stem>``)."""
        return {**self.graphs, **{f"extra/{name}": g for name, g in self.extras.items()}}


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def compile_sources(source_dir: Path = SOURCE_DIR, iris: Iris | None = None,
                    extras: Sequence[Path] = ()) -> Compiled:
    """Read and convert the CSV sources and parse the extra RDF files.

    :raises SourceError: for the first bad cell, row or file.
    :raises LoaderError: for an extra file that cannot be parsed.
    """
    iris = iris or Iris()
    build = convert(source_dir, iris)
    graphs = dict(build.graphs)
    graphs["ontology"] = Graph(identifier=iris.graph("ontology"))
    for triple in shacl.ontology():
        graphs["ontology"].add(triple)
    info_table = read_table(source_dir / "dataset.csv", ("key", "value"))
    info = {row["key"]: row["value"] for row in info_table}
    missing = {"title_ja", "title_en", "description_en", "license", "created", "version"} - info.keys()
    if missing:
        raise LoaderError(f"{info_table.file}: missing keys {', '.join(sorted(missing))}")
    sources = sorted(s for s in build.origins if "/id/source/" in str(s))
    describe(iris, graphs["void"], {k: g for k, g in graphs.items() if k != "void"}, info, sources)
    compiled = Compiled(iris, graphs, build.origins)
    for path in extras:
        compiled.extras[_extra_name(path, compiled.extras)] = parse_extra(path, iris)
    return compiled


def _extra_name(path: Path, taken: dict) -> str:
    name, n = path.stem, 1
    while name in taken:
        n += 1
        name = f"{path.stem}-{n}"
    return name


def parse_extra(path: Path, iris: Iris) -> Graph:
    """Parse a user-named RDF file (Turtle, N-Triples, RDF/XML or JSON-LD) by its extension.

    :raises LoaderError: for an unknown extension, a missing file or a syntax error.
    """
    fmt = EXTRA_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LoaderError(f"{path}: unknown RDF format (use one of {', '.join(sorted(EXTRA_FORMATS))})")
    if not path.is_file():
        raise LoaderError(f"{path}: no such file")
    graph = Graph(identifier=iris.graph(f"extra/{path.stem}"))
    try:
        graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib's parsers raise many unrelated types for bad input
        detail = " ".join(str(exc).split())[:500]
        raise LoaderError(f"{path}: not valid {fmt}: {detail}") from None
    if len(graph) == 0:
        raise LoaderError(f"{path}: holds no triples")
    return graph


def validate(compiled: Compiled) -> None:
    """Validate bundled and extra data together against the shapes.

    :raises ValidationFailed: with the report.
    """
    data = Graph()
    for name, graph in compiled.all_graphs().items():
        if name != "ontology":
            for triple in graph:
                data.add(triple)
    origins = dict(compiled.origins)
    for name, graph in compiled.extras.items():
        for subject in set(graph.subjects()):
            origins.setdefault(subject, (f"extra file {name}", 0))
    shacl.check(data, origins)


def write_ttl(compiled: Compiled, ttl_dir: Path = TTL_DIR) -> list[Path]:
    """Write each generated graph as sorted Turtle; return the files that changed."""
    changed = []
    for name in GENERATED:
        path = ttl_dir / f"{name}.ttl"
        if write_atomically(path, to_turtle(compiled.graphs[name])):
            changed.append(path)
    return changed


def _ntriples(graph: Graph) -> bytes:
    return ox.serialize((ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph),
                        format=ox.RdfFormat.N_TRIPLES)


@dataclass
class LoadReport:
    """What a load did, for the CLI's summary."""

    counts: dict[str, int]
    seconds: float
    changed_ttl: list[Path]
    version: str


def load(store_path: Path = DEFAULT_STORE, iris: Iris | None = None, extras: Sequence[Path] = (),
         source_dir: Path = SOURCE_DIR, ttl_dir: Path | None = TTL_DIR) -> LoadReport:
    """Run the whole pipeline; on any error nothing on disk has changed.

    :raises LoaderError: (or a subclass) describing the first problem.
    """
    started = time.perf_counter()
    kgstore.check_target(store_path)
    _say("reading sources …")
    compiled = compile_sources(source_dir, iris, extras)
    _say(f"validating {sum(len(g) for g in compiled.all_graphs().values())} triples with SHACL …")
    validate(compiled)
    changed = write_ttl(compiled, ttl_dir) if ttl_dir is not None else []
    _say("building store …")
    graphs = compiled.all_graphs()
    payload = {
        str(g.identifier): _ntriples(g)
        for g in tqdm(graphs.values(), desc="serializing", unit="graph", disable=None, file=sys.stderr)
    }
    kg = kgstore.build(store_path, payload, {"base_iri": compiled.iris.base})
    counts = kg.triple_counts()
    _say(f"store {store_path} now at version {kg.version}; writing its dumps …")
    kgdumps.ensure(Path(store_path).resolve(), compiled.iris.base)
    return LoadReport(counts, time.perf_counter() - started, changed, kg.version)
