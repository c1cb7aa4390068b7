"""Data extension: the values of some properties for some entities, read with one SPARQL query.

The query is assembled from fixed branches, one per requested property (never from request text);
an entity ID is bound as a pyoxigraph term when one entity is asked for, and otherwise the query
reads the property for every entity and the answer keeps the requested ones. pyoxigraph binds a
variable to one term only (SEP-0007), so a list of IDs cannot be bound without pasting it in; the
full read is one pass over ~2,000 bodies (about 0.1 s for all 13 body properties) and still one
query per request. Entity values are named from the gazetteer, classes from their labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pyoxigraph as ox

from . import site
from .gazetteer import current
from .reconcile_schema import SCKG, TYPES, Property, prop_for, properties_of

_PREFIXES = """PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""

#: Labels of a class (the kind of a body); entities of ours are named from the gazetteer instead.
_OLABEL = (' OPTIONAL { ?o rdfs:label ?olabel FILTER(lang(?olabel) = "ja") }'
           ' OPTIONAL { ?o rdfs:label ?olabel_en FILTER(lang(?olabel_en) = "en") }')

#: The body of each property's branch: binds ?s (the entity) and ?o (the value), ?olabel for entities.
_BRANCHES: dict[str, str] = {
    "lgCode": "?s sckg:localGovernmentCode ?o .",
    "corporateNumber": "?s sckg:corporateNumber ?o .",
    "standardAreaCode": "?s sckg:standardAreaCode ?o .",
    "prefecture": "?s sckg:prefecture ?o .",
    "kana": '?s rdfs:label ?o FILTER(langMatches(lang(?o), "ja-Hrkt"))',
    "nameEn": '?s rdfs:label ?o FILTER(langMatches(lang(?o), "en"))',
    "lat": "?s geo:lat ?o .",
    "long": "?s geo:long ?o .",
    "kind": ("VALUES ?o { sckg:Prefecture sckg:City sckg:DesignatedCity sckg:Town sckg:Village "
             "sckg:SpecialWard sckg:DesignatedCityWard } ?s a ?o ." + _OLABEL),
    "projects": "?o sckg:region ?s ; a sckg:AdoptedProject .",
    "cityOSOwned": "?o sckg:owner ?s ; a sckg:CityOS .",
    "cityOSUsed": "?u sckg:user ?s ; sckg:cityOS ?o .",
    "region": "?s a sckg:AdoptedProject ; sckg:region ?o .",
    "owner": "?s a sckg:CityOS ; sckg:owner ?o .",
    "project": "?s a sckg:SmartCityService ; sckg:project ?o .",
}
#: What a property is read from when it has no branch of its own.
_FROM = {"coordinates": ("lat", "long")}
#: A designated city is a city: its kind is the more specific class.
_KIND_RANK = [SCKG + c for c in ("DesignatedCityWard", "DesignatedCity", "SpecialWard", "City", "Town",
                                 "Village", "Prefecture")]


def query_text(props: Sequence[Property]) -> str:
    """The one SELECT reading ``props``: a UNION of their branches, each tagged with its ID."""
    needed = dict.fromkeys(b for p in props for b in _FROM.get(p.id, (p.id,)))
    branches = [f'{{ {_BRANCHES[b]} BIND("{b}" AS ?pid) }}' for b in needed]
    body = "\n  UNION ".join(branches)
    return _PREFIXES + "SELECT ?s ?pid ?o ?olabel ?olabel_en WHERE {\n  " + body + "\n}"


def read(ids: Sequence[str], props: Sequence[Property]) -> dict[str, dict[str, list[dict]]]:
    """id → branch ID → the SPARQL bindings of its values, for the requested ids."""
    wanted = set(ids)
    substitutions = {"s": ox.NamedNode(ids[0])} if len(wanted) == 1 else {}
    found: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in site.select(query_text(props), **substitutions):
        s = row["s"]["value"]
        if s in wanted:
            found[s][row["pid"]["value"]].append(row)
    return found


