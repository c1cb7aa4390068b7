"""The ``smartcity-kg`` command: load, validate, query and describe the knowledge graph."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import pipeline
from .errors import LoaderError, SourceError
from .vocab import DEFAULT_BASE_IRI, Iris

ENV_PREFIX = "SMARTCITY_KG_"


def _env(name: str, default: str) -> str:
    return os.environ.get(ENV_PREFIX + name, default)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smartcity-kg", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def store_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", type=Path, default=Path(_env("STORE", str(pipeline.DEFAULT_STORE))),
                       help="store path (a link to the current version; env SMARTCITY_KG_STORE)")

    load = sub.add_parser("load", help="validate the sources and load them into a new store version")
    load.add_argument("--base-iri", default=_env("BASE_IRI", DEFAULT_BASE_IRI),
                      help=f"base of instance IRIs (default {DEFAULT_BASE_IRI}; env SMARTCITY_KG_BASE_IRI)")
    store_option(load)
    load.add_argument("--source-dir", type=Path, default=pipeline.SOURCE_DIR, help="CSV sources")
    load.add_argument("--ttl-dir", type=Path, default=pipeline.TTL_DIR,
                      help="where the generated Turtle is written")
    load.add_argument("extra", nargs="*", type=Path,
                      help="extra RDF files (Turtle, N-Triples, RDF/XML, JSON-LD) to validate and load")

    validate = sub.add_parser("validate", help="check the sources (and extra RDF files) without loading")
    validate.add_argument("--source-dir", type=Path, default=pipeline.SOURCE_DIR)
    validate.add_argument("--base-iri", default=_env("BASE_IRI", DEFAULT_BASE_IRI))
    validate.add_argument("files", nargs="*", type=Path, help="extra RDF files to validate too")

    query = sub.add_parser("query", help="run a SPARQL query against the store")
    query.add_argument("sparql", help="the query text, or @FILE to read it from a file")
    query.add_argument("--format", choices=("table", "json", "xml", "csv", "tsv", "turtle", "ntriples"),
                       default="table", help="output format (table for SELECT/ASK, turtle for graphs)")
    store_option(query)

    serve = sub.add_parser("serve", help="run the SPARQL endpoint (gunicorn; --dev for Flask's server)")
    from server.serve import add_arguments

    add_arguments(serve)

    stats = sub.add_parser("stats", help="triples per named graph and instances per class")
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    store_option(stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 invalid input, 2 cannot run)."""
    args = _parser().parse_args(argv)
    try:
        commands = {"load": _load, "validate": _validate, "query": _query, "stats": _stats, "serve": _serve}
        return commands[args.command](args)
    except SourceError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except LoaderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _load(args: argparse.Namespace) -> int:
    report = pipeline.load(args.store, Iris(args.base_iri), args.extra, args.source_dir, args.ttl_dir)
    print(f"loaded {sum(report.counts.values())} triples in {report.seconds:.1f} s "
          f"(version {report.version})")
    for graph, count in report.counts.items():
        print(f"  {count:>7}  {graph}")
    for path in report.changed_ttl:
        print(f"  wrote {path}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    compiled = pipeline.compile_sources(args.source_dir, Iris(args.base_iri), args.files)
    pipeline.validate(compiled)
    total = sum(len(g) for g in compiled.all_graphs().values())
    print(f"valid: {total} triples in {len(compiled.all_graphs())} graphs conform to the shapes")
    return 0


def _open(args: argparse.Namespace):
    from .store import KnowledgeGraph

    return KnowledgeGraph.open(args.store)


def _query(args: argparse.Namespace) -> int:
    from .query_output import render

    text = args.sparql
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise LoaderError(f"{text[1:]}: {exc.strerror}") from None
    kg = _open(args)
    try:
        result = kg.query(text)
    except SyntaxError as exc:
        raise LoaderError(f"query syntax error: {exc}") from None
    sys.stdout.write(render(result, args.format))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from server.config import ConfigError
    from server.serve import serve

    try:
        return serve(args)
    except ConfigError as exc:
        raise LoaderError(f"configuration: {exc}") from None


def _stats(args: argparse.Namespace) -> int:
    kg = _open(args)
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


if __name__ == "__main__":
    sys.exit(main())
