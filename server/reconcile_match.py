"""Reconciliation queries: parsing both protocol versions, and answering them from the gazetteer.

A query of version 0.2 is ``{"query", "type", "type_strict", "limit", "properties": [{"pid", "v"}]}``;
one of 1.0-draft is ``{"conditions": [{"matchType", "propertyId", "propertyValue", "required",
"matchQuantifier"}], "type", "limit"}``. Both become a :class:`Query`. Names are matched by the
gazetteer (``kg/gazetteer.py``: one normaliser for the whole server); property conditions (a
prefecture, a code, a corporate number) then narrow its candidates here. A condition that is not
``required`` narrows only when something is left; when nothing is, the candidates stay but none
is a match. ``match`` is true only for a single candidate: the gazetteer's own verdict, or the one
candidate left by the conditions when it scored as well as any it displaced.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.codes import is_corporate_number, is_lg_code
from kg.gazetteer import Candidate, Entry, Gazetteer

from .errors import BadRequest
from .reconcile_schema import TYPES_OF_ENTRY, Property, RType, prop_for, type_for

#: Candidates the gazetteer is asked for before conditions narrow them.
POOL = 100
DEFAULT_LIMIT = 10
#: A candidate left alone by the conditions is a match when it scored at least this (0–100).
NARROWED_MATCH_SCORE = 90.0
QUANTIFIERS = ("any", "all", "none")
#: Prefectures of one condition passed to the gazetteer as hints, at most.
MAX_HINTS = 3


@dataclass
class Condition:
    """A property condition: the entity's value of ``prop`` should be one (any/all/none) of ``values``."""

    prop: Property
    values: list[str]
    required: bool = False
    quantifier: str = "any"


@dataclass
class Query:
    """One reconciliation query, whichever version it came in."""

    text: str | None = None
    ids: list[str] = field(default_factory=list)
    types: list[RType] = field(default_factory=list)
    type_strict: str = "any"
    limit: int = DEFAULT_LIMIT
    conditions: list[Condition] = field(default_factory=list)


# --- parsing --------------------------------------------------------------------------------------

def _value(v: object, where: str) -> str:
    """A property value as text: an entity by its id, a number without a fraction as an integer."""
    if isinstance(v, dict) and isinstance(v.get("id"), str):
        return v["id"]
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int | float):
        return str(int(v)) if float(v).is_integer() else str(v)
    if isinstance(v, str):
        return v
    raise BadRequest(f"{where}: a value is a string, number, boolean or {{\"id\": …}} entity")


def _values(v: object, where: str) -> list[str]:
    return [_value(x, where) for x in v] if isinstance(v, list) else [_value(v, where)]


def _limit(v: object, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int | float) or v < 1 or not float(v).is_integer():
        raise BadRequest(f"{where}: limit must be a positive integer")
    return min(int(v), POOL)


def _types(v: object, where: str) -> list[RType]:
    if isinstance(v, str):
        return [type_for(v)]
    if isinstance(v, list) and all(isinstance(t, str) for t in v):
        return [type_for(t) for t in v]
    raise BadRequest(f"{where}: type is a type ID or a list of type IDs")


def parse(obj: object, where: str) -> Query:
    """A query of either version (1.0-draft when it has ``conditions``).

    :raises BadRequest: naming ``where`` (the query's key or index) and what is wrong.
    """
    if not isinstance(obj, dict):
        raise BadRequest(f"{where}: a query is a JSON object")
    q = Query()
    if "type" in obj and obj["type"] is not None:
        q.types = _types(obj["type"], where)
    if "limit" in obj and obj["limit"] is not None:
        q.limit = _limit(obj["limit"], where)
    strict = obj.get("type_strict", "any")
    if strict not in ("any", "all", "should"):
        raise BadRequest(f"{where}: type_strict is one of any, all, should")
    q.type_strict = strict
    if "conditions" in obj:
        _parse_conditions(obj["conditions"], q, where)
    else:
        _parse_v02(obj, q, where)
    if not (q.text or q.ids or q.conditions):
        raise BadRequest(f"{where}: a query needs a name (query) or a property condition")
    return q


def _parse_v02(obj: dict, q: Query, where: str) -> None:
    text = obj.get("query")
    if text is not None and not isinstance(text, str):
        raise BadRequest(f"{where}: query is a string")
    q.text = text.strip() if text else None
    props = obj.get("properties") or []
    if not isinstance(props, list):
        raise BadRequest(f"{where}: properties is a list of {{\"pid\", \"v\"}}")
    for p in props:
        if not isinstance(p, dict) or not isinstance(p.get("pid"), str) or "v" not in p:
            raise BadRequest(f"{where}: each property is {{\"pid\": …, \"v\": …}}")
        q.conditions.append(Condition(_constraint(p["pid"], where), _values(p["v"], where)))


