"""A SPARQL screen for the node shapes: which subjects might violate them, asked of Oxigraph.

rudof, the fast screen of :mod:`loader.validate_batches`, needs every batch extracted, serialized
and parsed again (~80 % of a 10^6-triple validation). Here each node shape becomes SPARQL queries
(one a property shape), ``SELECT DISTINCT ?this`` over its targets ``FILTER`` a boolean expression
that is true when the focus node violates it, and Oxigraph evaluates them in its own indexes:
nothing is extracted for the subjects that conform. pySHACL then judges the flagged subjects, so
every report is still pySHACL's.

The screen must never miss a violation; a false alarm only costs a pySHACL run. Each expression is
compiled with a *polarity*: ``over`` may be true for a conforming node (never false for a
violating one), ``under`` the reverse; ``sh:not`` flips it, and a constraint whose SPARQL form is
not exactly SHACL's (a literal's well-formedness, a comparison that errors) takes the side its
polarity allows. A shape that uses a construct not compiled here raises :class:`Unsupported`, and
its targets are screened by rudof instead (:func:`loader.validate_batches.violations`).
"""

from __future__ import annotations

import itertools
import multiprocessing
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from .validate import ontology
from .validate_sets import STANDARD_PREFIXES, split
from .vocab import SH

OVER, UNDER = "over", "under"

#: Parameters of a shape that constrain nothing (or are read with the constraint they belong to)
_NOT_CONSTRAINTS = {
    SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.targetClass,
    SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.path, SH.ignoredProperties,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.flags, SH.defaultValue,
}
#: Parameters read by :meth:`Compiler.violated`, :meth:`Compiler.counts` and :meth:`Compiler.closed`
_SET_LEVEL = {
    SH.property, SH.closed, SH.hasValue, SH.minCount, SH.maxCount, SH.equals, SH.disjoint, SH.uniqueLang,
    SH.qualifiedValueShape, SH.qualifiedValueShapesDisjoint,
}
#: Datatypes Oxigraph can cast to: a literal is taken as well-formed only if its cast gives back its
#: own lexical form (so a form rdflib refuses and Oxigraph would repair is flagged, never missed; a
#: non-canonical but valid form such as "01" is a false alarm). A literal of any other datatype
#: is flagged whenever its datatype is asked for.
_CASTS = {XSD.integer, XSD.decimal, XSD.boolean, XSD.date, XSD.dateTime, XSD.double, XSD.float}
_TEXT = {XSD.string, RDF.langString}


class Unsupported(Exception):
    """A shape uses a SHACL construct this compiler does not translate."""


def _iri(term) -> str:
    return f"<{term}>"


def _term(term) -> str:
    """``term`` in SPARQL syntax (N-Triples form, escapes included)."""
    if isinstance(term, URIRef):
        return _iri(term)
    if isinstance(term, Literal):
        if term.language:
            return str(ox.Literal(str(term), language=term.language))
        return str(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string))))
    raise Unsupported(f"a blank node as a constant: {term!r}")


def _any(parts: Iterable[str]) -> str:
    parts = [p for p in parts if p != "false"]
    if "true" in parts:
        return "true"
    return "false" if not parts else "(" + " || ".join(parts) + ")"


def _all(parts: Iterable[str]) -> str:
    parts = [p for p in parts if p != "true"]
    if "false" in parts:
        return "false"
    return "true" if not parts else "(" + " && ".join(parts) + ")"


def _flip(polarity: str) -> str:
    return UNDER if polarity == OVER else OVER


def _checked(expression: str, polarity: str) -> str:
    """``expression`` with an evaluation error read as the polarity allows (a value SPARQL cannot
    compare is a violation in SHACL too, so ``over`` is also exact for comparisons)."""
    return f"COALESCE({expression}, {'true' if polarity == OVER else 'false'})"


def _distinct(variables: list[str]) -> str:
    return _all(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(variables, 2))


