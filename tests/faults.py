"""Query runners that crash the worker process on purpose, for the engine's crash-isolation tests.

Passed as ``QueryEngine(query_runner=crash_on_request)``; the production code has no test hook.
Spawned workers import this module by name: pytest puts ``tests/`` on ``sys.path`` (rootdir
conftest, "prepend" import mode) and the "spawn" start method hands ``sys.path`` to its children.
"""

from __future__ import annotations

import os
import signal

from server.engine.worker import run_query

ABORT = "# crash: abort"
SEGV = "# crash: segv"


def crash_on_request(store, message, max_rows):
    """Crash in native fashion when the query carries a crash comment; else answer it normally."""
    if ABORT in message.query:
        os.abort()
    if SEGV in message.query:
        os.kill(os.getpid(), signal.SIGSEGV)
    return run_query(store, message, max_rows)
