"""Typed request parameters of the canned queries, checked and turned into RDF terms.

A value is never pasted into query text: it becomes a pyoxigraph term, which the API writes into
the query in SPARQL syntax (``engine.substitute``), so ``"} ; DROP ALL #`` is only data. A bad
value is a 400 naming its parameter.

A parameter that declares ``key: <variable>`` also binds that variable to the name key of a text
value (``kg.normalize.normalize``, the comparison form the loader stores as ``sckg:nameKey`` for
every label), so the query matches names with ``=`` or ``CONTAINS`` on any SPARQL 1.1 engine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg import fiscal
from kg.codes import is_lg_code
from kg.normalize import normalize

from . import errors
from .queries import RESERVED, CannedQuery, Param

XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_TEXT = 200  # characters of a text or label value
MAX_IRI = 2000
MAX_NUMBER = Decimal(10) ** 15
MAX_FRACTION_DIGITS = 18  # pyoxigraph's xsd:decimal precision
MAX_INTEGER = 10**18

ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_HTTP_IRI = re.compile(r"^https?://", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
TRUE_VALUES, FALSE_VALUES = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


# --- parameters -------------------------------------------------------------------------------


def bad_param(param: Param | str, message: str) -> errors.BadRequest:
    name = param if isinstance(param, str) else param.name
    return errors.BadRequest(f"parameter '{name}': {message}")


def shown(value: str) -> str:
    """The value as echoed in an error message: quoted, cut to a readable length."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _text(param: Param, value: str, limit: int = MAX_TEXT) -> str:
    if param.normalize:
        value = unicodedata.normalize(param.normalize, value)
    if not value.strip():
        raise bad_param(param, "must not be blank")
    if len(value) > limit:
        raise bad_param(param, f"is longer than {limit} characters")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise bad_param(param, "must not contain control characters")
    return value


def _iri(param: Param, value: str) -> ox.NamedNode:
    if len(value) > MAX_IRI:
        raise bad_param(param, f"is longer than {MAX_IRI} characters")
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise bad_param(param, f"{shown(value)} is not a valid IRI") from None


def bind_value(param: Param, value: str) -> tuple[str, ox.NamedNode | ox.Literal]:
    """The (variable, term) that one request value binds, after checking it against the declared type.

    :raises BadRequest: naming the parameter, when the value does not fit its type.
    """
    kind = param.type
    if kind == "lgcode":
        code = unicodedata.normalize("NFKC", value).strip()
        if not is_lg_code(code):
            raise bad_param(param, f"{shown(value)} is not a local government code "
                              "(6 digits, the last a check digit, e.g. 372013)")
        return param.name, ox.Literal(code)
    if kind == "fiscal-year":
        year = fiscal.parse(value)
        if year is None:
            raise bad_param(param, f"{shown(value)} is not a fiscal year (e.g. {fiscal.EXAMPLES})")
        if year not in fiscal.RANGE:
            first, last = fiscal.RANGE.start, fiscal.RANGE.stop - 1
            raise bad_param(param, f"fiscal year {year} is outside {first}–{last}")
        return param.name, ox.Literal(year)
    if kind == "integer":
        text = unicodedata.normalize("NFKC", value).strip()
        if not _INTEGER.fullmatch(text) or abs(int(text)) > MAX_INTEGER:
            raise bad_param(param, f"{shown(value)} is not a whole number")
        return param.name, ox.Literal(int(text))
    if kind == "number":
        return param.name, _decimal(param, value)
    if kind == "choice":
        if value not in param.choices:
            raise bad_param(param, f"{shown(value)} is not one of {', '.join(param.choices)}")
        if reason := param.unsupported.get(value):
            raise bad_param(param, f"{value} is not available: {reason['en']} / {reason['ja']}")
        return param.name, ox.Literal(value)
    if kind == "iri":
        if not _HTTP_IRI.match(value):
            raise bad_param(param, f"{shown(value)} is not an absolute http(s) IRI")
        return param.name, _iri(param, value)
    if kind == "iri-or-label":
        assert param.binds is not None
        if ABSOLUTE_IRI.match(value):
            return param.binds["iri"], _iri(param, value)
        return param.binds["label"], ox.Literal(_text(param, value))
    return param.name, ox.Literal(_text(param, value))  # text


def _decimal(param: Param, value: str) -> ox.Literal:
    text = unicodedata.normalize("NFKC", value).strip()
    try:
        number = Decimal(text) if _NUMBER.fullmatch(text) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise bad_param(param, f"{shown(value)} is not a number")
    if abs(number) > MAX_NUMBER:
        raise bad_param(param, f"{shown(value)} is larger than {MAX_NUMBER:,} in magnitude")
    if number and number.as_tuple().exponent < -MAX_FRACTION_DIGITS:
        raise bad_param(param, f"{shown(value)} has more than {MAX_FRACTION_DIGITS} decimal places")
    return ox.Literal(format(number, "f"), datatype=ox.NamedNode(XSD + "decimal"))


def bind_arguments(query: CannedQuery, args: Mapping[str, list[str]]) -> tuple[tuple[str, object], ...]:
    """(variable, pyoxigraph term) pairs for the request parameters ``args`` (name → values) of ``query``.

    Only parameters received are bound (an unbound variable matches anything); an empty value
    counts as absent, as an empty field of an HTML form does.

    :raises BadRequest: for an unknown or repeated parameter, a missing required one, a bad value.
    """
    known = {p.name for p in query.params}
    for name, values in args.items():
        if name in RESERVED:
            continue
        if name not in known:
            takes = ", ".join(sorted(known)) or "no parameters"
            raise bad_param(name, f"unknown parameter; {query.name} takes: {takes}")
        if len(values) > 1:
            raise bad_param(name, "must be given at most once")
    bound: list[tuple[str, object]] = []
    for param in query.params:
        value = (args.get(param.name) or [""])[0]
        if value == "":
            if param.required:
                raise bad_param(param, f"missing; it is required ({param.description['en']})")
            continue
        variable, term = bind_value(param, value)
        bound.append((variable, term))
        if key := name_key(param, term):
            bound.append(key)
    return tuple(bound)


def name_key(param: Param, term: ox.NamedNode | ox.Literal) -> tuple[str, ox.Literal] | None:
    """The (variable, key) a parameter declaring ``key`` binds besides its value: the comparison
    form of a text value (none for an IRI), as the loader computes ``sckg:nameKey``.

    >>> from server.queries import Param
    >>> name_key(Param("q", "text", True, {}, "", key="qKey"), ox.Literal("ｶﾝｵﾝｼﾞ"))
    ('qKey', <Literal value=kanonzi datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>)
    """
    if param.key is None or not isinstance(term, ox.Literal):
        return None
    return param.key, ox.Literal(normalize(term.value))
