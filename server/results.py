"""The streaming serializers that query workers write results with (formats: ``kg.formats``).

pyoxigraph's own ``serialize`` cannot stop after a number of rows, so solutions are written
here, row by row, in the four W3C result formats, byte for byte as pyoxigraph writes them;
triples go through ``pyoxigraph.serialize`` fed by a capped iterator; booleans (one value) use
pyoxigraph directly. Nothing holds a whole result: rows are written in batches as they arrive.

>>> import io, pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.Literal("a,b")))
>>> out = io.BytesIO()
>>> write_result(store.query("SELECT ?s ?o { ?s ?p ?o }"), "text/csv", out)
Written(rows=1, truncated=False)
>>> out.getvalue()
b's,o\\r\\nhttp://ex/s,"a,b"\\r\\n'
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring as _json_str  # C accelerated, ensure_ascii=False escaping
from typing import BinaryIO

import pyoxigraph as ox

from kg.formats import BOOLEAN, FORMATS, GRAPH, SOLUTIONS, resolve

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
ITS_NS = "http://www.w3.org/2005/11/its"

BATCH_ROWS = 512  # rows buffered per write: few large writes, small memory


def kind_of(result) -> str:
    """SOLUTIONS, BOOLEAN or GRAPH for a pyoxigraph query result."""
    if isinstance(result, ox.QuerySolutions):
        return SOLUTIONS
    if isinstance(result, ox.QueryBoolean):
        return BOOLEAN
    if isinstance(result, ox.QueryTriples):
        return GRAPH
    raise TypeError(f"not a pyoxigraph query result: {type(result).__name__}")


@dataclass(frozen=True)
class Written:
    """What a serializer wrote: rows (solutions or triples; 1 for a boolean) and whether the cap cut it."""

    rows: int
    truncated: bool


def write_result(result, media_type: str, output: BinaryIO, max_rows: int | None = None) -> Written:
    """Serialize any pyoxigraph query result to ``output`` in ``media_type``, at most ``max_rows`` rows.

    :raises ValueError: when ``media_type`` cannot carry this kind of result.
    """
    kind = kind_of(result)
    canonical = resolve(media_type, kind)
    if canonical is None:
        raise ValueError(f"{media_type} cannot carry a {kind} result")
    if kind == SOLUTIONS:
        return write_solutions(result, canonical, output, max_rows)
    if kind == BOOLEAN:
        output.write(result.serialize(format=FORMATS[canonical].native))
        return Written(1, False)
    return write_triples(result, canonical, output, max_rows)


def write_triples(triples: Iterable[ox.Triple], media_type: str, output: BinaryIO,
                  max_rows: int | None = None) -> Written:
    """Serialize triples with pyoxigraph's writer, fed through an iterator that stops at the cap."""
    capped = _Capped(triples, max_rows)
    ox.serialize(capped, output, format=FORMATS[media_type].native)
    return Written(capped.rows, capped.truncated)


class _Capped:
    """Yields at most ``cap`` items; notes whether more were there (by pulling one more)."""

    def __init__(self, items: Iterable, cap: int | None):
        self.items, self.cap, self.rows, self.truncated = iter(items), cap, 0, False

    def __iter__(self) -> Iterator:
        if self.cap is None:
            for item in self.items:
                self.rows += 1
                yield item
            return
        for item in itertools.islice(self.items, self.cap):
            self.rows += 1
            yield item
        self.truncated = next(self.items, None) is not None


def write_solutions(solutions: ox.QuerySolutions, media_type: str, output: BinaryIO,
                    max_rows: int | None = None) -> Written:
    """Stream SELECT solutions in one of the four W3C result formats, stopping after ``max_rows``."""
    names = [v.value for v in solutions.variables]
    head, row, tail = _WRITERS[media_type](names)
    output.write(head.encode())
    capped = _Capped(solutions, max_rows)
    batch: list[str] = []
    for solution in capped:
        batch.append(row(solution))
        if len(batch) >= BATCH_ROWS:
            output.write("".join(batch).encode())
            batch.clear()
    batch.append(tail)
    output.write("".join(batch).encode())
    return Written(capped.rows, capped.truncated)


