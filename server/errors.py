"""The one handler that renders errors: the core's classes carry their status (``kg.errors``).

Clients get a short message in plain text (or JSON when they ask for it); never a traceback.
A 4xx is the client's fault and is not logged; a 5xx is ours and gets a log line; our own bugs
are logged with their traceback and answered with a generic 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from kg.errors import (  # the classes the web layer raises, re-exported for its modules
    BadRequest,
    KGError,
    NotAcceptable,
    NotFound,
    PayloadTooLarge,
    QueryTimeout,
    ServiceUnavailable,
    UnsupportedMediaType,
)

__all__ = ["BadRequest", "KGError", "NotAcceptable", "NotFound", "PayloadTooLarge", "QueryTimeout",
           "ServiceUnavailable", "UnsupportedMediaType", "init_app", "render"]

log = logging.getLogger(__name__)


def render(status: int, message: str) -> Response:
    """An error response in JSON for clients that prefer it, plain text otherwise."""
    if request.accept_mimetypes.best_match(["text/plain", "application/json"]) == "application/json" \
            and request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/plain"]:
        response = jsonify({"status": status, "error": message})
    else:
        response = Response(message.rstrip() + "\n", mimetype="text/plain")
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    """Register the handlers: ours, werkzeug's HTTP errors, and a last-resort 500."""

    @app.errorhandler(KGError)
    def _kg_error(error: KGError):
        if error.status >= 500:
            log.error("%s on %s %s: %s", type(error).__name__, request.method, request.path, error.message)
        return render(error.status, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        response = render(error.code or 500, error.description or error.name)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(UnicodeDecodeError)
    def _not_utf8(error: UnicodeDecodeError):
        return render(400, "the request is not valid UTF-8")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render(500, "internal server error")
