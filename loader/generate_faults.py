"""Planted violations for the generator: exactly K known faults, each breaking one rule once.

Each kind breaks one resource so that a validator reports exactly one result for it, of a known
focus node, path and constraint component; together the kinds cover node-level rules (cardinality,
value lists, language tags, ranges, closed shapes, a property-pair rule) and a set-level SPARQL
rule. ``Planter.planted`` is what ``manifest.json`` records, so tests can compare the validator's
report with it one to one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCKG = "https://w3id.org/smartcity-kg/ontology#"
SH = "sh:"


@dataclass(frozen=True)
class Kind:
    """One kind of fault: what it breaks and the result it must cause."""

    name: str
    target: str  # the hook that plants it: service, city_os, introduction, sharing, observation
    path: str
    component: str


KINDS = (
    Kind("confidence-not-in-list", "service", "sckg:confidence", "sh:InConstraintComponent"),
    Kind("service-without-project", "service", "sckg:project", "sh:MinCountConstraintComponent"),
    Kind("evidence-not-english", "service", "sckg:evidence", "sh:LanguageInConstraintComponent"),
    Kind("undeclared-property", "service", "sckg:confidenceLevel", "sh:ClosedConstraintComponent"),
    Kind("negative-observation", "observation", "rdf:value", "sh:MinInclusiveConstraintComponent"),
    Kind("status-not-in-list", "city_os", "sckg:status", "sh:InConstraintComponent"),
    Kind("owner-shares-own-city-os", "sharing", "sckg:cityOS/sckg:owner",
         "sh:DisjointConstraintComponent"),
    Kind("shared-use-not-marked", "introduction", "", "sh:SPARQLConstraintComponent"),
)


def _pred(name: str) -> str:
    return f"<{SCKG}{name}>"


@dataclass
class Planter:
    """Decides, resource by resource, whether to break it; every ``spacing``-th block gets faults."""

    wanted: int
    spacing: int
    ns: str
    planted: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    turn: int = 0

    @property
    def remaining(self) -> int:
        return self.wanted - len(self.planted)

    def start_block(self, block: int) -> None:
        """Pick the kinds this block will carry (one resource each)."""
        self.pending = []
        if self.remaining and block % self.spacing == 0:
            for _ in range(min(self.remaining, len(KINDS))):
                self.pending.append(KINDS[self.turn % len(KINDS)])
                self.turn += 1

    def _take(self, target: str) -> Kind | None:
        for kind in self.pending:
            if kind.target == target:
                self.pending.remove(kind)
                return kind
        return None

    def _record(self, kind: Kind, focus: str, value: str = "") -> None:
        self.planted.append({"kind": kind.name, "focus": focus.strip("<>"), "path": kind.path,
                             "component": kind.component, "value": value.strip("<>")})

    def service(self, s: str, triples: list) -> list:
        kind = self._take("service")
        if kind is None:
            return triples
        if kind.name == "confidence-not-in-list":
            triples = [t if t[1] != _pred("confidence") else (s, t[1], '"certain"') for t in triples]
            self._record(kind, s, "certain")
        elif kind.name == "service-without-project":
            triples = [t for t in triples if t[1] != _pred("project")]
            self._record(kind, s)
        elif kind.name == "evidence-not-english":
            text = '"Synthetic record for load tests; not a fact."'
            triples = [t if t[1] != _pred("evidence") else (s, t[1], text + "@fr") for t in triples]
            self._record(kind, s, "Synthetic record for load tests; not a fact.")
        else:
            triples = [*triples, (s, _pred("confidenceLevel"), '"high"')]
            self._record(kind, s, "high")
        return triples

    def observation(self, s: str, triples: list) -> list:
        kind = self._take("observation")
        if kind is None:
            return triples
        value = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#value>"
        negative = '"-1"^^<http://www.w3.org/2001/XMLSchema#integer>'
        self._record(kind, s, "-1")
        return [t if t[1] != value else (s, value, negative) for t in triples]

    def city_os(self, s: str, triples: list) -> list:
        kind = self._take("city_os")
        if kind is None:
            return triples
        self._record(kind, s, "retired")
        return [t if t[1] != _pred("status") else (s, t[1], '"retired"') for t in triples]

    def sharing(self, s: str, triples: list, owner: str) -> list:
        kind = self._take("sharing")
        if kind is None:
            return triples
        self._record(kind, s, owner)
        return [t if t[1] != _pred("user") else (s, t[1], owner) for t in triples]

    def introduction(self, s: str, triples: list, shared: bool) -> list:
        if not shared:
            return triples
        kind = self._take("introduction")
        if kind is None:
            return triples
        self._record(kind, SCKG + "CityOSIntroduction", s)
        false = '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>'
        return [t if t[1] != _pred("sharedUse") else (s, t[1], false) for t in triples]
