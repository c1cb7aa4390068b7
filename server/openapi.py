"""The OpenAPI 3.1 document of ``/api``, generated from the canned queries' headers.

Generated once at start from the same ``CannedQuery`` objects that the API serves, so the
document cannot drift from the endpoints: a new ``.rq`` file appears here with its parameters
(typed JSON schemas), columns (the plain-JSON row schema) and examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import metadata

from kg import fiscal, formats

from . import reconcile_openapi
from .linkage_openapi import paths as linkage_paths
from .queries import CannedQuery, Param

#: Output formats of a canned query, by ``format=`` name, and what each is.
FORMATS = {name: (f"{f.title} ({f.media_type})" if f.iri else f.title + " (default)")
           for name, f in formats.API_FORMATS.items()}

OPENAPI_VERSION = "3.1.0"

_PARAM_TYPE_TEXT = {
    "iri": "an absolute http(s) IRI",
    "iri-or-label": "an absolute IRI, or else a label (at most 200 characters)",
    "lgcode": "a local government code: 6 digits, the last a check digit",
    "fiscal-year": f"a fiscal year, {fiscal.RANGE.start}–{fiscal.RANGE.stop - 1}: Western year or era label "
                   f"({fiscal.EXAMPLES})",
    "integer": "a whole number",
    "number": "a decimal number (exponent allowed), at most 10^15 in magnitude",
    "text": "non-blank text, at most 200 characters",
    "choice": "one of the listed values",
}

_ERROR = {"$ref": "#/components/schemas/Error"}


def param_schema(param: Param) -> dict:
    """The JSON schema of one parameter's value (as sent in the query string)."""
    kind = param.type
    if kind == "lgcode":
        return {"type": "string", "pattern": "^[0-9]{6}$"}
    if kind == "fiscal-year":
        return {"type": "string", "pattern": fiscal.PATTERN}
    if kind == "integer":
        return {"type": "integer", "minimum": -(10**18), "maximum": 10**18}
    if kind == "number":
        return {"type": "number", "minimum": -(10**15), "maximum": 10**15}
    if kind == "choice":
        return {"type": "string", "enum": list(param.choices)}
    if kind == "iri":
        return {"type": "string", "pattern": "^https?://", "maxLength": 2000}
    if kind == "iri-or-label":
        return {"type": "string", "minLength": 1, "maxLength": 2000}
    return {"type": "string", "minLength": 1, "maxLength": 200}


def describe_param(param: Param) -> dict:
    """A parameter as the ``/api`` listing shows it."""
    described = {"name": param.name, "type": param.type, "required": param.required,
                 "description": dict(param.description), "example": param.example,
                 "accepts": _PARAM_TYPE_TEXT[param.type]}
    if param.choices:
        described["choices"] = list(param.choices)
    if param.unsupported:
        described["unsupported"] = {k: dict(v) for k, v in param.unsupported.items()}
    if param.normalize:
        described["normalize"] = param.normalize
    return described


def _parameter(param: Param) -> dict:
    text = f"{param.description['en']}\n\n{param.description['ja']}\n\nValue: {_PARAM_TYPE_TEXT[param.type]}."
    for value, reason in param.unsupported.items():
        text += f"\n\n`{value}` answers 400: {reason['en']} / {reason['ja']}"
    if param.normalize:
        text += f"\n\nThe server applies Unicode {param.normalize} normalisation before binding."
    return {"name": param.name, "in": "query", "required": param.required, "description": text,
            "schema": param_schema(param), "example": str(param.example)}


_CONTROL_PARAMETERS = [
    {"name": "format", "in": "query", "required": False,
     "description": "Output format (overrides Accept): "
                    + "; ".join(f"`{k}`: {v}" for k, v in FORMATS.items()),
     "schema": {"type": "string", "enum": list(FORMATS)}},
    {"name": "bom", "in": "query", "required": False,
     "description": "With CSV: start with a UTF-8 byte-order mark so that Excel shows Japanese text "
                    "correctly (also `Accept: text/csv;charset=utf-8-sig`). Ignored by other formats.",
     "schema": {"type": "boolean"}},
]


def _errors(*statuses: int) -> dict:
    texts = {400: "A parameter is missing, unknown, repeated or does not fit its type (the message "
                  "names it); or the query could not be evaluated.",
             404: "No such resource.",
             406: "None of the accepted media types can be produced.",
             413: "The request is too large.",
             503: "The query ran out of time, or the engine is busy or unavailable."}
    return {str(s): {"description": texts[s], "content": {"text/plain": {"schema": {"type": "string"}},
                                                          "application/json": {"schema": _ERROR}}}
            for s in statuses}


