"""``smartcity-kg generate``: synthetic data for load and validation tests (``loader/generate.py``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import options

HELP = "write synthetic N-Triples (about N triples, optionally K planted violations) for load tests"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--triples", type=int, required=True, help="about how many triples to write")
    parser.add_argument("--out", type=Path, required=True, help="directory for the files and manifest.json")
    parser.add_argument("--violations", type=int, default=0, help="violations to plant (in manifest.json)")
    parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same files")
    options.base_iri(parser)
    options.source_dir(parser)


def run(args: argparse.Namespace) -> int:
    from loader.generate import generate

    manifest = generate(args.triples, args.out, args.violations, args.seed, args.base_iri, args.source_dir)
    print(f"wrote {manifest['triples']} triples ({len(manifest['violations'])} planted violations) "
          f"to {args.out}; load with: smartcity-kg load --shacl sparql {args.out}/*.nt")
    return 0
