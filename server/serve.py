"""``smartcity-kg serve``: the app under granian (default) or gunicorn, or Flask's server with ``--dev``.

granian (a Rust HTTP server with a WSGI interface) and gunicorn (gthread) are both real servers
for the same Flask app; granian is the default because it answered more requests per second in
the benchmark, side by side (README, Performance). Each web process (``WEB_WORKERS``, two by
default: one per core of the reference machine) answers requests from threads and owns its query
engine and result cache; two processes because one serializes Python work on one GIL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from kg import config
from kg.defaults import ENV_PREFIX


def build_app(overrides: Mapping[str, Any]):
    """The app as a server runs it: with the access log, and its query processes already starting.

    ``create_app`` starts no process, so that tests can build apps cheaply; a server should not
    make its first clients wait for the store to load.
    """
    from . import create_app
    from .access_log import AccessLog

    app = create_app(overrides)
    app.wsgi_app = AccessLog(app.wsgi_app)
    app.extensions["kg_engine"].start()
    return app


def app_from_environment():
    """granian's factory, called in each web process: the settings come from the environment."""
    return build_app({})


def serve(overrides: Mapping[str, Any], host: str = "127.0.0.1", port: int = 8080, dev: bool = False) -> int:
    """Run the server with the settings ``overrides`` until interrupted.

    :raises ConfigError: for a setting that cannot be used.
    """
    settings = config.load(overrides)  # every value checked here, before any process starts
    if dev:
        from . import create_app

        app = create_app(overrides)
        app.extensions["kg_engine"].start()
        app.run(host=host, port=port, threaded=True)
    elif settings["HTTP_SERVER"] == "gunicorn":
        _run_gunicorn(overrides, settings, host, port)
    else:
        _run_granian(overrides, settings, host, port)
    return 0


def _run_granian(overrides: Mapping[str, Any], settings: Mapping[str, Any], host: str, port: int) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    # the web processes read their settings from the environment: options become variables there
    # (options outrank variables, so overwriting one with the option's value keeps the order)
    os.environ.update({ENV_PREFIX + key: config.as_text(key, value) for key, value in overrides.items()})
    Granian(
        "server.serve:app_from_environment", factory=True, address=host, port=port,
        interface=Interfaces.WSGI, http=HTTPModes.http1, websockets=False,
        # threads mostly wait for a query process: more of them than cores is intended (granian warns)
        workers=settings["WEB_WORKERS"], blocking_threads=settings["HTTP_THREADS"],
        # room for a request line of MAX_REQUEST_BYTES: the app answers over-long URLs itself (413)
        http1_settings=HTTP1Settings(max_buffer_size=max(417_792, settings["MAX_REQUEST_BYTES"] + 65_536)),
        log_access=False,  # the app writes the access log (server/access_log.py)
        # a web process that dies is replaced; on shutdown one gets its query timeout to finish
        respawn_failed_workers=True, workers_kill_timeout=int(settings["QUERY_TIMEOUT"]) + 5,
    ).serve()


def _run_gunicorn(overrides: Mapping[str, Any], settings: Mapping[str, Any], host: str, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        """gunicorn configured in code, loading the app through the factory in each worker."""

        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return build_app(overrides)

    options = {
        "bind": f"{host}:{port}",
        "workers": settings["WEB_WORKERS"],
        "worker_class": "gthread",
        "threads": settings["HTTP_THREADS"],
        "timeout": int(settings["QUERY_TIMEOUT"] * 3 + 30),
        "accesslog": None,  # the app writes the access log (server/access_log.py)
        "errorlog": "-",
        "limit_request_line": 0,  # unlimited here: the app refuses over-long URLs itself (413)
    }
    Gunicorn().run()