@dataclass
class Steps:
    """A SHACL path between two SPARQL terms: one triple pattern a step when it is a sequence of
    IRIs and inverse IRIs, one property path otherwise."""

    links: list[tuple[str, bool]] | None  # (predicate, inverse) of each step, or None
    text: str  # the SPARQL property path
    fresh: Callable[[str], str]

    def pattern(self, subject: str, obj: str) -> list[str]:
        """The triple patterns from ``subject`` to ``obj``, each sharing a term with the one before."""
        if self.links is None:
            return [f"{subject} {self.text} {obj}"]
        nodes = [subject, *(self.fresh("m") for _ in self.links[1:]), obj]
        return [f"{o} {p} {s}" if inverse else f"{s} {p} {o}"
                for (p, inverse), s, o in zip(self.links, nodes, nodes[1:], strict=False)]


def _exists(triples: list[str], condition: str = "true") -> str:
    """``EXISTS { t1 . t2 … FILTER (condition) }``, written as one ``EXISTS`` a triple pattern,
    nested: ``EXISTS { t1 FILTER EXISTS { t2 … } }``, the same by definition. Oxigraph plans the
    group inside ``EXISTS`` without knowing which variables the row binds, so two patterns there
    may be joined from the wrong end: 2 ms a focus node at 10^6 triples, 20 s for one property of
    10^4 nodes, against 0.2 s nested (each pattern then has a bound term when it is looked up)."""
    text = condition
    for triple in reversed(triples):
        text = f"EXISTS {{ {triple} }}" if text == "true" else f"EXISTS {{ {triple} FILTER ({text}) }}"
    return text