def _parse_conditions(conditions: object, q: Query, where: str) -> None:
    if not isinstance(conditions, list) or not conditions:
        raise BadRequest(f"{where}: conditions is a non-empty list")
    for c in conditions:
        if not isinstance(c, dict) or "propertyValue" not in c:
            raise BadRequest(f"{where}: each condition has a matchType and a propertyValue")
        values = _values(c["propertyValue"], where)
        kind = c.get("matchType")
        if kind == "name":
            q.text = " ".join(v.strip() for v in values if v.strip()) or None
        elif kind == "id":
            q.ids.extend(values)
        elif kind == "property":
            if not isinstance(c.get("propertyId"), str):
                raise BadRequest(f"{where}: a property condition needs a propertyId")
            quantifier = c.get("matchQuantifier", "any")
            if quantifier not in QUANTIFIERS:
                raise BadRequest(f"{where}: matchQuantifier is one of {', '.join(QUANTIFIERS)}")
            q.conditions.append(Condition(_constraint(c["propertyId"], where), values,
                                          bool(c.get("required", False)), quantifier))
        else:
            raise BadRequest(f"{where}: matchType is one of name, id, property")


def _constraint(pid: str, where: str) -> Property:
    try:
        prop = prop_for(pid)
    except BadRequest as error:
        raise BadRequest(f"{where}: {error.message}") from None
    if not prop.constraint:
        raise BadRequest(f"{where}: property '{pid}' cannot narrow a query; these can: "
                         "prefecture, lgCode, corporateNumber")
    return prop


# --- answering ------------------------------------------------------------------------------------

def code_prefixes(value: str) -> set[str]:
    """The five-digit code prefixes a code cell may mean (a number may have lost a leading zero).

    >>> sorted(code_prefixes("11002")), sorted(code_prefixes("372013")), code_prefixes("372014")
    (['01100', '11002'], ['37201'], set())
    """
    digits = re.sub(r"[\s\-]", "", value)
    if not digits.isdigit():
        return set()
    if len(digits) == 13:
        ok = is_corporate_number(digits) and digits[1:7] == "000020"
        return {digits[7:12]} if ok else set()
    found = set()
    if len(digits) <= 5:
        found.add(digits.zfill(5))
    if len(digits) <= 6 and is_lg_code(digits.zfill(6)):
        found.add(digits.zfill(6)[:5])
    return found


