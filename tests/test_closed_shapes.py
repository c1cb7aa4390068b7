"""Closed shapes (issue 9, item 7): a misspelled or undeclared property on any of our classes is
refused, naming the rule, the class and the property.

The closed shapes are derived by loader/closedshapes.py from the node shapes of ontology/shapes.ttl
and the ontology's class hierarchy. The bad cases (a misspelled property on a copy of a valid
instance of each class) are in tests/test_shapes.py's CASES, validated with its other bad cases;
these tests check that every class has one and that it is refused as the closed shape says, and
the mechanism itself: what each class may carry, how a subclass inherits, and that a property
added to a node shape needs nothing else.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from test_shapes import CASES, SCKG, SH, bad_results, closed_case_id, explain, misspelling, world_graph

from loader.closedshapes import (
    COMMON,
    SCKGSH,
    allowed_properties,
    closed_classes,
    closed_shape,
    closed_shapes,
    common_properties,
    declared_paths,
)
from loader.validate import SHAPES_FILE, ontology, shapes, violations

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUNDLED = [p for p in sorted((PROJECT_DIR / "data" / "ttl").glob("*.ttl")) if p.stem != "void"]


def ontology_classes() -> list[URIRef]:
    return sorted(c for c in ontology().subjects(RDF.type, OWL.Class) if str(c).startswith(str(SCKG)))


@cache
def file_shapes() -> Graph:
    """ontology/shapes.ttl as written, without the derived closed shapes."""
    return Graph().parse(SHAPES_FILE, format="turtle")


@cache
def bundled_data() -> Graph:
    """The generated Turtle of data/ttl/ (what the last load validated), without the VoID graph."""
    g = Graph()
    for path in BUNDLED:
        g.parse(path)
    return g


def local(term: URIRef) -> str:
    return str(term).split("#")[-1]


# --------------------------------------------------------------------------------------------
# Every class is closed
# --------------------------------------------------------------------------------------------


def test_every_class_of_the_ontology_has_a_closed_shape():
    closed = set(closed_classes(file_shapes()))
    missing = [local(c) for c in ontology_classes() if c not in closed]
    assert not missing, f"classes without a node shape, hence without a closed shape: {missing}"
    for cls in ontology_classes():
        shape = closed_shape(cls)
        assert shapes().value(shape, SH.closed) == Literal(True), shape
        assert (shape, RDF.type, SH.NodeShape) in shapes()


def test_every_class_with_instances_in_the_bundled_data_has_a_closed_shape():
    assert BUNDLED, "no data/ttl/*.ttl: run smartcity-kg load"
    used = {c for c in bundled_data().objects(None, RDF.type) if str(c).startswith(str(SCKG))}
    assert used, "no instance of a class of ours in data/ttl"
    assert sorted(local(c) for c in used - set(closed_classes(file_shapes()))) == []


@pytest.mark.parametrize("cls", ontology_classes(), ids=local)
def test_every_class_has_a_misspelled_property_case(cls):
    assert [c for c in CASES if c.id == closed_case_id(local(cls))]


# --------------------------------------------------------------------------------------------
# A misspelled property is refused on every class, naming the rule, the class and the property
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("inference", ["rdfs", "none"])
@pytest.mark.parametrize("cls", [local(c) for c in ontology_classes()])
def test_misspelled_property_is_refused(cls, inference):
    case = next(c for c in CASES if c.id == closed_case_id(cls))
    misspelled = misspelling(cls)[1]
    conforms, results = bad_results(inference)
    assert not conforms
    about = [r for r in results if r.focus == case.node and r.path == misspelled]
    assert [r.message for r in about] == [
        f"closed shape: not a property of sckg:{cls} (declare each property of a class with an "
        f"sh:property in the node shape of the class or of a superclass, ontology/shapes.ttl)"
    ], explain([r for r in results if r.focus == case.node])


def test_the_loaders_report_names_the_rule_the_class_and_the_property():
    data = world_graph(("budget",))
    budget = URIRef("https://w3id.org/smartcity-kg/id/budget/data-utilisation/2017")
    data.add((budget, SCKG.fiscalYaer, Literal(2017)))
    found = violations(data, {budget: ("data/source/program-budgets.csv", 2)})
    assert [str(v) for v in found] == [
        "data/source/program-budgets.csv:2: <https://w3id.org/smartcity-kg/id/budget/data-utilisation/2017> "
        "sckg:fiscalYaer: closed shape: not a property of sckg:ProgramBudget (declare each "
        "property of a class with an sh:property in the node shape of the class or of a "
        "superclass, ontology/shapes.ttl) (value: 2017)"
    ]


# --------------------------------------------------------------------------------------------
# What each class may carry
# --------------------------------------------------------------------------------------------


def test_the_common_properties_are_declared_once_and_allowed_on_every_class():
    common = common_properties(file_shapes())
    assert {RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, DCTERMS.source, SCKG.sourceSection,
            SCKG.curatedByProject, OWL.sameAs} == common
    assert not any(file_shapes().objects(COMMON, RDF.type)), "not a shape: only a list"
    for cls in ontology_classes():
        assert common <= allowed_properties(file_shapes(), ontology(), cls), cls


def test_a_subclass_may_carry_its_superclass_properties_and_no_sibling_property():
    g, o = file_shapes(), ontology()
    local_government = declared_paths(g, [SCKG.LocalGovernment])
    assert {SCKG.localGovernmentCode, SCKG.standardAreaCode, DCTERMS.identifier} <= local_government
    municipality = allowed_properties(g, o, SCKG.Municipality)
    prefecture = allowed_properties(g, o, SCKG.Prefecture)
    assert local_government <= municipality and local_government <= prefecture
    assert SCKG.prefecture in municipality and SCKG.prefecture not in prefecture
    assert SCKG.iso3166Code in prefecture and SCKG.iso3166Code not in municipality
    # a local government that is neither: only what sckg:LocalGovernment's shape declares
    assert allowed_properties(g, o, SCKG.LocalGovernment) == local_government | common_properties(g)


def test_every_concept_class_may_carry_the_concept_properties():
    concept = declared_paths(file_shapes(), [SKOS.Concept])
    assert {SKOS.altLabel, SKOS.example} <= concept
    for cls in (SCKG.Field, SCKG.RegionalIssue, SCKG.SharingApproach, SCKG.CostAllocationMethod):
        assert concept <= allowed_properties(file_shapes(), ontology(), cls), cls
    assert SKOS.altLabel not in allowed_properties(file_shapes(), ontology(), SCKG.CityOS)


def test_each_instance_is_checked_by_the_closed_shape_of_its_most_specific_class():
    g = shapes()
    for cls in (SCKG.Prefecture, SCKG.Town, SCKG.DesignatedCity, SCKG.CityOS):
        assert g.value(closed_shape(cls), SH.targetClass) == cls
    # a class with shaped subclasses targets only its instances that are instances of none of them
    for cls, subclass in ((SCKG.LocalGovernment, SCKG.Municipality), (SCKG.Municipality, SCKG.City)):
        shape = closed_shape(cls)
        assert g.value(shape, SH.targetClass) is None
        select = str(g.value(g.value(shape, SH.target), SH.select))
        assert "FILTER NOT EXISTS" in select and subclass.n3() in select.split("FILTER NOT EXISTS")[1]
    # so a municipality's misspelling is reported once, by the shape of sckg:Municipality
    case = next(c for c in CASES if c.id == closed_case_id("Municipality"))
    for inference in ("rdfs", "none"):
        reported = [r.message for r in bad_results(inference)[1]
                    if r.focus == case.node and r.path == misspelling("Municipality")[1]]
        assert len(reported) == 1 and "sckg:Municipality (" in reported[0], reported


def test_the_bundled_data_uses_only_the_properties_of_its_classes():
    """The same check as the loader's closed shapes, without pySHACL, naming what to declare."""
    g, o, data = file_shapes(), ontology(), bundled_data()
    closed = set(closed_classes(g))
    allowed = {cls: allowed_properties(g, o, cls) for cls in closed}
    undeclared = set()
    for subject in set(data.subjects(RDF.type, None)):
        types = set(data.objects(subject, RDF.type)) & closed
        specific = {t for t in types if not any(
            s != t and t in set(o.transitive_objects(s, RDFS.subClassOf)) for s in types)}
        for cls in specific:
            undeclared |= {(local(cls), str(p)) for p in data.predicates(subject) if p not in allowed[cls]}
    assert sorted(undeclared) == []


