"""Resource pages for people: ``/page/<key>`` (the resource ``B/id/<key>``) and ``/page/class/<Name>``.

Rendered on the server in Japanese or English (``site.language``) from two queries at most per
resource (its statements in and out with their graphs; a local government's projects, City OS and
sharing partners), cached by the browser with the ETag of ``site.render_page``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, request

from kg import jsonld

from . import landing, linked_data, site
from . import page_queries as q

bp = Blueprint("pages", __name__)

SCKG = jsonld.PREFIXES["sckg"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PAGE_SIZE = 100

PREFIXES = jsonld.DATA_PREFIXES

#: Names of the properties the ontology does not label (ja, en).
PROPERTY_NAMES = {
    "rdf:type": ("種別", "type"), "rdfs:label": ("名称", "label"), "rdfs:comment": ("注記", "comment"),
    "rdfs:seeAlso": ("関連", "see also"), "skos:prefLabel": ("優先名称", "preferred label"),
    "skos:altLabel": ("別名", "alternative label"), "skos:notation": ("記号", "notation"),
    "skos:definition": ("定義", "definition"), "skos:example": ("例", "example"),
    "skos:inScheme": ("体系", "in scheme"), "skos:broader": ("上位概念", "broader"),
    "skos:narrower": ("下位概念", "narrower"), "skos:related": ("関連概念", "related"),
    "skos:closeMatch": ("近い概念", "close match"), "skos:exactMatch": ("同じ概念", "exact match"),
    "skos:hasTopConcept": ("最上位概念", "top concept"),
    "dcterms:identifier": ("識別子", "identifier"), "dcterms:source": ("出典", "source"),
    "dcterms:title": ("題名", "title"), "dcterms:description": ("説明", "description"),
    "dcterms:publisher": ("発行者", "publisher"), "dcterms:issued": ("発行日", "issued"),
    "dcterms:license": ("ライセンス", "licence"), "dcterms:hasPart": ("構成要素", "has part"),
    "dcterms:replaces": ("前身", "replaces"), "dcterms:isReplacedBy": ("後継", "replaced by"),
    "foaf:homepage": ("ウェブサイト", "web site"), "foaf:page": ("ウェブページ", "web page"),
    "geo:lat": ("緯度", "latitude"), "geo:long": ("経度", "longitude"),
    "schema:slogan": ("スローガン", "slogan"), "schema:foundingDate": ("設置日", "founded"),
    "schema:dissolutionDate": ("廃止日", "dissolved"), "schema:amount": ("金額", "amount"),
    "schema:value": ("値", "value"), "schema:currency": ("通貨", "currency"),
    "schema:creativeWorkStatus": ("状況", "status"), "schema:observationAbout": ("対象", "about"),
    "owl:sameAs": ("同一（旧IRI）", "same as (renamed IRI)"), "ic:ID": ("ID", "ID"),
    "ic:識別値": ("識別値", "identifier value"), "ic:体系": ("体系", "scheme"),
    "ic:名称": ("名称", "name"), "ic:表記": ("表記", "written form"),
    "rdf:value": ("値", "value"), "rdf:subject": ("主語", "subject"),
    "rdf:predicate": ("述語", "predicate"), "rdf:object": ("目的語", "object"),
    "prov:wasDerivedFrom": ("由来", "derived from"),
}

#: The groups of a page, in order, with the properties each holds first (the rest sort by name).
GROUPS = (
    ("names", ("識別と名称", "Identity and names"),
     ("rdf:type", "rdfs:label", "skos:prefLabel", "skos:altLabel", "dcterms:title", "skos:notation",
      "sckg:asPrinted", "schema:slogan", "skos:definition", "dcterms:description", "rdfs:comment",
      "skos:example", "schema:foundingDate", "schema:dissolutionDate", "dcterms:replaces",
      "dcterms:isReplacedBy")),
    ("codes", ("コードと識別子", "Codes and identifiers"),
     ("sckg:localGovernmentCode", "dcterms:identifier", "sckg:corporateNumber", "sckg:iso3166Code",
      "sckg:standardAreaCode", "ic:ID", "ic:識別値", "ic:体系", "foaf:homepage", "geo:lat", "geo:long",
      "rdfs:seeAlso")),
    ("relations", ("関係と内容", "Relations and details"),
     ("sckg:municipality", "sckg:owner", "sckg:user", "sckg:cityOS", "sckg:project", "sckg:prefecture",
      "sckg:parentMunicipality", "sckg:capital", "sckg:region", "sckg:program", "sckg:budget", "sckg:field",
      "sckg:implementer", "sckg:fiscalYear", "sckg:introducedFiscalYear", "sckg:sinceFiscalYear",
      "sckg:status", "sckg:statusAsStated", "sckg:sharedUseMarked", "sckg:sharedUse", "sckg:approach")),
    ("provenance", ("出典と根拠", "Provenance and basis"),
     ("dcterms:source", "sckg:sourceSection", "sckg:chartSource", "sckg:curatedByProject",
      "sckg:derivationBasis", "sckg:statusBasis", "sckg:sharedUseBasis", "sckg:approachBasis",
      "sckg:definitionBasis", "sckg:relationBasis", "sckg:issueMappingBasis", "sckg:evidence",
      "sckg:confidence", "prov:wasDerivedFrom", "dcterms:publisher", "dcterms:issued", "foaf:page",
      "dcterms:license", "owl:sameAs")),
)
_GROUP_OF = {p: name for name, _, props in GROUPS for p in props}
_RANK = {p: i for _, _, props in GROUPS for i, p in enumerate(props)}

#: The named graphs, as a reader should understand them (ja, en).
GRAPH_NAMES = {
    "briefing": ("説明資料の記載", "the briefing says"),
    "curated": ("プロジェクトの解釈", "the project's reading"),
    "translations": ("プロジェクトの翻訳", "the project's translation"),
    "localgovjp": ("自治体一覧 localgovjp", "localgovjp list"),
    "localgov-changes": ("自治体の変更", "local-government changes"),
    "service-implementations": ("サービス事例", "service implementations"),
    "iri-history": ("IRIの変更履歴", "IRI history"),
    "ontology": ("語彙", "ontology"),
    "void": ("データセットの説明", "dataset description"),
}

NTA_PAGE = "https://www.houjin-bangou.nta.go.jp/henkorireki-johoto.html?selHouzinNo={}"
#: The kinds of local government, most specific first (a designated city is also a city).
KIND_CLASSES = [SCKG + c for c in ("DesignatedCityWard", "DesignatedCity", "SpecialWard", "City", "Town",
                                   "Village", "Prefecture")]
LOCAL_GOVERNMENT_CLASSES = {SCKG + "LocalGovernment", SCKG + "Municipality", *KIND_CLASSES}


def init_app(app) -> None:
    """Register the pages' blueprint."""
    app.register_blueprint(bp)


