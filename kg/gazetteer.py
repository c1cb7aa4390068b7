"""Finding the things of the graph by what people type: names in any script, codes, prefecture hints.

A :class:`Gazetteer` is built once per store version from :class:`Entry` records (the server reads
them from the store: ``server/gazetteer.py``) and answers :meth:`Gazetteer.match` for search,
reconciliation, CSV enrichment and the crosswalk. It knows nothing of Flask or the store.

Every name of an entry is indexed under its comparison forms (``kg.normalize.name_keys``: the
full name and the name without its 市/町/-shi/City suffix); a ward of a designated city also
under the part after its city's name (北区 of 札幌市北区). A query is looked up by key, never by
scanning the entries; when the whole text is no name, it is split where a prefecture or a
designated city ends (香川県|観音寺市, Sapporo|Kita-ku, 香川県|仲多度郡|まんのう町) and the rest
is looked up inside it. Scores (docs/matching.md): the Japanese label 100, without suffix 90, a
ward without its city 95, a reading, English or other name 85 (80 without suffix), 10 less for a
query that matched only once its own suffix was dropped, 15 less for an abolished body, 10 less
when other candidates are spelt exactly as the query (kg.normalize.spelling_key) and this one is not.
``match`` is true only for a best answer at least :data:`MATCH_GAP` above any other.

>>> kagawa = Entry("P37", "prefecture", "香川県", ("香川県", "かがわけん", "Kagawa"), code="370002")
>>> kanonji = Entry("M372056", "municipality", "観音寺市", ("観音寺市", "かんおんじし", "Kan'onji-shi"),
...                 prefecture="P37", code="372056")
>>> g = Gazetteer([kagawa, kanonji])
>>> [(c.entry.iri, c.score, c.match) for c in g.match("観音寺市")]
[('M372056', 100.0, True)]
>>> [(c.entry.iri, c.score, c.match) for c in g.match("ｶﾝｵﾝｼﾞ")]
[('M372056', 80.0, True)]
>>> [(c.entry.iri, c.score, c.match) for c in g.match("香川県観音寺")]
[('M372056', 90.0, True)]
>>> [c.entry.iri for c in g.match("Kanonji, Kagawa")], [c.entry.iri for c in g.match("37205")]
(['M372056'], ['M372056'])
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .normalize import name_keys, normalize, spelling_key, spelling_keys, suffix_of

#: The kinds of thing a gazetteer holds (the reconciliation service's types).
TYPES = ("prefecture", "municipality", "ward", "project", "city-os", "service")
BODIES = frozenset({"prefecture", "municipality", "ward"})

#: Score of a match by the kind of name it matched, full or without its suffix.
SCORES = {("label", True): 100.0, ("label", False): 90.0, ("ward", True): 95.0, ("ward", False): 85.0,
          ("other", True): 85.0, ("other", False): 80.0, ("ward-other", True): 80.0,
          ("ward-other", False): 75.0, ("code", True): 100.0}
QUERY_STEM_PENALTY = 10.0  # the query matched only once its own suffix was dropped
ABOLISHED_PENALTY = 15.0   # a body that no longer exists ranks below a current one of that name
MATCH_GAP = 10.0           # how far the best must stand above the second to be *the* answer
MATCH_MIN = 60.0           # and the least score of a match
SPELLING_PENALTY = 10.0    # to others when some are spelt as the query (Minoh: 箕面市, not 美濃市 Mino)
MAX_SPLITS = 2             # prefecture | city | ward at most
MAX_SPLIT_LENGTH = 64      # longer text is no name: looked up whole only (splitting is quadratic)

_PARENTHESIS = re.compile(r"\s*[（(][^（()）]*[)）]\s*$")
_NOTE = re.compile(r"\s*(?:[（(][^（()）]*[)）]|,\s*[A-Za-z][A-Za-z\s-]*)\s*$")  # (abolished …), ", Gunma"
_CONTEXT = re.compile(r"\s*[,，、]\s*")
_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_DISTRICT = ("郡", "gun")


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
    corporate_number: str | None = None  # 13-digit 法人番号 of a local public body


@dataclass(frozen=True)
class Candidate:
    """An answer to a match: the entry, a score 0–100, and whether it is *the* answer."""

    entry: Entry
    score: float
    match: bool     # true only when unambiguous: the best, clearly above any other
    matched: str    # the name of the entry that matched


Hits = dict[str, tuple[float, str]]  # IRI → (score, name that matched)


def _is_label(entry: Entry, name: str) -> bool:
    """Whether ``name`` is the entry's Japanese label in kanji (the name that scores highest); a
    label in kana (みどり市) says no more than a reading (緑区 みどりく) and scores as one."""
    label = _PARENTHESIS.sub("", entry.label)
    return name in (entry.label, label) and _KANJI.search(label[:-1]) is not None


def _merge(into: Hits, more: Hits, penalty: float = 0.0) -> Hits:
    for iri, (score, name) in more.items():
        if score - penalty > into.get(iri, (-1.0, ""))[0]:
            into[iri] = (score - penalty, name)
    return into


class Gazetteer:
    """An index of entries by the comparison forms of their names and codes."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries: dict[str, Entry] = {}
        self._keys: dict[str, Hits] = {}
        self._heads: dict[str, set[str]] = {}   # key → prefectures and designated cities it names
        self._prefectures: dict[str, set[str]] = {}
        self._spellings: dict[str, set[str]] = {}  # spelling_key → IRIs: the finer ranking
        for entry in entries:
            self.entries[entry.iri] = entry
        self._parents = {e.parent for e in self.entries.values() if e.parent}
        for entry in self.entries.values():
            self._index(entry)
        for entry in self.entries.values():
            if entry.type == "prefecture" or entry.iri in self._parents:
                for key in self._entry_keys(entry):
                    self._heads.setdefault(key, set()).add(entry.iri)
                    if entry.type == "prefecture":
                        self._prefectures.setdefault(key, set()).add(entry.iri)
        self._sorted = sorted((key, iri) for key, hits in self._keys.items() for iri in hits)

    # -- building ---------------------------------------------------------------------------------

    @staticmethod
    def _names(entry: Entry) -> list[str]:
        """The entry's names, each also without a trailing note such as "(abolished 2024-01-01)"
        or the ", Gunma" that tells homonyms apart in English."""
        names = [*entry.names, entry.label] + ([entry.label_en] if entry.label_en else [])
        return list(dict.fromkeys(n for name in names for n in (name, _NOTE.sub("", name)) if n))

    def _entry_keys(self, entry: Entry) -> set[str]:
        return {key for name in self._names(entry) for key in name_keys(name)}

    def _add(self, key: str, iri: str, score: float, name: str) -> None:
        if key:
            _merge(self._keys.setdefault(key, {}), {iri: (score, name)})

    def _spelt(self, name: str, iri: str) -> None:
        for key in spelling_keys(name):
            self._spellings.setdefault(key, set()).add(iri)

    def _index(self, entry: Entry) -> None:
        for name in self._names(entry):
            self._spelt(name, entry.iri)
            kind = "label" if _is_label(entry, name) else "other"
            full = normalize(name)
            for key in name_keys(name):
                self._add(key, entry.iri, SCORES[(kind, key == full)], name)
        for code in filter(None, (entry.code, entry.corporate_number)):
            self._add(normalize(code), entry.iri, SCORES[("code", True)], code)
            if code == entry.code and code.isdigit() and len(code) == 6:
                self._add(code[:5], entry.iri, SCORES[("code", True)], code)
        parent = self.entries.get(entry.parent) if entry.parent else None
        if parent is not None:  # a ward of a designated city: also its name without the city
            for name in self._names(entry):
                for city in self._names(parent):
                    if name.startswith(city) and (part := name[len(city):].strip(" -‐　")):
                        self._spelt(part, entry.iri)
                        kind = "ward" if _is_label(entry, name) else "ward-other"
                        full = normalize(part)
                        for key in name_keys(part):
                            self._add(key, entry.iri, SCORES[(kind, key == full)], name)

    # -- answering --------------------------------------------------------------------------------

    def get(self, iri: str) -> Entry | None:
        return self.entries.get(iri)

    def match(self, text: str, *, prefecture: str | None = None, types: Collection[str] | None = None,
              limit: int = 10) -> list[Candidate]:
        """The entries ``text`` may name, best first. ``prefecture`` (a name in any script, a 2- or
        6-digit code, or an IRI) narrows bodies to one prefecture (a hint that names no prefecture
        is ignored); ``types`` narrows to some of :data:`TYPES`."""
        text = (text or "").strip()
        if not text:
            return []
        if text in self.entries:
            hits: Hits = {text: (100.0, text)}
        else:
            name, context = self._context(text)
            hits = self._resolve(name)
            for words in context:
                if within := self._heads_of(words):
                    hits = {iri: hit for iri, hit in hits.items() if self._inside(iri, within)}
        if prefecture is not None and (pref := self.prefecture_of(prefecture)):
            hits = {iri: hit for iri, hit in hits.items()
                    if self.entries[iri].type not in BODIES or self._inside(iri, {pref})}
        if types is not None:
            hits = {iri: hit for iri, hit in hits.items() if self.entries[iri].type in types}
        spelt = {iri for key in spelling_keys(text) for iri in self._spellings.get(key, ())}
        if len(hits) > 1 and spelt & hits.keys():
            hits = {iri: (score - SPELLING_PENALTY * (iri not in spelt), name)
                    for iri, (score, name) in hits.items()}
        return self._rank(hits, limit)

    def suggest(self, prefix: str, types: Collection[str] | None = None, limit: int = 10) -> list[Candidate]:
        """Entries with a name that starts with ``prefix`` (compared normalised), shortest names
        first: the reconciliation service's suggest. ``match`` marks a unique whole-name hit."""
        key, spelt = normalize(prefix or ""), spelling_key(prefix or "")
        if not key:
            return []
        found: Hits = {}
        start = bisect.bisect_left(self._sorted, (key, ""))
        for k, iri in self._sorted[start:start + 2000]:
            if not k.startswith(key):
                break
            if types is None or self.entries[iri].type in types:
                score, name = self._keys[k][iri]
                as_typed = spelling_key(name).startswith(spelt)  # かんお: 観音寺, not 鹿屋 かのや
                _merge(found, {iri: (score * min(1.0, len(key) / len(k)) * (1.0 if as_typed else 0.8), name)})
        return self._rank(found, limit)

    def prefecture_of(self, hint: str) -> str | None:
        """The IRI of the prefecture ``hint`` names (name in any script, 2/5/6-digit code, IRI)."""
        hint = unicodedata.normalize("NFKC", hint or "").strip()
        entry = self.entries.get(hint)
        if entry is not None:
            return entry.iri if entry.type == "prefecture" else entry.prefecture
        prefectures = [e for e in self.entries.values() if e.type == "prefecture"] if hint.isdigit() else []
        for e in prefectures:
            code = e.code or ""
            if hint in (code, code[:5]) or (len(hint) <= 2 and code[:2] == hint.zfill(2)):
                return e.iri
        found = {iri for key in name_keys(hint) for iri in self._prefectures.get(key, ())}
        return found.pop() if len(found) == 1 else None

    # -- the steps of a match ---------------------------------------------------------------------

    @staticmethod
    def _context(text: str) -> tuple[str, list[str]]:
        """The name, and the words that place it: "Kanonji, Kagawa", "観音寺市（香川県）"."""
        if (m := re.fullmatch(r"(.+?)\s*[（(]([^（()）]+)[)）]", text)) is not None:
            return m[1], [m[2]]
        name, *context = [part for part in _CONTEXT.split(text) if part]
        return name, context

    def _heads_of(self, words: str) -> set[str]:
        return {iri for key in name_keys(words) for iri in self._heads.get(key, ())}

    def _inside(self, iri: str, within: set[str]) -> bool:
        entry = self.entries[iri]
        return bool({entry.iri, entry.prefecture, entry.parent} & within)

    def _resolve(self, name: str) -> Hits:
        full = normalize(name)
        hits = self._find(full, 0)
        if not hits:  # "Kanonji City": the query without its suffix, among names with that suffix
            suffix = suffix_of(name)
            for stem in name_keys(name) - {full}:
                found = self._find(stem, 0)
                _merge(hits, {iri: hit for iri, hit in found.items()
                              if _PARENTHESIS.sub("", self.entries[iri].label).endswith(suffix or "")},
                       QUERY_STEM_PENALTY)
        return hits

    def _find(self, key: str, depth: int) -> Hits:
        """Entries with the name ``key``; else split off a prefecture, a designated city, a 郡."""
        hits = dict(self._keys.get(key, {}))
        if hits or depth >= MAX_SPLITS or len(key) > MAX_SPLIT_LENGTH:
            return hits
        for i in range(1, len(key)):
            within = self._heads.get(key[:i])
            if within:
                rest = self._find(key[i:], depth + 1)
                _merge(hits, {iri: hit for iri, hit in rest.items() if self._inside(iri, within)})
        for marker in _DISTRICT:
            j = key.find(marker)
            if not hits and 0 < j and j + len(marker) < len(key):
                _merge(hits, self._find(key[j + len(marker):], depth + 1))
        return hits

    def _rank(self, hits: Hits, limit: int) -> list[Candidate]:
        scored = []
        for iri, (score, name) in hits.items():
            entry = self.entries[iri]
            scored.append((score - (ABOLISHED_PENALTY if entry.valid_until else 0.0), entry, name))
        scored.sort(key=lambda s: (-s[0], s[1].valid_until is not None, s[2] != s[1].label, s[1].iri))
        unique = bool(scored) and scored[0][0] >= MATCH_MIN and (
            len(scored) == 1 or scored[1][0] <= scored[0][0] - MATCH_GAP)
        return [Candidate(entry, score, unique and i == 0, name)
                for i, (score, entry, name) in enumerate(scored[:max(limit, 0)])]
