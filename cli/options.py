"""Options several commands share, with their environment variables (``SMARTCITY_KG_*``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kg.defaults import DEFAULT_BASE_IRI, DEFAULT_STORE, ENV_PREFIX, SOURCE_DIR


def env(name: str, default: str) -> str:
    """``SMARTCITY_KG_<name>`` from the environment, else ``default``."""
    return os.environ.get(ENV_PREFIX + name, default)


def store(parser: argparse.ArgumentParser) -> None:
    """``--store``: the store link."""
    parser.add_argument("--store", type=Path, default=Path(env("STORE", str(DEFAULT_STORE))),
                        help="store path (a link to the current version; env SMARTCITY_KG_STORE)")


def base_iri(parser: argparse.ArgumentParser) -> None:
    """``--base-iri``: the base of minted IRIs."""
    parser.add_argument("--base-iri", default=env("BASE_IRI", DEFAULT_BASE_IRI),
                        help=f"base of instance IRIs (default {DEFAULT_BASE_IRI}; env SMARTCITY_KG_BASE_IRI)")


def source_dir(parser: argparse.ArgumentParser) -> None:
    """``--source-dir``: the CSV sources."""
    parser.add_argument("--source-dir", type=Path, default=SOURCE_DIR, help="CSV sources")
