"""``smartcity-kg query``: run one SPARQL query on the store and print the result."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.errors import KGError

from . import options

HELP = "run a SPARQL query against the store"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sparql", help="the query text, or @FILE to read it from a file")
    parser.add_argument("--format", choices=("table", "json", "xml", "csv", "tsv", "turtle", "ntriples"),
                        default="table", help="output format (table for SELECT/ASK, turtle for graphs)")
    options.store(parser)


def run(args: argparse.Namespace) -> int:
    from kg.store import KnowledgeGraph

    from .table import render

    text = args.sparql
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise KGError(f"{text[1:]}: {exc.strerror}") from None
    kg = KnowledgeGraph.open(args.store)
    try:
        result = kg.query(text)
    except SyntaxError as exc:
        raise KGError(f"query syntax error: {exc}") from None
    sys.stdout.write(render(result, args.format))
    return 0
