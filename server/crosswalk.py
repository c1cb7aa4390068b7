"""``GET /api/crosswalk?id=…``: any identifier of a local government → all the others.

Accepts a six-digit local-government code, five digits without the check digit (or with a leading
zero lost in a spreadsheet), a corporate number, an e-Stat area-code IRI (or ``C37205``), our IRI
or page URL, or a name. Answers (JSON, or CSV with ``format=csv``):

- 200 the body: IRI, page, both codes, corporate number, e-Stat IRI, names, prefecture, kind and
  validity at the data's reference date with successors and predecessors;
- 400 a code or corporate number whose check digit is wrong, with ``suggestion`` (the corrected
  identifier) and ``suggestionUrl``;
- 300 Multiple Choices a name (or code) that names several bodies, with the ``candidates``;
  ``prefecture=`` narrows a name;
- 404 nothing has that identifier.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from . import errors, linkage_table
from . import gazetteer as gazetteer_module
from .linkage import EnrichError, json_error
from .linkage_match import AMBIGUOUS, MATCHED, resolve
from .linkage_table import KINDS, Body, Table

bp = Blueprint("crosswalk", __name__)

MAX_ID = 2000
#: The CSV columns (one row per body).
CSV_COLUMNS = ("iri", "page", "lgCode", "lgCode5", "corporateNumber", "estatIri", "nameJa", "nameKana",
               "nameEn", "prefecture", "prefectureName", "kind", "existsAtReferenceDate", "referenceDate",
               "founded", "dissolved", "successors", "predecessors")


def _one(name: str, required: bool = True) -> str:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise EnrichError(f"parameter {name} is repeated; send it once")
    if not values or not values[0].strip():
        if required:
            raise EnrichError(f"parameter {name} is required: a code, corporate number, e-Stat IRI, our IRI "
                              "or a name, e.g. /api/crosswalk?id=372056")
        return ""
    if len(values[0]) > MAX_ID:
        raise EnrichError(f"parameter {name} is longer than {MAX_ID} characters")
    return values[0].strip()


def _page(iri: str) -> str:
    """The URL of a body's page on this server (its IRI's ``/id/`` path, as ``/page/``)."""
    key = iri.split("/id/", 1)[1] if "/id/" in iri else iri
    return f"{request.host_url}page/{key}"


def _crosswalk_url(value: str) -> str:
    return f"{request.host_url}api/crosswalk?{urlencode({'id': value})}"


def _ref(table: Table, iri: str) -> dict:
    """A short description of a related body (a successor, a prefecture, a candidate)."""
    body = table.get(iri)
    if body is None:
        return {"iri": iri}
    return {"iri": iri, "lgCode": body.lg_code, "name": {k: v for k, v in body.names.items() if k != "kana"},
            "page": _page(iri), "crosswalk": _crosswalk_url(body.lg_code)}


def describe(body: Body, table: Table) -> dict:
    """Everything the crosswalk knows of ``body``."""
    ref = table.reference_date
    exists = (not body.dissolved or body.dissolved > ref) and (not body.founded or body.founded <= ref)
    kind = KINDS.get(body.kind, ("", ""))
    return {
        "iri": body.iri, "page": _page(body.iri), "lgCode": body.lg_code, "lgCode5": body.lg_code[:5],
        "corporateNumber": body.corporate_number or None, "estatIri": body.estat_iri or None,
        "names": {"ja": body.names.get("ja"), "kana": body.names.get("kana"), "en": body.names.get("en")},
        "prefecture": _ref(table, body.prefecture) if body.prefecture else None,
        "parent": _ref(table, body.parent) if body.parent else None,
        "kind": {"iri": body.kind or None, "ja": kind[0] or None, "en": kind[1] or None},
        "validity": {"referenceDate": ref or None, "existsAtReferenceDate": exists,
                     "founded": body.founded or None, "dissolved": body.dissolved or None},
        "successors": [_ref(table, s) for s in body.successors],
        "predecessors": [_ref(table, p) for p in body.predecessors],
    }


def _csv(described: dict) -> Response:
    d = described
    row = {"iri": d["iri"], "page": d["page"], "lgCode": d["lgCode"], "lgCode5": d["lgCode5"],
           "corporateNumber": d["corporateNumber"], "estatIri": d["estatIri"], "nameJa": d["names"]["ja"],
           "nameKana": d["names"]["kana"], "nameEn": d["names"]["en"],
           "prefecture": (d["prefecture"] or {}).get("iri"),
           "prefectureName": ((d["prefecture"] or {}).get("name") or {}).get("ja"), "kind": d["kind"]["iri"],
           "existsAtReferenceDate": str(d["validity"]["existsAtReferenceDate"]).lower(),
           "referenceDate": d["validity"]["referenceDate"], "founded": d["validity"]["founded"],
           "dissolved": d["validity"]["dissolved"],
           "successors": " ".join(s["iri"] for s in d["successors"]),
           "predecessors": " ".join(p["iri"] for p in d["predecessors"])}
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return Response(out.getvalue(), mimetype="text/csv", headers={"Content-Type": "text/csv; charset=utf-8"})


def _wants_csv() -> bool:
    fmt = request.args.get("format", "").lower()
    if fmt and fmt not in ("json", "csv"):
        raise EnrichError(f"format must be json or csv, not '{fmt}'")
    if fmt:
        return fmt == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    accept = request.accept_mimetypes
    return best == "text/csv" and accept["text/csv"] > accept["application/json"]


@bp.get("/api/crosswalk")
def crosswalk() -> Response:
    """The identifiers of the body ``id`` names (see the module's docstring for the statuses)."""
    try:
        wanted, prefecture, as_csv = _one("id"), _one("prefecture", required=False), _wants_csv()
        table = linkage_table.current()
        found = resolve(wanted, table, gazetteer_module.current(), prefecture or None)
        if found.identifier.error:
            suggestion = found.identifier.suggestion
            raise EnrichError(found.identifier.error, suggestion=suggestion,
                              suggestionUrl=_crosswalk_url(suggestion) if suggestion else None)
        if found.status == AMBIGUOUS:
            return _choices(wanted, found.candidates, table)
        if found.status != MATCHED:
            raise errors.NotFound(f"no local government has the identifier or name '{wanted}'"
                                  + (f" in prefecture '{prefecture}'" if prefecture else ""))
        described = {"query": wanted, "recognisedAs": found.identifier.kind, **describe(found.body, table)}
        response = _csv(described) if as_csv else jsonify(described)
        response.headers["Vary"] = "Accept"
        return response
    except (errors.KGError, HTTPException) as error:
        return json_error(error)


def _choices(wanted: str, candidates, table: Table) -> Response:
    """300 Multiple Choices: every body ``wanted`` may name, best first, each with its crosswalk URL."""
    listed = [{**_ref(table, body.iri), "score": score,
               "prefecture": table.name(body.prefecture) if body.prefecture else None}
              for body, score in candidates]
    response = jsonify({"status": 300, "error": f"'{wanted}' names {len(listed)} local governments; "
                        "choose one (its crosswalk URL), or narrow with prefecture=", "candidates": listed})
    response.status_code = 300
    return response
