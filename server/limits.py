"""Request limits that hold before any route runs: size (413) and encoding (400).

Flask's ``MAX_CONTENT_LENGTH`` refuses a declared body that is too large, but a chunked body (no
``Content-Length``) is only cut at the limit, so the rest of it would be silently dropped and the
truncated text run. Werkzeug also decodes a query string or form body that is not UTF-8 with
replacement characters. Both are refused here instead.
"""

from __future__ import annotations

import io
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, request

from . import errors

_FORM_TYPE = "application/x-www-form-urlencoded"


class ChunkedBodyLimit:
    """WSGI middleware: buffer a body sent without ``Content-Length`` up to the limit, or answer 413.

    After it, every request has a ``Content-Length``, so the rest of the app sees one kind of body.
    """

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if environ.get("CONTENT_LENGTH") or not chunked:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(self.max_bytes + 1)
        if len(body) > self.max_bytes:
            message = f"the request is larger than {self.max_bytes} bytes\n".encode()
            start_response("413 Request Entity Too Large", [
                ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(message))),
                ("Connection", "close")])
            return [message]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


def _is_utf8(encoded: bytes) -> bool:
    """Whether URL-encoded ``encoded`` decodes to valid UTF-8 (``+`` is a space)."""
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def init_app(app: Flask) -> None:
    """Install the limits: size of URL and body (413), UTF-8 of query string and form body (400)."""
    max_bytes = app.config["MAX_REQUEST_BYTES"]
    app.config["MAX_CONTENT_LENGTH"] = max_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = max_bytes
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, max_bytes)

    @app.before_request
    def _check_request() -> None:
        if len(request.query_string) > max_bytes:
            raise errors.PayloadTooLarge(f"the request is larger than {max_bytes} bytes")
        if not _is_utf8(request.query_string):
            raise errors.BadRequest("the URL's query string is not valid UTF-8")
        if request.method == "POST" and request.mimetype == _FORM_TYPE \
                and not _is_utf8(request.get_data(cache=True)):
            raise errors.BadRequest("the form body is not valid UTF-8")

    @app.after_request
    def _drain(response: Response) -> Response:
        """Read what is left of the body: a response sent before the body was read makes the
        connection close with unread data, which the client sees as a reset instead of our status."""
        remaining = request.content_length or 0
        if 0 < remaining <= 4 * max_bytes + 65536:
            stream = request.environ.get("wsgi.input")
            while remaining > 0 and stream is not None:
                chunk = stream.read(min(65536, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
        return response
