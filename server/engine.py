"""The query engine: a pool of worker processes, each holding its own copy of the store.

Queries run in separate processes because a pyoxigraph query cannot be interrupted from
Python: the only reliable way to stop a runaway query (or survive a crash in native code) is
to kill the process running it and start another. Workers are started with the "spawn"
context, never forked from a process that may already run threads (gunicorn, Flask).

A worker opens the store version its link points at when it starts. When the link moves to
a new version (``kg.store.build``), workers are replaced lazily: an idle worker serving an
old version is restarted before it gets a query, a busy one after its query.

"spawn" imports the parent's main module in each worker, so a script that creates an engine
must keep its top level under ``if __name__ == "__main__":`` (gunicorn, flask and pytest do).
"""

from __future__ import annotations

import io
import itertools
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg import formats
from kg.errors import (
    EngineFailure,
    EngineUnavailable,
    QueryEvaluationError,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
)
from kg.store import KnowledgeGraph

from . import results
from .sparql_text import analyse

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")
_KILL_GRACE = 2.0  # seconds a worker gets to exit after being asked to


@dataclass(frozen=True)
class QueryRequest:
    """One query and its protocol parameters, as the web layer parsed them.

    ``media_type`` is any type of ``kg.formats.FORMATS`` or an alias; when it cannot carry the
    result (a SELECT asked as Turtle), the result comes in its kind's default type instead,
    and ``QueryResult.media_type`` says which.
    """

    query: str
    media_type: str  # chosen by content negotiation
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint URL)
    #: (variable name, pyoxigraph term) pairs bound through pyoxigraph's ``substitutions``: request
    #: values reach the query as RDF terms, never as query text (the canned-query API).
    substitutions: tuple[tuple[str, object], ...] = ()
    #: whether the query has a FROM / FROM NAMED clause, as ``sparql_text`` saw it when the web
    #: layer checked the query; None: the engine looks itself
    declares_dataset: bool | None = None


