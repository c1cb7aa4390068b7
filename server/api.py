"""``/api``: the canned queries of ``queries/`` as a small web API, and its OpenAPI document.

``/api`` lists the queries (JSON, or HTML for browsers); ``/api/<name>?param=…`` runs one.
Request values are checked by their declared type (400 naming the parameter) and bound as RDF
terms through pyoxigraph's ``substitutions``, never pasted into the query text, so a value such
as ``"} ; DROP ALL #`` is only data. Execution, limits, caching, ETags and errors are those of
``/sparql`` (``sparql.run_query``).

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

import codecs
import json
import logging
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring as _json_str
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from werkzeug.datastructures import MIMEAccept

from loader.cells import is_lg_code

from . import errors, openapi
from .queries import DEFAULT_DIR, RESERVED, CannedQuery, Param, QueryFileError, load_folder
from .sparql import Transform, run_query

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_TEXT = 200  # characters of a text or label value
MAX_IRI = 2000
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_NUMBER = Decimal(10) ** 15
MAX_FRACTION_DIGITS = 18  # pyoxigraph's xsd:decimal precision
MAX_INTEGER = 10**18

ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_HTTP_IRI = re.compile(r"^https?://", re.IGNORECASE)
_YEAR = re.compile(r"(?:FY)?(?:(?P<western>[0-9]{4})|(?P<letter>[RH])(?P<n1>元|[0-9]{1,2})"
                   r"|(?P<era>令和|平成)(?P<n2>元|[0-9]{1,2}))(?:年度|年)?", re.IGNORECASE)
_ERA_START = {"R": 2018, "令和": 2018, "H": 1988, "平成": 1988}  # year n of the era = start + n
_ERA_LENGTH = {"R": None, "令和": None, "H": 31, "平成": 31}  # 平成31年度 = FY2019 is in common use
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


# --- parameters -------------------------------------------------------------------------------


def _bad(param: Param | str, message: str) -> errors.BadRequest:
    name = param if isinstance(param, str) else param.name
    return errors.BadRequest(f"parameter '{name}': {message}")


def _shown(value: str) -> str:
    """The value as echoed in an error message: quoted, cut to a readable length."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


def parse_fiscal_year(value: str) -> int | None:
    """The Western fiscal year of 2021, R3, 令和3年度, 令和元年度, H29, 平成29年度, FY2021; None otherwise.

    >>> [parse_fiscal_year(v) for v in ("2021", "R3", "令和3年度", "令和元年度", "H29", "ｈ３１", "R", "H32")]
    [2021, 2021, 2021, 2019, 2017, 2019, None, None]
    """
    match = _YEAR.fullmatch(unicodedata.normalize("NFKC", value).strip())
    if match is None:
        return None
    if match["western"]:
        return int(match["western"])
    era = (match["letter"] or match["era"]).upper()
    number = match["n1"] or match["n2"]
    n = 1 if number == "元" else int(number)
    if n < 1 or (_ERA_LENGTH[era] is not None and n > _ERA_LENGTH[era]):
        return None
    return _ERA_START[era] + n


def _text(param: Param, value: str, limit: int = MAX_TEXT) -> str:
    if param.normalize:
        value = unicodedata.normalize(param.normalize, value)
    if not value.strip():
        raise _bad(param, "must not be blank")
    if len(value) > limit:
        raise _bad(param, f"is longer than {limit} characters")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise _bad(param, "must not contain control characters")
    return value


def _iri(param: Param, value: str) -> ox.NamedNode:
    if len(value) > MAX_IRI:
        raise _bad(param, f"is longer than {MAX_IRI} characters")
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise _bad(param, f"{_shown(value)} is not a valid IRI") from None