# --------------------------------------------------------------------------------------------
# Adding a property or a class takes one shape and nothing else
# --------------------------------------------------------------------------------------------


def _with_property(g: Graph, node_shape: URIRef, path: URIRef) -> Graph:
    out = Graph()
    out += g
    prop = BNode()
    out.add((node_shape, SH.property, prop))
    out.add((prop, SH.path, path))
    return out


def test_a_property_added_to_a_node_shape_is_allowed_on_its_class_and_subclasses():
    g = _with_property(file_shapes(), SCKGSH.LocalGovernmentShape, SCKG.newProperty)
    derived = closed_shapes(g, ontology())
    for cls in (SCKG.LocalGovernment, SCKG.Prefecture, SCKG.Municipality):
        ignored = derived.value(closed_shape(cls), SH.ignoredProperties)
        assert SCKG.newProperty in set(derived.items(ignored)), cls
    ignored = derived.value(closed_shape(SCKG.CityOS), SH.ignoredProperties)
    assert SCKG.newProperty not in set(derived.items(ignored))


def test_a_new_class_with_a_node_shape_is_closed():
    g = Graph()
    g += file_shapes()
    shape = SCKGSH.NewThingShape
    g.add((shape, RDF.type, SH.NodeShape))
    g.add((shape, SH.targetClass, SCKG.NewThing))
    g = _with_property(g, shape, SCKG.newProperty)
    assert SCKG.NewThing in closed_classes(g)
    derived = closed_shapes(g, ontology())
    assert derived.value(closed_shape(SCKG.NewThing), SH.targetClass) == SCKG.NewThing
    allowed = set(derived.items(derived.value(closed_shape(SCKG.NewThing), SH.ignoredProperties)))
    assert allowed == {SCKG.newProperty} | common_properties(file_shapes())