@dataclass
class QueryResult:
    """A serialized result: small ones inline, larger ones in a temporary file.

    Read it once, with ``read()`` or ``chunks()``; both delete the file.
    """

    media_type: str
    size: int
    truncated: bool  # the row cap cut the result
    body: bytes | None = None  # the result, when it came through the pipe
    path: Path | None = None  # otherwise the file holding it

    def read(self) -> bytes:
        """The whole result (and the file is gone)."""
        if self.body is not None:
            return self.body
        try:
            return self.path.read_bytes()
        finally:
            self.discard()

    def chunks(self, size: int = 1 << 16) -> Iterator[bytes]:
        """The result in pieces, for streaming without holding it in memory."""
        if self.body is not None:
            yield self.body
            return
        try:
            with open(self.path, "rb") as handle:
                while chunk := handle.read(size):
                    yield chunk
        finally:
            self.discard()

    def discard(self) -> None:
        """Delete the file, if there is one (harmless twice)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)


class QueryEngine:
    """Runs SPARQL queries in worker processes with a timeout, a row cap and crash isolation.

    Thread-safe: any number of threads may call ``execute``; at most ``workers`` queries run at
    once, the others wait (at most ``max_wait`` seconds) for a free worker.
    """

    def __init__(self, store_path: Path, *, workers: int = 2, timeout: float = 10.0,
                 max_rows: int = 100_000, in_memory: bool = True, union_default_graph: bool = True,
                 max_wait: float | None = None):
        """Start the workers (they open the store in the background).

        :param max_wait: bound on the time a query waits for a free, started worker before it
            runs; the ``timeout`` clock only starts once it runs. Default: 3 × timeout + 30 s.
        :raises StoreError: when there is no loaded store at ``store_path``.
        """
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._store_path = Path(store_path)
        self._version = self._link_version()
        if self._version is None:
            raise StoreError(f"{store_path}: no store here; run 'smartcity-kg load' first")
        self.workers = workers
        self.timeout = timeout
        self.max_rows = max_rows
        self.in_memory = in_memory
        self.union_default_graph = union_default_graph
        self.max_wait = 3 * timeout + 30.0 if max_wait is None else max_wait
        self._dir = Path(tempfile.mkdtemp(prefix="smartcity-kg-results-"))
        # removes the directory on close, or at exit for an engine never closed
        self._remove_dir = weakref.finalize(self, shutil.rmtree, self._dir, ignore_errors=True)
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._closed = False
        self._fault: str | None = None  # test hook: makes the next worker crash, see _run_query
        self._missing = workers  # empty worker slots
        self._serial = itertools.count()  # names result files (next() is atomic under the GIL)
        try:
            self._top_up()
        except EngineFailure:
            self.close()
            raise

    # --- public interface -----------------------------------------------------------------------

    @property
    def version(self) -> str:
        """The store version the link points at now (queries answered from now on use it)."""
        self._refresh_version()
        return self._version

    def execute(self, request: QueryRequest) -> QueryResult:
        """Run ``request`` on a free worker and return its serialized result.

        :raises QuerySyntaxError: the query or a graph IRI is malformed.
        :raises QueryTimeout: the query ran longer than ``timeout``, or waited too long for a worker.
        :raises EngineFailure: the worker crashed or could not evaluate the query.
        :raises ValueError: ``request.media_type`` is no result media type at all.
        """
        if request.media_type.split(";", 1)[0].strip().lower() not in _KNOWN_MEDIA_TYPES:
            raise ValueError(f"not a result media type: {request.media_type}")
        message = {
            "query": request.query,
            "media_type": request.media_type,
            "dataset": _dataset(request),
            "union": self.union_default_graph and not _declares_dataset(request),
            "base_iri": request.base_iri,
            "substitutions": request.substitutions,
        }
        deadline = time.monotonic() + self.max_wait
        version = self._refresh_version()
        for _attempt in range(3):
            worker = self._acquire(deadline, version)
            path = self._dir / f"{next(self._serial)}.result"
            message["path"] = str(path)
            with self._cond:
                message["fault"], self._fault = self._fault, None
            try:
                worker.conn.send(message)
            except OSError:  # died while idle (OOM killer, …): the query never started, try another
                self._replace(worker, "died while idle")
                continue
            return self._await(worker, path)
        raise EngineUnavailable("the query engine cannot start its workers; see the server log")

    def close(self) -> None:
        """Stop every worker and remove the result directory (results being streamed stay readable)."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            workers = list(self._all)
            idle = set(self._idle)
            self._idle.clear()
            self._all.clear()
            self._cond.notify_all()
        for worker in workers:
            if worker in idle:
                worker.ask_to_stop()
            else:
                worker.signal_kill()  # its caller sees the pipe close, gets EngineFailure and reaps it
        for worker in idle:
            worker.stop()
        self._remove_dir()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Wait until every idle worker has opened the store; True when all have (for warm-up)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            pending = [w for w in self._idle if not w.ready]
            for worker in pending:
                self._idle.remove(worker)
        try:
            for worker in pending:
                worker.wait_ready(max(0.0, deadline - time.monotonic()))
            return all(w.ready for w in pending)
        except EngineFailure:
            return False
        finally:
            for worker in pending:
                self._release(worker)

    def _worker_pids(self) -> set[int]:
        """Process ids of the current workers (for tests and diagnostics)."""
        with self._cond:
            return {w.pid for w in self._all}

    def __enter__(self) -> QueryEngine:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- workers --------------------------------------------------------------------------------

    def _start_worker(self) -> _Worker:
        return _Worker(self._store_path, self.in_memory, self.max_rows)

    def _add(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
            self._idle.append(worker)
            self._cond.notify()

    def _acquire(self, deadline: float, version: str) -> _Worker:
        """Take a free worker serving the current store version, waiting for one and for its start."""
        failures = 0
        while True:
            self._top_up()
            with self._cond:
                while not self._idle:
                    if self._closed:
                        raise EngineUnavailable("the query engine is shut down")
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise QueryTimeout("all query workers are busy; try again later")
                    self._cond.wait(remaining)
                if self._closed:
                    raise EngineUnavailable("the query engine is shut down")
                for worker in self._idle:
                    worker.poll_ready()
                ready = [w for w in self._idle if w.ready and w.version == version]
                worker = ready[-1] if ready else self._idle[-1]
                self._idle.remove(worker)
            try:
                if not worker.alive():
                    raise EngineFailure(f"died while idle (exit code {worker.exit_code()})")
                if not worker.wait_ready(deadline - time.monotonic()):
                    self._release(worker)
                    raise QueryTimeout("the query workers are still starting; try again later")
            except EngineFailure as exc:
                self._replace(worker, str(exc))
                failures += 1
                if failures >= 2:  # the store cannot be opened: do not spawn processes in a loop
                    raise EngineUnavailable("the query workers cannot open the store; see the log") from None
                continue
            if worker.version != version:
                version = self._refresh_version()  # the link may have moved on since the request came
                if worker.version != version:
                    self._replace(worker, f"serves version {worker.version}, the store is at {version}")
                    if time.monotonic() >= deadline:
                        raise QueryTimeout("the query workers are switching store versions; try again")
                    continue
            return worker

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed or worker not in self._all:
                worker.kill()
                return
            self._idle.append(worker)
            self._cond.notify()

    def _replace(self, worker: _Worker, reason: str) -> None:
        """Kill ``worker`` (if still running) and start a fresh one in its slot."""
        log.info("replacing query worker %s: %s", worker.pid, reason)
        worker.kill()
        with self._cond:
            if self._closed or worker not in self._all:
                return
            self._all.discard(worker)
            self._missing += 1
        self._top_up()

    def _top_up(self) -> None:
        """Start workers for empty slots (a failed process start leaves one empty until the next try)."""
        while True:
            with self._cond:
                if self._closed or not self._missing:
                    return
                self._missing -= 1
            try:
                worker = self._start_worker()
            except OSError as exc:
                log.error("cannot start a query worker: %s", exc)
                with self._cond:
                    self._missing += 1
                raise EngineUnavailable("the query engine cannot start a worker; see the log") from None
            self._add(worker)

    def _await(self, worker: _Worker, path: Path) -> QueryResult:
        """Wait for the answer to the query just sent to ``worker``, for at most ``timeout``."""
        try:
            finished = worker.conn.poll(self.timeout)
            reply = worker.conn.recv() if finished else None
        except (EOFError, OSError):
            self._replace(worker, f"crashed (exit code {worker.exit_code()})")
            path.unlink(missing_ok=True)
            if self._closed:
                raise EngineUnavailable("the query engine is shut down") from None
            raise EngineFailure("the query worker failed while running this query") from None
        except BaseException:  # interrupted: the worker's state is unknown
            self._replace(worker, "interrupted")
            path.unlink(missing_ok=True)
            raise
        if not finished:
            self._replace(worker, f"query timed out after {self.timeout:g} s")  # killed: stops writing
            path.unlink(missing_ok=True)
            raise QueryTimeout(f"the query did not finish within {self.timeout:g} s and was stopped")
        self._release(worker)
        if reply[0] == "ok":
            _, media_type, truncated, body = reply
            if body is not None:
                return QueryResult(media_type, len(body), truncated, body=body)
            return QueryResult(media_type, path.stat().st_size, truncated, path=path)
        path.unlink(missing_ok=True)
        if reply[0] == "syntax":
            raise QuerySyntaxError(f"query error: {reply[1]}")
        if reply[0] == "evaluation":
            raise QueryEvaluationError(reply[1])
        log.warning("query failed in worker %s: %s", worker.pid, reply[2])
        raise EngineFailure(reply[1])

    def _link_version(self) -> str | None:
        """The version the store link names: one readlink, cheap enough for every request."""
        try:
            return os.path.basename(os.readlink(self._store_path))
        except OSError:
            return None

    def _refresh_version(self) -> str:
        """Follow the store link; on a switch, restart idle workers still on the old version now."""
        current = self._link_version()
        if current is None or current == self._version:
            return self._version
        stale = []
        with self._cond:
            if current != self._version:
                log.info("store version changed: %s → %s", self._version, current)
                self._version = current
                stale = [w for w in self._idle if w.ready and w.version != current]
                for worker in stale:
                    self._idle.remove(worker)
        for worker in stale:
            self._replace(worker, "store version changed")
        return current


_KNOWN_MEDIA_TYPES = set(formats.FORMATS) | {a for kind in formats.ALIASES.values() for a in kind}


class _Worker:
    """The parent's handle on one worker process and its pipe."""

    def __init__(self, store_path: Path, in_memory: bool, max_rows: int):
        self.conn, child_conn = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(
            target=_worker_main, args=(child_conn, str(store_path), in_memory, max_rows),
            name="smartcity-kg-query", daemon=True,
        )
        self.process.start()
        child_conn.close()
        self.pid = self.process.pid
        self.ready = False
        self.version: str | None = None
        self.load_seconds: float | None = None
        self._lock = threading.Lock()
        self._reaped = False
        self._exit_code: int | None = None

    def poll_ready(self) -> None:
        """Take the worker's start message if it has arrived (never blocks)."""
        if not self.ready and not self.conn.closed:
            try:
                if self.conn.poll(0):
                    self._take_ready()
            except (EOFError, OSError, EngineFailure):
                pass  # found dead or failed when acquired

    def wait_ready(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the worker to open the store; False when it is still at it.

        :raises EngineFailure: the worker died or could not open the store.
        """
        if self.ready:
            return True
        try:
            if not self.conn.poll(max(0.0, timeout)):
                return False
            self._take_ready()
        except (EOFError, OSError):
            raise EngineFailure(f"the worker died while starting (exit code {self.exit_code()})") from None
        return True

    def _take_ready(self) -> None:
        reply = self.conn.recv()
        if reply[0] != "ready":
            raise EngineFailure(f"the worker could not open the store: {reply[1]}")
        _, self.version, self.load_seconds = reply
        self.ready = True

    def alive(self) -> bool:
        return not self._reaped and self.process.is_alive()

    def exit_code(self) -> int | None:
        if self._reaped:
            return self._exit_code
        self.process.join(0.5)
        return self.process.exitcode

    def ask_to_stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass

    def stop(self) -> None:
        """Ask the worker to exit; kill it when it does not within the grace time."""
        self.ask_to_stop()
        if not self._reaped:
            self.process.join(_KILL_GRACE)
        self.kill()

    def signal_kill(self) -> None:
        """SIGKILL without reaping, for a worker another thread is waiting on."""
        if not self._reaped:
            try:
                self.process.kill()
            except (OSError, ValueError):
                pass

    def kill(self) -> None:
        """SIGKILL (the only way to stop a query in native code), reap, and release the pipe."""
        with self._lock:
            if self._reaped:
                return
            self._reaped = True
            if self.process.exitcode is None:
                self.process.kill()
                self.process.join()
            self._exit_code = self.process.exitcode
            self.conn.close()
            self.process.close()


def _dataset(request: QueryRequest) -> tuple[list[str], list[str]] | None:
    """The protocol dataset (default-graph-uri, named-graph-uri), checked; None when not given.

    :raises QuerySyntaxError: when one of the IRIs is not a valid absolute IRI.
    """
    if not request.default_graph_uris and not request.named_graph_uris:
        return None
    for iri in request.default_graph_uris + request.named_graph_uris:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise QuerySyntaxError(f"query error: invalid graph IRI <{iri}>: {exc}") from None
    return list(request.default_graph_uris), list(request.named_graph_uris)


def _declares_dataset(request: QueryRequest) -> bool:
    """Whether the query names its dataset with FROM: pyoxigraph ignores FROM when asked to use
    the union of the named graphs as default graph, so the union is requested only without it."""
    if request.declares_dataset is not None:
        return request.declares_dataset
    return analyse(request.query).declares_dataset


# --- inside the worker process ----------------------------------------------------------------


def _worker_main(conn, store_path: str, in_memory: bool, max_rows: int) -> None:
    """Open the store, then answer queries from ``conn`` until told to stop or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops workers
    _exit_with_parent()
    started = time.perf_counter()
    try:
        store, version = _open_store(Path(store_path), in_memory)
    except Exception as exc:  # reported to the parent, which logs it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", version, time.perf_counter() - started))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        conn.send(_run_query(store, message, max_rows))


def _open_store(path: Path, in_memory: bool) -> tuple[ox.Store, str]:
    """The store (read-only on disk, or copied into memory: faster, and immune to version pruning)."""
    kg = KnowledgeGraph.open(path, in_memory)
    return kg.store, kg.version


def _run_query(store: ox.Store, message: dict, max_rows: int) -> tuple:
    """Evaluate and serialize one query; the reply is ("ok", media type, truncated) or an error."""
    fault = message.get("fault")
    if fault == "abort":
        os.abort()
    if fault == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    options: dict = {}
    if message["dataset"] is not None:
        default, named = message["dataset"]
        options["default_graph"] = [ox.NamedNode(iri) for iri in default]
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named]
    elif message["union"]:
        options["use_default_graph_as_union"] = True
    if message.get("base_iri"):
        options["base_iri"] = message["base_iri"]
    if message.get("substitutions"):
        options["substitutions"] = {ox.Variable(name): term for name, term in message["substitutions"]}
    path = message["path"]
    try:
        result = store.query(message["query"], **options)
        kind = results.kind_of(result)
        media_type = formats.resolve(message["media_type"], kind) or formats.media_types(kind)[0]
        with _SpillingBuffer(path, INLINE_BYTES) as output:
            written = results.write_result(result, media_type, output, max_rows)
    except SyntaxError as exc:
        return ("syntax", str(exc))
    except RuntimeError as exc:  # pyoxigraph's evaluation errors: this query cannot be evaluated
        return ("evaluation", f"the query could not be evaluated: {exc}")
    except OSError as exc:  # store read errors, SERVICE failures: ours, details only for the log
        return ("error", "the query could not be evaluated; see the server log", f"OSError: {exc}")
    except Exception as exc:  # a bug of ours in a writer
        return ("error", "the query could not be answered; see the server log",
                f"{type(exc).__name__}: {exc}")
    return ("ok", media_type, written.truncated, output.inline())


#: Results up to this size go back through the pipe; larger ones through a file (streamed).
INLINE_BYTES = 256 * 1024


class _SpillingBuffer:
    """A binary writer that keeps the first ``limit`` bytes in memory and moves to ``path`` beyond.

    Most results are small: passing them through the pipe saves creating, reading and deleting a
    file per query; large ones still never sit whole in the parent's memory.
    """

    def __init__(self, path: str, limit: int):
        self._path, self._limit = path, limit
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: BinaryIO | None = None

    def write(self, data) -> int:
        if self._memory is not None:
            if self._memory.tell() + len(data) <= self._limit:
                return self._memory.write(data)
            self._file = open(self._path, "wb", buffering=1 << 16)  # noqa: SIM115 - closed in __exit__
            self._file.write(self._memory.getbuffer())
            self._memory = None
        return self._file.write(data)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def inline(self) -> bytes | None:
        """The result when it stayed in memory; None when it went to the file."""
        return self._memory.getvalue() if self._memory is not None else None

    def __enter__(self) -> _SpillingBuffer:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._file is not None:
            self._file.close()


def _exit_with_parent() -> None:
    """Exit when the parent dies without stopping us (SIGKILL, crash): no orphan keeps a core busy.

    Checked from a thread once a second; pyoxigraph releases the GIL while it evaluates.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
