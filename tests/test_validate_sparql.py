"""The SPARQL screen of the node shapes (loader/validate_sparql.py) never misses a violation.

It is checked against pySHACL on the shape tests' data (tests/test_shapes.py): every focus node
pySHACL reports on the bad copies (one per constraint message) must be flagged, and nothing may be
flagged on the valid world and its valid variants. Whether the reports then equal one pySHACL run
is tests/test_validation_scale.py's, for ``--shacl sparql`` as for the other engines.
"""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from test_shapes import (
    CASES,
    ID,
    VALID_VARIANTS,
    WORLD,
    bad_graph,
    rename,
    snippet,
    variant_node,
    world_graph,
)

from loader import validate_sparql
from loader.validate import ontology, shapes
from loader.validate_sets import split
from loader.vocab import SH

pytestmark = pytest.mark.slow


def store_of(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.NamedNode("https://example.org/graph/data"))
    return store


def flagged(graph: Graph) -> set[URIRef]:
    store = store_of(graph)
    return {URIRef(t[1:-1]) for t in validate_sparql.flagged(store, validate_sparql.compile_screen(store))}


@pytest.fixture(scope="module")
def bad_flagged() -> set[URIRef]:
    return flagged(bad_graph())


def test_every_node_shape_is_translated():
    """No shape is left to rudof today; a shape with a construct the screen does not know would be."""
    screen = validate_sparql.compile_screen(ox.Store())
    assert screen.unsupported == ()
    assert len(screen.queries) >= 70


def test_screen_flags_every_focus_node_pyshacl_reports(bad_flagged):
    """Every focus node of pySHACL's results (its sh:result, not the sh:detail of an sh:node)."""
    _, report, _ = pyshacl.validate(bad_graph(), shacl_graph=shapes(), ont_graph=ontology(),
                                    inference="none", advanced=True)
    results = report.objects(report.value(None, RDF.type, SH.ValidationReport), SH.result)
    set_level = {URIRef(c.focus) for c in split()[1]}  # validate_sets runs those, not the screen
    reported = {report.value(r, SH.focusNode) for r in results} - set_level
    assert len(reported) > 100
    assert reported - bad_flagged == set()


@pytest.mark.parametrize("case", [c for c in CASES if c.on == "focus"], ids=lambda c: c.id)
def test_screen_flags_the_bad_copy(case, bad_flagged):
    assert case.node in bad_flagged


def test_screen_flags_nothing_on_valid_data():
    """No false alarm on the valid world and its valid variants (a false alarm costs a pySHACL run)."""
    graph = world_graph()
    for name in VALID_VARIANTS:
        key, edit = VALID_VARIANTS[name]
        copy = rename(snippet(key), URIRef(ID + WORLD[key].subject), variant_node(name))
        edit(copy, variant_node(name))
        graph += copy
    assert flagged(graph) == set()


def test_a_construct_it_does_not_translate_is_left_to_rudof():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:start ; sh:lessThan ex:end ] .
    """, format="turtle")
    compiler = validate_sparql.Compiler(shapes, lambda c: {c})
    with pytest.raises(validate_sparql.Unsupported, match="lessThan"):
        compiler.queries(URIRef("https://example.org/S"))
    assert "?this a ?type" in compiler.targets(URIRef("https://example.org/S"))
