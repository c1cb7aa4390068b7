"""Shared fixtures: one full load of the bundled data into a temporary store per test session, one
in-process app over it (``server``, reached with ``http``), and one real server (granian, ``live_server``).

``SMARTCITY_KG_TEST_BACKEND`` chooses what the servers answer from: ``embedded`` (the default: the
session's store), or ``oxigraph`` / ``virtuoso``: a real engine the session starts on loopback
(``tests/remote_engines.py``) and loads with the loader's remote path, the servers running with
``ENGINE=remote``. ``make test`` runs the suite once per backend; tests of what only the embedded
engine has are marked ``embedded_only``.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from wsgi_transport import WSGIAdapter

from kg.defaults import DEFAULT_BASE_IRI
from kg.store import KnowledgeGraph
from loader import pipeline
from loader import validate as shacl

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE = DEFAULT_BASE_IRI

#: The backend the server fixtures use (see the module's docstring).
BACKEND = os.environ.get("SMARTCITY_KG_TEST_BACKEND", "embedded")
BACKENDS = ("embedded", "oxigraph", "virtuoso")
if BACKEND not in BACKENDS:
    raise pytest.UsageError(f"SMARTCITY_KG_TEST_BACKEND={BACKEND!r} is not one of {', '.join(BACKENDS)}")
#: Query parameter each engine takes its time limit in (kg/remote.py); Oxigraph has none.
TIMEOUT_PARAMETERS = {"oxigraph": "", "virtuoso": "timeout"}

#: Base URL of the session's in-process app (``server``); no name lookup, no socket.
APP_BASE = "http://app.test"
#: ``requests`` for tests: URLs under APP_BASE go to the in-process app, others over the network.
http = requests.Session()


@pytest.fixture(scope="session", autouse=True)
def shacl_once_per_graph():
    """Run pySHACL (10-15 s on the bundled data) at most once for the same data in a session.

    ``loader.validate.check`` is deterministic: data that conformed once conforms again, so a
    second check of exactly the same triples (a second load, ``smartcity-kg validate`` in-process)
    is answered from memory. Data that did not conform, or any other data, is always validated.
    """
    original = shacl.check
    conforming: set[frozenset] = set()

    def check(data, origins=None):
        key = frozenset(data)
        if key not in conforming:
            original(data, origins)
            conforming.add(key)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shacl, "check", check)
        yield


@pytest.fixture(scope="session")
def kg_root(tmp_path_factory) -> Path:
    """Directory of the session's store (``store``) and generated Turtle (``ttl/``)."""
    return tmp_path_factory.mktemp("kg")


@pytest.fixture(scope="session")
def loaded(kg_root) -> pipeline.LoadReport:
    """The report of a full load (with SHACL validation) of the bundled sources.

    The load runs in a thread of its own, at the same shallow stack depth whichever fixture asked
    for it first: under the nested fixtures of ``server`` pySHACL ran twice as long on CPython 3.11,
    ~11 s of it in the kernel mapping and unmapping memory (636,000 mmap/munmap pairs).
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(pipeline.load, kg_root / "store", ttl_dir=kg_root / "ttl").result()


@pytest.fixture(scope="session")
def kg(loaded, kg_root) -> KnowledgeGraph:
    """The loaded store, opened read-only as the server opens it."""
    return KnowledgeGraph.open(kg_root / "store")


@pytest.fixture(scope="session")
def remote_engine(loaded, kg_root):
    """The session's remote engine, loaded with the bundled data; None on the embedded backend."""
    if BACKEND == "embedded":
        yield None
        return
    import remote_engines

    start = getattr(remote_engines, f"{BACKEND}_server")
    workdir = kg_root / BACKEND
    workdir.mkdir(exist_ok=True)
    with start(workdir) as engine:
        pipeline.load(kg_root / "remote-store", ttl_dir=None, remote=remote_settings(engine))
        yield engine


def remote_settings(engine):
    """The ``kg.remote`` settings of an engine started by ``tests/remote_engines.py``."""
    from kg.remote import RemoteEngineSettings

    return RemoteEngineSettings(engine.query_url, engine.store_url, engine.user or "", engine.password or "",
                                engine.auth or "none", TIMEOUT_PARAMETERS.get(engine.name, ""))


def backend_settings(engine) -> dict:
    """Server settings that make an app answer from ``engine`` (nothing for the embedded store)."""
    if engine is None:
        return {}
    remote = remote_settings(engine)
    return {"ENGINE": "remote", "REMOTE_QUERY_URL": remote.query_url, "REMOTE_STORE_URL": remote.store_url,
            "REMOTE_USER": remote.user, "REMOTE_PASSWORD": remote.password, "REMOTE_AUTH": remote.auth,
            "REMOTE_TIMEOUT_PARAMETER": remote.timeout_parameter}


def backend_env(engine) -> dict:
    """The same settings as SMARTCITY_KG_* variables, for a server process."""
    from kg import config

    return {"SMARTCITY_KG_" + key: config.as_text(key, value)
            for key, value in backend_settings(engine).items()}


@pytest.fixture()
def source_copy(tmp_path) -> Path:
    """A private copy of ``data/source`` that a test may break."""
    target = tmp_path / "source"
    shutil.copytree(PROJECT_DIR / "data" / "source", target)
    return target


