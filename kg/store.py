"""The on-disk Oxigraph store: its layout, its versions, the atomic switch, opening it.

The only module that knows where a store lives. A store path is a symbolic link to one
immutable version directory beside it (``<path>.versions/<version>``, with ``<version>.json``
holding what the load recorded). A load builds a new version completely, checks it, and only
then repoints the link with an atomic rename, so a failed or killed load leaves the previous
version in place and serving. Readers follow the link (``StoreLink``): one ``readlink`` tells
them whether a new version has been switched in.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "store"
>>> kg = build(path, {"https://example.org/g": b'<https://example.org/s> <https://example.org/p> "1" .\\n'})
>>> kg.triple_counts()
{'https://example.org/g': 1}
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pyoxigraph as ox

from .errors import StoreError

META_SUFFIX = ".json"
#: Beside a version, the directory of its dumps (kg/dumps.py); pruned with the version.
DUMPS_SUFFIX = ".dumps"


def _versions_dir(path: Path) -> Path:
    return path.with_name(path.name + ".versions")


@dataclass
class KnowledgeGraph:
    """A read-only view of one store version."""

    store: ox.Store
    path: Path
    version: str
    meta: dict

    @classmethod
    def open(cls, path: Path, in_memory: bool = False) -> KnowledgeGraph:
        """Open the version ``path`` points at: read-only on disk, or copied into memory.

        A copy in memory answers joins about three times faster, and stays readable when a
        later load prunes the version it came from.

        :raises StoreError: when there is no complete store version at ``path``, or it cannot be read.
        """
        path = Path(path)
        if not path.is_symlink():
            raise StoreError(f"{path}: no store here; run 'smartcity-kg load' first")
        target = path.resolve()
        meta_file = target.with_name(target.name + META_SUFFIX)
        try:
            meta = json.loads(meta_file.read_text())
            store = ox.Store.read_only(str(target))
            if in_memory:
                memory = ox.Store()
                memory.bulk_extend(store.quads_for_pattern(None, None, None, None))
                store = memory
        except FileNotFoundError:
            raise StoreError(f"{path}: store version {target.name} is incomplete") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: cannot open the store ({exc})") from None
        return cls(store, path, target.name, meta)

    def query(self, sparql: str, **options):
        """Run a SPARQL query with the union of the named graphs as default graph."""
        options.setdefault("use_default_graph_as_union", True)
        return self.store.query(sparql, **options)

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph, by graph IRI."""
        return _graph_counts(self.store)

    def __len__(self) -> int:
        return len(self.store)


def _graph_counts(store: ox.Store) -> dict[str, int]:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What a load recorded beside one store version (read without opening the store)."""

    version: str
    created: datetime
    triples: int
    graphs: dict[str, int]

    @functools.cached_property
    def http_date(self) -> str:
        """``created`` as a Last-Modified header value (formatted once, sent with every result)."""
        return format_datetime(self.created.astimezone(UTC), usegmt=True)


class StoreLink:
    """Follows a store link: which version it points at now, and that version's snapshot.

    Thread-safe and cheap: ``version()`` is one ``readlink``; the snapshot is reread only
    when the link has moved.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def version(self) -> str | None:
        """The version the link names now; None when there is no link."""
        try:
            return os.path.basename(os.readlink(self.path))
        except OSError:
            return None

    def snapshot(self) -> Snapshot:
        """The snapshot of the version the link points at now.

        :raises StoreError: when there is no complete store version at the link.
        """
        version = self.version()
        if version is None:
            raise StoreError(f"{self.path}: no store here; run 'smartcity-kg load' first")
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                target = self.path.resolve()
                try:
                    meta = json.loads(target.with_name(target.name + META_SUFFIX).read_text())
                    created = datetime.fromisoformat(meta["created"]).astimezone(UTC)
                    self._snapshot = Snapshot(target.name, created, int(meta["triples"]),
                                              dict(meta.get("graphs", {})))
                except (OSError, ValueError, KeyError, TypeError):
                    raise StoreError(f"{self.path}: no complete store version") from None
            return self._snapshot

    def open(self, in_memory: bool = False) -> KnowledgeGraph:
        """The version the link points at now (see ``KnowledgeGraph.open``)."""
        return KnowledgeGraph.open(self.path, in_memory)

    def version_dir(self) -> Path:
        """The directory of the version the link points at now (its dumps go beside it)."""
        return self.path.resolve()

    def base_iri(self) -> str | None:
        """The base IRI the current version was loaded with (None when it did not record one)."""
        target = self.version_dir()
        try:
            return json.loads(target.with_name(target.name + META_SUFFIX).read_text()).get("base_iri")
        except (OSError, ValueError, AttributeError):
            return None

    def dump_source(self) -> ox.Store:
        """The current version, read-only, to write its dumps from."""
        return ox.Store.read_only(str(self.version_dir()))


