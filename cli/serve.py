"""``smartcity-kg serve``: run the web service (``server.serve``) with these options."""

from __future__ import annotations

import argparse

HELP = "run the web service (granian or gunicorn; --dev for Flask's server)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--store", help="store path (env SMARTCITY_KG_STORE)")
    parser.add_argument("--query-timeout", type=float, help="seconds a query may run (default 10)")
    parser.add_argument("--workers", type=int, help="web processes (default 2)")
    parser.add_argument("--query-workers", type=int, help="query processes per web process (default 2)")
    parser.add_argument("--no-cache", action="store_const", const=False, dest="cache",
                        help="turn the result cache off (env SMARTCITY_KG_CACHE=off)")
    parser.add_argument("--threads", type=int, help="request threads per web process (default 8)")
    parser.add_argument("--http-server", choices=("granian", "gunicorn"),
                        help="HTTP server running the app (default granian; env SMARTCITY_KG_HTTP_SERVER)")
    from . import options

    options.engine(parser)
    parser.add_argument("--dev", action="store_true", help="Flask's development server instead")


def run(args: argparse.Namespace) -> int:
    from server.serve import serve

    from . import options

    overrides = {**options.engine_overrides(args), "STORE": args.store, "QUERY_TIMEOUT": args.query_timeout,
                 "QUERY_WORKERS": args.query_workers, "CACHE": args.cache,
                 "WEB_WORKERS": args.workers, "HTTP_THREADS": args.threads, "HTTP_SERVER": args.http_server}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    return serve(overrides, host=args.host, port=args.port, dev=args.dev)
