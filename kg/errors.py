"""The one error hierarchy: each error knows whose fault it is (HTTP status) and its exit code.

A client's mistake is a 4xx; a fault of ours (the store cannot be read, a query process died) is a
5xx that the server logs. The command line maps the same classes to exit codes: 1 for invalid
input, 2 when it cannot run. Anchors: werkzeug's HTTP exceptions, pySHACL's error → exit code table.

>>> BadRequest("x").status, StoreError("x").status, SourceError("a.csv", 2, 3, "bad").message
(400, 500, 'bad')
>>> str(SourceError("a.csv", 2, 3, "bad"))
'a.csv:2:3: bad'
"""

from __future__ import annotations


class KGError(Exception):
    """Base of every error reported to a user (a message, never a traceback)."""

    status = 500  # HTTP status when the server meets it
    exit_code = 2  # exit code when a command meets it

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the client's fault (4xx) -----------------------------------------------------------------


class ClientError(KGError):
    """What the client sent cannot be answered; the message says why."""

    status = 400
    exit_code = 1


class BadRequest(ClientError):
    status = 400


class NotFound(ClientError):
    status = 404


class NotAcceptable(ClientError):
    status = 406


class PayloadTooLarge(ClientError):
    status = 413


class UnsupportedMediaType(ClientError):
    status = 415


class QuerySyntaxError(BadRequest):
    """The query (or a dataset IRI sent with it) is malformed; carries the parser's message."""


class QueryEvaluationError(BadRequest):
    """The engine refused to evaluate a well-formed query (an unsupported function, …)."""


# --- ours, or nobody's (5xx) ------------------------------------------------------------------


class ServiceUnavailable(KGError):
    """The server cannot answer now (shut down, workers starting); the client may retry."""

    status = 503


class QueryTimeout(ServiceUnavailable):
    """A query ran longer than its time limit, or waited too long for a free query process."""


class EngineFailure(KGError):
    """A query process failed (crashed, or could not read the store); details go to the log."""

    status = 500


class EngineUnavailable(ServiceUnavailable):
    """The query engine cannot run queries at all (shut down, or its processes cannot start)."""


class ConfigError(KGError):
    """A setting that cannot be used; the message names it and what it accepts."""


class StoreError(KGError):
    """The on-disk store cannot be opened, built or switched."""

    status = 500


# --- the loader's input (exit code 1) ---------------------------------------------------------


class LoaderError(KGError):
    """The loader cannot run (exit code 2) — base of its input errors, which exit with 1."""


class SourceError(LoaderError):
    """A problem in one cell of a source file, reported as ``file:row:column: message``."""

    exit_code = 1

    def __init__(self, file: str, row: int, column: int, message: str):
        super().__init__(message)
        self.file, self.row, self.column = file, row, column

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class MissingSource(LoaderError):
    """A source file the loader needs is not there."""

    exit_code = 1


class ValidationFailed(LoaderError):
    """The generated RDF does not conform to the SHACL shapes; carries the readable report."""

    exit_code = 1

    @property
    def report(self) -> str:
        return self.message
