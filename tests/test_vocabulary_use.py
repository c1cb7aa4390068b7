"""Every ontology term the generated data uses is declared (with labels) in ontology/smartcity.ttl."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from loader.vocab import SCKG

PROJECT_DIR = Path(__file__).resolve().parent.parent


def test_every_sckg_term_in_the_data_is_declared():
    ontology = Graph().parse(PROJECT_DIR / "ontology" / "smartcity.ttl")
    declared = {s for s in ontology.subjects(RDFS.label, None) if str(s).startswith(str(SCKG))}
    used = set()
    for path in (PROJECT_DIR / "data" / "ttl").glob("*.ttl"):
        for _, predicate, obj in Graph().parse(path):
            used.add(predicate)
            if predicate == RDF.type:
                used.add(obj)
    undeclared = sorted(str(t) for t in used if str(t).startswith(str(SCKG)) and t not in declared)
    assert undeclared == []
