"""``/reconcile``: the W3C Entity Reconciliation Service API (OpenRefine's protocol), 0.2 and 1.0-draft.

Routes, relative to ``/reconcile``:

- ``GET /``: the manifest (0.2 shape, JSONP with ``callback``); ``?version=1.0-draft`` or
  ``Accept: application/reconciliation.v1+json`` gives the 1.0-draft shape, whose ``suggest`` holds
  booleans where 0.2 holds service objects (one document cannot satisfy both schemas).
- ``GET|POST /`` with ``queries=`` (0.2: an object keyed ``q0``, ``q1``… → ``{"q0": {"result": […]}}``),
  ``query=`` (0.1: one query) or ``extend=`` (0.2 data extension, rows keyed by id).
- ``POST /`` or ``POST /match`` with a JSON body ``{"queries": […]}`` (1.0-draft → ``{"results": […]}``).
- ``GET /preview?id=``, ``GET /view?id=`` (303 to the resource page), ``GET /suggest/entity|type|property``,
  ``GET /extend/propose?type=``, ``POST /extend`` (1.0-draft data extension).

Matching: ``server/reconcile_match.py``; extension: ``reconcile_extend.py``; suggest:
``reconcile_suggest.py``; types and properties: ``reconcile_schema.py``. Bad input is a 400 naming
the query and the field; a batch over ``batchSize`` is a 413 (the protocol's choice), as is a body
over ``MAX_REQUEST_BYTES`` (``server/limits.py``).
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, current_app, redirect, render_template, request

from kg.jsonld import PREFIXES

from . import linked_data, site
from . import reconcile_extend as extension
from . import reconcile_suggest as suggest
from .errors import BadRequest, NotFound, PayloadTooLarge
from .gazetteer import current
from .reconcile_match import Matcher, parse
from .reconcile_schema import DEFAULT_TYPES, PROPERTIES, TYPES, TYPES_OF_ENTRY, type_for

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

#: Queries in one batch at most (the manifest's ``batchSize``); app config ``RECONCILE_MAX_QUERIES``.
MAX_QUERIES = 1000
PREVIEW_SIZE = (400, 180)
V1_MEDIA_TYPE = "application/reconciliation.v1+json"
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")


# --- responses ------------------------------------------------------------------------------------

def _json(data: object) -> Response:
    """JSON, or JSONP when a ``callback`` is given (OpenRefine reads 0.2 manifests that way)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    callback = request.args.get("callback")
    if callback is None:
        return Response(body, mimetype="application/json")
    if not _CALLBACK.fullmatch(callback) or len(callback) > 100:
        raise BadRequest("callback must be a JavaScript identifier (letters, digits, _, $ and dots)")
    return Response(f"/**/{callback}({body});", mimetype="application/javascript")


def _max_queries() -> int:
    return int(current_app.config.get("RECONCILE_MAX_QUERIES", MAX_QUERIES))


def _load(text: str, what: str) -> object:
    """Parse JSON sent by the client. :raises BadRequest: saying where it is broken."""
    try:
        return json.loads(text)
    except ValueError as error:
        raise BadRequest(f"{what} is not valid JSON: {error}") from None
    except RecursionError:
        raise BadRequest(f"{what} is nested too deeply") from None


def _check_size(n: int) -> None:
    if n > _max_queries():
        raise PayloadTooLarge(f"{n} queries in one batch; at most {_max_queries()} "
                              "(the manifest's batchSize)")


def _int_arg(name: str, default: int | None, maximum: int = 1000) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise BadRequest(f"{name} must be a non-negative integer")
    return min(int(raw), maximum)


# --- the manifest ---------------------------------------------------------------------------------

