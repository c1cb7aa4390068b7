"""Namespaces and the IRIs the loader mints, all in one place."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from kg.defaults import DEFAULT_BASE_IRI

SCKG = Namespace("https://w3id.org/smartcity-kg/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
IC = Namespace("http://imi.go.jp/ns/core/rdf#")
SH = Namespace("http://www.w3.org/ns/shacl#")
ESTAT_SAC = Namespace("http://data.e-stat.go.jp/lod/sac/")
SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")

PREFIXES = {
    "sckg": SCKG, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS,
    "dcterms": DCTERMS, "prov": PROV, "org": ORG, "schema": SCHEMA, "foaf": FOAF,
    "geo": GEO, "dcat": DCAT, "void": VOID, "ic": IC, "sac": ESTAT_SAC, "skosxl": SKOSXL,
}


def estat_sac(lg_code: str) -> URIRef:
    """The e-Stat standard-area-code IRI of a local government (its code without check digit).

    >>> estat_sac("372013")
    rdflib.term.URIRef('http://data.e-stat.go.jp/lod/sac/C37201')
    """
    return ESTAT_SAC[f"C{lg_code[:5]}"]


@dataclass(frozen=True)
class Iris:
    """Mints instance and graph IRIs under one base IRI, e.g. ``<base>/id/project/H29a``."""

    base: str = DEFAULT_BASE_IRI

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    def id(self, kind: str, *keys: str | int) -> URIRef:
        """IRI of an instance: ``<base>/id/<kind>/<key>[/<key>…]``."""
        return URIRef("/".join([self.base, "id", kind, *map(str, keys)]))

    def graph(self, name: str) -> URIRef:
        """IRI of a named graph: ``<base>/graph/<name>``."""
        return URIRef(f"{self.base}/graph/{name}")

    def source(self, key: str) -> URIRef:
        """IRI of a source document."""
        return self.id("source", key)

    def scheme(self, name: str) -> URIRef:
        """IRI of a SKOS concept scheme."""
        return self.id("scheme", name)
