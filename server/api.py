"""``/api``: the canned queries of ``queries/`` as a small web API, and its OpenAPI document.

``/api`` lists the queries (JSON, or HTML for browsers); ``/api/<name>?param=…`` runs one.
Request values are checked by their declared type (400 naming the parameter), turned into RDF
terms, and written into the query as those terms in SPARQL syntax by pyoxigraph's serializer
(``engine.substitute``, SEP-0007 semantics), never as request text, so a value such as
``"} ; DROP ALL #`` is only data. Both engines get the same text, and a value reaches every
sub-SELECT, also one that does not project its variable, which pyoxigraph's own ``substitutions``
leave unbound: with those, ``municipality`` and ``cost-share`` aggregated every body, not the one
asked for (benchmarks/results-scale.md). Execution, limits, caching, ETags and errors are those
of ``/sparql`` (``sparql.run_query``).

Output formats (``format=`` wins over Accept):

* plain JSON, the default (``format=json``, ``Accept: application/json`` or ``*/*``): an array
  of objects, one key per column; xsd numbers as JSON numbers, booleans as booleans, IRIs and
  other literals as strings, unbound as null;
* SPARQL results JSON / XML (``format=srj`` / ``xml``), TSV (``format=tsv``);
* CSV (``format=csv``); for Excel, CSV with a UTF-8 byte-order mark, chosen with ``bom=1``
  or ``Accept: text/csv;charset=utf-8-sig`` (Excel reads BOM-less UTF-8 as Shift_JIS).

Fiscal years are accepted as the Western year or an era label (2021, R3, 令和3年度, H29) and bound
as the Western year; the queries return both forms.
"""

from __future__ import annotations

import logging
import urllib.parse
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from werkzeug.datastructures import MIMEAccept

from kg import formats
from kg.formats import ResultFormat

from . import errors, openapi
from .engine.substitute import substitute
from .params import FALSE_VALUES, TRUE_VALUES, bad_param, bind_arguments, bind_value, shown
from .queries import DEFAULT_DIR, CannedQuery, QueryFileError, load_folder
from .sparql import run_query

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__)

#: The formats of /api by ``format=`` name (kg.formats), the default (plain JSON) first.
API_FORMATS: dict[str, ResultFormat] = dict(sorted(formats.API_FORMATS.items(),
                                                   key=lambda item: item[0] != "json"))
CSV_BOM = formats.BY_KEY["csv-bom"]
_SPELLINGS = {"sparql-json": "srj", "srx": "xml", "sparql-xml": "xml", "application/xml": "xml"}
#: ``format=`` values: the names, the media types, and spellings other clients use.
FORMAT_NAMES: dict[str, str] = {**{name: name for name in API_FORMATS},
                                **{f.media_type: name for name, f in API_FORMATS.items()}, **_SPELLINGS}


def _accept_types() -> dict[str, str]:
    """Accept media type → ``format=`` name, in order of preference (the first wins for ``*/*``):
    each format's own type, then the generic aliases kg.formats resolves to it (application/xml)."""
    table: dict[str, str] = {}
    for name, fmt in API_FORMATS.items():
        table[fmt.media_type] = name
        for alias, target in formats.ALIASES[formats.SOLUTIONS].items():
            if target == fmt.media_type and all(f.media_type != alias for f in API_FORMATS.values()):
                table[alias] = name
    return table


_ACCEPT = _accept_types()


def _flag(name: str) -> bool:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise bad_param(name, "must be given at most once")
    value = (values[0] if values else "").strip().lower()
    if value not in TRUE_VALUES | FALSE_VALUES:
        raise bad_param(name, f"{shown(value)} is not 1 or 0 (true or false)")
    return value in TRUE_VALUES


def choose_format() -> ResultFormat:
    """The format asked for by ``format=`` (and ``bom=``), else by Accept.

    :raises NotAcceptable: when none of ours is acceptable.
    :raises BadRequest: for a repeated ``format`` or a ``bom`` that is not a yes/no value.
    """
    bom = _flag("bom")
    wanted = request.args.getlist("format")
    if len(wanted) > 1:
        raise bad_param("format", "must be given at most once")
    if wanted:
        name = FORMAT_NAMES.get(wanted[0].strip().lower())
        if name is None:
            raise errors.NotAcceptable(f"format {shown(wanted[0])} is not available here; "
                                       "use one of " + ", ".join(API_FORMATS))
    else:
        name, sig = _negotiate()
        bom = bom or sig
    return formats.by_api_name(name, bom)


