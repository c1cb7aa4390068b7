"""``smartcity-kg serve``: the production WSGI server (gunicorn), or Flask's with ``--dev``.

Each gunicorn process (``WEB_WORKERS``, two by default: one per core of the reference machine)
answers requests from threads and owns its query engine and result cache. One process would be
enough for the CPU that Python spends per request, but it serializes that work on one GIL: a
second process roughly doubles the rate of cheap requests (cache hits) on two cores.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    """gunicorn configured in code, loading the app through the factory in each worker."""

    def __init__(self, overrides: Mapping[str, Any], options: Mapping[str, Any]):
        self.overrides = dict(overrides)
        self.options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app(self.overrides)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the ``serve`` subcommand."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--store", help="store path (env SMARTCITY_KG_STORE)")
    parser.add_argument("--config", help="TOML configuration file (env SMARTCITY_KG_CONFIG)")
    parser.add_argument("--query-timeout", type=float, help="seconds a query may run (default 10)")
    parser.add_argument("--workers", type=int, help="web processes (default 2)")
    parser.add_argument("--query-workers", type=int, help="query processes per web process (default 2)")
    parser.add_argument("--no-cache", action="store_const", const=False, dest="cache",
                        help="turn the result cache off (env SMARTCITY_KG_CACHE=off)")
    parser.add_argument("--threads", type=int, help="request threads per web process (default 8)")
    parser.add_argument("--dev", action="store_true", help="Flask's development server instead of gunicorn")


def serve(args: argparse.Namespace) -> int:
    """Run the server until interrupted."""
    overrides = {"STORE": args.store, "CONFIG": args.config, "QUERY_TIMEOUT": args.query_timeout,
                 "QUERY_WORKERS": args.query_workers, "CACHE": args.cache,
                 "WEB_WORKERS": args.workers, "HTTP_THREADS": args.threads}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if args.dev:
        from . import create_app

        create_app(overrides).run(host=args.host, port=args.port, threaded=True)
        return 0
    from . import config

    settings = config.load(overrides)
    timeout = settings["QUERY_TIMEOUT"]
    _Gunicorn(overrides, {
        "bind": f"{args.host}:{args.port}",
        "workers": settings["WEB_WORKERS"],
        "worker_class": "gthread",
        "threads": settings["HTTP_THREADS"],
        "timeout": int(timeout * 3 + 30),
        "accesslog": "-",
        "logger_class": "server.access_log.AccessLog",
        "errorlog": "-",
        "limit_request_line": 0,  # unlimited here: the app refuses over-long URLs itself (413)
    }).run()
    return 0
