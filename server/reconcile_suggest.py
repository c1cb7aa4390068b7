"""Suggest services: auto-completion of entities, types and properties by prefix.

Entities come from the gazetteer: its own ``suggest(prefix, types, limit)`` when it has one, else
a sorted index of every entry's normalised names built here once per store version, so a prefix
is a binary search. An entity's IRI as the prefix returns that entity (the protocol asks for it).
"""

from __future__ import annotations

import bisect
from collections.abc import Collection

from kg.gazetteer import Entry, Gazetteer
from kg.normalize import normalize

from .linked_data import _memo
from .reconcile_schema import PROPERTIES, TYPES, TYPES_OF_ENTRY


class PrefixIndex:
    """Every (normalised name, entry) of a gazetteer, sorted, for prefix search."""

    def __init__(self, gazetteer: Gazetteer):
        pairs = {(normalize(n), e.iri) for e in gazetteer.entries.values() for n in e.names if n}
        self.keys = sorted(pairs)
        self.g = gazetteer

    def find(self, prefix: str, types: Collection[str] | None) -> list[Entry]:
        """Entries with a name starting with ``prefix``: shortest names first, each entry once."""
        key = normalize(prefix)
        start = bisect.bisect_left(self.keys, (key, ""))
        hits: dict[str, int] = {}
        for name, iri in self.keys[start:]:
            if not name.startswith(key):
                break
            entry = self.g.entries[iri]
            if types is None or entry.type in types:
                hits[iri] = min(hits.get(iri, len(name)), len(name))
        return [self.g.entries[i] for i in sorted(hits, key=lambda i: (hits[i], i))]


def entities(g: Gazetteer, prefix: str, types: Collection[str] | None, offset: int,
             limit: int) -> list[Entry]:
    """Entries for an entity suggest: the entity whose IRI is ``prefix``, then prefix matches."""
    exact = g.get(prefix.strip())
    if exact is not None:
        return [exact][offset:offset + limit]
    if not prefix.strip():
        found = sorted(g.entries.values(), key=lambda e: e.iri)
        found = [e for e in found if types is None or e.type in types]
    elif hasattr(g, "suggest"):
        found = list(g.suggest(prefix, types=types, limit=offset + limit))
        found = [getattr(c, "entry", c) for c in found]
    else:
        found = _memo("reconcile-prefix-index", lambda: PrefixIndex(g)).find(prefix, types)
    return found[offset:offset + limit]


def entity_result(e: Entry, name: str, description: str, lang: str) -> dict:
    """One entity suggestion, with its types as ``notable``."""
    return {"id": e.iri, "name": name, "description": description,
            "notable": [t.json(lang) for t in TYPES_OF_ENTRY.get(e.type, ())]}


def _starts(prefix: str, *texts: str) -> bool:
    key = normalize(prefix)
    return any(normalize(t).startswith(key) for t in texts if t)


def types(prefix: str, lang: str) -> list[dict]:
    """Types whose ID, local name or ja/en name starts with ``prefix`` (all for an empty prefix)."""
    return [t.json(lang) for t in TYPES.values()
            if _starts(prefix, t.id, t.id.rsplit("#", 1)[-1], t.name_ja, t.name_en)]


def properties(prefix: str, lang: str) -> list[dict]:
    """Properties whose ID, IRI or ja/en name starts with ``prefix``."""
    return [p.json(lang) for p in PROPERTIES.values()
            if _starts(prefix, p.id, p.iri or "", p.name_ja, p.name_en)]
