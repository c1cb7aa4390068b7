"""Real SPARQL engines for the remote-backend tests: ``oxigraph serve`` and Virtuoso Open Source 7.

Each helper starts the engine's own binary on a free 127.0.0.1 port with everything (database,
configuration, log) in a private directory, waits until a query is answered, yields a
:class:`RemoteEngine` and stops the engine, with everything it started, on exit, even on failure.
No system-wide service is used or touched.

- ``oxigraph_server(workdir, in_memory)``: the ``oxigraph`` CLI from PyPI (``oxigraph serve``), with
  ``--union-default-graph`` so that the default graph is the union of the named graphs. No
  authentication (``auth`` is None): bind it to loopback or put a proxy in front.
- ``virtuoso_server(workdir)``: ``virtuoso-t`` from Debian's ``virtuoso-opensource``, configured from
  ``deploy/virtuoso/virtuoso.ini`` (the template the README documents), a fresh database, the dba
  password changed to a random one and a user with ``SPARQL_UPDATE`` created for the Graph Store
  (HTTP digest authentication).

``engine_missing(name)`` says why an engine cannot run here (None if it can): tests skip with that
reason, except under ``CI=true``, where they fail (like the browser tests).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import pytest
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

PROJECT_DIR = Path(__file__).resolve().parent.parent
VIRTUOSO_INI = PROJECT_DIR / "deploy" / "virtuoso" / "virtuoso.ini"
READY_TIMEOUT = 120.0  # seconds an engine may take to answer its first query
STOP_TIMEOUT = 15.0  # seconds between SIGTERM and SIGKILL
ASK = "ASK {}"


@dataclass(frozen=True)
class RemoteEngine:
    """A running engine: its SPARQL 1.1 Protocol and Graph Store Protocol endpoints and credentials."""

    name: str
    query_url: str
    store_url: str
    update_url: str
    user: str | None
    password: str | None
    auth: str | None  # "basic" | "digest" | None
    pid: int
    workdir: Path
    ready_seconds: float  # from process start to the first answered query
    log: Path = field(repr=False)

    def requests_auth(self) -> AuthBase | None:
        """The ``requests`` authentication object for the Graph Store and update endpoints."""
        if self.auth == "digest":
            return HTTPDigestAuth(self.user, self.password)
        if self.auth == "basic":
            return HTTPBasicAuth(self.user, self.password)
        return None

    def settings(self) -> dict[str, str]:
        """The SMARTCITY_KG_* environment that points the project at this engine."""
        env = {"SMARTCITY_KG_ENGINE": "remote", "SMARTCITY_KG_REMOTE_QUERY_URL": self.query_url,
               "SMARTCITY_KG_REMOTE_STORE_URL": self.store_url}
        if self.auth:
            env |= {"SMARTCITY_KG_REMOTE_USER": self.user, "SMARTCITY_KG_REMOTE_PASSWORD": self.password,
                    "SMARTCITY_KG_REMOTE_AUTH": self.auth}
        return env


class EngineError(RuntimeError):
    """An engine did not start, or a setup step against it failed (the message has its log tail)."""


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` CLI next to this Python (the venv's PyPI package), else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def engine_missing(name: str) -> str | None:
    """Why engine ``name`` ("oxigraph" | "virtuoso") cannot run on this machine, or None."""
    if name == "oxigraph":
        return None if oxigraph_binary() else "no `oxigraph` CLI (pip install -e '.[test]')"
    if name == "virtuoso":
        if not shutil.which("virtuoso-t") or not shutil.which("isql-vt"):
            return "no virtuoso-t/isql-vt (apt-get install virtuoso-opensource; .ci/run does it)"
        return None
    raise ValueError(f"unknown engine {name!r}; known: oxigraph, virtuoso")


def require(name: str) -> None:
    """Skip the calling test when engine ``name`` is missing; under CI=true, fail instead."""
    reason = engine_missing(name)
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true and {name} cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the engine's process group, SIGKILL it if it is still there after STOP_TIMEOUT."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
    try:  # whatever else is left in the group (the engine's own children, if any)
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _wait_ready(process: subprocess.Popen, query_url: str, log: Path, started: float) -> float:
    """Poll ``query_url`` with ASK {} until it answers 200; seconds since ``started``."""
    deadline = started + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EngineError(f"{process.args[0]} exited with {process.returncode} before answering;"
                              f" log {log}:\n{_tail(log)}")
        try:
            response = requests.get(query_url, params={"query": ASK}, timeout=2,
                                    headers={"Accept": "application/sparql-results+json"})
            if response.status_code == 200:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise EngineError(f"{process.args[0]} did not answer within {READY_TIMEOUT:.0f} s; log {log}:\n"
                      f"{_tail(log)}")


@contextmanager
def _running(command: list[str], workdir: Path, query_url: str, log: Path) -> Iterator[tuple[int, float]]:
    """Start ``command`` in its own process group, wait until ``query_url`` answers; always stop it."""
    with open(log, "ab") as out:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process.pid, _wait_ready(process, query_url, log, started)
    finally:
        _stop(process)


@contextmanager
def oxigraph_server(workdir: Path, in_memory: bool = False, *, union_default_graph: bool = True,
                    timeout_s: int | None = None) -> Iterator[RemoteEngine]:
    """Run ``oxigraph serve`` on a free loopback port; data in ``workdir/oxigraph`` unless in memory.

    ``timeout_s`` is Oxigraph's ``--timeout-s`` (whole seconds; see tests/test_remote_engines.py for
    what it does and does not stop).
    """
    binary = oxigraph_binary()
    if binary is None:
        raise EngineError(engine_missing("oxigraph"))
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [binary, "serve", "--bind", f"127.0.0.1:{port}"]
    if not in_memory:
        command += ["--location", str(workdir / "oxigraph")]
    if union_default_graph:
        command.append("--union-default-graph")
    if timeout_s is not None:
        command += ["--timeout-s", str(int(timeout_s))]
    log = workdir / "oxigraph.log"
    with _running(command, workdir, f"{base}/query", log) as (pid, ready):
        yield RemoteEngine(name="oxigraph-memory" if in_memory else "oxigraph", query_url=f"{base}/query",
                           store_url=f"{base}/store", update_url=f"{base}/update", user=None,
                           password=None, auth=None, pid=pid, workdir=workdir, ready_seconds=ready, log=log)


def render_virtuoso_ini(directory: Path, sql_port: int, http_port: int, max_rows: int = 100_000,
                        max_execution_time: int = 60) -> str:
    """deploy/virtuoso/virtuoso.ini with its ${...} placeholders filled (what envsubst does)."""
    return Template(VIRTUOSO_INI.read_text(encoding="utf-8")).substitute(
        VIRTUOSO_DIR=str(directory), VIRTUOSO_SQL_PORT=sql_port, VIRTUOSO_HTTP_PORT=http_port,
        VIRTUOSO_MAX_ROWS=max_rows, VIRTUOSO_MAX_EXECUTION_TIME=max_execution_time)


def isql(sql_port: int, password: str, statements: str) -> str:
    """Run SQL ``statements`` as dba through ``isql-vt``; raise EngineError on any SQL error."""
    result = subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", password, f"exec={statements}"],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    # isql-vt exits 0 after a failed statement; the error is on stderr as "*** Error ..."
    if result.returncode != 0 or "*** Error" in result.stderr:
        raise EngineError(f"isql-vt failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


@contextmanager
def virtuoso_server(workdir: Path, *, max_rows: int = 100_000, max_execution_time: int = 60,
                    user: str = "smartcity") -> Iterator[RemoteEngine]:
    """Run ``virtuoso-t +foreground`` on a fresh database in ``workdir/virtuoso``.

    ``max_rows`` (ResultSetMaxRows) is the server's default MAX_ROWS: Virtuoso cuts SELECT results,
    CONSTRUCT results and Graph Store GETs at it without an error, so it must not be below the
    server's own cap nor below the largest graph (33506 triples).

    The dba password is replaced by a random one, and ``user`` (random password, SPARQL_UPDATE) is
    the Graph Store user, with HTTP digest authentication.
    """
    missing = engine_missing("virtuoso")
    if missing:
        raise EngineError(missing)
    directory = Path(workdir) / "virtuoso"
    (directory / "vsp").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(render_virtuoso_ini(directory, sql_port, http_port, max_rows, max_execution_time),
                   encoding="utf-8")
    base = f"http://127.0.0.1:{http_port}"
    log = directory / "virtuoso-stdout.log"
    command = [shutil.which("virtuoso-t"), "+foreground", "+configfile", str(ini)]
    with _running(command, directory, f"{base}/sparql", log) as (pid, ready):
        dba_password = secrets.token_hex(12)
        password = secrets.token_hex(12)
        isql(sql_port, "dba", f"DB.DBA.USER_CREATE('{user}', '{password}'); "
                              f"GRANT SPARQL_UPDATE TO \"{user}\"; "
                              f"DB.DBA.USER_CHANGE_PASSWORD('dba', 'dba', '{dba_password}');")
        yield RemoteEngine(name="virtuoso", query_url=f"{base}/sparql",
                           store_url=f"{base}/sparql-graph-crud-auth", update_url=f"{base}/sparql-auth",
                           user=user, password=password, auth="digest", pid=pid, workdir=directory,
                           ready_seconds=ready, log=log)
