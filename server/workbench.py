"""The query workbench: what a browser gets at ``/sparql`` without a query (YASGUI, vendored).

The page is rendered here and filled in by ``static/workbench.js`` in the browser: YASGUI's
editor and results, sent to this server's own ``/sparql`` (so machine clients see no change), our
prefixes, the canned queries of ``queries/`` as examples, and result views of our own (labels in
the table, a map, a bar chart, downloads in every format). Without JavaScript the page is a plain
form that sends the query to ``/sparql``. Nothing is fetched from anywhere but this server.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from flask import current_app, request

from kg import jsonld, sparql_functions

from . import linked_data
from .params import bind_arguments
from .queries import CannedQuery
from .site import render_page

#: The namespaces of the data (the server may not import the loader's, which they equal), and the
#: extension functions' (``sckgfn:``), which the editor completes like the others.
PREFIXES = {**jsonld.DATA_PREFIXES, sparql_functions.PREFIX: sparql_functions.NAMESPACE}

#: The first query a newcomer sees: the municipalities of 香川県 with their labels and coordinates.
DEFAULT_QUERY = """PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>

# 香川県の市町（座標つき）: the municipalities of Kagawa with their coordinates
SELECT ?municipality ?label ?lat ?long WHERE {
  ?prefecture rdfs:label "香川県"@ja .
  ?municipality sckg:prefecture ?prefecture ;
                rdfs:label ?label .
  OPTIONAL { ?municipality geo:lat ?lat ; geo:long ?long }
  FILTER(LANG(?label) = "ja")
} ORDER BY ?label
"""

_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_SELECT_END = re.compile(r"\bWHERE\b|\{", re.IGNORECASE)
_ORDER_GROUP = re.compile(r"\b(?:ORDER|GROUP)\s+BY\b", re.IGNORECASE)


def substitute(text: str, bound: dict[str, str]) -> str:
    """SPARQL ``text`` with variables written as the terms bound to them, as pyoxigraph's
    substitutions bind them: in the query's projection ``?v`` becomes ``(term AS ?v)`` (in a
    sub-SELECT's it is left out), after ORDER BY and GROUP BY ``(term)``, elsewhere ``term``.
    Comments are left alone.

    >>> substitute('SELECT ?a ?b WHERE { ?a <p> ?b } ORDER BY ?b  # ?b', {"b": '"x"'})
    'SELECT ?a ("x" AS ?b) WHERE { ?a <p> "x" } ORDER BY ("x")  # ?b'
    """
    names = "|".join(re.escape(name) for name in bound)
    variable = re.compile(r"(AS\s+)?[?$](" + names + r")\b", re.IGNORECASE)
    out, in_select, selects = [], False, 0
    for line in text.splitlines(keepends=True):
        code, hash_, comment = (line, "", "") if line.lstrip().startswith("#") else line.partition("#")
        if line.lstrip().startswith("#"):
            out.append(line)
            continue
        pieces, at = [], 0
        while at < len(code):
            if not in_select and (m := _SELECT.search(code, at)):
                pieces.append(_replace(code[at:m.end()], variable, bound, "term", _ORDER_GROUP))
                at, in_select, selects = m.end(), True, selects + 1
                continue
            if in_select:
                m = _SELECT_END.search(code, at)
                stop = m.start() if m else len(code)
                # the query's own projection shows the term; a sub-SELECT's drops the variable
                # (projecting it there too would rebind it: "SELECT overrides an existing variable")
                pieces.append(variable.sub(lambda v, outer=selects == 1: v.group(0) if v.group(1) else
                                           f"({bound[v.group(2)]} AS ?{v.group(2)})" if outer else "",
                                           code[at:stop]))
                at, in_select = stop, m is None
                continue
            pieces.append(_replace(code[at:], variable, bound, "term", _ORDER_GROUP))
            break
        out.append("".join(pieces) + hash_ + comment)
    return "".join(out)


def _replace(code: str, variable: re.Pattern, bound: dict[str, str], _kind: str, clause: re.Pattern) -> str:
    """``code`` outside projections: terms, parenthesized after ORDER BY / GROUP BY."""
    m = clause.search(code)
    head, tail = (code, "") if m is None else (code[:m.end()], code[m.end():])
    plain = variable.sub(lambda v: v.group(0) if v.group(1) else bound[v.group(2)], head)
    return plain + variable.sub(lambda v: v.group(0) if v.group(1) else f"({bound[v.group(2)]})", tail)


def example_text(query: CannedQuery) -> str:
    """The canned query as the editor shows it: its text, with the values of its first example
    written in place of the variables they bind when it has required parameters (``/api`` binds
    them as terms; in the editor they are there to be changed)."""
    if not any(p.required for p in query.params) or not query.examples:
        return query.text
    args: dict[str, list[str]] = {}
    for pair in query.examples[0].partition("?")[2].split("&"):
        name, _, value = pair.partition("=")
        args.setdefault(unquote_plus(name), []).append(unquote_plus(value))
    bound = {name: str(term) for name, term in bind_arguments(query, args)}
    note = "".join(f"# ?{name} = {term}\n" for name, term in bound.items())
    return f"# {query.examples[0]}\n{note}" + substitute(query.text, bound)


def examples() -> list[dict[str, Any]]:
    """The canned queries as the workbench's examples: name, title and editor text."""
    return [{"name": q.name, "title": dict(q.title), "description": dict(q.description),
             "api": f"/api/{q.name}", "query": example_text(q)}
            for q in current_app.extensions["kg_queries"].values()]


def page():
    """The workbench page (HTML) for a browser's GET of ``/sparql`` without a query."""
    endpoint = request.base_url
    base = linked_data.base_iri()
    config = {"endpoint": endpoint, "base": base, "prefixes": PREFIXES, "examples": examples(),
              "defaultQuery": DEFAULT_QUERY, "maxRows": current_app.config["MAX_ROWS"]}
    return render_page("site/workbench.html", endpoint=endpoint, config=config,
                       default_query=DEFAULT_QUERY)
