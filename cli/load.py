"""``smartcity-kg load``: validate the sources and switch the store to a new version."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.defaults import TTL_DIR

from . import options

HELP = "validate the sources and load them into a new store version"
#: loader.pipeline.ENGINES, without importing the loader to build the parser
SHACL_ENGINES = ("pyshacl", "batched", "rudof", "sparql")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.base_iri(parser)
    options.store(parser)
    options.engine(parser)
    options.source_dir(parser)
    parser.add_argument("--ttl-dir", type=Path, default=TTL_DIR, help="where the generated Turtle is written")
    parser.add_argument("--shacl", choices=SHACL_ENGINES, default="pyshacl",
                        help="SHACL engine: one pySHACL run (default, the reference), pySHACL in batches "
                             "from a scratch store, batches screened by rudof (needs pyrudof), or a SPARQL "
                             "screen in Oxigraph (the fastest for large data); the screens hand what they "
                             "flag to pySHACL, and the batched ones stream N-Triples extras instead of "
                             "parsing them")
    parser.add_argument("--skip-unchanged", action="store_true",
                        help="do not validate again data and rules identical to the last validated load; "
                             "with a batched engine, judge again only what the changed graphs can reach")
    parser.add_argument("--no-dumps", action="store_true",
                        help="leave the dumps to the server (written at the first request that needs them)")
    parser.add_argument("extra", nargs="*", type=Path,
                        help="extra RDF files (Turtle, N-Triples, RDF/XML, JSON-LD) to validate and load")


def run(args: argparse.Namespace) -> int:
    from kg import config
    from kg.remote import RemoteEngineSettings
    from loader import pipeline
    from loader.vocab import Iris

    settings = config.load(options.engine_overrides(args))
    remote = RemoteEngineSettings.from_config(settings) if settings["ENGINE"] == "remote" else None
    report = pipeline.load(args.store, Iris(args.base_iri), args.extra, args.source_dir, args.ttl_dir,
                           engine=args.shacl, skip_unchanged=args.skip_unchanged, dumps=not args.no_dumps,
                           remote=remote)
    print(f"loaded {sum(report.counts.values())} triples in {report.seconds:.1f} s "
          f"(version {report.version})")
    for graph, count in report.counts.items():
        print(f"  {count:>7}  {graph}")
    for path in report.changed_ttl:
        print(f"  wrote {path}")
    return 0
