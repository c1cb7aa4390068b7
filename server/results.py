"""The streaming serializers that query workers write results with (formats: ``kg.formats``).

pyoxigraph's own ``serialize`` cannot stop after a number of rows, so solutions are written
here, row by row, in the four W3C result formats, byte for byte as pyoxigraph writes them, and
in the API's two of its own (plain JSON, CSV with a byte-order mark), written once, from the
terms; triples go through ``pyoxigraph.serialize`` fed by a capped iterator; booleans (one
value) use pyoxigraph directly. Nothing holds a whole result: rows are written in batches as
they arrive.

>>> import io, pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.Literal("a,b")))
>>> out = io.BytesIO()
>>> write_result(store.query("SELECT ?s ?o { ?s ?p ?o }"), "text/csv", out)
Written(rows=1, truncated=False)
>>> out.getvalue()
b's,o\\r\\nhttp://ex/s,"a,b"\\r\\n'
>>> out = io.BytesIO()
>>> write_result(store.query("SELECT ?s ?o ?none { ?s ?p ?o }"), "plain-json", out).rows
1
>>> out.getvalue().decode()
'[{"s":"http://ex/s","o":"a,b","none":null}]'
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring as _json_str  # C accelerated, ensure_ascii=False escaping
from typing import BinaryIO

import pyoxigraph as ox

from kg.formats import BOOLEAN, BY_KEY, FORMATS, GRAPH, SOLUTIONS, ResultFormat, resolve

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
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


def format_for(name: str, kind: str) -> ResultFormat | None:
    """The format ``name`` asks for a ``kind`` result, or None when it cannot carry one.

    ``name`` is a key of ``kg.formats.BY_KEY`` (``plain-json``, ``csv-bom``, ``srj``, …) or a
    media type or alias, resolved per kind (``application/json`` is SPARQL JSON for a SELECT,
    JSON-LD for a CONSTRUCT).

    >>> format_for("plain-json", SOLUTIONS).key, format_for("application/json", GRAPH).key
    ('plain-json', 'jsonld')
    >>> format_for("csv-bom", GRAPH) is None
    True
    """
    fmt = BY_KEY.get(name)
    if fmt is None:
        media_type = resolve(name, kind)
        return FORMATS[media_type] if media_type is not None else None
    return fmt if kind in fmt.kinds else None


def write_result(result, name: str, output: BinaryIO, max_rows: int | None = None) -> Written:
    """Serialize any pyoxigraph query result to ``output`` in format ``name``, at most ``max_rows`` rows.

    ``name``: a format key or a media type, see :func:`format_for`.

    :raises ValueError: when that format cannot carry this kind of result.
    """
    kind = kind_of(result)
    fmt = format_for(name, kind)
    if fmt is None:
        raise ValueError(f"{name} cannot carry a {kind} result")
    if kind == SOLUTIONS:
        return write_solutions(result, fmt.key, output, max_rows)
    if kind == BOOLEAN:
        output.write(result.serialize(format=fmt.native))
        return Written(1, False)
    return write_triples(result, fmt.key, output, max_rows)


def write_triples(triples: Iterable[ox.Triple], key: str, output: BinaryIO,
                  max_rows: int | None = None) -> Written:
    """Serialize triples with pyoxigraph's writer, fed through an iterator that stops at the cap."""
    capped = _Capped(triples, max_rows)
    ox.serialize(capped, output, format=BY_KEY[key].native)
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


def write_solutions(solutions: ox.QuerySolutions, key: str, output: BinaryIO,
                    max_rows: int | None = None) -> Written:
    """Stream SELECT solutions in the format of ``key`` (the W3C four, the API's two), stopping
    after ``max_rows``."""
    names = [v.value for v in solutions.variables]
    head, row, tail = _WRITERS[key](names)
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


# --- the API's own: CSV with a byte-order mark, plain JSON ----------------------------------------

def _csv_bom_writers(names: list[str]) -> tuple[str, Callable, str]:
    """The CSV above, behind a UTF-8 byte-order mark: Excel reads BOM-less UTF-8 as Shift_JIS."""
    head, row, tail = _csv_writers(names)
    return "\ufeff" + head, row, tail


_INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))


def _number_token(value: str, datatype: str) -> str | None:
    """The JSON number for an xsd numeric literal, or None when it is not one (or not a valid one).

    >>> _number_token("100.0", XSD + "decimal"), _number_token("0.50", XSD + "decimal")
    ('100', '0.50')
    >>> _number_token("1.5E3", XSD + "double"), _number_token("NaN", XSD + "double")
    ('1500.0', None)
    """
    try:
        if datatype in _INTEGER_TYPES:
            return str(int(value.strip()))
        if datatype == XSD + "decimal":
            number = Decimal(value.strip())
            if not number.is_finite():
                return None
            return str(int(number)) if number == number.to_integral_value() else format(number, "f")
        if datatype in (XSD + "double", XSD + "float"):
            number = float(value)
            if number in (float("inf"), float("-inf")) or number != number:
                return None
            return json.dumps(number)
    except (ValueError, InvalidOperation):
        return None
    return None


def _plain_term(term) -> str:
    """The plain JSON value of one term: numbers and booleans as such, anything else as a string.

    >>> _plain_term(ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))), _plain_term(None)
    ('7', 'null')
    >>> _plain_term(ox.Literal("true", datatype=ox.NamedNode(XSD_BOOLEAN))), _plain_term(ox.BlankNode("b"))
    ('true', '"_:b"')
    >>> _plain_term(ox.Literal("高松市", language="ja"))
    '"高松市"'
    """
    kind = type(term)
    if kind is ox.Literal:
        value = term.value
        if term.language is None:
            datatype = term.datatype.value
            if datatype == XSD_BOOLEAN and value in ("true", "false", "1", "0"):
                return "true" if value in ("true", "1") else "false"
            if datatype.startswith(XSD) and (token := _number_token(value, datatype)) is not None:
                return token
        return _json_str(value)
    if kind is ox.NamedNode:
        return _json_str(term.value)
    if term is None:
        return "null"
    if kind is ox.BlankNode:
        return _json_str("_:" + term.value)
    return _json_str(_plain_text(term))  # RDF 1.2 triple term: its three values, spaced


def _plain_text(term) -> str:
    if type(term) is ox.Triple:
        return " ".join(_plain_text(part) for part in (term.subject, term.predicate, term.object))
    return term.value


def _plain_json_writers(names: list[str]) -> tuple[str, Callable, str]:
    """An array of objects, one key per column (unbound: null), in the order of the solutions."""
    keys = [_json_str(n) + ":" for n in names]
    first = True

    def row(solution) -> str:
        nonlocal first
        cells = "{" + ",".join([k + _plain_term(t) for k, t in zip(keys, solution, strict=True)]) + "}"
        if first:
            first = False
            return cells
        return "," + cells

    return "[", row, "]"


#: Solution writers by format key: (variable names) → (head, row writer, tail).
_WRITERS: dict[str, Callable[[list[str]], tuple[str, Callable, str]]] = {
    "srj": _json_writers,
    "srx": _xml_writers,
    "csv": _csv_writers,
    "tsv": _tsv_writers,
    "csv-bom": _csv_bom_writers,
    "plain-json": _plain_json_writers,
}