class Matcher:
    """Answers the queries of one batch against one gazetteer (remembering prefecture lookups)."""

    def __init__(self, gazetteer: Gazetteer, lang: str):
        self.g, self.lang = gazetteer, lang
        self._prefectures: dict[str, frozenset[str]] = {}
        self._by_code: dict[str, list[Entry]] | None = None

    def prefectures(self, value: str) -> frozenset[str]:
        """IRIs of the prefectures ``value`` names: an IRI, a 1–2 digit or LG code, or a name."""
        if value not in self._prefectures:
            self._prefectures[value] = frozenset(self._find_prefectures(value.strip()))
        return self._prefectures[value]

    def _find_prefectures(self, value: str) -> Iterable[str]:
        entry = self.g.get(value)
        if entry is not None:
            return [entry.iri] if entry.type == "prefecture" else [entry.prefecture or ""]
        if value.isdigit() and len(value) in (1, 2, 5, 6):
            number = value.zfill(2)[:2] if len(value) <= 2 else value.zfill(6)[:2]
            return [e.iri for e in self._entries_by_code().get(number + "000", []) if e.type == "prefecture"]
        found = self.g.match(value, types={"prefecture"}, limit=5)
        sure = [c.entry.iri for c in found if c.match]
        return sure or [c.entry.iri for c in found if c.score >= 100.0]

    def _entries_by_code(self) -> dict[str, list[Entry]]:
        if self._by_code is None:
            index: dict[str, list[Entry]] = defaultdict(list)
            for e in self.g.entries.values():
                if e.code and e.code.isdigit() and len(e.code) == 6:
                    index[e.code[:5]].append(e)
            self._by_code = index
        return self._by_code

    def _test(self, cond: Condition) -> Callable[[Entry], bool]:
        """Whether an entry satisfies ``cond`` (its values combined by the quantifier)."""
        if cond.prop.id == "prefecture":
            sets = [self.prefectures(v) for v in cond.values]
            one = [lambda e, s=s: e.prefecture in s or e.iri in s for s in sets]
        else:  # lgCode, corporateNumber: the code's first five digits
            prefixes = [code_prefixes(v) for v in cond.values]
            one = [lambda e, p=p: bool(e.code) and e.code[:5] in p for p in prefixes]
        if cond.quantifier == "all":
            return lambda e: all(t(e) for t in one)
        if cond.quantifier == "none":
            return lambda e: not any(t(e) for t in one)
        return lambda e: any(t(e) for t in one)

    def _allowed(self, q: Query) -> set[str] | None:
        if not q.types or q.type_strict == "should":
            return None
        if q.type_strict == "all":
            return {k for k, types in TYPES_OF_ENTRY.items() if all(t in types for t in q.types)}
        return {k for t in q.types for k in t.gazetteer}

    def _pool(self, q: Query, allowed: set[str] | None) -> list[Candidate]:
        pool: list[Candidate] = []
        for iri in q.ids:
            if (e := self.g.get(iri)) is not None and (allowed is None or e.type in allowed):
                pool.append(Candidate(e, 100.0, True, iri))
        if q.text:
            pool.extend(self.g.match(q.text, types=allowed, limit=POOL))
            for iri in sorted(self._hinted_prefectures(q))[:MAX_HINTS]:  # the gazetteer's own reading
                pool.extend(self.g.match(q.text, prefecture=iri, types=allowed, limit=POOL))
        elif not q.ids:  # only conditions: entities by code
            codes = set().union(*(code_prefixes(v) for c in q.conditions if c.prop.id != "prefecture"
                                  for v in c.values)) if q.conditions else set()
            index = self._entries_by_code()
            found = [e for p in sorted(codes) for e in index.get(p, [])
                     if allowed is None or e.type in allowed]
            pool.extend(Candidate(e, 100.0, len(found) == 1, e.code or "") for e in found)
        seen: dict[str, Candidate] = {}
        for c in pool:
            if c.entry.iri not in seen or seen[c.entry.iri].score < c.score:
                seen[c.entry.iri] = c
        return list(seen.values())

    def _hinted_prefectures(self, q: Query) -> set[str]:
        """Prefectures an ``any`` prefecture condition names: the gazetteer may rank by them."""
        return {iri for c in q.conditions if c.prop.id == "prefecture" and c.quantifier == "any"
                for v in c.values for iri in self.prefectures(v) if iri}

    def run(self, q: Query) -> list[dict]:
        """The candidates of one query, best first, as protocol objects."""
        allowed = self._allowed(q)
        pool = self._pool(q, allowed)
        left, narrowed, failed = pool, False, False
        for cond in q.conditions:
            test = self._test(cond)
            kept = [c for c in left if test(c.entry)]
            if kept or cond.required:
                narrowed |= len(kept) < len(left)
                left = kept
            else:
                failed = True
        if q.types and q.type_strict == "should":
            wanted = {k for t in q.types for k in t.gazetteer}
            left.sort(key=lambda c: c.entry.type not in wanted)
        left.sort(key=lambda c: -c.score)
        best = max((c.score for c in pool), default=0.0)
        matches = [self._is_match(c, left, narrowed, best) and not failed for c in left]
        if sum(matches) > 1:
            matches = [False] * len(left)
        return [self.candidate(c, m) for c, m in zip(left[:q.limit], matches, strict=False)]

    @staticmethod
    def _is_match(c: Candidate, left: list[Candidate], narrowed: bool, best: float) -> bool:
        if c.match:
            return True
        return narrowed and len(left) == 1 and c.score >= max(best, NARROWED_MATCH_SCORE)

    def candidate(self, c: Candidate, match: bool) -> dict:
        """A candidate object: id, name, score, match, types and a description."""
        e = c.entry
        return {"id": e.iri, "name": self.name(e), "score": float(c.score), "match": bool(match),
                "type": [t.json(self.lang) for t in TYPES_OF_ENTRY.get(e.type, ())],
                "description": self.description(e)}

    def name(self, e: Entry) -> str:
        return e.label_en if self.lang == "en" and e.label_en else e.label

    def description(self, e: Entry) -> str:
        """What tells namesakes apart: the city of a ward, the prefecture, the kind and the code."""
        parts = []
        for iri in (e.parent, e.prefecture):
            if iri and (other := self.g.get(iri)) is not None:
                parts.append(self.name(other))
        types = TYPES_OF_ENTRY.get(e.type)
        if types:
            parts.append(types[0].name(self.lang))
        if e.code:
            parts.append(e.code)
        return " · ".join(parts)
