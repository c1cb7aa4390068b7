"""The pool of query worker processes: slots, acquire/release/replace, timeouts, store versions.

Queries run in separate processes (``worker.py``) because a pyoxigraph query cannot be
interrupted from Python: the only reliable way to stop a runaway query (or survive a crash in
native code) is to kill the process running it and start another in its slot.

Workers start on first use (the first ``execute`` or ``wait_ready``), or when a server warms up
with ``start()``, never when the engine is made: building the web app stays cheap, and a test
client needs no processes until it queries.

A worker opens the store version its link points at when it starts. When the link moves to
a new version (``kg.store.build``), workers are replaced lazily: an idle worker serving an
old version is restarted before it gets a query, a busy one after its query.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path

from kg.errors import EngineFailure, EngineUnavailable, QueryTimeout, StoreError
from kg.store import StoreLink

from .messages import Answer, Failed
from .query import QueryRequest, QueryResult
from .worker import QueryRunner, Worker, run_query

log = logging.getLogger(__name__)


class QueryEngine:
    """Runs SPARQL queries in worker processes with a timeout, a row cap and crash isolation.

    Thread-safe: any number of threads may call ``execute``; at most ``workers`` queries run at
    once, the others wait (at most ``max_wait`` seconds) for a free worker.
    """

    def __init__(self, store_path: Path, *, workers: int = 2, timeout: float = 10.0,
                 max_rows: int = 100_000, in_memory: bool = True, union_default_graph: bool = True,
                 max_wait: float | None = None, query_runner: QueryRunner = run_query):
        """Set up the pool; no process starts before the first query (or ``wait_ready``).

        :param max_wait: bound on the time a query waits for a free, started worker before it
            runs; the ``timeout`` clock only starts once it runs. Default: 3 × timeout + 30 s.
        :param query_runner: what a worker calls per query, ``worker.run_query`` unless a test
            passes a stand-in that crashes; a module-level function (spawned workers import it).
        :raises StoreError: when there is no loaded store at ``store_path``.
        """
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._store_path = Path(store_path)
        self._link = StoreLink(self._store_path)  # one readlink per request tells a new version
        self._version = self._link.version()
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
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._closed = False
        self._missing = workers  # empty worker slots
        self._serial = itertools.count()  # names result files (next() is atomic under the GIL)
        self._runner = query_runner

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
        :raises ValueError: ``request.format`` is neither a format key nor a result media type.
        """
        request.check()
        deadline = time.monotonic() + self.max_wait
        version = self._refresh_version()
        for _attempt in range(3):
            worker = self._acquire(deadline, version)
            path = self._dir / f"{next(self._serial)}.result"
            message = request.message(str(path), self.union_default_graph)
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

    def start(self) -> None:
        """Start the workers now, without waiting: they open the store in the background.

        For a server warming up at boot, so that its first queries find them ready; otherwise the
        first query starts them.

        :raises EngineUnavailable: when a process cannot be started.
        """
        self._top_up()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Start the workers if need be and wait until every idle one has opened the store.

        True when all have (for warm-up and tests); False on timeout or when they cannot start.
        """
        deadline = time.monotonic() + timeout
        try:
            self.start()
        except EngineUnavailable:
            return False
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

    def _start_worker(self) -> Worker:
        return Worker(self._store_path, self.in_memory, self.max_rows, self._runner)

    def _add(self, worker: Worker) -> None:
        with self._cond:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
            self._idle.append(worker)
            self._cond.notify()

    def _acquire(self, deadline: float, version: str) -> Worker:
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

    def _release(self, worker: Worker) -> None:
        with self._cond:
            if self._closed or worker not in self._all:
                worker.kill()
                return
            self._idle.append(worker)
            self._cond.notify()

    def _replace(self, worker: Worker, reason: str) -> None:
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

    def _await(self, worker: Worker, path: Path) -> QueryResult:
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
        if isinstance(reply, Answer):
            if reply.body is not None:
                return QueryResult(reply.format, len(reply.body), reply.truncated, body=reply.body)
            return QueryResult(reply.format, path.stat().st_size, reply.truncated, path=path)
        path.unlink(missing_ok=True)
        if not isinstance(reply, Failed):
            raise EngineFailure(f"unexpected reply from the query worker: {type(reply).__name__}")
        if reply.kind == Failed.ERROR:
            log.warning("query failed in worker %s: %s", worker.pid, reply.detail)
        raise reply.exception()

    def _refresh_version(self) -> str:
        """Follow the store link; on a switch, restart idle workers still on the old version now."""
        current = self._link.version()
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
