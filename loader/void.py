"""The dataset-description graph (VoID and DCAT): licence, sources, vocabularies, triple counts."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, VOID, XSD

from .vocab import SCKG, Iris

# What a named graph holds, where the graph's name alone does not say it: (description, source key).
GRAPH_DESCRIPTIONS = {
    "translations": (
        "The project's translations: every English label, title and romanized name the project "
        "wrote; no source states them. Municipality names are romanized from the kana reading "
        "(modified Hepburn, e-Stat's form, e.g. Takamatsu-shi), spelled as the body itself "
        "spells it where data/source/official-english-names.csv cites the body's own usage "
        "(e.g. Minoh-shi).",
        "project-curation"),
    "search-keys": (
        "Computed by the project, stated by no source: the comparison form (sckg:nameKey) of every "
        "label (rdfs:label, skos:prefLabel, skos:altLabel) of the other graphs, by the project's "
        "name normaliser (kg/normalize.py: width, kana and romaji, long vowels, 異体字, spaces and "
        "punctuation aside), one node per label literal (skosxl:literalForm). The canned queries "
        "match names on these keys, so that any SPARQL 1.1 engine answers them.",
        "project-curation"),
    "iri-history": (
        "IRIs the project renamed, each as <old IRI> owl:sameAs <new IRI>, so that an old IRI keeps "
        "resolving (from data/source/iri-history.csv: old, new, date changed, reason). An old IRI "
        "is described nowhere else; its new IRI is.",
        "project-curation"),
}

DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's closed DCAT namespace predates it

#: The link predicate of graphs that only link resources (VoID linksets).
GRAPH_LINK_PREDICATES = {"iri-history": OWL.sameAs}


def describe(iris: Iris, graph: Graph, data_graphs: Mapping[str, Graph], info: Mapping[str, str],
             sources: list[URIRef]) -> None:
    """Add the description of the dataset and of each named graph to ``graph`` (the void graph).

    ``info`` holds the keys of ``data/source/dataset.csv`` (title_ja, title_en, description_en,
    license, created, version). The counts cover every graph, this one included.
    """
    dataset = iris.id("dataset", "smartcity-kg")
    add = graph.add
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, DCTERMS.title, Literal(info["title_ja"], lang="ja")))
    add((dataset, DCTERMS.title, Literal(info["title_en"], lang="en")))
    add((dataset, DCTERMS.description, Literal(info["description_en"], lang="en")))
    add((dataset, DCTERMS.license, URIRef(info["license"])))
    add((dataset, DCTERMS.created, Literal(info["created"], datatype=XSD.date)))
    add((dataset, DCAT_VERSION, Literal(info["version"])))
    add((dataset, VOID.uriSpace, Literal(f"{iris.base}/id/")))
    add((dataset, VOID.sparqlEndpoint, URIRef(f"{iris.base}/sparql")))
    add((dataset, VOID.exampleResource, iris.id("project", "H29a")))
    add((dataset, VOID.exampleResource, iris.id("municipality", "372013")))
    for vocabulary in (SCKG, "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/org#",
                       "https://schema.org/", "http://purl.org/dc/terms/",
                       "http://www.w3.org/2003/01/geo/wgs84_pos#", str(OWL)):
        add((dataset, VOID.vocabulary, URIRef(str(vocabulary))))
    for source in sources:
        add((dataset, PROV.wasDerivedFrom, source))
    total = 0
    for name, data in sorted(data_graphs.items()):
        subset = iris.id("dataset", "smartcity-kg", "graph", name)
        add((dataset, VOID.subset, subset))
        add((subset, RDF.type, VOID.Dataset))
        add((subset, SCKG.namedGraph, iris.graph(name)))
        add((subset, VOID.triples, Literal(len(data))))
        if name in GRAPH_DESCRIPTIONS:
            description, source = GRAPH_DESCRIPTIONS[name]
            add((subset, DCTERMS.description, Literal(description, lang="en")))
            add((subset, DCTERMS.source, iris.source(source)))
            if source == "project-curation":
                add((subset, SCKG.curatedByProject, Literal(True)))
        if name in GRAPH_LINK_PREDICATES:
            add((subset, RDF.type, VOID.Linkset))
            add((subset, VOID.linkPredicate, GRAPH_LINK_PREDICATES[name]))
        total += len(data)
    own = iris.id("dataset", "smartcity-kg", "graph", "void")
    for triple in ((dataset, VOID.subset, own), (own, RDF.type, VOID.Dataset),
                   (own, SCKG.namedGraph, iris.graph("void"))):
        add(triple)
    # Both counts below are single triples, so the size of this graph is known before adding them.
    size = len(graph) + 2
    add((own, VOID.triples, Literal(size)))
    add((dataset, VOID.triples, Literal(total + size)))
