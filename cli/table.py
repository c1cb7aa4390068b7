"""Render a pyoxigraph query result for a terminal (aligned table) or as a standard format."""

from __future__ import annotations

import unicodedata

import pyoxigraph as ox

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}


def _width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def table(variables: list[str], rows: list[list[str]]) -> str:
    """An aligned plain-text table with a header rule.

    >>> print(table(["a", "b"], [["高松市", "1"]]), end="")
    a      | b
    -------+--
    高松市 | 1
    """
    widths = [max([_width(v)] + [_width(r[i]) for r in rows]) for i, v in enumerate(variables)]
    lines = [" | ".join(_pad(v, w) for v, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    for row in rows:
        lines.append(" | ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def render(result, fmt: str) -> str:
    """Text for a SELECT/ASK/CONSTRUCT/DESCRIBE result in ``fmt`` (table, json, …, turtle)."""
    if isinstance(result, ox.QueryBoolean):
        if fmt in RESULT_FORMATS:
            return result.serialize(format=RESULT_FORMATS[fmt]).decode() + "\n"
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        graph_format = GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE)
        return result.serialize(format=graph_format).decode()
    if fmt in RESULT_FORMATS:
        return result.serialize(format=RESULT_FORMATS[fmt]).decode()
    variables = [v.value for v in result.variables]
    rows = [[_cell(solution[v]) for v in variables] for solution in result]
    return table(variables, rows) + f"({len(rows)} rows)\n"
