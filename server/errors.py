"""HTTP errors as small classes with a status, and the one handler that renders them.

Clients get a short message in plain text (or JSON when they ask for it); never a traceback.
Our own bugs are logged and answered with a generic 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

log = logging.getLogger(__name__)


class KGError(Exception):
    """An error a client caused or should know about, with the HTTP status that says which."""

    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequest(KGError):
    status = 400


class NotFound(KGError):
    status = 404


class NotAcceptable(KGError):
    status = 406


class PayloadTooLarge(KGError):
    status = 413


class UnsupportedMediaType(KGError):
    status = 415


class QueryTimeout(KGError):
    status = 503


class ServiceUnavailable(KGError):
    status = 503


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
