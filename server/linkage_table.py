"""Every local government's identifiers in one table, read with one query per store version.

Enrichment and the crosswalk both turn a matched body into its codes, names and validity; reading
them all at once (about 2,000 bodies, ~60,000 bindings, a fraction of a second) and keeping them
for the store version serves a file of any length without a query per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from . import site
from .linked_data import _memo

SCKG = "https://w3id.org/smartcity-kg/ontology#"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: The kinds of body, most specific first, with their names (ja, en).
KINDS = {
    f"{SCKG}DesignatedCityWard": ("政令指定都市の区", "ward of a designated city"),
    f"{SCKG}DesignatedCity": ("政令指定都市", "designated city"),
    f"{SCKG}SpecialWard": ("特別区", "special ward"),
    f"{SCKG}City": ("市", "city"),
    f"{SCKG}Town": ("町", "town"),
    f"{SCKG}Village": ("村", "village"),
    f"{SCKG}Prefecture": ("都道府県", "prefecture"),
}

BODIES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>
SELECT ?s ?p ?o WHERE {
  VALUES ?class { sckg:Prefecture sckg:Municipality }
  ?s a ?class .
  VALUES ?p { rdf:type rdfs:label sckg:localGovernmentCode sckg:corporateNumber sckg:standardAreaCode
              sckg:prefecture sckg:parentMunicipality schema:foundingDate schema:dissolutionDate
              dcterms:isReplacedBy dcterms:replaces }
  ?s ?p ?o .
}"""

#: The date the list of local governments describes (``dcterms:valid`` of its dataset).
REFERENCE_DATE = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?date WHERE { ?dataset dcterms:valid ?date ; void:subset ?part . } ORDER BY DESC(?date) LIMIT 1"""


@dataclass
class Body:
    """One local government: its identifiers, names, place in the hierarchy and validity."""

    iri: str
    lg_code: str = ""
    corporate_number: str = ""
    estat_iri: str = ""
    names: dict[str, str] = field(default_factory=dict)  # ja, kana, en
    kind: str = ""                                       # class IRI, most specific
    prefecture: str = ""                                 # IRI of its prefecture ("" for one)
    parent: str = ""                                     # IRI of a ward's designated city
    founded: str = ""
    dissolved: str = ""
    successors: list[str] = field(default_factory=list)
    predecessors: list[str] = field(default_factory=list)


@dataclass
class Table:
    """The bodies by IRI, with indexes by each identifier."""

    bodies: dict[str, Body]
    reference_date: str
    by_code: dict[str, Body] = field(default_factory=dict)
    by_corporate_number: dict[str, Body] = field(default_factory=dict)
    by_estat: dict[str, Body] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for body in self.bodies.values():
            self.by_code[body.lg_code] = body
            if body.corporate_number:
                self.by_corporate_number[body.corporate_number] = body
            if body.estat_iri:
                self.by_estat[body.estat_iri] = body

    def get(self, iri: str) -> Body | None:
        return self.bodies.get(iri)

    def name(self, iri: str, lang: str = "ja") -> str:
        """A body's name in ``lang`` (ja when it has no other)."""
        body = self.bodies.get(iri)
        if body is None:
            return ""
        return body.names.get(lang) or body.names.get("ja", "")


def build(rows: list[dict], reference_date: str) -> Table:
    """The table from the bindings of :data:`BODIES`."""
    bodies: dict[str, Body] = {}
    kinds: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        s, p, o = row["s"]["value"], row["p"]["value"], row["o"]
        body = bodies.setdefault(s, Body(s))
        value = o["value"]
        if p == _TYPE:
            kinds[s].add(value)
        elif p == _RDFS_LABEL:
            lang = o.get("xml:lang", "").lower()
            body.names.setdefault({"ja-hrkt": "kana"}.get(lang, lang), value)
        elif p == f"{SCKG}localGovernmentCode":
            body.lg_code = value
        elif p == f"{SCKG}corporateNumber":
            body.corporate_number = value
        elif p == f"{SCKG}standardAreaCode":
            body.estat_iri = value
        elif p == f"{SCKG}prefecture":
            body.prefecture = value
        elif p == f"{SCKG}parentMunicipality":
            body.parent = value
        elif p == "https://schema.org/foundingDate":
            body.founded = value
        elif p == "https://schema.org/dissolutionDate":
            body.dissolved = value
        elif p == "http://purl.org/dc/terms/isReplacedBy" and value not in body.successors:
            body.successors.append(value)
        elif p == "http://purl.org/dc/terms/replaces" and value not in body.predecessors:
            body.predecessors.append(value)
    for s, found in kinds.items():
        bodies[s].kind = next((k for k in KINDS if k in found), "")
    for body in bodies.values():
        body.successors.sort()
        body.predecessors.sort()
    return Table({s: b for s, b in bodies.items() if b.lg_code}, reference_date)


def current() -> Table:
    """The table of the store version being served (read on first use, then kept)."""
    def read() -> Table:
        dates = site.select(REFERENCE_DATE)
        return build(site.select_all(BODIES, "identifier table"), dates[0]["date"]["value"] if dates else "")
    return _memo("linkage-table", read)