def manifest(version: str, lang: str) -> dict:
    """The service manifest; ``version`` "0.2" (service objects) or "1.0-draft" (booleans)."""
    root = request.url_root.rstrip("/") + bp.url_prefix
    out: dict = {
        "versions": ["0.2", "1.0-draft"],
        "name": "スマートシティ知識グラフ 照合サービス / smartcity-kg reconciliation",
        "identifierSpace": linked_data.base_iri() + "/id/",
        "schemaSpace": PREFIXES["sckg"],
        "documentation": request.url_root.rstrip("/") + "/openapi.json",
        "defaultTypes": [TYPES[t].json(lang) for t in DEFAULT_TYPES],
        "view": {"url": root + "/view?id={{id}}"},
        "preview": {"url": root + "/preview?id={{id}}", "width": PREVIEW_SIZE[0], "height": PREVIEW_SIZE[1]},
        "extend": {"propose_properties": {"service_url": root, "service_path": "/extend/propose"},
                   "property_settings": [], "proposeProperties": True, "propertySettings": []},
        "batchSize": _max_queries(),
        "standardizedScore": True,
        "lang": lang,
    }
    if version == "0.2":
        out["suggest"] = {kind: {"service_url": root, "service_path": f"/suggest/{kind}"}
                          for kind in ("entity", "type", "property")}
    else:
        out["suggest"] = {"entity": True, "type": True, "property": True}
    return out


def _wants_v1() -> bool:
    return request.args.get("version") == "1.0-draft" or \
        request.accept_mimetypes.best == V1_MEDIA_TYPE


# --- the endpoint ---------------------------------------------------------------------------------

@bp.route("", methods=["GET", "POST"], strict_slashes=False)
def endpoint() -> Response:
    """The manifest, or a 0.1/0.2 query or extension batch, or a 1.0-draft JSON batch."""
    if request.method == "POST" and request.mimetype == "application/json":
        return _json_batch()
    if (raw := request.values.get("queries")) is not None:
        return _json(_batch_v02(_load(raw, "queries")))
    if (raw := request.values.get("query")) is not None:
        single = _load(raw, "query") if raw.lstrip().startswith("{") else {"query": raw}
        return _json({"result": Matcher(current(), site.language()).run(parse(single, "query"))})
    if (raw := request.values.get("extend")) is not None:
        ids, props = extension.parse(_load(raw, "extend"))
        _check_size(len(ids))
        return _json(extension.extend(ids, props, site.language(), version="0.2"))
    if request.method == "POST":
        raise BadRequest("POST a form with queries= or extend=, or a JSON body {\"queries\": [...]}")
    return _json(manifest("1.0-draft" if _wants_v1() else "0.2", site.language()))


@bp.post("/match")
def match() -> Response:
    """The 1.0-draft match service: a JSON body ``{"queries": [...]}`` (a form with queries= too)."""
    if request.mimetype != "application/json" and (raw := request.values.get("queries")) is not None:
        return _json(_batch_v02(_load(raw, "queries")))
    return _json_batch()


def _json_batch() -> Response:
    body = _load(request.get_data(as_text=True), "the request body")
    queries = body.get("queries") if isinstance(body, dict) else None
    if isinstance(queries, dict):  # a 0.2 batch sent as JSON
        return _json(_batch_v02(queries))
    if not isinstance(queries, list):
        raise BadRequest('a JSON batch is {"queries": [query, ...]}')
    _check_size(len(queries))
    parsed = [parse(q, f"queries[{i}]") for i, q in enumerate(queries)]
    matcher = Matcher(current(), site.language())
    return _json({"results": [{"candidates": matcher.run(q)} for q in parsed]})


def _batch_v02(batch: object) -> dict:
    """A 0.2 batch ``{"q0": query, …}`` → ``{"q0": {"result": [...]}, …}``."""
    if not isinstance(batch, dict):
        raise BadRequest('queries is a JSON object of queries keyed by name: {"q0": {"query": ...}}')
    _check_size(len(batch))
    parsed = {key: parse(q, key) for key, q in batch.items()}
    matcher = Matcher(current(), site.language())
    return {key: {"result": matcher.run(q)} for key, q in parsed.items()}


# --- preview and view -----------------------------------------------------------------------------

def _entry(iri: str | None):
    if not iri:
        raise BadRequest("id is required: the IRI of an entity")
    entry = current().get(iri)
    if entry is None:
        raise NotFound(f"no entity with id {iri}")
    return entry