@dataclass
class Compiler:
    """Compiles the node shapes of ``shapes`` to SPARQL; ``classes(c)`` is ``c`` and its subclasses."""

    shapes: Graph
    classes: Callable[[URIRef], set[URIRef]]

    def __post_init__(self) -> None:
        self._names = itertools.count()

    def fresh(self, stem: str) -> str:
        return f"?{stem}{next(self._names)}"

    # --- paths -------------------------------------------------------------------------------

    def path(self, node) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(node, URIRef):
            return _iri(node)
        if not isinstance(node, BNode):
            raise Unsupported(f"path {node!r}")
        graph = self.shapes
        if graph.value(node, RDF.first) is not None:
            return "(" + "/".join(self.path(step) for step in Collection(graph, node)) + ")"
        if (inverse := graph.value(node, SH.inversePath)) is not None:
            return f"^{self.path(inverse)}"
        if (alternatives := graph.value(node, SH.alternativePath)) is not None:
            return "(" + "|".join(self.path(step) for step in Collection(graph, alternatives)) + ")"
        for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            if (inner := graph.value(node, key)) is not None:
                return f"({self.path(inner)}){mark}"
        raise Unsupported(f"path {node!r}")

    def steps(self, node) -> Steps:
        return Steps(self._links(node), self.path(node), self.fresh)

    def _links(self, node) -> list[tuple[str, bool]] | None:
        if isinstance(node, URIRef):
            return [(_iri(node), False)]
        if isinstance(node, BNode) and self.shapes.value(node, RDF.first) is not None:
            steps = [self._links(step) for step in Collection(self.shapes, node)]
            return None if None in steps else [link for step in steps for link in step]
        inverse = self.shapes.value(node, SH.inversePath)
        return [(_iri(inverse), True)] if isinstance(inverse, URIRef) else None

    # --- shapes ------------------------------------------------------------------------------

    def _refuse_unknown(self, shape) -> None:
        """:raises Unsupported: for a parameter of ``shape`` this compiler does not translate."""
        graph = self.shapes
        if graph.value(shape, SH.deactivated) is not None:
            raise Unsupported("sh:deactivated")
        for parameter in set(graph.predicates(shape, None)):
            known = parameter in _NOT_CONSTRAINTS or parameter in self._handlers() or parameter in _SET_LEVEL
            if str(parameter).startswith(str(SH)) and not known:
                raise Unsupported(f"{parameter} on {shape}")

    def violated(self, shape, focus: str, polarity: str = OVER) -> str:
        """A SPARQL expression, true when ``focus`` (a bound variable) violates ``shape``."""
        graph = self.shapes
        self._refuse_unknown(shape)
        path = graph.value(shape, SH.path)
        if path is None:
            return _any(self.node_parts(shape, focus, polarity))
        if graph.value(shape, SH.property) is not None:
            raise Unsupported("sh:property on a property shape")
        steps = self.steps(path)
        value = self.fresh("v")
        each = self.value_violated(shape, value, polarity)
        parts = [] if each == "false" else [
            _exists(steps.pattern(focus, value), each)]
        parts += self.counts(shape, focus, steps, polarity)
        return _any(parts)

    def node_parts(self, shape, focus: str, polarity: str) -> list[str]:
        """The tests of a node shape (one a property shape, one for the rest), any of them true
        when ``focus`` violates it."""
        graph = self.shapes
        own = [self.value_violated(shape, focus, polarity), self.closed(shape, focus)]
        own += [f"!sameTerm({focus}, {_term(value)})" for value in graph.objects(shape, SH.hasValue)]
        parts = [_any(own)] + [self.violated(p, focus, polarity) for p in graph.objects(shape, SH.property)]
        return [p for p in parts if p != "false"]

    def counts(self, shape, focus: str, steps: Steps, polarity: str) -> list[str]:
        """The constraints on a property shape's value nodes as a set."""
        graph = self.shapes
        parts = []
        for minimum in graph.objects(shape, SH.minCount):
            parts.append(self._fewer_than(int(minimum), focus, steps))
        for maximum in graph.objects(shape, SH.maxCount):
            parts.append(self._more_than(int(maximum), focus, steps))
        for value in graph.objects(shape, SH.hasValue):
            parts.append(f"!{_exists(steps.pattern(focus, _term(value)))}")
        for other in graph.objects(shape, SH.equals):
            v = self.fresh("v")
            mine, theirs = steps.pattern(focus, v), [f"{focus} {_iri(other)} {v}"]
            parts.append(_exists(mine, f"!{_exists(theirs)}"))
            parts.append(_exists(theirs, f"!{_exists(mine)}"))
        for other in graph.objects(shape, SH.disjoint):
            v = self.fresh("v")
            parts.append(_exists([*steps.pattern(focus, v), f"{focus} {_iri(other)} {v}"]))
        if Literal(True) in set(graph.objects(shape, SH.uniqueLang)):
            a, b = self.fresh("a"), self.fresh("b")
            same = (f"!sameTerm({a}, {b}) && isLiteral({a}) && isLiteral({b}) && LANG({a}) != \"\" "
                    f"&& LCASE(LANG({a})) = LCASE(LANG({b}))")
            parts.append(_exists([*steps.pattern(focus, a), *steps.pattern(focus, b)], same))
        for qualified in graph.objects(shape, SH.qualifiedValueShape):
            parts += self._qualified(shape, qualified, focus, steps, polarity)
        return parts

    def _qualified(self, shape, qualified, focus: str, steps: Steps, polarity: str) -> list[str]:
        """Too few values conforming to ``qualified`` ("conforms" read with the opposite polarity:
        fewer of them found can only add violations), or too many (the same polarity)."""
        if self.shapes.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
            raise Unsupported("sh:qualifiedValueShapesDisjoint")
        parts = [self._fewer_than(int(minimum), focus, steps,
                                  lambda v: f"!{self.violated(qualified, v, _flip(polarity))}")
                 for minimum in self.shapes.objects(shape, SH.qualifiedMinCount)]
        parts += [self._more_than(int(maximum), focus, steps,
                                  lambda v: f"!{self.violated(qualified, v, polarity)}")
                  for maximum in self.shapes.objects(shape, SH.qualifiedMaxCount)]
        return parts

    def _values(self, count: int, focus: str, steps: Steps, test: Callable[[str], str] | None) -> str:
        """True when ``count`` distinct values of ``steps`` pass ``test``."""
        names = [self.fresh("n") for _ in range(count)]
        conditions = [_distinct(names)] + ([test(n) for n in names] if test else [])
        return _exists([triple for n in names for triple in steps.pattern(focus, n)], _all(conditions))

    def _fewer_than(self, minimum: int, focus, steps, test=None) -> str:
        return "false" if minimum <= 0 else f"!{self._values(minimum, focus, steps, test)}"

    def _more_than(self, maximum: int, focus, steps, test=None) -> str:
        return self._values(maximum + 1, focus, steps, test)

    def closed(self, shape, focus: str) -> str:
        graph = self.shapes
        if graph.value(shape, SH.closed) != Literal(True):
            return "false"
        allowed = {graph.value(p, SH.path) for p in graph.objects(shape, SH.property)}
        for ignored in graph.objects(shape, SH.ignoredProperties):
            allowed |= set(Collection(graph, ignored))
        allowed = {a for a in allowed if isinstance(a, URIRef)}
        p, o = self.fresh("p"), self.fresh("o")
        listed = ", ".join(sorted(_iri(a) for a in allowed))
        return _exists([f"{focus} {p} {o}"], f"{p} NOT IN ({listed})")

    # --- constraints on one value node -------------------------------------------------------

    def _handlers(self) -> dict:
        return {
            SH.datatype: self._datatype, SH.nodeKind: self._node_kind, SH["class"]: self._class,
            SH.pattern: self._pattern, SH.languageIn: self._language_in, SH["in"]: self._in,
            SH.minInclusive: lambda v, x, pol: _checked(f"!({v} >= {_term(x)})", OVER),
            SH.maxInclusive: lambda v, x, pol: _checked(f"!({v} <= {_term(x)})", OVER),
            SH.minExclusive: lambda v, x, pol: _checked(f"!({v} > {_term(x)})", OVER),
            SH.maxExclusive: lambda v, x, pol: _checked(f"!({v} < {_term(x)})", OVER),
            SH.minLength: lambda v, x, pol: _checked(f"(isBlank({v}) || STRLEN(STR({v})) < {int(x)})", OVER),
            SH.maxLength: lambda v, x, pol: _checked(f"(isBlank({v}) || STRLEN(STR({v})) > {int(x)})", OVER),
            SH.node: lambda v, x, pol: self.violated(x, v, pol),
            SH["not"]: lambda v, x, pol: f"!{self.violated(x, v, _flip(pol))}",
            SH["and"]: lambda v, x, pol: _any(self.violated(s, v, pol) for s in Collection(self.shapes, x)),
            SH["or"]: lambda v, x, pol: _all(self.violated(s, v, pol) for s in Collection(self.shapes, x)),
            SH.xone: self._xone,
        }

    def value_violated(self, shape, value: str, polarity: str) -> str:
        """True when the value node ``value`` fails one of ``shape``'s value-node constraints."""
        handlers = self._handlers()
        return _any(handlers[key](value, parameter, polarity)
                    for key in handlers for parameter in self.shapes.objects(shape, key))

    def _datatype(self, value: str, datatype, polarity: str) -> str:
        wrong = f"(!isLiteral({value}) || !sameTerm(DATATYPE({value}), {_iri(datatype)}))"
        if datatype in _TEXT or polarity == UNDER:
            return _checked(wrong, polarity)
        if datatype in _CASTS:
            canonical = f"STR({_iri(datatype)}(STR({value}))) = STR({value})"
            return _checked(f"({wrong} || !{canonical})", OVER)
        return _checked(f"({wrong} || true)", OVER)

    def _node_kind(self, value: str, kind, polarity: str) -> str:
        tests = {SH.IRI: "!isIRI({0})", SH.Literal: "!isLiteral({0})", SH.BlankNode: "!isBlank({0})",
                 SH.BlankNodeOrIRI: "isLiteral({0})", SH.IRIOrLiteral: "isBlank({0})",
                 SH.BlankNodeOrLiteral: "isIRI({0})"}
        if kind not in tests:
            raise Unsupported(f"sh:nodeKind {kind}")
        return tests[kind].format(value)

    def _class(self, value: str, cls, polarity: str) -> str:
        types = ", ".join(sorted(_iri(c) for c in self.classes(cls)))
        t = self.fresh("t")
        return f"(isLiteral({value}) || !{_exists([f'{value} a {t}'], f'{t} IN ({types})')})"

    def _pattern(self, value: str, pattern, polarity: str) -> str:
        flags = [self.shapes.value(s, SH.flags) for s in self.shapes.subjects(SH.pattern, pattern)]
        flags = {str(f) for f in flags if f is not None}
        if len(flags) > 1:
            raise Unsupported("one sh:pattern with different sh:flags")
        arguments = _term(Literal(str(pattern))) + ("".join(f", {_term(Literal(f))}" for f in flags))
        return _checked(f"(isBlank({value}) || !REGEX(STR({value}), {arguments}))", polarity)

    def _language_in(self, value: str, languages, polarity: str) -> str:
        matches = _any(f"langMatches(LANG({value}), {_term(Literal(str(tag)))})"
                       for tag in Collection(self.shapes, languages))
        return _checked(f"(!isLiteral({value}) || !{matches})", polarity)

    def _in(self, value: str, members, polarity: str) -> str:
        return f"!{_any(f'sameTerm({value}, {_term(m)})' for m in Collection(self.shapes, members))}"

    def _xone(self, value: str, members, polarity: str) -> str:
        conforming = []
        for shape in Collection(self.shapes, members):
            over, under = self.violated(shape, value, OVER), self.violated(shape, value, UNDER)
            if _strip_names(over) != _strip_names(under):
                raise Unsupported("sh:xone over a shape whose SPARQL form is not exact")
            conforming.append(f"IF({over}, 0, 1)")
        return _checked(f"({' + '.join(conforming)} != 1)", polarity)

    # --- targets -----------------------------------------------------------------------------

    def targets(self, shape) -> str | None:
        """A group pattern binding ``?this`` to every focus node of ``shape``; None if it has none."""
        graph = self.shapes
        parts = []
        classes = set(graph.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in graph:
            classes.add(shape)
        for cls in classes:
            types = " ".join(sorted(_iri(c) for c in self.classes(cls)))
            parts.append(f"{{ ?this a ?type . VALUES ?type {{ {types} }} }}")
        for node in graph.objects(shape, SH.targetNode):
            parts.append(f"{{ VALUES ?this {{ {_term(node)} }} }}")
        for predicate in graph.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {_iri(predicate)} ?object }}")
        for predicate in graph.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ ?subject {_iri(predicate)} ?this }}")
        for target in graph.objects(shape, SH.target):
            select = graph.value(target, SH.select)
            if select is None or graph.value(target, SH.prefixes) is not None:
                raise Unsupported("a SHACL target other than a SPARQL target with full IRIs")
            parts.append(f"{{ {select} }}")
        return " UNION ".join(parts) if parts else None

    def queries(self, shape) -> list[str]:
        """The screen of one node shape: queries of its focus nodes that may violate it, one a
        property shape (so that two processes share a large shape's work); none without targets."""
        targets = self.targets(shape)
        if targets is None:
            return []
        if self.shapes.value(shape, SH.path) is None:
            self._refuse_unknown(shape)  # node_parts checks the shapes it reaches, not this one
            tests = self.node_parts(shape, "?this", OVER)
        else:
            tests = [self.violated(shape, "?this")]
        header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(STANDARD_PREFIXES.items()))
        return [f"{header}SELECT DISTINCT ?this WHERE {{\n  {targets}\n  FILTER ({test})\n}}"
                for test in tests]


