"""What goes through the pipe between the engine and a worker process: small frozen dataclasses.

Typed messages instead of tuples such as ``("ok", media_type, truncated, body)``: each side can
only build or read the fields that exist, and a new field is added in one place. They are pickled
by multiprocessing, so they hold plain values and pyoxigraph terms only (no open files, no locks).

Parent → worker: :class:`QueryMessage`, or :data:`STOP`.
Worker → parent: :class:`Ready` once (or :class:`Failed` of kind ``start``), then one
:class:`Answer` or :class:`Failed` per query.

>>> Failed(Failed.SYNTAX, "error at 1:1").exception()
QuerySyntaxError('query error: error at 1:1')
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import EngineFailure, KGError, QueryEvaluationError, QuerySyntaxError

#: Asks a worker to exit (its pipe closing does too).
STOP = None


@dataclass(frozen=True)
class QueryMessage:
    """One query for a worker, with everything it needs to evaluate and write it."""

    query: str
    format: str  # a key of kg.formats.BY_KEY, or a media type / alias resolved per result kind
    #: the protocol dataset (default graph IRIs, named graph IRIs), checked; None: not given
    dataset: tuple[tuple[str, ...], tuple[str, ...]] | None
    union: bool  # use the union of the named graphs as default graph
    base_iri: str | None
    substitutions: tuple[tuple[str, object], ...]  # (variable name, pyoxigraph term)
    path: str  # where the result goes when it is too large for the pipe


@dataclass(frozen=True)
class Ready:
    """The worker opened the store: which version, and how long that took."""

    version: str
    load_seconds: float


@dataclass(frozen=True)
class Answer:
    """A query answered: the format written, whether the row cap cut it, and the bytes.

    ``body`` is None when the result went to the message's ``path`` instead.
    """

    format: str  # a key of kg.formats.BY_KEY
    truncated: bool
    body: bytes | None


@dataclass(frozen=True)
class Failed:
    """A query (or the start) failed. ``message`` may be shown to the client, ``detail`` is for the log."""

    SYNTAX = "syntax"  # the query does not parse: the client's mistake (400)
    EVALUATION = "evaluation"  # pyoxigraph refused to evaluate it (400)
    ERROR = "error"  # our failure: store read error, writer bug (500)
    START = "start"  # the worker could not open the store

    kind: str
    message: str
    detail: str = ""

    def exception(self) -> KGError:
        """The error the engine raises for this failure."""
        if self.kind == Failed.SYNTAX:
            return QuerySyntaxError(f"query error: {self.message}")
        if self.kind == Failed.EVALUATION:
            return QueryEvaluationError(self.message)
        if self.kind == Failed.START:
            return EngineFailure(f"the worker could not open the store: {self.message}")
        return EngineFailure(self.message)


Reply = Ready | Answer | Failed