def check_target(path: Path) -> None:
    """Refuse a store path that a load could not switch atomically.

    :raises StoreError: when ``path`` exists and is not a store link.
    """
    if path.exists() and not path.is_symlink():
        raise StoreError(f"{path}: exists and is not a store link; move it away first")


def build(path: Path, graphs: Mapping[str, bytes], meta: Mapping | None = None,
          check: Callable[[Path], None] | None = None) -> KnowledgeGraph:
    """Build a new store version from N-Triples per graph IRI, then switch ``path`` to it.

    ``check``, when given, is called with the new version's directory once it is complete and
    compacted (closed for writing, so it may be opened read-only, also by other processes), before
    the switch: validating there saves loading the data a second time into a scratch store. If it
    raises, the version is removed, ``path`` keeps pointing where it did, and the error propagates.

    :raises StoreError: when ``path`` is something other than a store link, or the build fails.
    """
    check_target(path)
    versions = _versions_dir(path)
    versions.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"{path}: another load is running") from None
        return _build_locked(path, versions, graphs, meta, check)


def _build_locked(path: Path, versions: Path, graphs: Mapping[str, bytes], meta: Mapping | None,
                  check: Callable[[Path], None] | None = None):
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    target = versions / version
    expected, source = 0, ""
    try:
        store = ox.Store(str(target))
        for graph, data in graphs.items():
            source = getattr(data, "name", f"graph <{graph}>")  # an N-Triples file, or bytes
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        store.flush()
        store.optimize()
        expected = len(store)
        del store
        loaded = len(ox.Store.read_only(str(target)))
    except SyntaxError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise StoreError(f"{source}: not valid N-Triples: {exc}") from None
    except (OSError, ValueError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise StoreError(f"{path}: building the store failed ({exc})") from None
    if loaded != expected:
        shutil.rmtree(target, ignore_errors=True)
        raise StoreError(f"{path}: the new store holds {loaded} triples, expected {expected}")
    if check is not None:
        try:
            check(target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
    info = {"version": version, "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "triples": loaded, "graphs": _graph_counts(ox.Store.read_only(str(target))), **(meta or {})}
    target.with_name(version + META_SUFFIX).write_text(json.dumps(info, indent=2, ensure_ascii=False))
    _switch(path, target)
    _prune(versions, current=target.name)
    return KnowledgeGraph.open(path)


def _switch(path: Path, target: Path) -> None:
    """Point ``path`` at ``target`` atomically (rename of a fresh link over the old one)."""
    link = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    os.symlink(os.path.relpath(target, path.parent), link)
    os.replace(link, path)


def _prune(versions: Path, current: str) -> None:
    """Remove versions but the current and the one before, and leftovers of killed loads.

    The previous version stays because a server may still be reading it.
    """
    entries = sorted(p for p in versions.iterdir()
                     if not p.name.endswith((META_SUFFIX, DUMPS_SUFFIX)))
    complete = [p for p in entries if p.with_name(p.name + META_SUFFIX).is_file()]
    newest_two = {p.name for p in complete[-2:]}
    for entry in entries:
        if entry.name not in newest_two | {current}:
            shutil.rmtree(entry, ignore_errors=True)
            entry.with_name(entry.name + META_SUFFIX).unlink(missing_ok=True)
    for dumps in versions.glob("*" + DUMPS_SUFFIX):  # a version's dumps go with it (kg/dumps.py)
        if dumps.name.removesuffix(DUMPS_SUFFIX) not in newest_two | {current}:
            shutil.rmtree(dumps, ignore_errors=True)
