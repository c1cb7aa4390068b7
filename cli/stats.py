"""``smartcity-kg stats``: triples per named graph and instances per class."""

from __future__ import annotations

import argparse
import json

from . import options

HELP = "triples per named graph and instances per class"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    options.store(parser)


def run(args: argparse.Namespace) -> int:
    from kg.store import KnowledgeGraph

    kg = KnowledgeGraph.open(args.store)
    counts = kg.triple_counts()
    classes = {
        row["c"].value: int(row["n"].value)
        for row in kg.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c ORDER BY ?c")
    }
    if args.json:
        print(json.dumps({"version": kg.version, "triples": len(kg), "graphs": counts,
                          "classes": classes}, indent=2))
        return 0
    print(f"store {args.store} (version {kg.version}): {len(kg)} triples")
    print("named graphs:")
    for graph, count in counts.items():
        print(f"  {count:>7}  {graph}")
    print("instances per class:")
    for cls, count in classes.items():
        print(f"  {count:>7}  {cls}")
    return 0
