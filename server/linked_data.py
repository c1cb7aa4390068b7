"""Linked data: every IRI we mint dereferences, the ontology, the dumps, the dataset description.

Routes (the URL layout of docs/architecture.md, "Linked data"):

- ``/id/<key>``: ``303 See Other`` to ``/page/<key>`` (HTML) or ``/data/<key>`` (RDF), chosen by
  ``Accept`` (``server/conneg.py``), with ``Vary: Accept`` and ``Link`` headers to the alternates
  and the licence; an unknown key is a ``404`` page with a search form and near matches.
- ``/data/<key>`` (by ``Accept``) and ``/data/<key>.ttl|.nt|.rdf|.jsonld``: the resource's
  description, DBpedia- and Pubby-style: its outgoing triples and its incoming links (the union of
  the named graphs), plus the ``rdfs:label`` of every resource it links to or is linked from, so a
  client can show names without another request. ETag per store version.
- ``/ontology``: 303 to ``/ontology.html`` (the reference page, anchors ``#Term``) or
  ``/ontology.ttl|.nt|.rdf|.jsonld`` (the graph ``<B>/graph/ontology`` of the store).
- ``/context.jsonld``: the JSON-LD context of every JSON-LD document we serve (prefixes only).
- ``/.well-known/void``: the store's void graph plus the DCAT distributions of the dumps, which
  are added here, at serve time, from the dumps' manifest (``kg/dumps.py``): the void graph is
  part of every dump, so it cannot hold the dumps' own byte sizes.
- ``/dumps/<file>``: the dumps of the store version being served, written once per version.
- ``/graph/<name>``: 303 to that graph's Turtle dump.

The public base ``B`` is the base IRI the store was loaded with (its ``base_iri`` in the version's
metadata, else ``kg.defaults.DEFAULT_BASE_IRI``): ``B/id/<key>`` is answered at ``/id/<key>`` on
whatever host this server runs, so a copy at http://127.0.0.1:8080 resolves every IRI locally.
The RDF keeps the public IRIs. The web process never imports rdflib: pyoxigraph serializes,
``kg/jsonld.py`` compacts JSON-LD.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import threading
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, request, send_file, url_for

from kg import dumps as kgdumps
from kg import jsonld
from kg.defaults import DEFAULT_BASE_IRI

from . import conneg
from .engine.query import QueryRequest
from .site import render_page, select

bp = Blueprint("linked_data", __name__)

ONTOLOGY_NS = jsonld.PREFIXES["sckg"]
ONTOLOGY_IRI = ONTOLOGY_NS.rstrip("#")
RDFS_LABEL = jsonld.PREFIXES["rdfs"] + "label"
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"

_lock = threading.Lock()
_per_version: dict[str, dict] = {}  # store version → what we computed once for it


# --- the store version and its public base -------------------------------------------------------

def _version_dir() -> Path:
    return current_app.extensions["kg_state"].version_dir()


def _memo(name: str, compute):
    """``compute()`` once per store version (the version the link points at now)."""
    version = current_app.extensions["kg_state"].version() or ""
    with _lock:
        cache = _per_version.setdefault(version, {})
        if len(_per_version) > 4:
            for old in list(_per_version)[:-2]:
                _per_version.pop(old, None)
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def base_iri() -> str:
    """The public base ``B`` of the data being served (no trailing slash)."""
    state = current_app.extensions["kg_state"]
    return _memo("base", lambda: str(state.base_iri() or DEFAULT_BASE_IRI).rstrip("/"))


def iri_of(key: str) -> str:
    """The IRI ``B/id/<key>`` that ``/id/<key>`` answers for."""
    return f"{base_iri()}/id/{key}"


def local_path(iri: str) -> str | None:
    """The path on this server that answers for ``iri`` (``B/id/x`` → ``/id/x``, an ontology term →
    ``/ontology#Term``), or None for an IRI that is not ours."""
    base = base_iri()
    if iri.startswith(ONTOLOGY_NS) or iri == ONTOLOGY_IRI:
        return "/ontology" + iri[len(ONTOLOGY_IRI):]
    for area in ("id", "graph", "dumps"):
        if iri.startswith(f"{base}/{area}/"):
            return "/" + iri[len(base) + 1:]
    return None


def license_iri() -> str:
    def read() -> str:
        rows = select("SELECT ?l WHERE { ?d a <http://rdfs.org/ns/void#Dataset> ; "
                      "<http://purl.org/dc/terms/license> ?l } ORDER BY ?l LIMIT 1")
        return rows[0]["l"]["value"] if rows else DEFAULT_LICENSE
    return _memo("license", read)


# --- queries -------------------------------------------------------------------------------------

def _triples(query: str, **substitutions) -> list[ox.Triple]:
    engine = current_app.extensions["kg_engine"]
    result = engine.execute(QueryRequest(query=query, format="ntriples",
                                         substitutions=tuple(substitutions.items())))
    return list(ox.parse(result.read(), format=ox.RdfFormat.N_TRIPLES))


def exists(iri: str) -> bool:
    """Whether the store has a triple with ``iri`` as subject (in any graph)."""
    return bool(select("SELECT ?r ?p WHERE { ?r ?p ?o } LIMIT 1", r=ox.NamedNode(iri)))


DESCRIBE = """
CONSTRUCT { ?r ?p ?o . ?o <http://www.w3.org/2000/01/rdf-schema#label> ?ol .
            ?s ?q ?r . ?s <http://www.w3.org/2000/01/rdf-schema#label> ?sl . }
WHERE {
  { ?r ?p ?o . OPTIONAL { FILTER(!isLiteral(?o)) ?o <http://www.w3.org/2000/01/rdf-schema#label> ?ol } }
  UNION
  { ?s ?q ?r . OPTIONAL { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?sl } }
}"""

GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def describe(iri: str) -> list[ox.Triple]:
    """What ``/data/…`` sends for ``iri``: its triples, its incoming links, their labels."""
    return sorted(set(_triples(DESCRIBE, r=ox.NamedNode(iri))), key=str)


def graph_triples(name: str) -> list[ox.Triple]:
    return sorted(_triples(GRAPH, g=ox.NamedNode(f"{base_iri()}/graph/{name}")), key=str)


# --- responses -----------------------------------------------------------------------------------

def _etag(*parts: str) -> str:
    version = current_app.extensions["kg_state"].version() or ""
    return hashlib.sha256("|".join((version, *parts)).encode()).hexdigest()[:32]


def serialize(triples: list[ox.Triple], key: str) -> bytes:
    """``triples`` in the representation ``key`` (Turtle and RDF/XML with our prefixes)."""
    if key == "jsonld":
        return jsonld.dumps(jsonld.compact(triples, url_for("linked_data.context", _external=True)))
    fmt = conneg.BY_KEY[key].rdf_format
    prefixes = None if fmt == ox.RdfFormat.N_TRIPLES else jsonld.PREFIXES
    return ox.serialize(triples, format=fmt, prefixes=prefixes)


def link_header(alternates: list[tuple[str, str]]) -> str:
    """The ``Link`` header of a resource with representations: its alternates and the licence."""
    links = [f'<{url}>; rel="alternate"; type="{media_type}"' for url, media_type in alternates]
    links.append(f'<{license_iri()}>; rel="license"')
    return ", ".join(links)


def alternates(path: str, html_path: str | None) -> list[tuple[str, str]]:
    """``(url, media type)`` of each RDF file of ``path`` (``path.ttl`` …), and its page if any."""
    found = [(f"{path}.{r.extension}", r.media_type) for r in conneg.RDF]
    if html_path:
        found.append((html_path, "text/html"))
    return found


def rdf_response(triples: list[ox.Triple], key: str, etag_parts: tuple[str, ...],
                 alternates: list[tuple[str, str]], vary: bool) -> Response:
    representation = conneg.BY_KEY[key]
    etag = _etag(*etag_parts, key)
    response = Response(status=200, mimetype=representation.media_type)
    if request.if_none_match.contains(etag):
        response.status_code = 304
    else:
        response.set_data(serialize(triples, key))
    if representation.media_type.startswith("text/"):  # JSON-LD is UTF-8 by definition, no charset
        response.mimetype_params["charset"] = "utf-8"
    response.set_etag(etag)
    response.headers["Cache-Control"] = current_app.config["CACHE_CONTROL"]
    response.headers["Link"] = link_header(alternates)
    if vary:
        response.vary.add("Accept")
    return response


def not_acceptable(offers) -> Response:
    body = "406 Not Acceptable: none of the media types in Accept is available here. Available:\n"
    response = Response(body + conneg.available(offers), status=406, mimetype="text/plain")
    response.vary.add("Accept")
    return response


def _split_extension(key: str) -> tuple[str, str | None]:
    stem, dot, extension = key.rpartition(".")
    if dot and extension in conneg.BY_EXTENSION and extension != "html":
        return stem, extension
    return key, None


# --- /id, /data ----------------------------------------------------------------------------------

@bp.get("/id/<path:key>")
def resource(key: str) -> Response:
    """303 to the page or the data of a resource, by Accept."""
    if not exists(iri_of(key)):
        return not_found(key)
    chosen = conneg.negotiate(request.headers.get("Accept"))
    if chosen is None:
        return not_acceptable((*conneg.RDF, conneg.HTML))
    data, page = f"/data/{key}", f"/page/{key}"
    response = redirect(page if chosen == "html" else data, 303)
    response.vary.add("Accept")
    response.headers["Link"] = link_header(alternates(data, page))
    response.headers["Cache-Control"] = current_app.config["CACHE_CONTROL"]
    return response


@bp.get("/data/<path:key>")
def data(key: str) -> Response:
    """The description of a resource as RDF, by extension or Accept."""
    stem, extension = (key, None) if exists(iri_of(key)) else _split_extension(key)
    if extension is not None and not exists(iri_of(stem)):
        return not_found(stem)
    if extension is None and stem == key and not exists(iri_of(key)):
        return not_found(key)
    if extension:
        chosen = conneg.BY_EXTENSION[extension].key
    else:
        chosen = conneg.negotiate(request.headers.get("Accept"), conneg.RDF)
        if chosen is None:
            return not_acceptable(conneg.RDF)
    return rdf_response(describe(iri_of(stem)), chosen, ("data", stem),
                        alternates(f"/data/{stem}", f"/page/{stem}"), vary=extension is None)


NEAR = """
SELECT ?r ?label ?prefix WHERE {
  ?r <http://www.w3.org/2000/01/rdf-schema#label> ?label .
  FILTER(STRSTARTS(STR(?r), STR(?prefix)) && (LANG(?label) = "ja" || LANG(?label) = "en"))
}"""


def _labelled(kind: str) -> dict[str, list[str]]:
    """Keys under ``B/id/<kind>`` with their ja and en labels (once per store version and kind)."""
    def read() -> dict[str, list[str]]:
        prefix = f"{base_iri()}/id/"
        keys: dict[str, list[str]] = {}
        for row in select(NEAR, prefix=ox.Literal(prefix + kind)):
            keys.setdefault(row["r"]["value"][len(prefix):], []).append(row["label"]["value"])
        return keys
    return _memo(f"labelled {kind}", read)


def near_matches(key: str, limit: int = 8) -> list[dict]:
    """Resources whose key or label is close to ``key``: of the same kind (the key's first
    segment) when that kind exists, else of any kind."""
    everything = _labelled("")
    kind = key.split("/", 1)[0] + "/"
    known = _memo("kinds", lambda: {k.split("/", 1)[0] + "/" for k in everything if "/" in k})
    keys = _labelled(kind) if "/" in key and kind in known else everything  # no cache entry per typo
    matchers = [difflib.SequenceMatcher(None, b=key.lower()),
                difflib.SequenceMatcher(None, b=key.rsplit("/", 1)[-1].lower())]

    def score(candidate: str) -> float:
        best = 0.0
        texts = {candidate.lower(), candidate.rsplit("/", 1)[-1].lower(), *map(str.lower, keys[candidate])}
        for text in texts:
            for matcher in matchers:  # as difflib.get_close_matches: the cheap bounds first
                matcher.set_seq1(text)
                if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                    best = max(best, matcher.ratio())
        return best

    scores = {candidate: score(candidate) for candidate in keys}
    ranked = sorted((c for c in scores if scores[c] >= 0.5), key=lambda c: (-scores[c], c))[:limit]
    return [{"key": c, "path": f"/id/{c}", "labels": sorted(set(keys[c])), "score": scores[c]}
            for c in ranked]


def not_found(key: str) -> Response:
    """404: a page with a search form and near matches (HTML whatever the Accept: it is an error)."""
    response = render_page("site/not_found.html", status=404, key=key, iri=iri_of(key),
                           matches=near_matches(key), query=key.rsplit("/", 1)[-1])
    response.vary.add("Accept")
    return response


# --- the ontology ---------------------------------------------------------------------------------

@bp.get("/ontology")
def ontology() -> Response:
    chosen = conneg.negotiate(request.headers.get("Accept"))
    if chosen is None:
        return not_acceptable((*conneg.RDF, conneg.HTML))
    response = redirect(f"/ontology.{conneg.BY_KEY[chosen].extension}", 303)
    response.vary.add("Accept")
    response.headers["Link"] = link_header(alternates("/ontology", "/ontology.html"))
    return response


@bp.get("/ontology.<extension>")
def ontology_file(extension: str) -> Response:
    representation = conneg.BY_EXTENSION.get(extension)
    if representation is None:
        abort(404)
    triples = _memo("ontology", lambda: graph_triples("ontology"))
    if representation.key == "html":
        return render_page("site/ontology.html", **ontology_terms(triples))
    return rdf_response(triples, representation.key, ("ontology",),
                        alternates("/ontology", "/ontology.html"), vary=False)


_TYPES = {
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2000/01/rdf-schema#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "property",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property": "property",
}


def _short(iri: str) -> str:
    for prefix, namespace in jsonld.PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def ontology_terms(triples: list[ox.Triple]) -> dict:
    """Classes and properties of the ontology with labels, definitions, domain, range, parents."""
    about: dict[str, dict[str, list]] = {}
    for t in triples:
        about.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
    rdfs, skos, rdf = jsonld.PREFIXES["rdfs"], jsonld.PREFIXES["skos"], jsonld.PREFIXES["rdf"]

    def text(values, lang):
        return " ".join(v.value for v in values if isinstance(v, ox.Literal) and v.language == lang)

    def links(values):
        return [{"iri": v.value, "short": _short(v.value),
                 "href": ("#" + v.value[len(ONTOLOGY_NS):]) if v.value.startswith(ONTOLOGY_NS) else v.value}
                for v in sorted(values, key=str) if isinstance(v, ox.NamedNode)]

    terms: dict[str, list] = {"class": [], "property": []}
    for iri, props in sorted(about.items()):
        if not iri.startswith(ONTOLOGY_NS):
            continue
        kinds = {_TYPES.get(v.value) for v in props.get(rdf + "type", [])} - {None}
        if not kinds:
            continue
        kind = "class" if "class" in kinds else "property"
        definitions = props.get(skos + "definition", []) + props.get(rdfs + "comment", [])
        terms[kind].append({
            "name": iri[len(ONTOLOGY_NS):], "iri": iri,
            "types": [_short(v.value) for v in props.get(rdf + "type", [])],
            "label_ja": text(props.get(rdfs + "label", []), "ja"),
            "label_en": text(props.get(rdfs + "label", []), "en"),
            "definition_ja": text(definitions, "ja"), "definition_en": text(definitions, "en"),
            "superclasses": links(props.get(rdfs + "subClassOf", [])),
            "superproperties": links(props.get(rdfs + "subPropertyOf", [])),
            "domain": links(props.get(rdfs + "domain", [])), "range": links(props.get(rdfs + "range", [])),
            "see_also": links(props.get(rdfs + "seeAlso", [])),
        })
    header = about.get(ONTOLOGY_IRI, {})
    dcterms = jsonld.PREFIXES["dcterms"]
    return {"classes": terms["class"], "properties": terms["property"], "namespace": ONTOLOGY_NS,
            "title_ja": text(header.get(dcterms + "title", []), "ja"),
            "title_en": text(header.get(dcterms + "title", []), "en"),
            "description_ja": text(header.get(dcterms + "description", []), "ja"),
            "description_en": text(header.get(dcterms + "description", []), "en"),
            "version": " ".join(v.value for v in header.get(jsonld.PREFIXES["owl"] + "versionInfo", []))}


# --- context, VoID, dumps, graphs -----------------------------------------------------------------

@bp.get("/context.jsonld")
def context() -> Response:
    body = json.dumps(jsonld.context(), indent=1, ensure_ascii=False).encode()
    response = Response(body, mimetype="application/ld+json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response.make_conditional(request)


def dumps() -> list[kgdumps.Dump]:
    """The dumps of the version being served (written now if the load did not write them)."""
    state = current_app.extensions["kg_state"]
    return _memo("dumps", lambda: kgdumps.ensure(_version_dir(), base_iri(), state.dump_source))


DCAT, VOID, DCT = jsonld.PREFIXES["dcat"], jsonld.PREFIXES["void"], jsonld.PREFIXES["dcterms"]
IANA = "https://www.iana.org/assignments/media-types/"
NON_NEGATIVE_INTEGER = ox.NamedNode(jsonld.PREFIXES["xsd"] + "nonNegativeInteger")


def distributions() -> list[ox.Triple]:
    """The DCAT distributions and ``void:dataDump`` of the dumps, under the public base."""
    base = base_iri()
    dataset = ox.NamedNode(f"{base}/id/dataset/smartcity-kg")
    triples = []
    for dump in dumps():
        url = ox.NamedNode(f"{base}/dumps/{dump.name}")
        node = ox.NamedNode(f"{base}/.well-known/void#dump-{dump.name}")
        add = lambda p, o, s=node: triples.append(ox.Triple(s, ox.NamedNode(p), o))  # noqa: E731
        add(DCAT + "distribution", node, dataset)
        add(VOID + "dataDump", url, dataset)
        add(jsonld.PREFIXES["rdf"] + "type", ox.NamedNode(DCAT + "Distribution"))
        add(DCAT + "downloadURL", url)
        add(DCAT + "accessURL", url)
        add(DCAT + "mediaType", ox.NamedNode(IANA + dump.media_type))
        if dump.encoding == "gzip":
            add(DCAT + "compressFormat", ox.NamedNode(IANA + "application/gzip"))
        add(DCAT + "byteSize", ox.Literal(str(dump.byte_size), datatype=NON_NEGATIVE_INTEGER))
        add(DCT + "title", ox.Literal(dump.title, language="en"))
        add(DCT + "license", ox.NamedNode(license_iri()))
        add("http://spdx.org/rdf/terms#checksum", ox.Literal(f"sha256:{dump.sha256}"))
        if dump.graph:
            add(DCT + "subject", ox.NamedNode(dump.graph))
    return triples


@bp.get("/.well-known/void")
def void() -> Response:
    """The VoID/DCAT description: the store's void graph plus the dumps as distributions."""
    chosen = conneg.negotiate(request.headers.get("Accept"), conneg.RDF)
    if chosen is None:
        return not_acceptable(conneg.RDF)
    triples = _memo("void", lambda: sorted(graph_triples("void") + distributions(), key=str))
    return rdf_response(triples, chosen, ("void",), [], vary=True)


@bp.get("/dumps/<name>")
def dump(name: str) -> Response:
    found = {d.name: d for d in dumps()}.get(name)
    if found is None:
        abort(404)
    path = kgdumps.directory(_version_dir()) / found.name
    mimetype = "application/gzip" if found.encoding == "gzip" else f"{found.media_type}; charset=utf-8"
    response = send_file(path, mimetype=mimetype, etag=found.etag, conditional=True, download_name=found.name,
                         max_age=None)
    response.headers["Cache-Control"] = current_app.config["CACHE_CONTROL"]
    response.headers["Link"] = f'<{license_iri()}>; rel="license"'
    return response


@bp.get("/graph/<name>")
def graph(name: str) -> Response:
    """A named graph's IRI: 303 to its Turtle dump."""
    file_name = kgdumps.graph_file_name(f"{base_iri()}/graph/{name}", base_iri())
    if file_name not in {d.name for d in dumps()}:
        abort(404)
    return redirect(f"/dumps/{quote(file_name)}", 303)
