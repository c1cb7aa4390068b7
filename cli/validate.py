"""``smartcity-kg validate``: check the sources (and extra RDF files) without loading them."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import options
from .load import SHACL_ENGINES

HELP = "check the sources (and extra RDF files) without loading"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.source_dir(parser)
    options.base_iri(parser)
    parser.add_argument("--shacl", choices=SHACL_ENGINES, default="pyshacl",
                        help="SHACL engine (see smartcity-kg load --help)")
    parser.add_argument("files", nargs="*", type=Path, help="extra RDF files to validate too")


def run(args: argparse.Namespace) -> int:
    from loader import pipeline
    from loader.vocab import Iris

    compiled = pipeline.compile_sources(args.source_dir, Iris(args.base_iri), args.files,
                                        stream=args.shacl != "pyshacl")
    pipeline.validate(compiled, args.shacl)
    graphs = len(compiled.all_graphs()) + len(compiled.streamed)
    if compiled.streamed:
        print(f"valid: {graphs} graphs conform to the shapes")
    else:
        total = sum(len(g) for g in compiled.all_graphs().values())
        print(f"valid: {total} triples in {graphs} graphs conform to the shapes")
    return 0
