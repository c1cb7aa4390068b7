"""The query engine: a pool of worker processes, each holding its own copy of the store.

One module per concern:

* ``pool`` — :class:`QueryEngine`: worker slots, acquire/release/replace, timeouts, following
  the store link to new versions;
* ``worker`` — the parent's handle on a worker process, and the process's main loop and query
  runner;
* ``messages`` — the typed messages on the pipe between them;
* ``spill`` — the buffer a worker writes a result to (memory, or a file when large);
* ``query`` — :class:`QueryRequest` and :class:`QueryResult`, what the web layer sees.

"spawn" imports the parent's main module in each worker, so a script that creates an engine
must keep its top level under ``if __name__ == "__main__":`` (gunicorn, flask and pytest do).
"""

from .pool import QueryEngine
from .query import QueryRequest, QueryResult
from .spill import INLINE_BYTES

__all__ = ["INLINE_BYTES", "QueryEngine", "QueryRequest", "QueryResult"]
