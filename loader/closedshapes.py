"""Closed shapes: each of our classes may carry only the properties its node shapes declare.

``ontology/shapes.ttl`` gives every class a node shape (``sh:targetClass``) whose ``sh:property``
blocks declare the class's properties. SHACL's ``sh:closed`` only allows the paths of the shape's
own ``sh:property``, so closing those shapes directly would refuse the properties a subclass
inherits (a ``sckg:Prefecture`` carries ``sckg:localGovernmentCode`` from the shape of
``sckg:LocalGovernment``). Instead this module derives one closed shape per class of ours
(``sckgsh:<Class>ClosedShape``) from the shapes and the ontology, when the loader reads them:

* it targets the instances of the class that are not instances of a subclass with a shape of its
  own (those are checked, more strictly, by the subclass's closed shape);
* it allows (``sh:ignoredProperties``) the ``sh:path`` IRIs of the ``sh:property`` blocks of every
  node shape targeting the class or one of its superclasses (``rdfs:subClassOf*`` in the ontology,
  e.g. ``skos:Concept`` for the concept classes), and the properties every instance may carry,
  listed once in ``sckgsh:CommonProperties``;
* its message names the rule and the class; the result's ``sh:resultPath`` is the property.

So adding a property to a class takes one ``sh:property`` block in the class's node shape and
nothing else. ``python -m loader.closedshapes`` prints the derived shapes as Turtle.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from .vocab import SCKG, SH

SCKGSH = Namespace("https://w3id.org/smartcity-kg/shapes#")
#: The properties any instance of any of our classes may carry (an ``sh:ignoredProperties`` list).
COMMON = SCKGSH.CommonProperties


def _superclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    """``cls`` and every class it is an ``rdfs:subClassOf``, transitively."""
    return set(ontology.transitive_objects(cls, RDFS.subClassOf))


def _subclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    """Every class that is an ``rdfs:subClassOf`` ``cls``, transitively (``cls`` excluded)."""
    return set(ontology.transitive_subjects(RDFS.subClassOf, cls)) - {cls}


def declared_paths(shapes: Graph, classes: Iterable[URIRef]) -> set[URIRef]:
    """The ``sh:path`` IRIs of the ``sh:property`` blocks of the node shapes targeting ``classes``."""
    paths = set()
    for cls in classes:
        for shape in shapes.subjects(SH.targetClass, cls):
            for prop in shapes.objects(shape, SH.property):
                path = shapes.value(prop, SH.path)
                if isinstance(path, URIRef):  # inverse and sequence paths name no property of ours
                    paths.add(path)
    return paths


def common_properties(shapes: Graph) -> set[URIRef]:
    """The members of ``sckgsh:CommonProperties``'s ``sh:ignoredProperties`` list."""
    lists = list(shapes.objects(COMMON, SH.ignoredProperties))
    if len(lists) != 1:
        raise ValueError(f"{COMMON} must have exactly one sh:ignoredProperties list, has {len(lists)}")
    return {p for p in Collection(shapes, lists[0]) if isinstance(p, URIRef)}


def closed_classes(shapes: Graph) -> list[URIRef]:
    """The classes of ours (``sckg:``) that a node shape targets: each gets a closed shape."""
    return sorted({c for c in shapes.objects(None, SH.targetClass)
                   if isinstance(c, URIRef) and str(c).startswith(str(SCKG))})


def allowed_properties(shapes: Graph, ontology: Graph, cls: URIRef) -> set[URIRef]:
    """The properties an instance of ``cls`` may carry."""
    return declared_paths(shapes, _superclasses(ontology, cls)) | common_properties(shapes)


def closed_shape(cls: URIRef) -> URIRef:
    """The IRI of the closed shape derived for ``cls``."""
    return SCKGSH[f"{cls.split('#')[-1]}ClosedShape"]


def closed_shapes(shapes: Graph, ontology: Graph) -> Graph:
    """One closed node shape per class of :func:`closed_classes`, as a new graph."""
    out = Graph()
    out.bind("sh", SH)
    out.bind("sckg", SCKG)
    out.bind("sckgsh", SCKGSH)
    classes = closed_classes(shapes)
    for cls in classes:
        shape = closed_shape(cls)
        name = f"sckg:{cls.split('#')[-1]}"
        out.add((shape, RDF.type, SH.NodeShape))
        shaped_subclasses = sorted(_subclasses(ontology, cls) & set(classes))
        if shaped_subclasses:
            out.add((shape, SH.target, _target_excluding(out, ontology, cls, shaped_subclasses)))
        else:
            out.add((shape, SH.targetClass, cls))
        out.add((shape, SH.closed, Literal(True)))
        allowed = BNode()
        Collection(out, allowed, sorted(allowed_properties(shapes, ontology, cls)))
        out.add((shape, SH.ignoredProperties, allowed))
        out.add((shape, SH.severity, SH.Violation))
        out.add((shape, SH.message, Literal(
            f"closed shape: not a property of {name} (declare each property of a class with an "
            f"sh:property in the node shape of the class or of a superclass, ontology/shapes.ttl)",
            lang="en")))
        out.add((shape, RDFS.comment, Literal(
            f"Derived by loader/closedshapes.py: the instances of {name} may carry only the paths of "
            f"the node shapes of {name} and its superclasses, and sckgsh:CommonProperties.",
            lang="en")))
    return out


def _target_excluding(out: Graph, ontology: Graph, cls: URIRef, subclasses: list[URIRef]) -> BNode:
    """A SPARQL target in ``out``: the instances of ``cls`` that are instances of none of ``subclasses``.

    The classes are listed (``VALUES``) rather than followed through ``rdfs:subClassOf*``, which is
    the same with and without RDFS inference and cheaper for rdflib.
    """
    covered = sorted(_subclasses(ontology, cls) | {cls})
    excluded = sorted(set().union(*({s} | _subclasses(ontology, s) for s in subclasses)))
    target = BNode()
    out.add((target, RDF.type, SH.SPARQLTarget))
    out.add((target, SH.select, Literal(
        "SELECT DISTINCT ?this WHERE {\n"
        f"    VALUES ?class {{ {' '.join(c.n3() for c in covered)} }}\n"
        "    ?this a ?class .\n"
        "    FILTER NOT EXISTS {\n"
        f"        VALUES ?subclass {{ {' '.join(c.n3() for c in excluded)} }}\n"
        "        ?this a ?subclass .\n"
        "    }\n"
        "}\n")))
    return target


def main() -> None:  # pragma: no cover - a convenience for reading the derived shapes
    from .validate import ONTOLOGY_FILE, SHAPES_FILE

    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    sys.stdout.write(closed_shapes(shapes, ontology).serialize(format="turtle"))


if __name__ == "__main__":
    main()