def base_iri() -> str:
    """The instance base ``B`` of the data being served (the store's own record of it)."""
    return linked_data.base_iri()


def curie(iri: str) -> str:
    """``sckg:City`` for the IRI of a known namespace, else the IRI."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[\w\-]+", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass
class Labels:
    """The labels of one IRI by language tag."""

    by_lang: dict[str, str] = field(default_factory=dict)

    def add(self, binding: dict | None) -> None:
        if binding:
            self.by_lang.setdefault(binding.get("xml:lang", "").lower(), binding["value"])

    def pick(self, lang: str) -> tuple[str, str] | None:
        """(text, language) in ``lang``, else the other language, else any label."""
        for tag in (lang, "en" if lang == "ja" else "ja", "", *self.by_lang):
            if tag in self.by_lang and tag != "ja-hrkt":
                return self.by_lang[tag], tag
        return None

    def other(self, lang: str) -> tuple[str, str] | None:
        """The label in the other language, when there is one and it differs."""
        tag = "en" if lang == "ja" else "ja"
        mine = self.pick(lang)
        if tag in self.by_lang and (not mine or mine[1] != tag):
            return self.by_lang[tag], tag
        return None


class Page:
    """Turns SPARQL bindings into what the templates show: values with labels, links and graphs."""

    def __init__(self, base: str, lang: str):
        self.base, self.lang = base, lang
        self.labels: dict[str, Labels] = defaultdict(Labels)

    def page_url(self, iri: str) -> str | None:
        """The server path of a page for ``iri`` (ours or a class of ours), else None."""
        if iri.startswith(self.base + "/id/"):
            return "/page/" + iri[len(self.base) + 4:]
        if iri.startswith(SCKG) and iri[len(SCKG):][:1].isupper():
            return "/page/class/" + iri[len(SCKG):]
        return None

    def term(self, binding: dict) -> dict[str, Any]:
        """A value for a template: text, lang, href, datatype, other-language label."""
        value = binding["value"]
        if binding["type"] == "uri":
            labels = self.labels.get(value)
            picked = labels.pick(self.lang) if labels else None
            other = labels.other(self.lang) if labels else None
            href = self.page_url(value)
            fallback = value[len(self.base) + 4:] if value.startswith(self.base + "/id/") else curie(value)
            return {"iri": value, "text": picked[0] if picked else fallback,
                    "lang": picked[1] if picked else None, "other": other, "href": href or value,
                    "external": href is None}
        datatype = binding.get("datatype")
        shown = curie(datatype) if datatype and not datatype.endswith("#string") else None
        return {"text": value, "lang": binding.get("xml:lang"), "datatype": shown, "literal": True}

    def prop(self, iri: str) -> dict[str, Any]:
        """A property's name in the reader's language, with its prefixed name and where it is defined."""
        short = curie(iri)
        labels = self.labels.get(iri)
        picked = labels.pick(self.lang) if labels else None
        if short in PROPERTY_NAMES:
            name = PROPERTY_NAMES[short][0 if self.lang == "ja" else 1]
            picked = (name, self.lang)
        href = "/ontology#" + iri[len(SCKG):] if iri.startswith(SCKG) else iri
        return {"iri": iri, "curie": short, "text": picked[0] if picked else short,
                "lang": picked[1] if picked else None, "href": href}


def graph_name(iri: str, base: str) -> str:
    """``briefing`` for ``B/graph/briefing``."""
    prefix = base + "/graph/"
    return iri[len(prefix):] if iri.startswith(prefix) else iri


def _statements(page: Page, rows: list[dict]) -> tuple[dict, dict, dict]:
    """Outgoing statements by property (values with their graphs), incoming by property, sources' pages."""
    out: dict[str, dict[tuple, dict]] = defaultdict(dict)
    incoming: dict[str, dict[tuple, dict]] = defaultdict(dict)
    source_pages: dict[str, str] = {}
    for row in rows:
        page.labels[row["p"]["value"]].add(row.get("pl"))
        if row["v"]["type"] == "uri":
            page.labels[row["v"]["value"]].add(row.get("vl"))
        if "page" in row:
            source_pages[row["v"]["value"]] = row["page"]["value"]
    for row in rows:
        target = out if row["dir"]["value"] == "out" else incoming
        v = row["v"]
        key = (v["type"], v["value"], v.get("xml:lang"), v.get("datatype"))
        entry = target[row["p"]["value"]].setdefault(key, {"binding": v, "graphs": set()})
        entry["graphs"].add(graph_name(row["g"]["value"], page.base))
    return out, incoming, source_pages


