"""The ``/reconcile`` routes in the OpenAPI document (``server/openapi.py`` adds these paths).

Only the GET operations are listed, one per path (the document's checks expect that); the POST
forms of the same protocol (``POST /reconcile`` with a form or JSON body, ``POST /reconcile/match``,
``POST /reconcile/extend``) are described in the text and specified by the W3C Reconciliation
Service API, whose published JSON Schemas the responses follow.
"""

from __future__ import annotations

from collections.abc import Callable

SPEC = "https://reconciliation-api.github.io/specs/0.2/"

_LANG = {"name": "lang", "in": "query", "required": False, "description": "ja (default) or en",
         "schema": {"type": "string"}}
_CALLBACK = {"name": "callback", "in": "query", "required": False,
             "description": "JSONP: wrap the answer in a call of this JavaScript function",
             "schema": {"type": "string"}}
_JSON = {"application/json": {"schema": {"type": "object"}},
         "application/javascript": {"schema": {"type": "string"}}}
_RESULT = {"application/json": {"schema": {"type": "object", "required": ["result"],
                                           "properties": {"result": {"type": "array"}}}},
           "application/javascript": {"schema": {"type": "string"}}}


def _param(name: str, text: str, kind: str = "string", required: bool = False) -> dict:
    schema = {"type": "integer", "minimum": 0} if kind == "integer" else {"type": "string"}
    return {"name": name, "in": "query", "required": required, "description": text, "schema": schema}


def _suggest(what: str, errors: Callable[..., dict], extra: list[dict]) -> dict:
    return {"get": {
        "operationId": f"reconcileSuggest{what.capitalize()}", "tags": ["reconciliation"],
        "summary": f"Suggest {what}s by prefix / {what} の前方一致候補",
        "parameters": [_param("prefix", "what the user typed so far (empty: all)"), *extra,
                       _param("cursor", "suggestions to skip (0.2)", "integer"),
                       _param("offset", "suggestions to skip (1.0-draft)", "integer"),
                       _param("limit", "suggestions at most (default 10, at most 100)", "integer"),
                       _LANG, _CALLBACK],
        "responses": {"200": {"description": '{"result": [{"id", "name", …}]}', "content": _RESULT},
                      **errors(400)},
    }}


def paths(errors: Callable[..., dict]) -> dict[str, dict]:
    """The reconciliation service's GET operations, keyed by path; ``errors`` is openapi's helper."""
    return {
        "/reconcile": {"get": {
            "operationId": "reconcile", "tags": ["reconciliation"],
            "summary": "Reconciliation service (OpenRefine) / 照合サービス",
            "description": (
                f"The W3C Entity Reconciliation Service API, versions 0.2 and 1.0-draft ({SPEC}). "
                "Without parameters: the service manifest (0.2 shape; `version=1.0-draft` or `Accept: "
                "application/reconciliation.v1+json` for the 1.0-draft shape). With `queries`: a batch "
                "of 0.2 queries keyed q0, q1… (also as a POST form); with `extend`: a 0.2 data "
                "extension. `POST /reconcile` or `POST /reconcile/match` with a JSON body "
                '`{"queries": [...]}` answers 1.0-draft batches; `POST /reconcile/extend` 1.0-draft '
                "data extension. Types: sckg:Prefecture, Municipality, DesignatedCityWard, "
                "AdoptedProject, CityOS, SmartCityService. A batch over the manifest's batchSize is 413."),
            "parameters": [_param("queries", "0.2 query batch: a JSON object of queries"),
                           _param("query", "one query: a JSON object or a name"),
                           _param("extend", 'data extension: {"ids": [...], "properties": [{"id"}]}'),
                           _param("version", "1.0-draft for that manifest shape"), _LANG, _CALLBACK],
            "responses": {"200": {"description": "The manifest, or the answers.", "content": _JSON},
                          **errors(400, 413)},
        }},
        "/reconcile/suggest/entity": _suggest("entity", errors, [_param("type", "a type ID to narrow to")]),
        "/reconcile/suggest/type": _suggest("type", errors, []),
        "/reconcile/suggest/property": _suggest("property", errors, []),
        "/reconcile/extend/propose": {"get": {
            "operationId": "reconcileProposeProperties", "tags": ["reconciliation"],
            "summary": "Properties for data extension / データ拡張の候補プロパティ",
            "parameters": [_param("type", "a type ID", required=True),
                           _param("limit", "properties at most", "integer"), _LANG, _CALLBACK],
            "responses": {"200": {"description": '{"type", "properties": [{"id", "name"}]}',
                                  "content": _JSON}, **errors(400)},
        }},
        "/reconcile/preview": {"get": {
            "operationId": "reconcilePreview", "tags": ["reconciliation"],
            "summary": "HTML preview of an entity / エンティティのプレビュー",
            "parameters": [_param("id", "the entity's IRI", required=True), _LANG],
            "responses": {"200": {"description": "A small HTML card (the manifest's width × height).",
                                  "content": {"text/html": {"schema": {"type": "string"}}}},
                          **errors(400, 404)},
        }},
    }
