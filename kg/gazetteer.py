"""Finding the things of the graph by what people type: names in any script, codes, prefecture hints.

A :class:`Gazetteer` is built once per store version from :class:`Entry` records (the server reads
them from the store: ``server/gazetteer.py``) and answers :meth:`Gazetteer.match` for search,
reconciliation, CSV enrichment and the crosswalk. It knows nothing of Flask or the store.

INTERFACE (issue 11): the matching rules below are the first cut; Entry, Candidate and the
method signatures are what the rest of the server relies on.

>>> kagawa = Entry("P37", "prefecture", "香川県", ("香川県", "かがわけん", "Kagawa"), code="370002")
>>> kanonji = Entry("M372056", "municipality", "観音寺市", ("観音寺市", "かんおんじし", "Kan'onji-shi"),
...                 prefecture="P37", code="372056")
>>> g = Gazetteer([kagawa, kanonji])
>>> [(c.entry.iri, c.score, c.match) for c in g.match("観音寺市")]
[('M372056', 100.0, True)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .normalize import normalize

#: The kinds of thing a gazetteer holds (the reconciliation service's types).
TYPES = ("prefecture", "municipality", "ward", "project", "city-os", "service")


@dataclass(frozen=True)
class Entry:
    """One thing that can be found: its IRI, kind, display label and every name it goes by."""

    iri: str
    type: str                      # one of TYPES
    label: str                     # the Japanese label shown to people
    names: tuple[str, ...]         # every name to match: labels (ja, kana, en), altLabels
    prefecture: str | None = None  # IRI of its prefecture (bodies, wards)
    parent: str | None = None      # IRI of the designated city of a ward
    code: str | None = None        # six-digit local-government code, or a project code
    valid_until: str | None = None  # xsd:date it was abolished (an old body is still findable)
    label_en: str | None = None


@dataclass(frozen=True)
class Candidate:
    """An answer to a match: the entry, a score 0–100, and whether it is *the* answer."""

    entry: Entry
    score: float
    match: bool     # true only when unambiguous: the best, clearly above any other
    matched: str    # the name of the entry that matched


class Gazetteer:
    """An index of entries by normalised name."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries: dict[str, Entry] = {}
        self._by_key: dict[str, list[tuple[Entry, str]]] = defaultdict(list)
        for entry in entries:
            self.entries[entry.iri] = entry
            for name in dict.fromkeys(entry.names):
                self._by_key[normalize(name)].append((entry, name))

    def get(self, iri: str) -> Entry | None:
        return self.entries.get(iri)

    def match(self, text: str, *, prefecture: str | None = None, types: Collection[str] | None = None,
              limit: int = 10) -> list[Candidate]:
        """The entries ``text`` may name, best first. ``prefecture`` (a name, code or IRI) narrows
        bodies to one prefecture; ``types`` to some of :data:`TYPES`."""
        found = [(entry, name) for entry, name in self._by_key.get(normalize(text), ())
                 if (types is None or entry.type in types)
                 and (prefecture is None or self._in_prefecture(entry, prefecture))]
        unique = len({entry.iri for entry, _ in found}) == 1
        seen: dict[str, Candidate] = {}
        for entry, name in found:
            seen.setdefault(entry.iri, Candidate(entry, 100.0, unique, name))
        return list(seen.values())[:limit]

    def _in_prefecture(self, entry: Entry, prefecture: str) -> bool:
        if entry.prefecture is None:
            return False
        if prefecture == entry.prefecture:
            return True
        pref = self.entries.get(entry.prefecture)
        return pref is not None and (normalize(prefecture) in {normalize(n) for n in pref.names}
                                     or prefecture == pref.code)
