"""JSON-LD with our published ``@context``: the prefixes, and compaction of pyoxigraph triples.

pyoxigraph writes expanded JSON-LD only; this module writes the compact form every client of
``/data/…`` and of the JSON-LD dump gets: a ``@context`` (by reference to ``/context.jsonld`` or
inline), node objects grouped by subject, properties and types as compact IRIs (``rdfs:label``),
named graphs as ``{"@id": graph, "@graph": […]}``. The context holds prefixes only (no term
aliases, no coercion), so any JSON-LD processor expands it back to exactly the same triples.

>>> import pyoxigraph as ox
>>> t = ox.Triple(ox.NamedNode("https://w3id.org/smartcity-kg/id/municipality/372013"),
...               ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
...               ox.Literal("高松市", language="ja"))
>>> compact([t], "https://example.org/context.jsonld")["@graph"][0]["rdfs:label"]
[{'@value': '高松市', '@language': 'ja'}]
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox

#: The prefixes of our data: Turtle, RDF/XML and the JSON-LD context use the same.
PREFIXES: dict[str, str] = {
    "sckg": "https://w3id.org/smartcity-kg/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "ic": "http://imi.go.jp/ns/core/rdf#",
    "vann": "http://purl.org/vocab/vann/",
    "sac": "http://data.e-stat.go.jp/lod/sac/",
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
}

#: The namespaces the data itself uses (PREFIXES without the ontology's own vann); the server's
#: pages and workbench show IRIs with these (tests/test_sparql_workbench.py checks them against
#: loader/vocab.py's).
DATA_PREFIXES: dict[str, str] = {p: ns for p, ns in PREFIXES.items() if p != "vann"}

_RDF_TYPE = PREFIXES["rdf"] + "type"
_XSD_STRING = PREFIXES["xsd"] + "string"
_LANG_STRING = PREFIXES["rdf"] + "langString"


def context() -> dict:
    """The document served at ``/context.jsonld``."""
    return {"@context": dict(PREFIXES)}


def _curie(iri: str) -> str:
    """``iri`` as a compact IRI when a prefix covers it and the rest is a plain local name."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            # "//" would make it look like an absolute IRI; ":" like another prefix
            if local and not local.startswith("//") and ":" not in local:
                return f"{prefix}:{local}"
    return iri


def _node_id(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _value(term) -> dict:
    if isinstance(term, ox.Literal):
        value: dict = {"@value": term.value}
        if term.language:
            value["@language"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _LANG_STRING):
            value["@type"] = _curie(term.datatype.value)
        return value
    return {"@id": _node_id(term)}


def _nodes(triples: Iterable) -> list[dict]:
    nodes: dict[str, dict] = {}
    for triple in triples:
        node = nodes.setdefault(_node_id(triple.subject), {"@id": _node_id(triple.subject)})
        if triple.predicate.value == _RDF_TYPE and not isinstance(triple.object, ox.Literal):
            node.setdefault("@type", []).append(_curie(_node_id(triple.object)))
        else:
            node.setdefault(_curie(triple.predicate.value), []).append(_value(triple.object))
    return [nodes[key] for key in sorted(nodes)]


def compact(triples: Iterable, context_ref: str | dict) -> dict:
    """One graph as a compact JSON-LD document whose ``@context`` is ``context_ref``."""
    return {"@context": context_ref, "@graph": _nodes(triples)}


def compact_dataset(quads: Iterable[ox.Quad], context_ref: str | dict) -> dict:
    """A dataset: each named graph a node with its ``@graph``; the default graph's nodes top level."""
    graphs: dict[str, list] = {}
    for quad in quads:
        key = "" if isinstance(quad.graph_name, ox.DefaultGraph) else _node_id(quad.graph_name)
        graphs.setdefault(key, []).append(quad.triple)
    top = _nodes(graphs.pop("", []))
    top += [{"@id": name, "@graph": _nodes(graphs[name])} for name in sorted(graphs)]
    return {"@context": context_ref, "@graph": top}


def dumps(document: dict, indent: int | None = 1) -> bytes:
    """A JSON-LD document as UTF-8 bytes (Japanese as is).

    ``indent=None`` writes it without spaces or line breaks, through json's C encoder (indenting
    takes the pure-Python one: 1.5 s for the whole dataset's dump against 0.1 s).
    """
    if indent is None:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return json.dumps(document, ensure_ascii=False, indent=indent).encode()