def _values(prop: Property, rows: dict[str, list[dict]], lang: str, name_of) -> list[dict]:
    """The values of ``prop`` from its rows, as the protocol writes them (sorted, without repeats)."""
    if prop.id == "coordinates":
        lats, longs = rows.get("lat", []), rows.get("long", [])
        if not (lats and longs):
            return []
        return [{"str": f"{lats[0]['o']['value']},{longs[0]['o']['value']}"}]
    mine = rows.get(prop.id, [])
    if prop.id == "kind":
        kinds = sorted(mine, key=lambda r: _KIND_RANK.index(r["o"]["value"]))
        mine = kinds[:1]
    out: dict[str, dict] = {}
    for row in mine:
        o = row["o"]
        if prop.value == "entity":
            names = [row.get(k, {}).get("value") for k in (("olabel_en", "olabel") if lang == "en"
                                                              else ("olabel", "olabel_en"))]
            label = next((n for n in names if n), None) or name_of(o["value"])
            out[o["value"]] = {"id": o["value"], "name": label}
        elif prop.value == "float":
            out[o["value"]] = {"float": float(o["value"])}
        else:
            out[o["value"]] = {"str": o["value"]}
    return [out[k] for k in sorted(out)]


def _namer(lang: str):
    """Names of entities of ours from the gazetteer (in ``lang`` where it has one), else local names."""
    g = current()

    def name_of(iri: str) -> str:
        entry = g.get(iri)
        if entry is None:
            return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return entry.label_en if lang == "en" and entry.label_en else entry.label
    return name_of


def meta(props: Sequence[Property], lang: str) -> list[dict]:
    """The ``meta`` of a response: each property's id and name, and the type of entity values."""
    out = []
    for p in props:
        item = {"id": p.id, "name": p.name(lang)}
        if p.range:
            item["type"] = {"id": p.range, "name": TYPES[p.range].name(lang)}
        out.append(item)
    return out


def parse(request: object) -> tuple[list[str], list[Property]]:
    """The ids and properties of a data extension query (both versions share its shape).

    :raises BadRequest: when it is not ``{"ids": [str…], "properties": [{"id": str}…]}``.
    """
    from .errors import BadRequest

    if not isinstance(request, dict) or not isinstance(request.get("ids"), list) \
            or not isinstance(request.get("properties"), list):
        raise BadRequest('a data extension query is {"ids": [...], "properties": [{"id": ...}, ...]}')
    ids = request["ids"]
    if not all(isinstance(i, str) and i for i in ids):
        raise BadRequest("every id of a data extension query must be a non-empty string")
    props = []
    for item in request["properties"]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise BadRequest('every property of a data extension query is an object with an "id"')
        props.append(prop_for(item["id"]))
    return list(dict.fromkeys(ids)), list(dict.fromkeys(props))


def extend(ids: Sequence[str], props: Sequence[Property], lang: str, *, version: str) -> dict:
    """The data extension response: rows keyed by id (0.2) or a list of rows (1.0-draft)."""
    found = read(ids, props) if ids and props else {}
    name_of = _namer(lang)
    values = {i: {p.id: _values(p, found.get(i, {}), lang, name_of) for p in props} for i in ids}
    if version == "0.2":
        rows: object = values
    else:
        rows = [{"id": i, "properties": [{"id": pid, "values": v} for pid, v in values[i].items()]}
                for i in ids]
    return {"meta": meta(props, lang), "rows": rows}


def propose(type_id: str, limit: int | None, lang: str) -> dict:
    """The properties proposed for entities of ``type_id`` (``/extend/propose``)."""
    props = properties_of(type_id)
    out: dict = {"type": type_id, "properties": [p.json(lang) for p in props[:limit]]}
    if limit is not None:
        out["limit"] = limit
    return out
