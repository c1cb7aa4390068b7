"""The ``smartcity-kg`` command, above the loader and the server.

One module per command, each with ``add_arguments(parser)`` and ``run(args) -> exit code``; a
command imports what it runs only when it runs, so ``smartcity-kg load`` never imports Flask and
``smartcity-kg serve`` never imports rdflib or pySHACL. Exit codes: 0 ok, 1 invalid input,
2 cannot run (``kg.errors``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kg.errors import KGError, SourceError

from . import generate, load, query, serve, stats, validate

COMMANDS = {"load": load, "validate": validate, "query": query, "stats": stats, "serve": serve,
            "generate": generate}


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command (building it imports no command's dependencies)."""
    top = argparse.ArgumentParser(
        prog="smartcity-kg", description="Load, validate, query and serve the smartcity-kg knowledge graph.")
    sub = top.add_subparsers(dest="command", required=True)
    for name, module in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.HELP))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 invalid input, 2 cannot run)."""
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except SourceError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except KGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
