"""Where a worker writes a result: memory for small ones, a file once it grows past a limit.

Most results are small: passing them back through the pipe saves creating, reading and deleting
a file per query. Large ones go to a file in the engine's result directory, which the web layer
streams, so they never sit whole in the parent's memory (nor in the worker's).
"""

from __future__ import annotations

import io
from typing import BinaryIO

#: Results up to this size go back through the pipe; larger ones through a file (streamed).
INLINE_BYTES = 256 * 1024


class SpillingBuffer:
    """A binary writer that keeps the first ``limit`` bytes in memory and moves to ``path`` beyond.

    >>> with SpillingBuffer("/nonexistent/never-written", 4) as out:
    ...     _ = out.write(b"ab"), out.write(b"cd")
    >>> out.inline()
    b'abcd'
    """

    def __init__(self, path: str, limit: int = INLINE_BYTES):
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

    def __enter__(self) -> SpillingBuffer:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._file is not None:
            self._file.close()
