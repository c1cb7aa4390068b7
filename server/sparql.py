"""``/sparql``: the query operation of the SPARQL 1.1 Protocol, read-only.

GET with ``query=``, POST as a form, POST as ``application/sparql-query``; ``default-graph-uri``
and ``named-graph-uri``; content negotiation on Accept or ``format=``; HTTP caching from the
store version. Without a query, the endpoint describes itself (SPARQL 1.1 Service Description).
"""

from __future__ import annotations

import functools
import hashlib

from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from kg import formats

from . import errors, workbench
from .cache import CachedResult
from .engine import QueryRequest
from .service_description import describe
from .sparql_text import QueryRejected, check

bp = Blueprint("sparql", __name__)

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
CHUNK = 64 * 1024

def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise errors.BadRequest(f"the '{name}' parameter must be given at most once")
    return values[0] if values else None


def parse_protocol_request() -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """The query and dataset of a protocol request; the query is None when none was sent.

    :raises BadRequest: for a repeated query, a query both in URL and body, or an update.
    :raises UnsupportedMediaType: for a POST body that is neither a form nor a query.
    """
    url = request.args
    if "update" in url or (request.method == "POST" and request.mimetype == FORM_TYPE
                           and "update" in request.form):
        raise errors.BadRequest("SPARQL Update is not allowed on this read-only endpoint")
    if request.method == "GET":
        params, query = url, _single(url.getlist("query"), "query")
    elif request.mimetype == FORM_TYPE:
        if "query" in url:
            raise errors.BadRequest("send the query either in the URL or in the body, not both")
        query = _single(request.form.getlist("query"), "query")
        if query is None:
            raise errors.BadRequest("a form POST must carry a 'query' parameter")
        params = _merged(request.form, url)
    elif request.mimetype == QUERY_TYPE:
        if "query" in url:
            raise errors.BadRequest("send the query either in the URL or in the body, not both")
        params = url
        try:
            query = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            raise errors.BadRequest("the query is not UTF-8") from None
    else:
        raise errors.UnsupportedMediaType(
            f"POST a query as {QUERY_TYPE} or {FORM_TYPE}, not {request.mimetype or 'an empty type'}")
    default = tuple(params.getlist("default-graph-uri"))
    named = tuple(params.getlist("named-graph-uri"))
    return query, default, named


def _merged(form, url):
    """Form fields plus dataset parameters given in the URL of a form POST (both count)."""
    merged = form.copy()
    for name in ("default-graph-uri", "named-graph-uri"):
        for value in url.getlist(name):
            merged.add(name, value)
    return merged


def choose_media_type(kind: str) -> str:
    """The result media type for ``kind`` from ``format=`` or Accept.

    :raises NotAcceptable: when nothing the client accepts can carry this kind of result.
    """
    wanted = request.args.getlist("format") + (request.form.getlist("format") if request.method == "POST"
                                                and request.mimetype == FORM_TYPE else [])
    return negotiate(kind, request.headers.get("Accept", ""), tuple(wanted))


@functools.lru_cache(maxsize=512)
def negotiate(kind: str, accept_header: str, wanted: tuple[str, ...]) -> str:
    """The media type for ``kind`` given a raw Accept header and ``format=`` values.

    A pure function of its arguments, memoized: clients send the same few headers again and
    again, and parsing them was a tenth of the cost of a cached answer.

    >>> negotiate("solutions", "text/csv;q=0.5, application/sparql-results+xml", ())
    'application/sparql-results+xml'
    >>> negotiate("graph", "*/*", ("nt",))
    'application/n-triples'

    :raises NotAcceptable: when nothing the client accepts can carry this kind of result.
    """
    offered = formats.media_types(kind)
    for name in wanted:  # clients such as SPARQLWrapper send several spellings: take the first we know
        if media_type := formats.resolve(formats.SPARQL_FORMAT_NAMES.get(name.lower(), name), kind):
            return media_type
    accept = parse_accept_header(accept_header, MIMEAccept)
    candidates = list(offered) + list(formats.ALIASES[kind])
    if wanted:  # an unusable format= falls back only on types the client names, not on "*/*"
        candidates = [c for c in candidates if any(value == c for value, _ in accept)]
        if not candidates:
            raise errors.NotAcceptable(f"format '{wanted[0]}' cannot carry this result; use one of "
                                       + ", ".join(offered))
    if not accept:
        return offered[0]
    best = accept.best_match(candidates)
    if best is None:
        raise errors.NotAcceptable("cannot produce any of the accepted types; available: "
                                   + ", ".join(offered))
    return formats.resolve(best, kind) or offered[0]


def _etag(version: str, key: tuple) -> str:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:20]
    return f'"{version}-{digest}"'