def _strip_names(expression: str) -> str:
    """``expression`` without the numbers of its fresh variables (to compare two compilations)."""
    return re.sub(r"\?([a-z])\d+", r"?\1", expression)


def _subclass_closure(graph_pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {}
    for sub, sup in graph_pairs:
        children.setdefault(sup, set()).add(sub)
    return children


@dataclass(frozen=True)
class Screen:
    """The compiled screen: (shape, query) for the shapes it translates, and the shapes it does not."""

    queries: tuple[tuple[str, str], ...]
    #: (shape, why, the query of its focus nodes) for the shapes left to rudof
    unsupported: tuple[tuple[str, str, str], ...]


def compiler_for(store: ox.Store) -> Compiler:
    """A compiler of the project's node shapes, with the class hierarchy of the ontology and of
    the store (``rdfs:subClassOf`` in any graph: pySHACL would follow those too)."""
    pairs = [(str(s), str(o)) for s, o in ontology().subject_objects(RDFS.subClassOf)]
    stated = store.query(f"SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ ?s {_iri(RDFS.subClassOf)} ?o }} }}")
    pairs += [(row[0].value, row[1].value) for row in stated
              if isinstance(row[0], ox.NamedNode) and isinstance(row[1], ox.NamedNode)]
    children = _subclass_closure(pairs)

    @cache
    def classes(cls: URIRef) -> frozenset[URIRef]:
        found, todo = {str(cls)}, [str(cls)]
        while todo:
            for sub in children.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return frozenset(URIRef(c) for c in found)

    return Compiler(split()[0], classes)


def targets_query(targets: str) -> str:
    """The focus nodes of a shape, from its :meth:`Compiler.targets` pattern."""
    return f"SELECT DISTINCT ?this WHERE {{ {targets} }}"


def compile_screen(store: ox.Store) -> Screen:
    """The queries of every node shape of the project, or its targets for rudof if it cannot be
    translated."""
    compiler = compiler_for(store)
    node_shapes = compiler.shapes
    queries, unsupported = [], []
    top = set(node_shapes.subjects(RDF.type, SH.NodeShape))
    top |= {s for key in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
            for s in node_shapes.subjects(key, None)}
    for shape in sorted(top, key=str):
        try:
            queries += [(str(shape), query) for query in compiler.queries(shape)]
        except Unsupported as exc:
            targets = compiler.targets(shape)  # a target it cannot read fails the whole screen
            if targets is not None:
                unsupported.append((str(shape), str(exc), targets_query(targets)))
    return Screen(tuple(queries), tuple(unsupported))


def _subjects(store: ox.Store, queries: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for query in queries:
        found.update(str(row[0]) for row in store.query(query, use_default_graph_as_union=True))
    return found


@cache
def _read_only(path: str) -> ox.Store:
    return ox.Store.read_only(path)


def _run(job: tuple[str, str]) -> set[str]:
    path, query = job
    return _subjects(_read_only(path), [query])


def flagged(store: ox.Store, screen: Screen, path: str | None = None, workers: int = 1) -> set[str]:
    """Every subject (N-Triples term) that may violate a shape the screen translates; with the
    store's ``path``, its queries shared by ``workers`` processes (each opens the store read-only)."""
    queries = [query for _, query in screen.queries]
    if path is None or workers <= 1:
        return _subjects(store, queries)
    found: set[str] = set()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for subjects in pool.imap_unordered(_run, ((path, q) for q in queries)):
            found |= subjects
    return found


def left_to_rudof(store: ox.Store, screen: Screen) -> set[str]:
    """The focus nodes (N-Triples terms) of the shapes the screen does not translate."""
    return _subjects(store, (query for _, _, query in screen.unsupported))
