"""``/function``: what the SPARQL extension function IRIs (``sckgfn:``) dereference to.

``https://w3id.org/smartcity-kg/function#fiscalYear`` reaches ``/function`` (the fragment stays
in the browser): a page listing every function of ``kg.sparql_functions.CATALOGUE`` with an
anchor per function, or the same as RDF (``sd:Function`` with labels and comments), by
``Accept`` or by extension (``/function.ttl``), as ``/ontology`` is served.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from kg import sparql_functions

from . import conneg
from .linked_data import alternates, link_header, not_acceptable, rdf_response
from .site import render_page

bp = Blueprint("functions", __name__)

_ALTERNATES = alternates("/function", None)


def _answer(key: str, vary: bool) -> Response:
    if key == "html":
        response = render_page("site/functions.html", functions=sparql_functions.CATALOGUE,
                               namespace=sparql_functions.NAMESPACE, prefix=sparql_functions.PREFIX,
                               alternates=_ALTERNATES)
        response.headers["Link"] = link_header(_ALTERNATES)
    else:
        response = rdf_response(sparql_functions.describe(), key, ("function",),
                                alternates("/function", "/function.html"), vary=vary)
    return response


@bp.get("/function")
def functions() -> Response:
    """The functions' descriptions, as a page or RDF by ``Accept``."""
    chosen = conneg.negotiate(request.headers.get("Accept"))
    if chosen is None:
        return not_acceptable((*conneg.RDF, conneg.HTML))
    response = _answer(chosen, vary=True)
    response.vary.add("Accept")
    return response


@bp.get("/function.<extension>")
def functions_file(extension: str) -> Response:
    """The functions' descriptions in the representation an extension names."""
    representation = conneg.BY_EXTENSION.get(extension)
    if representation is None:
        abort(404)
    return _answer(representation.key, vary=False)