_ENDPOINT_URLS: dict[tuple, str] = {}


def _endpoint_url() -> str:
    """``request.base_url`` (relative IRIs in queries resolve against it), remembered per host and path.

    Computing it parses and re-encodes the URL: a few percent of a request's CPU, for a value that
    hardly ever changes. At most 256 spellings are kept (the Host header is the client's to choose).
    """
    environ = request.environ
    key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
           environ.get("SERVER_PORT"), environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"))
    url = _ENDPOINT_URLS.get(key)
    if url is None:
        url = request.base_url
        if len(_ENDPOINT_URLS) >= 256:
            _ENDPOINT_URLS.clear()
        _ENDPOINT_URLS[key] = url
    return url


def _snapshot():
    return current_app.extensions["kg_state"].snapshot()


def _not_modified(etag: str) -> bool:
    if request.method != "GET":
        return False
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag.strip('"'))
    since = request.if_modified_since
    return since is not None and _snapshot().created.replace(microsecond=0) <= since


def _headers(response: Response, etag: str, truncated: bool) -> Response:
    response.headers["Vary"] = "Accept"
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = _snapshot().http_date
    response.headers["Cache-Control"] = current_app.config["CACHE_CONTROL"]
    if truncated:
        response.headers["X-Result-Truncated"] = f"max-rows={current_app.config['MAX_ROWS']}"
    return response


def run_query(query: str, default: tuple[str, ...] = (), named: tuple[str, ...] = (),
              result_format: formats.ResultFormat | None = None) -> Response:
    """Check, cache-look-up, execute and answer one query (shared with the canned-query API).

    ``result_format`` is any entry of ``kg.formats`` (the API's plain JSON and CSV with BOM
    too: the query process writes them); None: negotiated from ``format=`` and Accept.

    :raises BadRequest: for a rejected or malformed query.
    :raises QueryTimeout: when it runs out of time.
    """
    config = current_app.config
    try:
        shape = check(query, max_depth=config["MAX_QUERY_DEPTH"], max_length=config["MAX_REQUEST_BYTES"],
                      service_allowlist=config["SERVICE_ALLOWLIST"])
    except QueryRejected as exc:
        raise errors.BadRequest(str(exc)) from None
    kind = formats.FORM_KINDS.get(shape.form)
    if kind is None:
        raise errors.BadRequest("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    fmt = result_format or formats.FORMATS[choose_media_type(kind)]
    engine = current_app.extensions["kg_engine"]
    version = engine.version
    key = (query, fmt.key, default, named)
    cache = current_app.extensions.get("kg_cache")
    hit = cache.get(version, key) if cache is not None else None
    etag = hit.etag if hit is not None else _etag(version, key)
    if _not_modified(etag):
        return _headers(Response(status=304), etag, False)
    if hit is not None:
        content_type = formats.BY_KEY[hit.format].content_type
        return _headers(Response(hit.body, content_type=content_type), etag, hit.truncated)
    result = engine.execute(QueryRequest(query, fmt.key, default, named, base_iri=_endpoint_url(),
                                         declares_dataset=shape.declares_dataset))
    if result.body is not None or (cache is not None and result.size <= config["CACHE_MAX_BYTES"]):
        body = result.read()
        if cache is not None and len(body) <= config["CACHE_MAX_BYTES"]:
            cache.put(version, key, CachedResult(result.format, body, result.truncated, etag))
        return _headers(Response(body, content_type=result.content_type), etag, result.truncated)
    response = Response(result.chunks(CHUNK), content_type=result.content_type)
    response.headers["Content-Length"] = str(result.size)
    return _headers(response, etag, result.truncated)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """The SPARQL 1.1 Protocol query operation (or the service description without a query)."""
    query, default, named = parse_protocol_request()
    if query is None:
        return service_description()
    return run_query(query, default, named)


def service_description() -> Response:
    """The endpoint's SPARQL 1.1 Service Description: HTML for browsers, RDF otherwise."""
    accept = request.accept_mimetypes
    offered = ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"]
    best = accept.best_match(offered) if accept else "text/turtle"
    # HTML only for clients that name it (browsers); "*/*" (curl) gets RDF.
    html = max((q for value, q in accept if value == "text/html"), default=0)
    if html and html >= (accept[best] if best else 0):
        best = "text/html"
    if best is None:
        raise errors.NotAcceptable("the service description is available as " + ", ".join(offered))
    endpoint = request.base_url
    if best == "text/html":
        response = workbench.page()  # the query workbench (YASGUI), for browsers
    else:
        body = describe(endpoint, best, current_app.config, _snapshot().graphs)
        response = Response(body, content_type=formats.FORMATS[best].content_type)
    response.headers["Vary"] = "Accept"
    return response
