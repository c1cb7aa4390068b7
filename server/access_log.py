"""The access log: one line per request in Apache's combined format, from the app itself.

Written by a small WSGI middleware rather than by the HTTP server, so that the line is the same
under granian and gunicorn (gunicorn's own logger also built a dictionary of every header and WSGI
variable per request: an eighth of a web process's CPU under load). The timestamp is formatted
once per second, client-supplied text is escaped (no forged lines), and each line is one
``write`` to standard output, so that lines of several processes never interleave.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from urllib.parse import quote

_ESCAPES = {i: f"\\x{i:02x}" for i in range(32)} | {0x22: '\\"', 0x5C: "\\\\", 0x7F: "\\x7f"}


def _clean(text: str | None) -> str:
    """Client-supplied text as a log field: '-' when absent; quotes, backslashes and controls escaped.

    >>> _clean('a "b"\\nc'), _clean(None)
    ('a \\\\"b\\\\"\\\\x0ac', '-')
    """
    return text.translate(_ESCAPES) if text else "-"


def _target(environ) -> str:
    """The request target as the client sent it (gunicorn keeps it; granian gives it decoded)."""
    raw = environ.get("RAW_URI")
    if raw:
        return raw
    path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/;:@&=+$,%!~*'()")
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


class AccessLog:
    """WSGI middleware writing the combined-format line of each request once its body is sent."""

    def __init__(self, app, fd: int = 1):
        self.app, self.fd = app, fd
        self._second, self._stamp = -1, ""

    def __call__(self, environ, start_response):
        seen: list = []

        def recording(status, headers, exc_info=None):
            seen[:] = [status.split(None, 1)[0]]
            return start_response(status, headers, exc_info)

        return _Body(self, environ, seen, self.app(environ, recording))

    def write(self, environ, status: str, sent: int) -> None:
        request_line = f"{environ['REQUEST_METHOD']} {_target(environ)} {environ['SERVER_PROTOCOL']}"
        referer, agent = _clean(environ.get("HTTP_REFERER")), _clean(environ.get("HTTP_USER_AGENT"))
        line = (f'{environ.get("REMOTE_ADDR", "-")} - - {self._now()} "{_clean(request_line)}" {status} '
                f'{sent} "{referer}" "{agent}"\n')
        try:
            os.write(self.fd, line.encode("utf-8", "backslashreplace"))
        except OSError:
            pass  # a closed or full log must never fail a request

    def _now(self) -> str:
        second = int(time.time())
        if second != self._second:  # racing threads write the same value: no lock needed
            self._stamp = time.strftime("[%d/%b/%Y:%H:%M:%S %z]", time.localtime(second))
            self._second = second
        return self._stamp


class _Body:
    """The app's response body, passed through; counts the bytes and logs when the server closes it."""

    def __init__(self, log: AccessLog, environ, seen: list, body: Iterable[bytes]):
        self.log, self.environ, self.seen, self.body, self.sent = log, environ, seen, body, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.log.write(self.environ, self.seen[0] if self.seen else "-", self.sent)
