"""The gazetteer of the data being served: read from the store once per store version.

Search, reconciliation, enrichment and the crosswalk all ask :func:`current`, so they find the
same things by the same names (``kg/gazetteer.py`` does the matching; this module only reads).
"""

from __future__ import annotations

from collections import defaultdict

from kg.gazetteer import Entry, Gazetteer

from . import site
from .linked_data import _memo

SCKG = "https://w3id.org/smartcity-kg/ontology#"

#: Gazetteer type ← the class that makes a thing of that type (most specific first).
TYPE_OF_CLASS = {
    f"{SCKG}Prefecture": "prefecture",
    f"{SCKG}DesignatedCityWard": "ward",
    f"{SCKG}Municipality": "municipality",
    f"{SCKG}AdoptedProject": "project",
    f"{SCKG}CityOS": "city-os",
    f"{SCKG}SmartCityService": "service",
}

ENTRIES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>
SELECT ?s ?class ?p ?v WHERE {
  VALUES ?class { sckg:Prefecture sckg:DesignatedCityWard sckg:Municipality sckg:AdoptedProject
                  sckg:CityOS sckg:SmartCityService }
  ?s a ?class .
  VALUES ?p { rdfs:label skos:altLabel sckg:prefecture sckg:parentMunicipality
              sckg:localGovernmentCode dcterms:identifier schema:dissolutionDate sckg:corporateNumber }
  ?s ?p ?v .
}"""

_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
_IDENTIFIER = "http://purl.org/dc/terms/identifier"


def _first(props: dict[str, list[dict]], prop: str) -> str | None:
    return props[prop][0]["value"] if props.get(prop) else None


def _entries(rows: list[dict]) -> list[Entry]:
    """Entries from the rows of :data:`ENTRIES` as SPARQL JSON bindings. Names are every
    rdfs:label (ja, its kana reading ja-hrkt, en) and skos:altLabel; codes the LG code or
    dcterms:identifier (project codes) and the corporate number (sckg:corporateNumber)."""
    classes: dict[str, set[str]] = defaultdict(set)
    values: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        s = row["s"]["value"]
        classes[s].add(row["class"]["value"])
        if row["v"] not in values[s][row["p"]["value"]]:  # one row per class of s
            values[s][row["p"]["value"]].append(row["v"])
    entries = []
    for s, found in classes.items():
        kind = next(TYPE_OF_CLASS[c] for c in TYPE_OF_CLASS if c in found)
        props = values[s]
        labels = props.get(_LABEL, [])
        ja = [v["value"] for v in labels if v.get("xml:lang") == "ja"]
        en = [v["value"] for v in labels if v.get("xml:lang") == "en"]
        names = tuple(dict.fromkeys(v["value"] for v in labels + props.get(_ALT, [])))
        entries.append(Entry(
            iri=s, type=kind, label=(ja or en or [s])[0], names=names,
            prefecture=_first(props, f"{SCKG}prefecture"),
            parent=_first(props, f"{SCKG}parentMunicipality"),
            code=_first(props, f"{SCKG}localGovernmentCode") or _first(props, _IDENTIFIER),
            valid_until=_first(props, "https://schema.org/dissolutionDate"), label_en=(en or [None])[0],
            corporate_number=_first(props, f"{SCKG}corporateNumber"),
        ))
    return entries


def current() -> Gazetteer:
    """The gazetteer of the store version being served (built on first use, then kept)."""
    return _memo("gazetteer", lambda: Gazetteer(_entries(site.select_all(ENTRIES, "gazetteer"))))