def _group(page: Page, out: dict) -> list[dict]:
    """The outgoing statements as ordered groups of properties, each value with its graphs."""
    grouped: dict[str, list] = defaultdict(list)
    for p, values in out.items():
        prop = page.prop(p)
        shown = [dict(page.term(e["binding"]), graphs=sorted(e["graphs"])) for e in values.values()]
        shown.sort(key=lambda t: (t.get("lang") not in (page.lang, None), t.get("lang") or "", t["text"]))
        grouped[_GROUP_OF.get(prop["curie"], "relations")].append({"prop": prop, "values": shown})
    result = []
    for name, title, _ in GROUPS:
        if grouped[name]:
            props = sorted(grouped[name],
                           key=lambda e: (_RANK.get(e["prop"]["curie"], 99), e["prop"]["text"]))
            result.append({"id": name, "title": title, "props": props})
    return result


def _incoming(page: Page, incoming: dict) -> list[dict]:
    """Who points here, by property (with labels), at most 200 per property."""
    result = []
    for p, values in sorted(incoming.items(), key=lambda e: page.prop(e[0])["text"]):
        terms = sorted((dict(page.term(e["binding"]), graphs=sorted(e["graphs"])) for e in values.values()),
                       key=lambda t: t["iri"])
        result.append({"prop": page.prop(p), "values": terms[:200], "more": max(0, len(terms) - 200)})
    return result


