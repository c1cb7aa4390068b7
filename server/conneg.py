"""Content negotiation for linked data: which representation an ``Accept`` header prefers.

q-values and wildcards as RFC 9110 says (werkzeug parses the header); among equally acceptable
types our order decides, RDF before HTML, so HTML is chosen only when the client prefers it
(a browser), never on ``*/*`` (curl, rdflib, a bare client).

>>> negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
'html'
>>> negotiate("*/*")
'turtle'
>>> negotiate("application/ld+json;q=0.5, text/turtle;q=0.4")
'jsonld'
>>> negotiate("text/html;q=0.9, application/rdf+xml")
'rdfxml'
>>> negotiate("image/png") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


@dataclass(frozen=True)
class Representation:
    key: str
    media_type: str
    extension: str
    label: str
    aliases: tuple[str, ...] = ()
    rdf_format: ox.RdfFormat | None = None


#: What linked-data routes offer, in the order that breaks ties (the first is the default).
RDF = (
    Representation("turtle", "text/turtle", "ttl", "Turtle", ("application/x-turtle",), ox.RdfFormat.TURTLE),
    Representation("jsonld", "application/ld+json", "jsonld", "JSON-LD", ("application/json",),
                   ox.RdfFormat.JSON_LD),
    Representation("rdfxml", "application/rdf+xml", "rdf", "RDF/XML", ("application/xml", "text/xml"),
                   ox.RdfFormat.RDF_XML),
    Representation("ntriples", "application/n-triples", "nt", "N-Triples", ("text/plain",),
                   ox.RdfFormat.N_TRIPLES),
)
HTML = Representation("html", "text/html", "html", "HTML", ("application/xhtml+xml",))
BY_KEY = {r.key: r for r in (*RDF, HTML)}
BY_EXTENSION = {r.extension: r for r in (*RDF, HTML)}


def negotiate(accept: str | None, offers: tuple[Representation, ...] = (*RDF, HTML)) -> str | None:
    """The key of the representation ``accept`` prefers among ``offers``; None when none is acceptable."""
    if not accept or not accept.strip():
        return offers[0].key
    parsed = parse_accept_header(accept, MIMEAccept)
    best, best_quality = None, 0.0
    for offer in offers:
        quality = max(parsed.quality(t) for t in (offer.media_type, *offer.aliases))
        if offer is HTML and quality <= best_quality:
            continue  # HTML only when strictly preferred
        if quality > best_quality:
            best, best_quality = offer.key, quality
    return best


def available(offers: tuple[Representation, ...] = (*RDF, HTML)) -> str:
    """A line per representation, for a 406's body."""
    return "".join(f"{r.media_type} ({r.label}, .{r.extension})\n" for r in offers)