def bind_value(param: Param, value: str) -> tuple[str, ox.NamedNode | ox.Literal]:
    """The (variable, term) that one request value binds, after checking it against the declared type.

    :raises BadRequest: naming the parameter, when the value does not fit its type.
    """
    kind = param.type
    if kind == "lgcode":
        code = unicodedata.normalize("NFKC", value).strip()
        if not is_lg_code(code):
            raise _bad(param, f"{_shown(value)} is not a local government code "
                              "(6 digits, the last a check digit, e.g. 372013)")
        return param.name, ox.Literal(code)
    if kind == "fiscal-year":
        year = parse_fiscal_year(value)
        if year is None:
            raise _bad(param, f"{_shown(value)} is not a fiscal year (e.g. 2021, R3, 令和3年度, H29)")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise _bad(param, f"fiscal year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
        return param.name, ox.Literal(year)
    if kind == "integer":
        text = unicodedata.normalize("NFKC", value).strip()
        if not _INTEGER.fullmatch(text) or abs(int(text)) > MAX_INTEGER:
            raise _bad(param, f"{_shown(value)} is not a whole number")
        return param.name, ox.Literal(int(text))
    if kind == "number":
        return param.name, _decimal(param, value)
    if kind == "choice":
        if value not in param.choices:
            raise _bad(param, f"{_shown(value)} is not one of {', '.join(param.choices)}")
        if reason := param.unsupported.get(value):
            raise _bad(param, f"{value} is not available: {reason['en']} / {reason['ja']}")
        return param.name, ox.Literal(value)
    if kind == "iri":
        if not _HTTP_IRI.match(value):
            raise _bad(param, f"{_shown(value)} is not an absolute http(s) IRI")
        return param.name, _iri(param, value)
    if kind == "iri-or-label":
        assert param.binds is not None
        if ABSOLUTE_IRI.match(value):
            return param.binds["iri"], _iri(param, value)
        return param.binds["label"], ox.Literal(_text(param, value))
    return param.name, ox.Literal(_text(param, value))  # text


def _decimal(param: Param, value: str) -> ox.Literal:
    text = unicodedata.normalize("NFKC", value).strip()
    try:
        number = Decimal(text) if _NUMBER.fullmatch(text) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _bad(param, f"{_shown(value)} is not a number")
    if abs(number) > MAX_NUMBER:
        raise _bad(param, f"{_shown(value)} is larger than {MAX_NUMBER:,} in magnitude")
    if number and number.as_tuple().exponent < -MAX_FRACTION_DIGITS:
        raise _bad(param, f"{_shown(value)} has more than {MAX_FRACTION_DIGITS} decimal places")
    return ox.Literal(format(number, "f"), datatype=ox.NamedNode(XSD + "decimal"))


def bind_arguments(query: CannedQuery, args: Mapping[str, list[str]]) -> tuple[tuple[str, object], ...]:
    """pyoxigraph substitutions for the request parameters ``args`` (name → values) of ``query``.

    Only parameters received are bound (an unbound variable matches anything); an empty value
    counts as absent, as an empty field of an HTML form does.

    :raises BadRequest: for an unknown or repeated parameter, a missing required one, a bad value.
    """
    known = {p.name for p in query.params}
    for name, values in args.items():
        if name in RESERVED:
            continue
        if name not in known:
            takes = ", ".join(sorted(known)) or "no parameters"
            raise _bad(name, f"unknown parameter; {query.name} takes: {takes}")
        if len(values) > 1:
            raise _bad(name, "must be given at most once")
    bound: list[tuple[str, object]] = []
    for param in query.params:
        value = (args.get(param.name) or [""])[0]
        if value == "":
            if param.required:
                raise _bad(param, f"missing; it is required ({param.description['en']})")
            continue
        bound.append(bind_value(param, value))
    return tuple(bound)


# --- output formats ---------------------------------------------------------------------------

SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
BOM = codecs.BOM_UTF8

_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def _number_token(value: str, datatype: str) -> str | None:
    """The JSON number for an xsd numeric literal, or None when it is not one (or not a valid one)."""
    try:
        if datatype in _INTEGER_TYPES:
            return str(int(value.strip()))
        if datatype == XSD + "decimal":
            number = Decimal(value.strip())
            if not number.is_finite():
                return None
            return str(int(number)) if number == number.to_integral_value() else format(number, "f")
        if datatype in (XSD + "double", XSD + "float"):
            number = float(value)
            return json.dumps(number) if number not in (float("inf"), float("-inf")) and number == number \
                else None
    except (ValueError, InvalidOperation):
        return None
    return None


def plain_token(term: Mapping | None) -> str:
    """The plain JSON value of one SPARQL JSON term.

    >>> plain_token({"type": "literal", "value": "100.0", "datatype": XSD + "decimal"})
    '100'
    >>> plain_token({"type": "literal", "value": "true", "datatype": XSD + "boolean"}), plain_token(None)
    ('true', 'null')
    >>> plain_token({"type": "literal", "value": "高松市", "xml:lang": "ja"})
    '"高松市"'
    """
    if term is None:
        return "null"
    kind, value = term.get("type"), term.get("value")
    if kind in ("literal", "typed-literal"):
        datatype = term.get("datatype")
        if datatype == XSD + "boolean" and value in ("true", "false", "1", "0"):
            return "true" if value in ("true", "1") else "false"
        if datatype and (token := _number_token(value, datatype)) is not None:
            return token
        return _json_str(value)
    if kind == "bnode":
        return _json_str("_:" + value)
    if kind == "triple":  # RDF 1.2 triple term: its three values, spaced
        parts = [value.get(k, {}).get("value", "") for k in ("subject", "predicate", "object")]
        return _json_str(" ".join(str(p) for p in parts))
    return _json_str(str(value))


class _SparqlJsonReader:
    """Reads SPARQL JSON results from byte chunks, one binding at a time (never the whole result)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False

    def _more(self) -> bool:
        if self._eof:
            return False
        chunk = next(self._chunks, None)
        if chunk is None:
            self._eof = True
            self._buf += self._text.decode(b"", final=True)
            return False
        if self._pos > 65536:  # drop what was read
            self._buf, self._pos = self._buf[self._pos:], 0
        self._buf += self._text.decode(chunk)
        return True

    def _peek(self) -> str:
        """The next non-blank character (not consumed); "" at the end."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise ValueError(f"malformed SPARQL JSON results: expected {char!r}")
        self._pos += 1

    def _value(self):
        self._peek()
        while True:
            try:
                value, self._pos = self._decoder.raw_decode(self._buf, self._pos)
                return value
            except json.JSONDecodeError:
                if not self._more():
                    raise ValueError("truncated SPARQL JSON results") from None

    def read(self) -> Iterator[tuple[str, object]]:
        """("vars", [names]) once, then ("row", {name: term}) per solution."""
        self._expect("{")
        while self._peek() != "}":
            key = self._value()
            self._expect(":")
            if key == "head":
                yield "vars", self._value().get("vars", [])
            elif key == "results":
                self._expect("{")
                while self._peek() != "}":
                    inner = self._value()
                    self._expect(":")
                    if inner == "bindings":
                        self._expect("[")
                        while self._peek() != "]":
                            yield "row", self._value()
                            if self._peek() == ",":
                                self._pos += 1
                        self._pos += 1
                    else:
                        self._value()
                    if self._peek() == ",":
                        self._pos += 1
                self._pos += 1
            else:
                self._value()
            if self._peek() == ",":
                self._pos += 1


def to_plain_json(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """SPARQL JSON results → ``[{column: plain value}]``, converted as the bytes arrive.

    >>> b"".join(to_plain_json([b'{"head":{"vars":["a","b"]},"results":{"bindings":[{"a":{"type":"uri",',
    ...     b'"value":"http://e/x"}},{"b":{"type":"literal","value":"7","datatype":"' + XSD.encode()
    ...     + b'integer"}}]}}'])).decode()
    '[{"a":"http://e/x","b":null},{"a":null,"b":7}]'
    """
    keys: list[tuple[str, str]] = []
    batch: list[str] = ["["]
    first = True
    for kind, item in _SparqlJsonReader(chunks).read():
        if kind == "vars":
            keys = [(name, _json_str(name) + ":") for name in item]
            continue
        row = "{" + ",".join(key + plain_token(item.get(name)) for name, key in keys) + "}"
        batch.append(row if first else "," + row)
        first = False
        if len(batch) >= 256:
            yield "".join(batch).encode()
            batch.clear()
    batch.append("]")
    yield "".join(batch).encode()


def _with_bom(chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield BOM
    yield from chunks


PLAIN_JSON = Transform("plain-json", "application/json", to_plain_json)
CSV_WITH_BOM = Transform("csv-bom", "text/csv; charset=utf-8", _with_bom)

#: Representation name → (media type asked of the engine, re-encoding of its output).
REPRESENTATIONS: dict[str, tuple[str, Transform | None]] = {
    "json": (SRJ, PLAIN_JSON),
    "srj": (SRJ, None),
    "xml": (SRX, None),
    "csv": (CSV, None),
    "csv-bom": (CSV, CSV_WITH_BOM),
    "tsv": (TSV, None),
}
#: ``format=`` values (full media types work too).
FORMAT_NAMES = {
    "json": "json", "application/json": "json",
    "srj": "srj", "sparql-json": "srj", SRJ: "srj",
    "xml": "xml", "srx": "xml", "sparql-xml": "xml", SRX: "xml", "application/xml": "xml",
    "csv": "csv", CSV: "csv", "tsv": "tsv", TSV: "tsv",
}
#: Accept types in order of preference (the first wins for ``*/*``).
_ACCEPT = {"application/json": "json", SRJ: "srj", SRX: "xml", "application/xml": "xml", CSV: "csv",
           TSV: "tsv"}


def _flag(name: str) -> bool:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise _bad(name, "must be given at most once")
    value = (values[0] if values else "").strip().lower()
    if value not in _TRUE | _FALSE:
        raise _bad(name, f"{_shown(value)} is not 1 or 0 (true or false)")
    return value in _TRUE


def choose_representation() -> str:
    """The representation asked for by ``format=`` (and ``bom=``), else by Accept.

    :raises NotAcceptable: when none of ours is acceptable.
    :raises BadRequest: for a repeated ``format`` or a ``bom`` that is not a yes/no value.
    """
    bom = _flag("bom")
    formats = request.args.getlist("format")
    if len(formats) > 1:
        raise _bad("format", "must be given at most once")
    if formats:
        name = FORMAT_NAMES.get(formats[0].strip().lower())
        if name is None:
            raise errors.NotAcceptable(f"format {_shown(formats[0])} is not available here; "
                                       "use one of json, srj, xml, csv, tsv")
    else:
        name = _negotiate(bom)
    return "csv-bom" if name == "csv" and bom else name


def _negotiate(bom: bool) -> str:
    """Accept negotiation on media types without their parameters (werkzeug would demand equal
    parameters), except ``charset=utf-8-sig`` on text/csv, which asks for the byte-order mark."""
    header = request.accept_mimetypes
    if not header:
        return "json"
    items = [(value.split(";", 1)[0].strip().lower(), value, q) for value, q in header]
    best = MIMEAccept([(base, q) for base, _, q in items]).best_match(list(_ACCEPT))
    if best is None:
        raise errors.NotAcceptable("cannot produce any of the accepted types; available: "
                                   + ", ".join(_ACCEPT) + " (text/csv;charset=utf-8-sig for Excel)")
    if best == CSV and any(base == CSV and q > 0 and "utf-8-sig" in value.lower().replace(" ", "")
                           for base, value, q in items):
        return "csv-bom"
    return _ACCEPT[best]


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
                            "formats": sorted(REPRESENTATIONS)})
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
    """Run one canned query with the request's parameters bound as RDF terms."""
    query = _queries().get(name)
    if query is None:
        raise errors.NotFound(f"no canned query '{name}'; see /api for the list")
    substitutions = bind_arguments(query, request.args.to_dict(flat=False))
    media_type, transform = REPRESENTATIONS[choose_representation()]
    response = run_query(query.text, media_type=media_type, substitutions=substitutions, transform=transform)
    if transform is CSV_WITH_BOM and response.status_code == 200:
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
                bind_arguments(query, args)
            except errors.BadRequest as exc:
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