# --- SPARQL 1.1 Query Results JSON Format -------------------------------------------------------

def _json_term(term) -> str:
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _json_str(term.value) + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _json_str(term.value) + "}"
    if kind is ox.Literal:
        language = term.language
        if language is not None:
            direction = term.direction
            extra = "" if direction is None else ',"its:dir":' + _json_str(_direction(direction))
            return ('{"type":"literal","value":' + _json_str(term.value) + ',"xml:lang":'
                    + _json_str(language) + extra + "}")
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return '{"type":"literal","value":' + _json_str(term.value) + "}"
        return ('{"type":"literal","value":' + _json_str(term.value) + ',"datatype":'
                + _json_str(datatype) + "}")
    return ('{"type":"triple","value":{"subject":' + _json_term(term.subject) + ',"predicate":'
            + _json_term(term.predicate) + ',"object":' + _json_term(term.object) + "}}")


def _json_writers(names: list[str]) -> tuple[str, Callable, str]:
    keys = [_json_str(n) + ":" for n in names]
    head = '{"head":{"vars":[' + ",".join(_json_str(n) for n in names) + ']},"results":{"bindings":['
    first = True

    def row(solution) -> str:
        nonlocal first
        cells = ",".join([k + _json_term(t) for k, t in zip(keys, solution, strict=True) if t is not None])
        if first:
            first = False
            return "{" + cells + "}"
        return ",{" + cells + "}"

    return head, row, "]}}"


# --- SPARQL Query Results XML Format ------------------------------------------------------------

_XML_WS = " \t\r\n"


def _xml_escape(text: str) -> str:
    """Escape as pyoxigraph does: the five XML specials, and edge whitespace as character references.

    Edge whitespace is escaped so that no XML reader trims it away.
    """
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "'" in text:
        text = text.replace("'", "&apos;")
    if text and (text[0] in _XML_WS or text[-1] in _XML_WS):
        core = text.lstrip(_XML_WS)
        lead = text[: len(text) - len(core)]
        stripped = core.rstrip(_XML_WS)
        trail = core[len(stripped):]
        text = ("".join(f"&#{ord(c)};" for c in lead) + stripped
                + "".join(f"&#{ord(c)};" for c in trail))
    return text


def _xml_term(term) -> str:
    kind = type(term)
    if kind is ox.NamedNode:
        return "<uri>" + _xml_escape(term.value) + "</uri>"
    if kind is ox.BlankNode:
        return "<bnode>" + _xml_escape(term.value) + "</bnode>"
    if kind is ox.Literal:
        language = term.language
        if language is not None:
            direction = term.direction
            extra = "" if direction is None else (
                f' its:dir="{_direction(direction)}" xmlns:its="{ITS_NS}" its:version="2.0"')
            return f'<literal xml:lang="{_xml_escape(language)}"{extra}>{_xml_escape(term.value)}</literal>'
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return "<literal>" + _xml_escape(term.value) + "</literal>"
        return f'<literal datatype="{_xml_escape(datatype)}">{_xml_escape(term.value)}</literal>'
    return ("<triple><subject>" + _xml_term(term.subject) + "</subject><predicate>"
            + _xml_term(term.predicate) + "</predicate><object>" + _xml_term(term.object)
            + "</object></triple>")


def _xml_writers(names: list[str]) -> tuple[str, Callable, str]:
    opens = [f'<binding name="{_xml_escape(n)}">' for n in names]
    variables = "".join(f'<variable name="{_xml_escape(n)}"/>' for n in names)
    head = ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            + variables + "</head><results>")

    def row(solution) -> str:
        return "<result>" + "".join(
            [o + _xml_term(t) + "</binding>" for o, t in zip(opens, solution, strict=True) if t is not None]
        ) + "</result>"

    return head, row, "</results></sparql>"