def _first(values: dict | None) -> str | None:
    return next(iter(values.values()))["binding"]["value"] if values else None


def _label_in(values: dict | None, lang: str) -> str:
    """The label in ``lang`` among a property's values (any label if none is in it)."""
    bindings = [v["binding"] for v in (values or {}).values()]
    chosen = next((b for b in bindings if b.get("xml:lang") == lang), bindings[0] if bindings else None)
    return chosen["value"] if chosen else ""


def _links_out(out: dict, source_pages: dict, page: Page) -> list[dict]:
    """e-Stat, the body's web site, its corporate-number page, the sources' pages."""
    links = []
    if sac := _first(out.get(SCKG + "standardAreaCode")):
        links.append({"href": sac, "code": sac.rsplit("/", 1)[-1],
                      "text": ("e-Stat 統計LOD 標準地域コード ", "e-Stat LOD, standard area code ")})
    if home := _first(out.get(PREFIXES["foaf"] + "homepage")):
        links.append({"href": home, "text": ("団体のウェブサイト ", "The body's web site "), "code": home})
    if number := _first(out.get(SCKG + "corporateNumber")):
        links.append({"href": NTA_PAGE.format(number), "text": ("国税庁 法人番号公表サイト ",
                                                                "National Tax Agency corporate number site "),
                      "code": number})
    for source in out.get(PREFIXES["dcterms"] + "source", {}).values():
        iri = source["binding"]["value"]
        if iri in source_pages:
            term = page.term(source["binding"])
            links.append({"href": source_pages[iri], "text": ("出典：", "Source: "), "title": term["text"],
                          "lang": term["lang"]})
    return links


def _items(page: Page, rows: list[dict]) -> dict[str, list[dict]]:
    """A local government's related items by kind, each as {iri, label, props: {curie: [values]}}."""
    for row in rows:
        if row["v"]["type"] == "uri":
            page.labels[row["v"]["value"]].add(row.get("vl"))
        if row["p"]["value"] == PREFIXES["rdfs"] + "label":
            page.labels[row["item"]["value"]].add(row["v"])
    items: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        iri = row["item"]["value"]
        item = items[row["kind"]["value"]].setdefault(iri, {"iri": iri, "props": defaultdict(list),
                                                            "graphs": defaultdict(set)})
        short = curie(row["p"]["value"])
        term = page.term(row["v"])
        if term not in item["props"][short]:
            item["props"][short].append(term)
        item["graphs"][short].add(graph_name(row["g"]["value"], page.base))
    result = {}
    for kind, by_iri in items.items():
        shown = []
        for iri, item in sorted(by_iri.items()):
            item["label"] = page.term({"type": "uri", "value": iri})
            item["curated"] = {p for p, gs in item["graphs"].items() if "curated" in gs}
            shown.append(item)
        result[kind] = shown
    return result


