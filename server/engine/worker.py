"""One worker process: the parent's handle on it (:class:`Worker`) and what runs inside it.

A pyoxigraph query cannot be interrupted from Python, so each query runs in a process of its
own that can be killed: :func:`worker_main` opens the store once, then answers queries from its
pipe with the *query runner* it was started with (:func:`run_query`, or a test's stand-in that
crashes on purpose; see ``QueryEngine(query_runner=...)``).

Workers are started with the "spawn" context, never forked from a process that may already run
threads (gunicorn, Flask); the runner is pickled by reference, so it must be a module-level
function the fresh process can import. Nothing here imports rdflib or pySHACL: a worker loads
pyoxigraph, the store link and the result writers only.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg import formats
from kg.errors import EngineFailure
from kg.sparql_functions import FUNCTIONS
from kg.store import KnowledgeGraph

from .. import results
from .messages import STOP, Answer, Failed, QueryMessage, Ready, Reply
from .spill import INLINE_BYTES, SpillingBuffer

log = logging.getLogger(__name__)

CONTEXT = multiprocessing.get_context("spawn")
KILL_GRACE = 2.0  # seconds a worker gets to exit after being asked to

#: What a worker calls per query: (store, message, row cap) → reply. Must be picklable by name.
QueryRunner = Callable[[ox.Store, QueryMessage, int], Answer | Failed]


# --- in the parent ------------------------------------------------------------------------------


class Worker:
    """The parent's handle on one worker process and its pipe."""

    def __init__(self, store_path: Path, in_memory: bool, max_rows: int, runner: QueryRunner):
        self.conn, child_conn = CONTEXT.Pipe()
        self.process = CONTEXT.Process(
            target=worker_main, args=(child_conn, str(store_path), in_memory, max_rows, runner),
            name="smartcity-kg-query", daemon=True,
        )
        self.process.start()
        child_conn.close()
        self.pid = self.process.pid
        self.ready = False
        self.version: str | None = None
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
        reply: Reply = self.conn.recv()
        if not isinstance(reply, Ready):
            raise reply.exception() if isinstance(reply, Failed) else EngineFailure(f"unexpected {reply!r}")
        self.version = reply.version
        self.ready = True
        log.debug("query worker %s opened store version %s in %.2f s", self.pid, reply.version,
                  reply.load_seconds)

    def alive(self) -> bool:
        return not self._reaped and self.process.is_alive()

    def exit_code(self) -> int | None:
        if self._reaped:
            return self._exit_code
        self.process.join(0.5)
        return self.process.exitcode

    def ask_to_stop(self) -> None:
        try:
            self.conn.send(STOP)
        except (OSError, ValueError):
            pass

    def stop(self) -> None:
        """Ask the worker to exit; kill it when it does not within the grace time."""
        self.ask_to_stop()
        if not self._reaped:
            self.process.join(KILL_GRACE)
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


# --- in the worker process ----------------------------------------------------------------------


def worker_main(conn, store_path: str, in_memory: bool, max_rows: int, runner: QueryRunner) -> None:
    """Open the store, then answer queries from ``conn`` until told to stop or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops workers
    _exit_with_parent()
    started = time.perf_counter()
    try:
        kg = KnowledgeGraph.open(Path(store_path), in_memory)  # in memory: faster, immune to pruning
    except Exception as exc:  # reported to the parent, which logs it
        conn.send(Failed(Failed.START, f"{type(exc).__name__}: {exc}"))
        return
    conn.send(Ready(kg.version, time.perf_counter() - started))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is STOP:
            return
        conn.send(runner(kg.store, message, max_rows))


def run_query(store: ox.Store, message: QueryMessage, max_rows: int) -> Answer | Failed:
    """Evaluate one query and write its result (to memory, or to ``message.path`` when large)."""
    options: dict = {"custom_functions": FUNCTIONS}
    if message.dataset is not None:
        default, named = message.dataset
        options["default_graph"] = [ox.NamedNode(iri) for iri in default]
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named]
    elif message.union:
        options["use_default_graph_as_union"] = True
    if message.base_iri:
        options["base_iri"] = message.base_iri
    if message.substitutions:
        options["substitutions"] = {ox.Variable(name): term for name, term in message.substitutions}
    try:
        result = store.query(message.query, **options)
        kind = results.kind_of(result)  # a format that cannot carry it: the kind's default instead
        fmt = results.format_for(message.format, kind) or formats.FORMATS[formats.media_types(kind)[0]]
        with SpillingBuffer(message.path, INLINE_BYTES) as output:
            written = results.write_result(result, fmt.key, output, max_rows)
    except SyntaxError as exc:
        return Failed(Failed.SYNTAX, str(exc))
    except RuntimeError as exc:  # pyoxigraph's evaluation errors: this query cannot be evaluated
        return Failed(Failed.EVALUATION, f"the query could not be evaluated: {exc}")
    except OSError as exc:  # store read errors, SERVICE failures: ours, details only for the log
        return Failed(Failed.ERROR, "the query could not be evaluated; see the server log", f"OSError: {exc}")
    except Exception as exc:  # a bug of ours in a writer
        return Failed(Failed.ERROR, "the query could not be answered; see the server log",
                      f"{type(exc).__name__}: {exc}")
    return Answer(fmt.key, written.truncated, output.inline())


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
