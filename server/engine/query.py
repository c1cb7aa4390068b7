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

    ``format`` is a key of ``kg.formats.BY_KEY`` (``srj``, ``plain-json``, ``csv-bom``, …) or
    any media type of ``kg.formats.FORMATS`` or an alias; when it cannot carry the result (a
    SELECT asked as Turtle), the result comes in its kind's default format instead, and
    ``QueryResult.format`` says which.
    """

    query: str
    format: str  # chosen by content negotiation
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

        :raises ValueError: ``format`` is neither a format key nor a result media type.
        :raises QuerySyntaxError: a graph IRI is not a valid absolute IRI.
        """
        if self.format not in formats.BY_KEY and \
                self.format.split(";", 1)[0].strip().lower() not in _KNOWN_MEDIA_TYPES:
            raise ValueError(f"not a result media type or format key: {self.format}")
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
        return QueryMessage(self.query, self.format, dataset, union, self.base_iri, self.substitutions,
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

    format: str  # the key in kg.formats.BY_KEY of what was written
    size: int
    truncated: bool  # the row cap cut the result
    body: bytes | None = None  # the result, when it came through the pipe
    path: Path | None = None  # otherwise the file holding it

    @property
    def media_type(self) -> str:
        return formats.BY_KEY[self.format].media_type

    @property
    def content_type(self) -> str:
        """The Content-Type header value for it."""
        return formats.BY_KEY[self.format].content_type

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