# --- SPARQL 1.1 Query Results CSV and TSV Formats -----------------------------------------------

def _csv_escape(text: str) -> str:
    """RFC 4180 quoting: only fields holding a quote, comma, CR or LF are quoted, quotes doubled."""
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_term(term) -> str:
    """CSV loses term types by design: IRIs and literal values plain, blank nodes as ``_:label``."""
    kind = type(term)
    if kind is ox.Literal:
        return _csv_escape(term.value)
    if kind is ox.NamedNode:
        return _csv_escape(term.value)
    if kind is ox.BlankNode:
        return "_:" + term.value
    return _csv_term(term.subject) + " " + _csv_term(term.predicate) + " " + _csv_term(term.object)


def _csv_writers(names: list[str]) -> tuple[str, Callable, str]:
    def row(solution) -> str:
        return ",".join(["" if t is None else _csv_term(t) for t in solution]) + "\r\n"

    return ",".join(names) + "\r\n", row, ""


def _tsv_string(text: str) -> str:
    """A Turtle string literal with the escapes TSV needs (tab and line ends must not appear raw)."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if '"' in text:
        text = text.replace('"', '\\"')
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return '"' + text + '"'


def _is_turtle_number(value: str, datatype: str) -> bool:
    """Whether the Turtle short form (``12``, ``1.5``, ``1E3``, ``true``) writes this literal exactly."""
    if datatype == XSD + "boolean":
        return value in ("true", "false")
    body = value[1:] if value[:1] in ("+", "-") else value
    if datatype == XSD + "integer":
        return body.isascii() and body.isdigit()
    if datatype == XSD + "decimal":
        whole, dot, fraction = body.partition(".")
        return (dot == "." and fraction.isascii() and fraction.isdigit()
                and (whole == "" or (whole.isascii() and whole.isdigit())))
    if datatype == XSD + "double":
        mantissa, e, exponent = body.replace("E", "e").partition("e")
        if not e:
            return False
        exponent = exponent[1:] if exponent[:1] in ("+", "-") else exponent
        whole, _, fraction = mantissa.partition(".")
        digits_ok = all(p == "" or (p.isascii() and p.isdigit()) for p in (whole, fraction))
        return digits_ok and (whole + fraction) != "" and exponent.isascii() and exponent.isdigit()
    return False


def _tsv_term(term) -> str:
    kind = type(term)
    if kind is ox.NamedNode:
        return "<" + term.value + ">"
    if kind is ox.BlankNode:
        return "_:" + term.value
    if kind is ox.Literal:
        value = term.value
        language = term.language
        if language is not None:
            direction = term.direction
            suffix = "" if direction is None else "--" + _direction(direction)
            return _tsv_string(value) + "@" + language + suffix
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return _tsv_string(value)
        if datatype.startswith(XSD) and _is_turtle_number(value, datatype):
            return value
        return _tsv_string(value) + "^^<" + datatype + ">"
    return ("<<( " + _tsv_term(term.subject) + " " + _tsv_term(term.predicate) + " "
            + _tsv_term(term.object) + " )>>")


def _tsv_writers(names: list[str]) -> tuple[str, Callable, str]:
    def row(solution) -> str:
        return "\t".join(["" if t is None else _tsv_term(t) for t in solution]) + "\n"

    return "\t".join("?" + n for n in names) + "\n", row, ""


def _direction(direction) -> str:
    return "rtl" if direction == ox.BaseDirection.RTL else "ltr"


_WRITERS: dict[str, Callable[[list[str]], tuple[str, Callable, str]]] = {
    "application/sparql-results+json": _json_writers,
    "application/sparql-results+xml": _xml_writers,
    "text/csv": _csv_writers,
    "text/tab-separated-values": _tsv_writers,
}
