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
READ_ERROR = "# fault: store read error"


class _UnreadableStore:
    """Stands in for a store whose files cannot be read (a disk error): every query fails with EIO."""

    def query(self, *args, **kwargs):
        raise OSError(5, "Input/output error: /var/store.versions/x/000042.sst")


def crash_on_request(store, message, max_rows):
    """Crash in native fashion, or fail to read the store, when the query carries a fault comment;
    else answer it normally."""
    if ABORT in message.query:
        os.abort()
    if SEGV in message.query:
        os.kill(os.getpid(), signal.SIGSEGV)
    if READ_ERROR in message.query:
        return run_query(_UnreadableStore(), message, max_rows)
    return run_query(store, message, max_rows)