@bp.get("/preview")
def preview() -> Response:
    """A small HTML card of an entity: names, kind, prefecture, code, link to its page."""
    entry = _entry(request.args.get("id"))
    lang = site.language()
    props = [PROPERTIES[p] for p in ("kana", "kind", "lgCode", "prefecture", "corporateNumber")]
    values = extension.extend([entry.iri], props, lang, version="0.2")["rows"][entry.iri]
    first = {pid: (v[0].get("name") or v[0].get("str")) if v else None for pid, v in values.items()}
    path = linked_data.local_path(entry.iri) or ""
    page = path.replace("/id/", "/page/", 1) if path else entry.iri
    body = render_template("site/reconcile-preview.html", entry=entry, values=first, lang=lang,
                           width=PREVIEW_SIZE[0], height=PREVIEW_SIZE[1], page=page,
                           types=[t.name(lang) for t in TYPES_OF_ENTRY.get(entry.type, ())])
    response = Response(body, mimetype="text/html")
    response.headers["Content-Language"] = lang
    return response


@bp.get("/view")
def view() -> Response:
    """The entity's page on this server (the manifest's view template points here)."""
    iri = request.args.get("id") or ""
    path = linked_data.local_path(iri)
    if not iri or path is None:
        raise NotFound(f"{iri or 'id'} is not an IRI of this dataset")
    if path.startswith("/id/"):
        path = "/page/" + path[4:]
    elif path.startswith("/ontology#") and path[10:] in {t.rsplit("#", 1)[-1] for t in _CLASS_IRIS}:
        path = "/page/class/" + path[10:]
    return redirect(path, code=303)


_CLASS_IRIS = set(TYPES) | {PREFIXES["sckg"] + c for c in ("City", "DesignatedCity", "Town", "Village",
                                                          "SpecialWard")}


# --- suggest --------------------------------------------------------------------------------------

def _page() -> tuple[str, int, int]:
    prefix = request.args.get("prefix", "")
    offset = _int_arg("offset", None) if "offset" in request.args else _int_arg("cursor", 0)
    return prefix, offset or 0, _int_arg("limit", 10, maximum=100) or 10


@bp.get("/suggest/entity")
def suggest_entity() -> Response:
    """Entities whose name starts with ``prefix`` (``type`` narrows; ``cursor``/``offset``, ``limit``)."""
    prefix, offset, limit = _page()
    kinds = set(type_for(request.args["type"]).gazetteer) if request.args.get("type") else None
    g, lang = current(), site.language()
    matcher = Matcher(g, lang)
    found = suggest.entities(g, prefix, kinds, offset, limit)
    return _json({"result": [suggest.entity_result(e, matcher.name(e), matcher.description(e), lang)
                             for e in found]})


@bp.get("/suggest/type")
def suggest_type() -> Response:
    """Types whose name or ID starts with ``prefix``."""
    prefix, offset, limit = _page()
    return _json({"result": suggest.types(prefix, site.language())[offset:offset + limit]})


@bp.get("/suggest/property")
def suggest_property() -> Response:
    """Properties whose name or ID starts with ``prefix``."""
    prefix, offset, limit = _page()
    return _json({"result": suggest.properties(prefix, site.language())[offset:offset + limit]})


# --- data extension -------------------------------------------------------------------------------

@bp.get("/extend/propose")
def propose() -> Response:
    """The properties to propose for entities of ``type``."""
    if not request.args.get("type"):
        raise BadRequest("type is required: a type ID, e.g. " + DEFAULT_TYPES[0])
    rtype = type_for(request.args["type"])
    return _json(extension.propose(rtype.id, _int_arg("limit", None, maximum=100), site.language()))


@bp.post("/extend")
def extend() -> Response:
    """The 1.0-draft data extension: a JSON body ``{"ids": [...], "properties": [{"id": ...}]}``."""
    raw = request.values.get("extend") if request.mimetype != "application/json" else None
    text = raw if raw is not None else request.get_data(as_text=True)
    ids, props = extension.parse(_load(text, "the data extension query"))
    _check_size(len(ids))
    return _json(extension.extend(ids, props, site.language(), version="1.0-draft"))
