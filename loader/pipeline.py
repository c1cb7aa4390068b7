"""The load pipeline: read CSV -> build RDF -> validate -> swap in a new store -> write data/ttl.

The store switches to the new data only once it is completely built and validated (one pySHACL
run validates before the build; the batched validators validate the new version itself, built
beside the serving one, before the switch), and ``data/ttl/`` is written after the switch, so bad
input never touches ``data/ttl/`` or the serving store.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg import dumps as kgdumps
from kg import remote as kgremote
from kg import store as kgstore
from kg.defaults import DEFAULT_STORE, SOURCE_DIR, TTL_DIR
from kg.errors import LoaderError, ValidationFailed

from . import search_keys, validate_cache, validate_store
from . import validate as shacl
from .convert import convert
from .csvsource import read_table
from .terms import to_ox
from .turtle import to_turtle, write_atomically
from .vocab import Iris
from .void import describe

GENERATED = ("briefing", "localgovjp", "localgov-changes", "service-implementations", "curated",
             "translations", "iri-history", "search-keys", "void")
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
    #: N-Triples extras kept as files (never parsed into Python objects), by name
    streamed: dict[str, Path] = field(default_factory=dict)

    def all_graphs(self) -> dict[str, Graph]:
        """Bundled and extra graphs by name (extras as ``extra/<file stem>``), streamed ones aside."""
        return {**self.graphs, **{f"extra/{name}": g for name, g in self.extras.items()}}

    def payload(self) -> dict[str, bytes | Path]:
        """Every graph as N-Triples by graph IRI: bytes, or the file of a streamed extra."""
        out: dict[str, bytes | Path] = {str(g.identifier): _ntriples(g) for g in self.all_graphs().values()}
        out.update({str(self.iris.graph(f"extra/{name}")): path for name, path in self.streamed.items()})
        return out


def compile_sources(source_dir: Path = SOURCE_DIR, iris: Iris | None = None,
                    extras: Sequence[Path] = (), stream: bool = False) -> Compiled:
    """Read and convert the CSV sources and parse the extra RDF files.

    With ``stream``, N-Triples extras stay files (for the batched validators and the store's bulk
    load), so 10^7 triples never become Python objects.

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
        name = _extra_name(path, {**compiled.extras, **compiled.streamed})
        if stream and EXTRA_FORMATS.get(path.suffix.lower()) == "nt":
            if not path.is_file() or path.stat().st_size == 0:
                raise LoaderError(f"{path}: no such file, or empty")
            compiled.streamed[name] = path
        else:
            compiled.extras[name] = parse_extra(path, iris)
    _derive_extra_keys(compiled)
    return compiled


#: The graph of the search keys of the extra files' labels (``extra/`` like them, so that
#: ``data/ttl/search-keys.ttl`` stays the bundled data's).
EXTRA_KEYS = "search-keys"


def _derive_extra_keys(compiled: Compiled) -> None:
    """The comparison forms of the extra files' labels (loader/search_keys.py), in a graph of their
    own: the canned queries find names through these keys on any engine. Streamed extras give a
    streamed N-Triples file of keys, written as they are read."""
    if compiled.extras:
        keys = Graph(identifier=compiled.iris.graph(f"extra/{EXTRA_KEYS}"))
        for triple in search_keys.derive(list(compiled.extras.values()), compiled.iris):
            keys.add(triple)
        compiled.extras[EXTRA_KEYS] = keys
    if compiled.streamed:
        folder = Path(tempfile.mkdtemp(prefix="smartcity-kg-keys-"))
        weakref.finalize(compiled, shutil.rmtree, folder, ignore_errors=True)
        target = folder / f"{EXTRA_KEYS}.nt"
        with open(target, "wb") as output:
            for path in list(compiled.streamed.values()):
                ox.serialize(search_keys.derive_streamed(path, compiled.iris), output,
                             format=ox.RdfFormat.N_TRIPLES)
        name = EXTRA_KEYS if EXTRA_KEYS not in compiled.extras else f"{EXTRA_KEYS}-streamed"
        if target.stat().st_size:
            compiled.streamed[name] = target


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


#: SHACL engines: one pySHACL run (the reference), or the batched validator with pySHACL, rudof or
#: a SPARQL screen (both judged again by pySHACL where they flag)
ENGINES = ("pyshacl", "batched", "rudof", "sparql")


def validate(compiled: Compiled, engine: str = "pyshacl", workdir: Path | None = None) -> None:
    """Validate bundled and extra data together against the shapes.

    :raises ValidationFailed: with the report.
    """
    if engine != "pyshacl" or compiled.streamed:
        _validate_batched(compiled, _batch_engine(engine), workdir)
        return
    data = Graph()
    for name, graph in compiled.all_graphs().items():
        if name != "ontology":
            for triple in graph:
                data.add(triple)
    shacl.check(data, _origins(compiled))


def _batch_engine(engine: str) -> str:
    """The engine of :func:`loader.validate_store.store_violations` for a ``--shacl`` choice."""
    return "pyshacl" if engine == "batched" else engine


def _origins(compiled: Compiled) -> dict:
    origins = dict(compiled.origins)
    for name, graph in compiled.extras.items():
        for subject in set(graph.subjects()):
            origins.setdefault(subject, (f"extra file {name}", 0))
    return origins


def _fail_if(found: list, compiled: Compiled) -> None:
    if found:
        found = _lines_in_files(found, list(compiled.streamed.values()))
        raise ValidationFailed(shacl.report(found))


def _validate_batched(compiled: Compiled, engine: str, workdir: Path | None,
                      payload: dict[str, bytes | Path] | None = None) -> None:
    """The batched validator over a scratch store (a second bulk load of the data).

    :raises ValidationFailed: with the report.
    """
    _fail_if(validate_store.violations(payload or compiled.payload(), _origins(compiled), engine=engine,
                                       workdir=workdir), compiled)


