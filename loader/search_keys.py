"""The search keys: every label's comparison form, stored as data so that any SPARQL engine can match names.

The canned queries match what people type against labels through the one normaliser of names
(``kg.normalize.normalize``: width, kana, romaji, 異体字, separators). The embedded engine could
call it as an extension function (``sckgfn:normalize``), which no other engine has; so the loader
computes it once for every label and stores the result in the named graph ``search-keys``, and the
server normalises the request value the same way before binding it (``server/params.py``). A query
then only compares two strings with ``=``, ``STRSTARTS`` or ``CONTAINS``: standard SPARQL 1.1.

One node per distinct label literal (a SKOS-XL label, untyped to keep the graph small)::

    <B/graph/search-keys#l-…> skosxl:literalForm "観音寺市"@ja ; sckg:nameKey "観音寺市" .
    <B/graph/search-keys#l-…> skosxl:literalForm "Kan'onji-shi"@en ; sckg:nameKey "kanonzisi" .

A query joins a resource's label to its key through the literal itself (the same term), so the
nodes link to no resource and change no page::

    ?resource rdfs:label ?text . ?name skosxl:literalForm ?text ; sckg:nameKey ?key .

No source states these keys: the void graph says so (``loader/void.py``), and
``tests/test_portable_queries.py`` checks that every label of the store has its key.

>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("https://w3id.org/smartcity-kg/id/municipality/372056"), RDFS.label, Literal("ｶﾝｵﾝｼﾞｼ")))
>>> keys = derive([g], Iris())
>>> [str(o) for o in keys.objects(None, SCKG.nameKey)]
['kanonzisi']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD

from kg.normalize import normalize

from .vocab import SCKG, SKOSXL, Iris

#: The name of the graph (``<base>/graph/search-keys``).
GRAPH = "search-keys"
#: The label properties whose values get a key: what the canned queries match names on.
LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)


def node(iris: Iris, label: Literal) -> URIRef:
    """The IRI of the key node of one label literal: a fragment of the graph's IRI, from a hash of
    the literal with its language or datatype (stable from load to load)."""
    datatype = "" if label.language or label.datatype in (None, XSD.string) else label.datatype
    written = f"{label}\x00{label.language or ''}\x00{datatype}"
    return URIRef(f"{iris.graph(GRAPH)}#l-{hashlib.sha256(written.encode('utf-8')).hexdigest()[:20]}")


def derive(graphs: Iterable[Graph], iris: Iris) -> Graph:
    """The search-keys graph of the labels (:data:`LABELS`) in ``graphs``.

    :raises ValueError: if two label literals hash to one node (never seen; checked all the same).
    """
    keys = Graph(identifier=iris.graph(GRAPH))
    seen: dict[URIRef, Literal] = {}
    for graph in graphs:
        for prop in LABELS:
            for label in graph.objects(None, prop):
                if not isinstance(label, Literal):
                    continue
                subject = node(iris, label)
                if seen.setdefault(subject, label) != label:
                    raise ValueError(f"two labels share the key node {subject}: {seen[subject]!r}, {label!r}")
                keys.add((subject, SKOSXL.literalForm, label))
                keys.add((subject, SCKG.nameKey, Literal(normalize(str(label)))))
    return keys


def derive_streamed(path: Path, iris: Iris) -> Iterator[ox.Triple]:
    """The key triples of the labels in an N-Triples file, read as it goes (never the whole file
    as Python objects): for extra files too large for :func:`derive`. A label met twice gives its
    triples twice (a store keeps one).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "extra.nt"
    ...     _ = path.write_text('<http://ex/a> <http://www.w3.org/2000/01/rdf-schema#label> "ｶﾝｵﾝｼﾞ"@ja .\\n')
    ...     keys = list(derive_streamed(path, Iris()))
    >>> [(t.predicate.value.rsplit("#")[1], t.object.value) for t in keys]
    [('literalForm', 'ｶﾝｵﾝｼﾞ'), ('nameKey', 'kanonzi')]
    """
    wanted = {ox.NamedNode(str(p)) for p in LABELS}
    literal_form, name_key = ox.NamedNode(str(SKOSXL.literalForm)), ox.NamedNode(str(SCKG.nameKey))
    with open(path, "rb") as handle:
        for triple in ox.parse(handle, format=ox.RdfFormat.N_TRIPLES):
            if triple.predicate in wanted and isinstance(triple.object, ox.Literal):
                label = triple.object
                same = Literal(label.value, lang=label.language,
                               datatype=None if label.language else URIRef(label.datatype.value))
                subject = ox.NamedNode(str(node(iris, same)))
                yield ox.Triple(subject, literal_form, label)
                yield ox.Triple(subject, name_key, ox.Literal(normalize(label.value)))

