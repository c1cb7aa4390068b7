"""Bound request values written into query text, for engines that take nothing but the text.

The embedded engine binds a canned query's parameters through pyoxigraph's ``substitutions``
(SEP-0007: the variable is replaced by the value throughout the query and stays projected); the
SPARQL 1.1 Protocol has no parameter for that, so for a remote engine the same substitution is
done on the text: each occurrence of ``?name`` outside strings, IRIs and comments becomes the
value in SPARQL syntax, ``(value AS ?name)`` in the outermost SELECT list; sub-SELECTs, GROUP BY
and ORDER BY leave it out (see :func:`substitute`). The values are RDF terms written by
pyoxigraph (N-Triples syntax, valid in SPARQL), so no request text reaches the query unescaped.
Forms that substitution cannot keep equivalent (the variable bound by ``AS``, ``VALUES`` or
``SELECT *``) are refused, and ``tests/test_remote_backend.py`` checks that every canned query
gives the same answer both ways.

>>> import pyoxigraph as ox
>>> substitute('SELECT ?s ?o WHERE { ?s <http://ex/p> ?o } ORDER BY ?s ?o', {"s": ox.NamedNode("http://ex/a")})
'SELECT (<http://ex/a> AS ?s) ?o WHERE { <http://ex/a> <http://ex/p> ?o } ORDER BY  ?o'
>>> substitute('SELECT ?c WHERE { FILTER(?c = "#?c") } # ?c', {"c": ox.Literal('a"b')})
'SELECT ("a\\\\"b" AS ?c) WHERE { FILTER("a\\\\"b" = "#?c") } # ?c'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import QueryEvaluationError

from ..sparql_text import tokens

__all__ = ["substitute"]

_ENDS_ORDERING = {"HAVING", "ORDER", "GROUP", "LIMIT", "OFFSET", "VALUES"}


@dataclass
class _Select:
    """One SELECT: its projection's tokens, the bare variables it projects, its WHERE's token range."""

    projection: range
    projects: set[str] = field(default_factory=set)
    expressions: int = 0  # the (expression AS ?var) items
    where: range = range(0)


def substitute(query: str, values: Mapping[str, object]) -> str:
    """``query`` with each variable of ``values`` (name → pyoxigraph term) replaced by its value.

    In the outermost SELECT list the variable becomes ``(value AS ?name)``; a sub-SELECT no longer
    projects it; in GROUP BY and ORDER BY a constant key changes nothing and is left out (kept as
    ``(value)`` when it is the only key).

    :raises QueryEvaluationError: when the query uses a bound variable where no value can stand.
    """
    if not values:
        return query
    written = {name: _sparql(term) for name, term in values.items()}
    projected = {name: _expression(term) for name, term in values.items()}
    toks = [t for t in tokens(query) if t[0] != "comment"]
    selects = _selects(toks)
    orderings = _orderings(toks, written)
    out: list[str] = []
    last = 0
    for index, (kind, text, start, end) in enumerate(toks):
        if kind != "var" or text[1:] not in written:
            if kind == "other" and text == "*" and index and toks[index - 1][1].upper() == "SELECT":
                raise QueryEvaluationError("SELECT * with bound values: list the variables to project")
            continue
        name, value = text[1:], written[text[1:]]
        before = toks[index - 1][1].upper() if index else ""
        if before in ("AS", "VALUES") or _in_values_list(toks, index):
            raise QueryEvaluationError(f"?{name} is bound by the query itself; it cannot take a value")
        owner = next((s for s in selects if index in s.projection), None)
        if owner is not None and _paren_depth(toks, owner.projection.start, index) == 0:
            replacement = _projected(owner, selects, name, projected[name])
        elif index in orderings:
            replacement = orderings[index]
        else:
            replacement = value
        out += [query[last:start], replacement]
        last = end
    out.append(query[last:])
    return "".join(out)


def _projected(owner: _Select, selects: list[_Select], name: str, value: str) -> str:
    """A bound variable in a SELECT list: ``(value AS ?name)`` in the outermost SELECT; left out of
    a sub-SELECT, since every reference to it outside was replaced by the value (projecting it
    there too would have the outer ``AS`` rebind it)."""
    if not any(owner.projection.start in other.where for other in selects):
        return f"({value} AS ?{name})"
    if owner.projects <= {name} and owner.expressions == 0:
        raise QueryEvaluationError(f"a sub-SELECT projects only ?{name}; it cannot take a value")
    return ""


def _selects(toks: list) -> list[_Select]:
    """Every SELECT with the range of its projection tokens and of its WHERE group."""
    found = []
    for index, (kind, text, _, _) in enumerate(toks):
        if kind != "word" or text.upper() != "SELECT":
            continue
        end = index + 1
        while end < len(toks) and not (toks[end][1] == "{" or toks[end][1].upper() in ("WHERE", "FROM")):
            end += 1
        select = _Select(range(index + 1, end))
        depth = 0
        for position in select.projection:
            kind_, text_ = toks[position][:2]
            depth += (text_ == "(") - (text_ == ")")
            if kind_ == "var" and depth == 0:
                select.projects.add(text_[1:])
            elif text_ == "(" and depth == 1:
                select.expressions += 1
        opening = end
        while opening < len(toks) and toks[opening][1] != "{":
            opening += 1
        select.where = range(opening, _matching(toks, opening))
        found.append(select)
    return found


def _orderings(toks: list, written: Mapping[str, str]) -> dict[int, str]:
    """Replacements of bound variables that are GROUP BY or ORDER BY keys: "" (left out), or
    ``(value)`` for the first when every key of the clause is bound."""
    replacements: dict[int, str] = {}
    for index, (kind, text, _, _) in enumerate(toks):
        if kind != "word" or text.upper() != "BY":
            continue
        keys: list[int] = []  # token index where each key starts
        depth = 0
        position = index + 1
        while position < len(toks):
            kind_, text_ = toks[position][:2]
            if depth == 0 and (text_ == "}" or (kind_ == "word" and text_.upper() in _ENDS_ORDERING)):
                break
            if depth == 0 and not (kind_ == "word" and text_.upper() in ("ASC", "DESC")) and text_ != ")":
                if not (kind_ == "open" and keys and toks[position - 1][0] == "word"
                        and toks[position - 1][1].upper() not in ("ASC", "DESC")):
                    keys.append(position)  # a key, unless the "(" of a function call begun before
            depth += (text_ in "([") - (text_ in ")]")
            position += 1
        bound = [k for k in keys if toks[k][0] == "var" and toks[k][1][1:] in written]
        for k in bound:
            replacements[k] = ""
        if bound and len(bound) == len(keys):
            replacements[bound[0]] = f"({written[toks[bound[0]][1][1:]]})"
    return replacements


def _matching(toks: list, opening: int) -> int:
    """The index of the token closing the bracket at ``opening`` (the end when unbalanced)."""
    depth = 0
    for position in range(opening, len(toks)):
        text = toks[position][1]
        depth += (text in "({[") - (text in ")}]")
        if depth == 0:
            return position
    return len(toks)


def _paren_depth(toks: list, start: int, index: int) -> int:
    return sum((toks[p][1] == "(") - (toks[p][1] == ")") for p in range(start, index))


def _in_values_list(toks: list, index: int) -> bool:
    """Whether token ``index`` is in the variable list of ``VALUES ( … )``."""
    position = index - 1
    while position >= 0 and toks[position][0] == "var":
        position -= 1
    return position > 0 and toks[position][1] == "(" and toks[position - 1][1].upper() == "VALUES"


_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def _expression(term: object) -> str:
    """A term as the expression of ``(expression AS ?name)``: a decimal as ``STRDT("…", xsd:decimal)``,
    the same term, since Virtuoso 7 fails a query with ORDER BY that projects a decimal constant
    (SR128: Numeric value out of range for <temporary space column>(0, 0))."""
    if isinstance(term, ox.Literal) and term.datatype.value == _DECIMAL:
        return f"STRDT({_sparql(ox.Literal(term.value))}, <{_DECIMAL}>)"
    return _sparql(term)


def _sparql(term: object) -> str:
    """A term in SPARQL syntax: N-Triples' ``<iri>`` and ``"lexical"@lang`` / ``^^<datatype>``."""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    raise QueryEvaluationError(f"a {type(term).__name__} cannot be written into a query")