@bp.get("/page/class/<name>")
def class_page(name: str):
    """The members of ``sckg:<name>`` with their count, 100 per page."""
    if (cached := site.not_modified()) is not None:
        return cached
    if not re.fullmatch(r"[A-Z][A-Za-z]*", name):
        return not_found()
    cls = ox.NamedNode(SCKG + name)
    lang = site.language()
    page = Page(base_iri(), lang)
    info = site.select(q.CLASS_INFO, c=cls)
    if not info:
        return not_found()
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        return not_found()
    counts = site.select(q.CLASS_COUNT, c=cls)
    total = int(counts[0]["n"]["value"]) if counts else 0
    pages = max(1, -(-total // PAGE_SIZE))
    if not 1 <= number <= pages:
        return not_found()
    members_query = q.CLASS_MEMBERS.replace("{limit}", str(PAGE_SIZE)).replace("{offset}",
                                                                                str((number - 1) * PAGE_SIZE))
    rows = site.select(members_query, c=cls)
    for row in info:
        if row["v"]["type"] == "uri":
            page.labels[row["v"]["value"]].add(row.get("vl"))
        if row["p"]["value"] == PREFIXES["rdfs"] + "label":
            page.labels[SCKG + name].add(row["v"])
    for row in rows:
        page.labels[row["m"]["value"]].add(row.get("l"))
    members = [page.term(row["m"]) for row in {r["m"]["value"]: r for r in rows}.values()]
    about = defaultdict(list)
    for row in info:
        term = page.term(row["v"])
        if term not in about[curie(row["p"]["value"])]:
            about[curie(row["p"]["value"])].append(term)
    return site.render_page(
        "site/class.html", lang=lang, cls=page.term({"type": "uri", "value": SCKG + name}), name=name,
        about=about, total=total, members=members, number=number, pages=pages, page_size=PAGE_SIZE)


@bp.get("/page/<path:key>")
def resource_page(key: str):
    """The page of the resource ``B/id/<key>``: its statements grouped, incoming links, provenance."""
    if (cached := site.not_modified()) is not None:
        return cached
    base = base_iri()
    try:
        subject = ox.NamedNode(f"{base}/id/{key}")
    except ValueError:
        return not_found()
    lang = site.language()
    page = Page(base, lang)
    rows = site.select(q.STATEMENTS, s=subject)
    out, incoming, source_pages = _statements(page, rows)
    if not out:
        return not_found()
    iri = subject.value
    for value in out.get(PREFIXES["rdfs"] + "label", {}).values():
        page.labels[iri].add(value["binding"])
    types = [e["binding"]["value"] for e in out.get(RDF_TYPE, {}).values()]
    context: dict[str, Any] = {}
    if LOCAL_GOVERNMENT_CLASSES & set(types):
        context["items"] = _items(page, site.select(q.LOCAL_GOVERNMENT, s=subject))
        kind = next((t for t in KIND_CLASSES if t in types), None)
        context["kind"] = page.term({"type": "uri", "value": kind}) if kind else None
        coordinates = [_first(out.get(PREFIXES["geo"] + c)) for c in ("lat", "long")]
        context["coordinates"] = coordinates if all(coordinates) else None
        code = _first(out.get(SCKG + "localGovernmentCode"))
        located = context["coordinates"] and code  # a body the list gives no coordinates has no map
        context["locator_svg"] = landing.locator_map(code, *coordinates, label=_label_in(
            out.get(PREFIXES["rdfs"] + "label"), site.language())) if located else None
    if PREFIXES["skos"] + "ConceptScheme" in types:
        context["concepts"] = _concepts(page, site.select(q.SCHEME_CONCEPTS, s=subject))

    def values(short: str) -> list[dict]:
        full = PREFIXES[short.split(":")[0]] + short.split(":")[1]
        return [page.term(e["binding"]) for e in out.get(full, {}).values()]

    return site.render_page(
        "site/resource.html", lang=lang, key=key, iri=iri, me=page.term({"type": "uri", "value": iri}),
        reading=page.labels[iri].by_lang.get("ja-hrkt"),
        types=[page.term({"type": "uri", "value": t}) for t in types], groups=_group(page, out),
        incoming=_incoming(page, incoming), links_out=_links_out(out, source_pages, page),
        values=values, graph_names=GRAPH_NAMES, **context)


def _concepts(page: Page, rows: list[dict]) -> list[dict]:
    """A scheme's concepts as a tree (by skos:broader), each with how many statements use it."""
    concepts: dict[str, dict] = {}
    for row in rows:
        iri = row["c"]["value"]
        page.labels[iri].add(row.get("l"))
        entry = concepts.setdefault(iri, {"broader": set(), "uses": int(row["uses"]["value"])})
        if "broader" in row:
            entry["broader"].add(row["broader"]["value"])
    children: dict[str | None, list[str]] = defaultdict(list)
    for iri, entry in concepts.items():
        parents = [b for b in entry["broader"] if b in concepts] or [None]
        for parent in parents:
            children[parent].append(iri)

    def tree(parent: str | None, depth: int) -> list[dict]:
        nodes = []
        for iri in sorted(children.get(parent, []), key=lambda i: page.labels[i].pick(page.lang) or ("", "")):
            nodes.append({"term": page.term({"type": "uri", "value": iri}), "uses": concepts[iri]["uses"],
                          "children": tree(iri, depth + 1) if depth < 10 else []})
        return nodes

    return tree(None, 0)


def not_found():
    """404: the linked-data not-found page, with a search form and near matches."""
    return linked_data.not_found(request.path.removeprefix("/page/"))


@bp.app_template_filter("graph_label")
def graph_label(name: str) -> tuple[str, str]:
    """The reader's name of a named graph (ja, en)."""
    return GRAPH_NAMES.get(name, (name, name))
