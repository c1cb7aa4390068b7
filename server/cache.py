"""A small LRU cache of serialized query results, emptied whenever the store version changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedResult:
    """A finished response body and what the headers need to know about it."""

    format: str  # its key in kg.formats.BY_KEY
    body: bytes
    truncated: bool
    etag: str = ""  # computed once, when the result was stored


class ResultCache:
    """Thread-safe LRU keyed by (query, format, dataset, …); one store version at a time.

    >>> cache = ResultCache(entries=1)
    >>> cache.put("v1", ("q",), CachedResult("csv", b"x", False))
    >>> cache.get("v1", ("q",)).body, cache.get("v2", ("q",))
    (b'x', None)
    """

    def __init__(self, entries: int = 512):
        self.entries = entries
        self._items: OrderedDict[tuple, CachedResult] = OrderedDict()
        self._version: str | None = None
        self._lock = threading.Lock()

    def _switch(self, version: str) -> None:
        if version != self._version:
            self._items.clear()
            self._version = version

    def get(self, version: str, key: tuple) -> CachedResult | None:
        """The cached result for ``key`` under store ``version``, if any."""
        with self._lock:
            self._switch(version)
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, version: str, key: tuple, item: CachedResult) -> None:
        """Remember ``item``, evicting the least recently used entry when full."""
        with self._lock:
            self._switch(version)
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
