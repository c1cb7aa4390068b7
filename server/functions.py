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
from .linked_data import not_acceptable, rdf_response
from .site import render_page

bp = Blueprint("functions", __name__)

_ALTERNATES = [(f"/function.{r.extension}", r.media_type) for r in conneg.RDF]


def _answer(key: str, vary: bool) -> Response:
    if key == "html":
        response = render_page("site/functions.html", functions=sparql_functions.CATALOGUE,
                               namespace=sparql_functions.NAMESPACE, prefix=sparql_functions.PREFIX,
                               alternates=_ALTERNATES)
        response.headers["Link"] = ", ".join(f'<{url}>; rel="alternate"; type="{media_type}"'
                                             for url, media_type in _ALTERNATES)
    else:
        response = rdf_response(sparql_functions.describe(), key, ("function",),
                                [*_ALTERNATES, ("/function.html", "text/html")], vary=vary)
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
