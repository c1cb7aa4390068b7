"""The SPARQL 1.1 Service Description of the endpoint, in any RDF syntax the client asks for.

On the embedded engine it lists the extension functions (``kg/sparql_functions.py``) as
``sd:extensionFunction``, each an ``sd:Function`` with its labels and comments, so a client learns
them from the endpoint; a remote engine does not have them, and the description does not claim them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from kg import sparql_functions
from kg.formats import FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def describe(endpoint: str, media_type: str, config: Mapping, graphs: Mapping[str, int]) -> bytes:
    """Serialize the description of ``endpoint`` (its formats, features and named graphs)."""
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
    ]
    if config["SERVICE_ALLOWLIST"]:
        triples.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    if config["UNION_DEFAULT_GRAPH"]:
        triples.append(ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")))
    for fmt in FORMATS.values():
        triples.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(fmt.iri)))
    if config.get("ENGINE", "embedded") == "embedded":  # a remote engine does not have them
        for function in sparql_functions.CATALOGUE:
            triples.append(ox.Triple(service, _sd("extensionFunction"), ox.NamedNode(function.iri)))
        triples += [t for t in sparql_functions.describe() if t.subject.value != sparql_functions.DOCUMENT]
    for index, graph in enumerate(sorted(graphs)):
        named = ox.BlankNode(f"graph{index}")
        description = ox.BlankNode(f"graph{index}description")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(graph)),
            ox.Triple(named, _sd("graph"), description),
            ox.Triple(description, RDF_TYPE, _sd("Graph")),
            ox.Triple(description, ox.NamedNode("http://rdfs.org/ns/void#triples"), ox.Literal(
                str(graphs[graph]), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ]
    prefixes = {"sd": SD, "void": "http://rdfs.org/ns/void#", "rdfs": sparql_functions.RDFS,
                sparql_functions.PREFIX: sparql_functions.NAMESPACE}
    fmt = FORMATS[media_type].native
    if fmt == ox.RdfFormat.TURTLE:
        return ox.serialize(triples, format=fmt, prefixes=prefixes)
    return ox.serialize(triples, format=fmt)
