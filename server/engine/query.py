"""The engine's interface types: a query as the web layer asks it, a result as it comes back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import formats
from kg.errors import QuerySyntaxError

from ..sparql_text import analyse
from .messages import QueryMessage

_KNOWN_MEDIA_TYPES = set(formats.FORMATS) | {a for kind in formats.ALIASES.values() for a in kind}


@dataclass(frozen=True)
class QueryRequest:
    """One query and its protocol parameters, as the web layer parsed them.

    ``media_type`` is any type of ``kg.formats.FORMATS`` or an alias; when it cannot carry the
    result (a SELECT asked as Turtle), the result comes in its kind's default type instead,
    and ``QueryResult.media_type`` says which.
    """

    query: str
    media_type: str  # chosen by content negotiation
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint URL)
    #: (variable name, pyoxigraph term) pairs bound through pyoxigraph's ``substitutions``: request
    #: values reach the query as RDF terms, never as query text (the canned-query API).
    substitutions: tuple[tuple[str, object], ...] = ()
    #: whether the query has a FROM / FROM NAMED clause, as ``sparql_text`` saw it when the web
    #: layer checked the query; None: the engine looks itself
    declares_dataset: bool | None = None

    def check(self) -> None:
        """Refuse what no worker could answer, before taking one.

        :raises ValueError: ``media_type`` is no result media type at all.
        :raises QuerySyntaxError: a graph IRI is not a valid absolute IRI.
        """
        if self.media_type.split(";", 1)[0].strip().lower() not in _KNOWN_MEDIA_TYPES:
            raise ValueError(f"not a result media type: {self.media_type}")
        for iri in self.default_graph_uris + self.named_graph_uris:
            try:
                ox.NamedNode(iri)
            except ValueError as exc:
                raise QuerySyntaxError(f"query error: invalid graph IRI <{iri}>: {exc}") from None

    def message(self, path: str, union_default_graph: bool) -> QueryMessage:
        """The request as a worker evaluates it, its result going to ``path`` when large.

        pyoxigraph ignores FROM when asked to use the union of the named graphs as default
        graph, so the union is requested only for queries that name no dataset at all.
        """
        given = bool(self.default_graph_uris or self.named_graph_uris)
        dataset = (self.default_graph_uris, self.named_graph_uris) if given else None
        union = union_default_graph and not given and not self._declares_dataset()
        return QueryMessage(self.query, self.media_type, dataset, union, self.base_iri, self.substitutions,
                            path)

    def _declares_dataset(self) -> bool:
        if self.declares_dataset is not None:
            return self.declares_dataset
        return analyse(self.query).declares_dataset


@dataclass
class QueryResult:
    """A serialized result: small ones inline, larger ones in a temporary file.

    Read it once, with ``read()`` or ``chunks()``; both delete the file.
    """

    media_type: str
    size: int
    truncated: bool  # the row cap cut the result
    body: bytes | None = None  # the result, when it came through the pipe
    path: Path | None = None  # otherwise the file holding it

    def read(self) -> bytes:
        """The whole result (and the file is gone)."""
        if self.body is not None:
            return self.body
        try:
            return self.path.read_bytes()
        finally:
            self.discard()

    def chunks(self, size: int = 1 << 16) -> Iterator[bytes]:
        """The result in pieces, for streaming without holding it in memory."""
        if self.body is not None:
            yield self.body
            return
        try:
            with open(self.path, "rb") as handle:
                while chunk := handle.read(size):
                    yield chunk
        finally:
            self.discard()

    def discard(self) -> None:
        """Delete the file, if there is one (harmless twice)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)
