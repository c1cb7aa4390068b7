"""Re-encodings of query results for the API: SPARQL JSON → plain JSON, CSV with a BOM.

Both work on the streamed chunks, so a large result is never held whole in memory.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring as _json_str

XSD = "http://www.w3.org/2001/XMLSchema#"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
BOM = codecs.BOM_UTF8

_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def _number_token(value: str, datatype: str) -> str | None:
    """The JSON number for an xsd numeric literal, or None when it is not one (or not a valid one)."""
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
            return json.dumps(number) if number not in (float("inf"), float("-inf")) and number == number \
                else None
    except (ValueError, InvalidOperation):
        return None
    return None


def plain_token(term: Mapping | None) -> str:
    """The plain JSON value of one SPARQL JSON term.

    >>> plain_token({"type": "literal", "value": "100.0", "datatype": XSD + "decimal"})
    '100'
    >>> plain_token({"type": "literal", "value": "true", "datatype": XSD + "boolean"}), plain_token(None)
    ('true', 'null')
    >>> plain_token({"type": "literal", "value": "高松市", "xml:lang": "ja"})
    '"高松市"'
    """
    if term is None:
        return "null"
    kind, value = term.get("type"), term.get("value")
    if kind in ("literal", "typed-literal"):
        datatype = term.get("datatype")
        if datatype == XSD + "boolean" and value in ("true", "false", "1", "0"):
            return "true" if value in ("true", "1") else "false"
        if datatype and (token := _number_token(value, datatype)) is not None:
            return token
        return _json_str(value)
    if kind == "bnode":
        return _json_str("_:" + value)
    if kind == "triple":  # RDF 1.2 triple term: its three values, spaced
        parts = [value.get(k, {}).get("value", "") for k in ("subject", "predicate", "object")]
        return _json_str(" ".join(str(p) for p in parts))
    return _json_str(str(value))


class _SparqlJsonReader:
    """Reads SPARQL JSON results from byte chunks, one binding at a time (never the whole result)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False

    def _more(self) -> bool:
        if self._eof:
            return False
        chunk = next(self._chunks, None)
        if chunk is None:
            self._eof = True
            self._buf += self._text.decode(b"", final=True)
            return False
        if self._pos > 65536:  # drop what was read
            self._buf, self._pos = self._buf[self._pos:], 0
        self._buf += self._text.decode(chunk)
        return True

    def _peek(self) -> str:
        """The next non-blank character (not consumed); "" at the end."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise ValueError(f"malformed SPARQL JSON results: expected {char!r}")
        self._pos += 1

    def _value(self):
        self._peek()
        while True:
            try:
                value, self._pos = self._decoder.raw_decode(self._buf, self._pos)
                return value
            except json.JSONDecodeError:
                if not self._more():
                    raise ValueError("truncated SPARQL JSON results") from None

    def read(self) -> Iterator[tuple[str, object]]:
        """("vars", [names]) once, then ("row", {name: term}) per solution."""
        self._expect("{")
        while self._peek() != "}":
            key = self._value()
            self._expect(":")
            if key == "head":
                yield "vars", self._value().get("vars", [])
            elif key == "results":
                self._expect("{")
                while self._peek() != "}":
                    inner = self._value()
                    self._expect(":")
                    if inner == "bindings":
                        self._expect("[")
                        while self._peek() != "]":
                            yield "row", self._value()
                            if self._peek() == ",":
                                self._pos += 1
                        self._pos += 1
                    else:
                        self._value()
                    if self._peek() == ",":
                        self._pos += 1
                self._pos += 1
            else:
                self._value()
            if self._peek() == ",":
                self._pos += 1


def to_plain_json(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """SPARQL JSON results → ``[{column: plain value}]``, converted as the bytes arrive.

    >>> b"".join(to_plain_json([b'{"head":{"vars":["a","b"]},"results":{"bindings":[{"a":{"type":"uri",',
    ...     b'"value":"http://e/x"}},{"b":{"type":"literal","value":"7","datatype":"' + XSD.encode()
    ...     + b'integer"}}]}}'])).decode()
    '[{"a":"http://e/x","b":null},{"a":null,"b":7}]'
    """
    keys: list[tuple[str, str]] = []
    batch: list[str] = ["["]
    first = True
    for kind, item in _SparqlJsonReader(chunks).read():
        if kind == "vars":
            keys = [(name, _json_str(name) + ":") for name in item]
            continue
        row = "{" + ",".join(key + plain_token(item.get(name)) for name, key in keys) + "}"
        batch.append(row if first else "," + row)
        first = False
        if len(batch) >= 256:
            yield "".join(batch).encode()
            batch.clear()
    batch.append("]")
    yield "".join(batch).encode()


def with_bom(chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield BOM
    yield from chunks