def _operation(query: CannedQuery) -> dict:
    row = {"type": "object",
           "properties": {c: {"type": ["string", "number", "boolean", "null"]} for c in query.columns},
           "required": list(query.columns), "additionalProperties": False}
    success = {
        "description": "The answer, one row per solution. Columns: " + ", ".join(query.columns) + ".",
        "headers": {
            "ETag": {"description": "Store version and request; send it back in If-None-Match.",
                     "schema": {"type": "string"}},
            "X-Result-Truncated": {"description": "Present when the row limit cut the answer.",
                                   "schema": {"type": "string"}},
        },
        "content": {
            "application/json": {"schema": {"type": "array", "items": row}},
            "application/sparql-results+json": {"schema": {"$ref": "#/components/schemas/SparqlResults"}},
            "application/sparql-results+xml": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
            "text/tab-separated-values": {"schema": {"type": "string"}},
        },
    }
    return {
        "operationId": _operation_id(query.name),
        "tags": ["queries"],
        "summary": f"{query.title['en']} / {query.title['ja']}",
        "description": f"{query.description['en']}\n\n{query.description['ja']}",
        "parameters": [_parameter(p) for p in query.params] + _CONTROL_PARAMETERS,
        "responses": {"200": success, "304": {"description": "Not modified since the ETag sent."},
                      **_errors(400, 406, 413, 503)},
        "x-columns": list(query.columns),
        "x-examples": list(query.examples),
        "x-source": f"queries/{query.path.name}",
    }


def _operation_id(name: str) -> str:
    """``city-os-sharing`` → ``cityOsSharing``."""
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _version() -> str:
    try:
        return metadata.version("smartcity-kg")
    except metadata.PackageNotFoundError:
        return "0"


def document(queries: Mapping[str, CannedQuery]) -> dict:
    """The OpenAPI 3.1 document for ``queries`` (plus the listing and the document's own pages)."""
    paths: dict[str, dict] = {
        "/api": {"get": {
            "operationId": "listQueries", "tags": ["discovery"],
            "summary": "The canned queries / 定型クエリの一覧",
            "description": "Every canned query with its parameters, columns and example calls. "
                           "Browsers (Accept: text/html) get an HTML page with a form per query.",
            "parameters": [{"name": "format", "in": "query", "required": False,
                            "description": "json or html (overrides Accept)",
                            "schema": {"type": "string", "enum": ["json", "html"]}}],
            "responses": {"200": {"description": "The list.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/QueryList"}},
                "text/html": {"schema": {"type": "string"}}}}, **_errors(406)},
        }},
        "/api/docs": {"get": {
            "operationId": "apiDocs", "tags": ["discovery"], "summary": "This document as an HTML page",
            "responses": {"200": {"description": "The page (self-contained, works offline).",
                                  "content": {"text/html": {"schema": {"type": "string"}}}}},
        }},
        "/openapi.json": {"get": {
            "operationId": "openapi", "tags": ["discovery"], "summary": "This document",
            "responses": {"200": {"description": "The OpenAPI 3.1 document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
    }
    for query in queries.values():
        paths[f"/api/{query.name}"] = {"get": _operation(query)}
    paths.update(linkage_paths())  # issue 11: /api/crosswalk, /api/enrich (server/linkage_openapi.py)
    paths.update(reconcile_openapi.paths(_errors))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "smartcity-kg canned queries",
            "version": _version(),
            "description": (
                "Ready-made questions to the smart-city knowledge graph, one endpoint per file of "
                "`queries/`. Parameters are checked by type (400 naming the parameter) and bound as RDF "
                "terms, never pasted into the query. Output: plain JSON by default (`Accept: "
                "application/json`, `format=json`), SPARQL JSON/XML, CSV (UTF-8; `bom=1` or `Accept: "
                "text/csv;charset=utf-8-sig` for Excel) and TSV. Fiscal years are accepted as 2021, R3, "
                "令和3年度 or H29 and returned both as the Western year and as era labels "
                "(`…Era`: R3, `…Ja`: 令和3年度). Limits, caching (ETag, 304) and errors are those of "
                "`/sparql`.\n\n"
                "スマートシティ知識グラフへの定型クエリ。パラメータは型で検査し"
                "（不正なら 400、パラメータ名を示す）、RDF の項としてバインドする"
                "（クエリ文字列には埋め込まない）。出力は既定でプレーンな JSON、"
                "ほかに SPARQL JSON/XML、CSV（Excel 用には bom=1）、TSV。"
                "年度は 2021・R3・令和3年度・H29 のいずれでも指定でき、"
                "結果には西暦と和暦の両方を返す。"
            ),
        },
        "tags": [{"name": "queries", "description": "Canned queries (queries/*.rq)"},
                 {"name": "discovery", "description": "What the API offers"},
                 {"name": "reconciliation", "description": "The reconciliation service (/reconcile)"}],
        "paths": paths,
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["status", "error"],
                      "properties": {"status": {"type": "integer"}, "error": {"type": "string"}}},
            "SparqlResults": {"type": "object", "required": ["head"],
                              "properties": {"head": {"type": "object"}, "results": {"type": "object"},
                                             "boolean": {"type": "boolean"}}},
            "QueryList": {"type": "object", "required": ["queries"], "properties": {
                "queries": {"type": "array", "items": {"type": "object", "required": ["name", "url"]}},
                "openapi": {"type": "string"}, "docs": {"type": "string"},
                "formats": {"type": "array", "items": {"type": "string"}}}},
        }},
    }
