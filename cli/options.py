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


def engine(parser: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--remote-*``: the embedded store or a remote SPARQL engine.

    Only where the engine is: the password comes from the configuration file or the environment
    (SMARTCITY_KG_REMOTE_PASSWORD), never from an option, which other users could read in ``ps``.
    """
    parser.add_argument("--config", help="TOML configuration file (env SMARTCITY_KG_CONFIG)")
    parser.add_argument("--engine", choices=("embedded", "remote"),
                        help="embedded store (default) or a remote SPARQL engine (env SMARTCITY_KG_ENGINE)")
    parser.add_argument("--remote-query-url", help="the remote engine's SPARQL query URL "
                                                   "(env SMARTCITY_KG_REMOTE_QUERY_URL)")
    parser.add_argument("--remote-store-url", help="its SPARQL 1.1 Graph Store URL "
                                                   "(env SMARTCITY_KG_REMOTE_STORE_URL)")
    parser.add_argument("--remote-user", help="user name for the engine (env SMARTCITY_KG_REMOTE_USER)")
    parser.add_argument("--remote-auth", choices=("none", "basic", "digest"),
                        help="HTTP authentication the engine asks for (env SMARTCITY_KG_REMOTE_AUTH)")


def engine_overrides(args: argparse.Namespace) -> dict:
    """The settings the ``engine`` options give (None: not given)."""
    return {"CONFIG": args.config, "ENGINE": args.engine, "REMOTE_QUERY_URL": args.remote_query_url,
            "REMOTE_STORE_URL": args.remote_store_url, "REMOTE_USER": args.remote_user,
            "REMOTE_AUTH": args.remote_auth}
