"""``smartcity-kg serve``: the production WSGI server (gunicorn), or Flask's with ``--dev``.

Each gunicorn process (``WEB_WORKERS``, two by default: one per core of the reference machine)
answers requests from threads and owns its query engine and result cache. One process would be
enough for the CPU that Python spends per request, but it serializes that work on one GIL: a
second process roughly doubles the rate of cheap requests (cache hits) on two cores.
"""

from __future__ import annotations

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

        return _warmed(create_app(self.overrides))


def serve(overrides: Mapping[str, Any], host: str = "127.0.0.1", port: int = 8080, dev: bool = False) -> int:
    """Run the server with the settings ``overrides`` until interrupted.

    :raises ConfigError: for a setting that cannot be used.
    """
    if dev:
        from . import create_app

        _warmed(create_app(overrides)).run(host=host, port=port, threaded=True)
        return 0
    from . import config

    settings = config.load(overrides)
    timeout = settings["QUERY_TIMEOUT"]
    _Gunicorn(overrides, {
        "bind": f"{host}:{port}",
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


def _warmed(app):
    """The app with its query workers started (they open the store while the server comes up).

    ``create_app`` starts no process, so that tests can build apps cheaply; a server should not
    make its first clients wait for the store to load.
    """
    app.extensions["kg_engine"].start()
    return app
