"""``/``: the landing page — what the dataset is, where it comes from, its licence, counts per
class, the canned queries with one-click runs, downloads, and three pictures drawn on the server
(``server.svg``): the map, the City OS chart and the shared-use graph.

Everything the page shows comes from the store through ``site.select`` (the VoID graph for the
description, sources and downloads). The data is collected once per store version (ten queries,
~0.2 s) and the pictures drawn once per version and language, then kept; the page itself is
rendered per request and answered with an ETag, so a revalidation costs a 304.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, Response, current_app
from markupsafe import Markup

from . import linked_data, site
from .svg import Edge, Mark, Point, YearCount, chart_svg, graph_svg, map_svg

bp = Blueprint("landing", __name__)

PREFIXES = """PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX schema: <https://schema.org/>
"""
SCKG = "https://w3id.org/smartcity-kg/ontology#"

#: The dataset: the void:Dataset that is no other's subset.
Q_DATASET = PREFIXES + """
SELECT ?dataset ?title ?description ?license ?version ?created ?triples ?endpoint WHERE {
  ?dataset a void:Dataset .
  FILTER NOT EXISTS { ?parent void:subset ?dataset }
  OPTIONAL { ?dataset dcterms:title ?title }
  OPTIONAL { ?dataset dcterms:description ?description }
  OPTIONAL { ?dataset dcterms:license ?license }
  OPTIONAL { ?dataset dcat:version ?version }
  OPTIONAL { ?dataset dcterms:created ?created }
  OPTIONAL { ?dataset void:triples ?triples }
  OPTIONAL { ?dataset void:sparqlEndpoint ?endpoint }
}"""

Q_SOURCES = PREFIXES + """
SELECT ?source ?title ?publisher ?license ?page ?issued WHERE {
  ?dataset a void:Dataset ; prov:wasDerivedFrom ?source .
  FILTER NOT EXISTS { ?parent void:subset ?dataset }
  OPTIONAL { ?source dcterms:title ?title }
  OPTIONAL { ?source dcterms:publisher ?publisher }
  OPTIONAL { ?source dcterms:license ?license }
  OPTIONAL { ?source foaf:page ?page }
  OPTIONAL { ?source dcterms:issued ?issued }
}"""

Q_CLASSES = PREFIXES + """
SELECT ?class ?label (COUNT(DISTINCT ?member) AS ?n) WHERE {
  ?member a ?class .
  FILTER(STRSTARTS(STR(?class), "https://w3id.org/smartcity-kg/ontology#"))
  OPTIONAL { ?class rdfs:label ?label }
} GROUP BY ?class ?label"""

#: Municipalities in force (not abolished) with coordinates: the map's dots.
Q_POINTS = PREFIXES + """
SELECT ?code ?lat ?lon WHERE {
  ?m a sckg:Municipality ; sckg:localGovernmentCode ?code ; geo:lat ?lat ; geo:long ?lon .
  FILTER NOT EXISTS { ?m schema:dissolutionDate ?end }
}"""

Q_PROJECTS = PREFIXES + """
SELECT ?project ?code ?year ?region ?regionCode ?label ?lat ?lon WHERE {
  ?project a sckg:AdoptedProject ; dcterms:identifier ?code ; sckg:fiscalYear ?year ; sckg:region ?region .
  ?region sckg:localGovernmentCode ?regionCode ; geo:lat ?lat ; geo:long ?lon .
  OPTIONAL { ?region rdfs:label ?label FILTER(LANG(?label) IN ("ja", "en")) }
}"""

Q_INTRODUCTIONS = PREFIXES + """
SELECT ?intro ?municipality ?code ?year ?label ?lat ?lon ?shared WHERE {
  ?intro a sckg:CityOSIntroduction ; sckg:fiscalYear ?year ; sckg:municipality ?municipality .
  ?municipality sckg:localGovernmentCode ?code .
  OPTIONAL { ?municipality geo:lat ?lat ; geo:long ?lon }
  OPTIONAL { ?municipality rdfs:label ?label FILTER(LANG(?label) IN ("ja", "en")) }
  OPTIONAL { ?intro sckg:sharedUse ?shared }
}"""

#: The KPI the chart measures against, found by the end of its IRI path (any base IRI).
Q_KPI = PREFIXES + """
SELECT ?kpi ?label ?target ?targetYear ?value ?observedYear ?asOf WHERE {
  ?kpi a sckg:KPI .
  FILTER(STRENDS(STR(?kpi), "/kpi/city-os-introductions"))
  OPTIONAL { ?kpi rdfs:label ?label FILTER(LANG(?label) IN ("ja", "en")) }
  OPTIONAL { ?kpi sckg:targetValue ?target }
  OPTIONAL { ?kpi sckg:targetFiscalYear ?targetYear }
  OPTIONAL { ?kpi sckg:observation ?obs . ?obs rdf:value ?value .
             OPTIONAL { ?obs sckg:observedFiscalYear ?observedYear }
             OPTIONAL { ?obs sckg:asOf ?asOf } }
}"""

Q_SHARING = PREFIXES + """
SELECT ?sharing ?owner ?ownerCode ?ownerLabel ?user ?userCode ?userLabel ?approach ?since ?curated
       ?status ?introduced WHERE {
  ?sharing a sckg:CityOSSharing ; sckg:cityOS ?os ; sckg:user ?user .
  ?os sckg:owner ?owner .
  ?owner sckg:localGovernmentCode ?ownerCode .
  ?user sckg:localGovernmentCode ?userCode .
  OPTIONAL { ?owner rdfs:label ?ownerLabel FILTER(LANG(?ownerLabel) IN ("ja", "en")) }
  OPTIONAL { ?user rdfs:label ?userLabel FILTER(LANG(?userLabel) IN ("ja", "en")) }
  OPTIONAL { ?sharing sckg:approach/skos:notation ?approach }
  OPTIONAL { ?sharing sckg:sinceFiscalYear ?since }
  OPTIONAL { ?os sckg:status ?status }
  OPTIONAL { ?os sckg:introducedFiscalYear ?introduced }
  # STRDT(..., xsd:boolean): Virtuoso 7 gives a computed boolean (EXISTS, true, !BOUND) as an xsd:integer
  BIND(STRDT(IF(EXISTS { ?sharing sckg:curatedByProject true }, "true", "false"),
             <http://www.w3.org/2001/XMLSchema#boolean>) AS ?curated)
}"""

Q_APPROACHES = PREFIXES + """
SELECT ?notation ?label WHERE {
  ?approach a sckg:SharingApproach ; skos:notation ?notation .
  OPTIONAL { ?approach rdfs:label ?label FILTER(LANG(?label) IN ("ja", "en")) }
} ORDER BY ?notation"""

#: The order in which the classes are listed (the rest follow by name).
CLASS_ORDER = ("AdoptedProject", "SubsidyProgram", "ProgramBudget", "CityOS", "CityOSIntroduction",
               "CityOSSharing", "KPI", "KPIObservation", "StatusStatement", "SmartCityService",
               "RegionalIssue", "Field", "LocalGovernment", "Prefecture", "Municipality")
#: Sources named first: the briefing, the reference list, the services list.
MAIN_SOURCES = ("/source/briefing", "/source/localgovjp", "/source/service-implementations")
LICENCES = {"http://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
            "http://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0"}

_cache: dict[tuple[str, str], dict[str, Any]] = {}
_lock = threading.Lock()


def _v(row: dict, key: str) -> str | None:
    cell = row.get(key)
    return cell["value"] if cell else None


class Labels:
    """Language-tagged values collected per key, then read in the reader's language (or the other)."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, str]] = defaultdict(dict)

    def add(self, key: str, cell: dict | None) -> None:
        if cell:
            self.values[key].setdefault(cell.get("xml:lang", ""), cell["value"])

    def get(self, key: str, lang: str) -> tuple[str, str]:
        """(text, its language) in ``lang`` if there is one, else ja, en, untagged."""
        found = self.values.get(key, {})
        for tag in (lang, "ja", "en", ""):
            if tag in found:
                return found[tag], tag or lang
        return "", lang


def _download(dump, base: str) -> dict[str, Any]:
    """A dump as the downloads table shows it."""
    titles = Labels()
    titles.add("t", {"value": dump.title, "xml:lang": "en"})
    media = dump.media_type + (f" ({dump.encoding})" if dump.encoding else "")
    return {"url": f"{base}/dumps/{dump.name}", "href": f"/dumps/{dump.name}", "media": media,
            "size": dump.byte_size, "titles": titles}


def local_path(iri: str, base: str) -> str | None:
    """The server path of an IRI under the public base (``B/id/x`` → ``/id/x``), else None."""
    if base and iri.startswith(base + "/"):
        return iri[len(base):]
    return None


def page_path(iri: str, base: str) -> str:
    """Where a person reads about an IRI: ``/page/<key>`` for ours, the IRI itself otherwise."""
    path = local_path(iri, base)
    if path and path.startswith("/id/"):
        return "/page/" + path[len("/id/"):]
    return path or iri


def collect() -> dict[str, Any]:
    """Everything the page shows, independent of language (a dozen queries)."""
    data: dict[str, Any] = {}
    rows = site.select(Q_DATASET)
    meta: dict[str, Any] = {"labels": Labels()}
    for row in rows:
        for key in ("dataset", "license", "version", "created", "triples", "endpoint"):
            meta.setdefault(key, _v(row, key))
        meta["labels"].add("title", row.get("title"))
        meta["labels"].add("description", row.get("description"))
    base = linked_data.base_iri()
    data["base"], data["meta"] = base, meta

    sources: dict[str, dict[str, Any]] = {}
    source_labels = Labels()
    for row in site.select(Q_SOURCES):
        iri = _v(row, "source")
        entry = sources.setdefault(iri, {"iri": iri, "page": page_path(iri, base)})
        for key in ("publisher", "license", "issued"):
            entry.setdefault(key, None)
            entry[key] = entry[key] or _v(row, key)
        entry["homepage"] = entry.get("homepage") or _v(row, "page")
        source_labels.add(iri, row.get("title"))

    def rank(source: dict[str, Any]) -> tuple[int, str]:
        main = (i for i, end in enumerate(MAIN_SOURCES) if source["iri"].endswith(end))
        return next(main, len(MAIN_SOURCES)), source["iri"]

    ranked = sorted(sources.values(), key=rank)
    data["sources"], data["source_labels"] = ranked, source_labels

    # The dumps of this store version (written by the load, or now), as /.well-known/void lists them.
    data["downloads"] = [_download(dump, base) for dump in linked_data.dumps()]

    classes: dict[str, dict[str, Any]] = {}
    class_labels = Labels()
    for row in site.select(Q_CLASSES):
        iri = _v(row, "class")
        name = iri[len(SCKG):]
        classes[name] = {"name": name, "iri": iri, "count": int(_v(row, "n"))}
        class_labels.add(name, row.get("label"))
    order = {name: i for i, name in enumerate(CLASS_ORDER)}
    data["classes"] = sorted(classes.values(), key=lambda c: (order.get(c["name"], len(order)), c["name"]))
    data["class_labels"] = class_labels

    data["points"] = [Point(_v(r, "code"), float(_v(r, "lat")), float(_v(r, "lon")))
                      for r in site.select(Q_POINTS)]

    names = Labels()
    projects: dict[tuple[str, str], dict[str, Any]] = {}
    for row in site.select(Q_PROJECTS):
        key = (_v(row, "code"), _v(row, "regionCode"))
        names.add(_v(row, "region"), row.get("label"))
        projects.setdefault(key, {"iri": _v(row, "project"), "code": key[0], "year": int(_v(row, "year")),
                                  "region": _v(row, "region"), "region_code": key[1],
                                  "lat": float(_v(row, "lat")), "lon": float(_v(row, "lon"))})
    data["projects"] = sorted(projects.values(), key=lambda p: (p["year"], p["code"], p["region_code"]))

    intros: dict[str, dict[str, Any]] = {}
    for row in site.select(Q_INTRODUCTIONS):
        iri = _v(row, "intro")
        names.add(_v(row, "municipality"), row.get("label"))
        lat, lon = _v(row, "lat"), _v(row, "lon")
        intros.setdefault(iri, {"iri": iri, "key": iri.rsplit("/city-os-introduction/", 1)[-1],
                                "municipality": _v(row, "municipality"), "code": _v(row, "code"),
                                "year": int(_v(row, "year")), "shared": _v(row, "shared") == "true",
                                "lat": float(lat) if lat else None, "lon": float(lon) if lon else None})
    data["introductions"] = sorted(intros.values(), key=lambda i: (i["year"], i["code"], i["key"]))

    kpi: dict[str, Any] = {"labels": Labels(), "observed": {}}
    for row in site.select(Q_KPI):
        kpi["iri"] = _v(row, "kpi")
        kpi["labels"].add("label", row.get("label"))
        if _v(row, "target"):
            kpi["target"] = int(_v(row, "target"))
        if _v(row, "targetYear"):
            kpi["target_year"] = int(_v(row, "targetYear"))
        if _v(row, "value") and _v(row, "observedYear"):
            kpi["observed"][int(_v(row, "observedYear"))] = (int(_v(row, "value")), _v(row, "asOf"))
    data["kpi"] = kpi

    edges: dict[str, dict[str, Any]] = {}
    for row in site.select(Q_SHARING):
        iri = _v(row, "sharing")
        names.add(_v(row, "owner"), row.get("ownerLabel"))
        names.add(_v(row, "user"), row.get("userLabel"))
        edges.setdefault(iri, {"iri": iri, "owner": _v(row, "owner"), "owner_code": _v(row, "ownerCode"),
                               "user": _v(row, "user"), "user_code": _v(row, "userCode"),
                               "approach": _v(row, "approach"), "curated": _v(row, "curated") == "true",
                               "since": int(_v(row, "since")) if _v(row, "since") else None,
                               "status": _v(row, "status"),
                               "introduced": int(_v(row, "introduced")) if _v(row, "introduced") else None})
    data["edges"] = sorted(edges.values(), key=lambda e: (e["owner_code"], e["user_code"]))
    approaches = Labels()
    for row in site.select(Q_APPROACHES):
        approaches.add(_v(row, "notation"), row.get("label"))
    data["approaches"] = approaches
    data["names"] = names
    return data


def per_year(introductions) -> list[YearCount]:
    """Municipalities introducing a City OS per fiscal year and the running total of distinct ones
    (as the canned query city-os-adoption-by-year counts them)."""
    by_year: dict[int, set[str]] = defaultdict(set)
    for intro in introductions:
        by_year[intro["year"]].add(intro["municipality"])
    seen: set[str] = set()
    out = []
    for year in sorted(by_year):
        seen |= by_year[year]
        out.append(YearCount(year, len(by_year[year]), len(seen)))
    return out


def build(lang: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The page's context in ``lang``: the data (``collect()`` unless given) and the three pictures."""
    data = data if data is not None else collect()
    names = data["names"]
    ja = lang == "ja"

    def name(iri: str) -> str:
        return names.get(iri, lang)[0] or iri.rsplit("/", 1)[-1]

    marks = [Mark("project", p["code"], p["region_code"], p["lat"], p["lon"], p["year"], name(p["region"]))
             for p in data["projects"]]
    marks += [Mark("introduction", i["key"], i["code"], i["lat"], i["lon"], i["year"],
                   name(i["municipality"])) for i in data["introductions"] if i["lat"] is not None]
    map_picture = map_svg(data["points"], marks, lang=lang, width=640)

    years = per_year(data["introductions"])
    kpi = data["kpi"]
    observed = [(year, value, as_of) for year, (value, as_of) in sorted(kpi["observed"].items())]
    chart_picture = chart_svg(years, kpi.get("target"), kpi.get("target_year"), observed, lang=lang)

    owner_notes = {}
    for e in data["edges"]:
        if e["status"] == "planned":
            note = "都市OS 導入予定" if ja else "City OS planned"
        elif e["introduced"]:
            note = f"{e['introduced']}年度 導入" if ja else f"introduced FY{e['introduced']}"
        else:
            note = ""
        owner_notes[e["owner_code"]] = note
    edges = [Edge(e["owner_code"], name(e["owner"]), e["user_code"], name(e["user"]), e["approach"],
                  e["curated"], e["since"], owner_notes.get(e["owner_code"], "")) for e in data["edges"]]
    approaches = [(n, data["approaches"].get(n, lang)[0]) for n in sorted(data["approaches"].values)]
    graph_picture = graph_svg(edges, approaches, lang=lang)

    return {"data": data, "years": years, "name": name,
            "map_svg": Markup(map_picture), "chart_svg": Markup(chart_picture),
            "graph_svg": Markup(graph_picture),
            "queries": canned_queries(lang)}


def canned_queries(lang: str) -> list[dict[str, Any]]:
    """The canned queries with their example runs (``/api/<name>?…`` as their headers give them)."""
    out = []
    for query in current_app.extensions["kg_queries"].values():
        runs = []
        for example in query.examples:
            args = parse_qsl(urlsplit(example).query, keep_blank_values=True)
            # format=json: a browser's Accept would choose SPARQL results XML, which Chromium
            # downloads instead of showing; JSON it shows (tests/browser/test_pages_e2e.py).
            sep = "&" if "?" in example else "?"
            runs.append({"href": example + sep + "format=json", "args": args,
                         "csv": example + sep + "format=csv"})
        description = query.description[lang]
        out.append({"name": query.name, "title": query.title[lang], "description": description,
                    "summary": first_sentence(description), "runs": runs,
                    "params": [p.name for p in query.params]})
    return out


def first_sentence(text: str) -> str:
    """The first sentence of a description (up to 。 or ". "), for a short listing.

    >>> first_sentence("年度ごとの数。累計も。"), first_sentence("Counts per year. And totals.")
    ('年度ごとの数。', 'Counts per year.')
    """
    cut = [i for i in (text.find("。"), text.find(". ")) if i >= 0]
    return text[: min(cut) + 1] if cut else text


def context(lang: str) -> dict[str, Any]:
    """The page's context for the store version answering now, computed once per version and language."""
    key = (site.store_version(), lang)
    found = _cache.get(key)
    if found is None:
        with _lock:
            found = _cache.get(key)
            if found is None:
                # the data is the same in both languages: collect it once per version
                same = next((ctx["data"] for (version, _), ctx in _cache.items() if version == key[0]), None)
                found = build(lang, same)
                for old in [k for k in _cache if k[0] != key[0]]:
                    del _cache[old]
                _cache[key] = found
    return found


def locator_map(code: str, lat: float, lon: float, label: str = "", width: int = 260) -> Markup:
    """A small map of Japan with one local government ringed and named (for its resource page).

    The dots are the landing page's (cached per store version); ``lat``/``lon`` are the body's
    own coordinates, so a prefecture (not among the dots) is placed too. Call it in a request.
    """
    lang = site.language()
    points = [p for p in context(lang)["data"]["points"] if p.code != code]
    points.append(Point(code, float(lat), float(lon), label))
    title = f"{label}の位置" if lang == "ja" else f"Where {label} is"
    return Markup(map_svg(points, (), highlight=code, width=width, lang=lang, legend=False, title=title,
                          ident=f"kg-locator-{code}"))


def human_size(size: int | None, lang: str) -> str:
    """A byte count for people: 1.2 MB."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


@bp.get("/")
def landing() -> Response:
    """The landing page."""
    if (cached := site.not_modified()) is not None:
        return cached
    lang = site.language()
    ctx = context(lang)
    return site.render_page("site/landing.html", lang=lang, licences=LICENCES, page_path=page_path,
                            local_path=local_path, human_size=human_size, **ctx)