def _validate_version(compiled: Compiled, engine: str, directory: Path,
                      subjects: list[str] | None = None, say: Callable[[str], None] | None = None) -> None:
    """The batched validator over the new store version, before the switch (``kg.store.build``'s
    ``check``): the data is bulk-loaded once. With ``subjects``, the node shapes judge only those
    (``validate_store.changed_subjects``).

    :raises ValidationFailed: with the report.
    """
    progress = None if say is None else (lambda done, of: say(f"{done}/{of} batches of subjects judged"))
    _fail_if(validate_store.store_violations(directory, _origins(compiled), engine=engine, subjects=subjects,
                                             progress=progress, say=say or (lambda _: None)), compiled)


def _lines_in_files(found: list, files: list[Path]) -> list:
    """Give violations without a source row the file:line of their focus node's first triple
    (of their value's, for a set-level rule, whose focus node is a class)."""
    def key(v) -> str:
        set_level = v.component.endswith("SPARQLConstraintComponent") and v.value.startswith("<")
        return f"{v.value} " if set_level else f"<{v.focus}> "

    wanted = {key(v) for v in found if v.origin == "(no source row)"}
    where: dict[str, str] = {}
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                subject = line[:line.find("> ") + 2]
                if subject in wanted and subject not in where:
                    where[subject] = f"{path}:{number}"
    return sorted(replace(v, origin=where.get(key(v), v.origin)) for v in found)


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
         source_dir: Path = SOURCE_DIR, ttl_dir: Path | None = TTL_DIR, engine: str = "pyshacl",
         skip_unchanged: bool = False, dumps: bool = True,
         remote: kgremote.RemoteEngineSettings | None = None) -> LoadReport:
    """Run the whole pipeline; on any error nothing on disk has changed.

    With ``remote``, the validated graphs go to that engine (one Graph Store ``PUT`` each, then the
    load record: ``kg/remote.py``) instead of a new version of the embedded store at ``store_path``,
    which then only keeps the validation cache beside it.

    ``engine`` is one of :data:`ENGINES`; with ``skip_unchanged`` validation is skipped when the
    data and the rules are exactly those of the last validated load (:mod:`loader.validate_cache`);
    without ``dumps`` the dumps are left to the server, which writes them at the first request.

    :raises LoaderError: (or a subclass) describing the first problem.
    """
    started = time.perf_counter()

    def _say(message: str) -> None:  # with the time so far: where a large load spends it
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    if remote is None:
        kgstore.check_target(store_path)
    _say("reading sources …")
    compiled = compile_sources(source_dir, iris, extras, stream=engine != "pyshacl")
    payload = compiled.payload()
    graphs = {k: v for k, v in payload.items() if k != str(compiled.iris.graph("ontology"))}
    digests = validate_cache.digests(graphs)  # the ontology graph is in the rules' key
    graphs_key = validate_cache.key(graphs, digests)
    in_build = None  # validation of the new store version before the switch: one bulk load
    if skip_unchanged and validate_cache.validated(Path(store_path), graphs_key):
        _say("same data and rules as the last validated load: not validating again")
    elif engine == "pyshacl" and not compiled.streamed:
        _say(f"validating {sum(len(g) for g in compiled.all_graphs().values())} triples with SHACL …")
        validate(compiled)
    else:
        batch_engine = _batch_engine(engine)
        if remote is not None:  # no local version to validate in: the scratch-store validator
            _say(f"validating with SHACL ({engine}, in batches) …")
            _validate_batched(compiled, batch_engine, Path(store_path).parent, payload)
        else:
            changed = validate_cache.changed_graphs(Path(store_path), digests) if skip_unchanged else None
            before = Path(store_path).resolve() if changed is not None else None

            def in_build(directory: Path) -> None:
                subjects = None
                if before is not None:
                    subjects = validate_store.changed_subjects(before, directory, sorted(changed))
                what = "every subject" if subjects is None else \
                    f"the {len(subjects)} subjects that {len(changed)} changed graph(s) can reach"
                _say(f"validating the new store version with SHACL ({engine}, in batches; {what}) …")
                _validate_version(compiled, batch_engine, directory, subjects, _say)
    if remote is not None:
        _say("writing Turtle …")
        changed = write_ttl(compiled, ttl_dir) if ttl_dir is not None else []
        _say(f"replacing {len(payload)} graphs on {remote.store_url} …")
        record = kgremote.publish(remote, payload, compiled.iris.base, _say)
        validate_cache.remember(Path(store_path), graphs_key, digests, record.version)
        _say(f"remote engine now at version {record.version}")
        return LoadReport(record.graphs, time.perf_counter() - started, changed, record.version)
    _say("building store …")
    with ExitStack() as files:
        data = {iri: files.enter_context(open(d, "rb")) if isinstance(d, Path) else d
                for iri, d in payload.items()}  # pyoxigraph's bulk load reads a file as it goes
        kg = kgstore.build(store_path, data, {"base_iri": compiled.iris.base}, check=in_build)
    validate_cache.remember(Path(store_path), graphs_key, digests, kg.version)
    _say(f"store built (version {kg.version}); writing Turtle …")
    changed = write_ttl(compiled, ttl_dir) if ttl_dir is not None else []
    counts = kg.triple_counts()
    if dumps:
        _say(f"store {store_path} now at version {kg.version}; writing its dumps …")
        kgdumps.ensure(Path(store_path).resolve(), compiled.iris.base)
    return LoadReport(counts, time.perf_counter() - started, changed, kg.version)