def _negotiate() -> tuple[str, bool]:
    """The ``format=`` name Accept asks for, and whether it asks for CSV with a byte-order mark.

    Negotiation is on media types without their parameters (werkzeug would demand equal
    parameters), except ``charset=utf-8-sig`` on text/csv, which asks for the byte-order mark.
    """
    header = request.accept_mimetypes
    if not header:
        return "json", False
    items = [(value.split(";", 1)[0].strip().lower(), value, q) for value, q in header]
    best = MIMEAccept([(base, q) for base, _, q in items]).best_match(list(_ACCEPT))
    if best is None:
        raise errors.NotAcceptable("cannot produce any of the accepted types; available: "
                                   + ", ".join(_ACCEPT) + " (text/csv;charset=utf-8-sig for Excel)")
    csv = CSV_BOM.media_type
    sig = best == csv and any(base == csv and q > 0 and "utf-8-sig" in value.lower().replace(" ", "")
                              for base, value, q in items)
    return _ACCEPT[best], sig


# --- routes -----------------------------------------------------------------------------------


def _queries() -> dict[str, CannedQuery]:
    return current_app.extensions["kg_queries"]


def _wants_html() -> bool:
    """HTML only for clients that name it at least as high as JSON (browsers); curl gets JSON."""
    fmt = request.args.get("format", "").lower()
    if fmt in ("html", "json"):
        return fmt == "html"
    accept = request.accept_mimetypes
    html = max((q for value, q in accept if value.split(";")[0].strip() == "text/html"), default=0)
    return bool(html) and html >= accept["application/json"]


@bp.get("/api")
def index() -> Response:
    """The list of canned queries: JSON, or an HTML page with a form per query."""
    listing = [_describe(q) for q in _queries().values()]
    if _wants_html():
        response = Response(render_template("api.html", queries=listing), mimetype="text/html")
    else:
        response = jsonify({"queries": listing, "openapi": "/openapi.json", "docs": "/api/docs",
                            "formats": sorted([*API_FORMATS, CSV_BOM.key])})
    response.headers["Vary"] = "Accept"
    return response


def _describe(query: CannedQuery) -> dict:
    return {
        "name": query.name,
        "url": f"/api/{query.name}",
        "title": dict(query.title),
        "description": dict(query.description),
        "params": [openapi.describe_param(p) for p in query.params],
        "columns": list(query.columns),
        "examples": list(query.examples),
    }


@bp.get("/api/docs")
def docs() -> Response:
    """The OpenAPI document as a self-contained HTML page (no CDN: it works offline)."""
    return Response(render_template("api_docs.html", doc=current_app.extensions["kg_openapi"]),
                    mimetype="text/html")


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 document of the API, generated from the query headers at start."""
    response = jsonify(current_app.extensions["kg_openapi"])
    response.headers["Cache-Control"] = current_app.config["CACHE_CONTROL"]
    return response


@bp.get("/api/<name>")
def run(name: str) -> Response:
    """Run one canned query with the request's parameters written into it as RDF terms."""
    query = _queries().get(name)
    if query is None:
        raise errors.NotFound(f"no canned query '{name}'; see /api for the list")
    substitutions = bind_arguments(query, request.args.to_dict(flat=False))
    fmt = choose_format()
    response = run_query(substitute(query.text, dict(substitutions)), result_format=fmt)
    if fmt.bom and response.status_code == 200:
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


# --- set-up -----------------------------------------------------------------------------------


def load(folder: Path) -> dict[str, CannedQuery]:
    """The canned queries of ``folder``, their parameter examples and example URLs checked too.

    :raises QueryFileError: naming the file, for anything that would fail at request time.
    """
    found = load_folder(folder)
    for query in found.values():
        for param in query.params:
            try:
                bind_value(param, str(param.example))
            except errors.BadRequest as exc:
                raise QueryFileError(f"{query.path}: the example does not fit: {exc.message}") from None
        for example in query.examples:
            args: dict[str, list[str]] = {}
            for key, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(example).query,
                                                     keep_blank_values=True):
                args.setdefault(key, []).append(value)
            try:
                substitute(query.text, dict(bind_arguments(query, args)))
            except errors.BadRequest as exc:  # a bad value, or a form no value can be written into
                raise QueryFileError(f"{query.path}: example {example}: {exc.message}") from None
    return found


def init_app(app: Flask) -> None:
    """Read the canned queries (``QUERIES_DIR``, default ``queries/``) and serve them.

    :raises QueryFileError: for a file that cannot be served; the server must not start then.
    """
    folder = Path(app.config.get("QUERIES_DIR") or DEFAULT_DIR)
    found = load(folder)
    log.info("%d canned queries from %s", len(found), folder)
    app.extensions["kg_queries"] = found
    app.extensions["kg_openapi"] = openapi.document(found)
    app.register_blueprint(bp)