def select(kg: KnowledgeGraph, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT as dicts of plain strings (prefixes sckg, rdfs, skos, dcterms predeclared)."""
    prefixes = (
        "PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    )
    result = kg.query(prefixes + sparql)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def assert_same_quads(actual, expected) -> None:
    """The same quads, blank nodes compared up to renaming (a remote engine names them anew):
    quads without blank nodes as sets; those with them graph by graph, by RDF graph isomorphism."""
    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.compare import isomorphic

    def split(quads):
        plain, blank = set(), {}
        for quad in quads:
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                blank.setdefault(quad.graph_name.value, []).append(quad.triple)
            else:
                plain.add(quad)
        return plain, blank

    (plain_a, blank_a), (plain_b, blank_b) = split(actual), split(expected)
    assert plain_a == plain_b
    assert blank_a.keys() == blank_b.keys()
    for graph in blank_a:
        parsed = [Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
                  for triples in (blank_a[graph], blank_b[graph])]
        assert len(parsed[0]) == len(parsed[1]) and isomorphic(*parsed), graph


@pytest.fixture(scope="session")
def served_version(kg, remote_engine) -> str:
    """The version the session's servers report: the embedded store's, or the remote load record's."""
    if remote_engine is None:
        return kg.version
    from kg.remote import read_record

    return read_record(remote_settings(remote_engine)).version


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(store: Path, *options: str, env: dict | None = None):
    """Start ``smartcity-kg serve`` (granian, or gunicorn with ``--http-server gunicorn``) on a free
    loopback port; return (process, base URL).

    Waits until /healthz answers (30 s at most). The caller stops it with ``stop_server``.
    """
    import os
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.request

    port = free_port()
    script = Path(sys.executable).parent / "smartcity-kg"
    log = tempfile.NamedTemporaryFile(prefix="smartcity-kg-server-", suffix=".log", delete=False)
    process = subprocess.Popen(  # output to a file: an unread pipe would block the server when full
        [str(script), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store), *options],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    process.log_path = log.name
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = Path(process.log_path).read_text(errors="replace")
            stop_server(process)
            raise RuntimeError(f"server did not start: {output[-2000:]}")
        time.sleep(0.1)


def stop_server(process) -> None:
    """Stop a server started by ``start_server`` and every process it started."""
    import os
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except Exception:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    Path(getattr(process, "log_path", "/nonexistent")).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def app(kg, kg_root, remote_engine):
    """The web app (default settings) over the session's store or remote engine, in this process."""
    from server import create_app

    application = create_app({"STORE": str(kg_root / "store"), "TESTING": True,
                              **backend_settings(remote_engine)})
    try:
        yield application
    finally:
        application.extensions["kg_engine"].close()


@pytest.fixture(scope="session")
def server(app) -> str:
    """Base URL of the session's app: ``http.get(server + "/sparql", ...)`` calls it in-process."""
    http.mount(APP_BASE + "/", WSGIAdapter(app))
    try:
        yield APP_BASE
    finally:
        http.adapters.pop(APP_BASE + "/", None)


@pytest.fixture(scope="session")
def live_server(kg, kg_root, remote_engine) -> str:
    """Base URL of a real server (granian, default settings) on a loopback port, serving the
    session's store or remote engine: for what only a real server shows (real clients, connections,
    size limits)."""
    process, base = start_server(kg_root / "store", env=backend_env(remote_engine))
    try:
        yield base
    finally:
        stop_server(process)


@dataclass
class LiveServer:
    """A server started by ``start_server``: its process (the HTTP server's master) and base URL."""

    process: object
    base: str

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"


#: What ``limited_server`` runs with: a 1 s query timeout (5 s on a remote engine), 100 rows at
#: most, no result cache, and max-age=11 (from its file), two web processes (from its options); see
#: ``limited_server``. A remote engine adds an HTTP round trip and its own planning to each query:
#: in CI, Virtuoso once took over 1 s for a 360-triple CONSTRUCT that the row-cap tests need
#: answered, and once the server gave a 503 for it under a 3 s limit (its cause not printed; the
#: query takes 0.02-0.2 s here), so its limit leaves room for the queries meant to finish.
LIMITED_QUERY_TIMEOUT = 1.0 if BACKEND == "embedded" else 5.0
LIMITED_MAX_ROWS = 100
LIMITED_WEB_WORKERS = 2
LIMITED_CACHE_CONTROL = "max-age=11"


@pytest.fixture(scope="session")
def limited_server(kg, kg_root, tmp_path_factory, remote_engine) -> LiveServer:
    """A real server for limits (test_sparql_limits) and configuration layers (test_config).

    Its settings come from all three layers, each overriding the one before:
    the file sets cache_control, max_rows = 2 and web_workers = 3; the environment sets
    MAX_ROWS = 100, WEB_WORKERS = 3 and CACHE = off; the options set --workers 2 and --query-timeout
    (:data:`LIMITED_QUERY_TIMEOUT`).
    Two queries answered before it is handed out: the workers have opened the store before any timing.
    """
    import requests

    folder = tmp_path_factory.mktemp("limited")
    config = folder / "smartcity-kg.toml"
    config.write_text(f'cache_control = "{LIMITED_CACHE_CONTROL}"\nmax_rows = 2\nweb_workers = 3\n')
    env = {"SMARTCITY_KG_CONFIG": str(config), "SMARTCITY_KG_MAX_ROWS": str(LIMITED_MAX_ROWS),
           "SMARTCITY_KG_WEB_WORKERS": "3", "SMARTCITY_KG_CACHE": "off", **backend_env(remote_engine)}
    process, base = start_server(kg_root / "store", "--workers", str(LIMITED_WEB_WORKERS),
                                 "--query-timeout", str(LIMITED_QUERY_TIMEOUT), env=env)
    server = LiveServer(process, base)
    try:
        query = 'SELECT ?m WHERE { ?m <http://www.w3.org/2000/01/rdf-schema#label> "高松市"@ja }'
        with ThreadPoolExecutor(2) as pool:
            answers = pool.map(lambda _: requests.get(server.sparql, params={"query": query}, timeout=60),
                               range(2))
            for response in answers:
                assert response.status_code == 200, response.text
        yield server
    finally:
        stop_server(process)
