"""``smartcity-kg serve``: the app under granian (default) or gunicorn, or Flask's server with ``--dev``.

granian (a Rust HTTP server with a WSGI interface) and gunicorn (gthread) are both real servers
for the same Flask app; granian is the default because it answered more requests per second in
the benchmark, side by side (README, Performance). Each web process (``WEB_WORKERS``, two by
default: one per core of the reference machine) answers requests from threads and owns its query
engine and result cache; two processes because one serializes Python work on one GIL.

Behind a load balancer, ``SMARTCITY_KG_DRAIN_SECONDS`` (granian only; 0, off, by default) makes a
SIGTERM to the main process drain the server first: for that many seconds ``/healthz`` answers
503 while every other request is still served, so that the balancer's health checks take the
server out of rotation; then granian stops as usual (no new connections, requests in flight
finished). A second SIGTERM, or SIGINT, stops at once. See docs/scale-out.md.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg import config
from kg.defaults import ENV_PREFIX
from kg.errors import ConfigError

log = logging.getLogger(__name__)

#: Seconds ``/healthz`` answers 503 after a SIGTERM before the server stops (0: stop at once).
DRAIN_VARIABLE = ENV_PREFIX + "DRAIN_SECONDS"
#: Set by the main process for its web processes: a file that exists while the server drains.
DRAIN_MARKER_VARIABLE = "_" + ENV_PREFIX + "DRAIN_MARKER"
DRAINING_BODY = b'{"status": "draining"}\n'


def build_app(overrides: Mapping[str, Any]):
    """The app as a server runs it: with the access log, and its query processes already starting.

    ``create_app`` starts no process, so that tests can build apps cheaply; a server should not
    make its first clients wait for the store to load.
    """
    from . import create_app
    from .access_log import AccessLog

    app = create_app(overrides)
    marker = os.environ.get(DRAIN_MARKER_VARIABLE)
    if marker:
        app.wsgi_app = DrainingHealth(app.wsgi_app, Path(marker))
    app.wsgi_app = AccessLog(app.wsgi_app)
    app.extensions["kg_engine"].start()
    return app


class DrainingHealth:
    """WSGI middleware: ``/healthz`` answers 503 while ``marker`` exists (the server is draining).

    One ``stat`` per health check; every other request goes to the app unchanged.
    """

    def __init__(self, app, marker: Path):
        self.app, self.marker = app, marker

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and self.marker.exists():
            start_response("503 Service Unavailable", [
                ("Content-Type", "application/json"), ("Content-Length", str(len(DRAINING_BODY))),
                ("Cache-Control", "no-store"), ("Retry-After", "5")])
            return [DRAINING_BODY]
        return self.app(environ, start_response)


def drain_seconds(environ: Mapping[str, str] | None = None) -> float:
    """``SMARTCITY_KG_DRAIN_SECONDS``: seconds to drain on SIGTERM (0 when unset).

    >>> drain_seconds({"SMARTCITY_KG_DRAIN_SECONDS": "3"}), drain_seconds({})
    (3.0, 0.0)

    :raises ConfigError: when it is not a number of seconds from 0 to 600.
    """
    text = (os.environ if environ is None else environ).get(DRAIN_VARIABLE, "0")
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 600:
        raise ConfigError(f"DRAIN_SECONDS: {text!r} is not a number of seconds from 0 to 600")
    return seconds


def app_from_environment():
    """granian's factory, called in each web process: the settings come from the environment."""
    return build_app({})


def serve(overrides: Mapping[str, Any], host: str = "127.0.0.1", port: int = 8080, dev: bool = False) -> int:
    """Run the server with the settings ``overrides`` until interrupted.

    :raises ConfigError: for a setting that cannot be used.
    """
    settings = config.load(overrides)  # every value checked here, before any process starts
    drain = drain_seconds()
    os.environ.pop(DRAIN_MARKER_VARIABLE, None)  # only ever this server's own marker
    if drain and (dev or settings["HTTP_SERVER"] != "granian"):
        log.warning("DRAIN_SECONDS applies under granian only; this server stops without draining")
    if dev:
        from . import create_app

        app = create_app(overrides)
        app.extensions["kg_engine"].start()
        app.run(host=host, port=port, threaded=True)
    elif settings["HTTP_SERVER"] == "gunicorn":
        _run_gunicorn(overrides, settings, host, port)
    else:
        _run_granian(overrides, settings, host, port, drain)
    return 0


def _run_granian(overrides: Mapping[str, Any], settings: Mapping[str, Any], host: str, port: int,
                 drain: float = 0.0) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    class DrainingGranian(Granian):
        """granian whose first SIGTERM drains (``DrainingHealth``) for ``drain`` seconds, then stops."""

        draining = False

        def signal_handler_interrupt(self, *args, **kwargs):
            signum = args[0] if args else None
            if drain and signum == signal.SIGTERM and not self.draining:
                self.draining = True
                Path(marker, "draining").touch()
                log.warning("SIGTERM: /healthz answers 503 for %g s, then the server stops", drain)
                stop = threading.Timer(drain, super().signal_handler_interrupt)
                stop.daemon = True
                stop.start()
                return
            super().signal_handler_interrupt(*args, **kwargs)

    # the web processes read their settings from the environment: options become variables there
    # (options outrank variables, so overwriting one with the option's value keeps the order)
    os.environ.update({ENV_PREFIX + key: config.as_text(key, value) for key, value in overrides.items()})
    marker = tempfile.mkdtemp(prefix="smartcity-kg-drain-") if drain else None
    if marker:
        os.environ[DRAIN_MARKER_VARIABLE] = str(Path(marker, "draining"))
    # room for a request line of MAX_REQUEST_BYTES: the app answers over-long URLs itself (413)
    buffer = max(417_792, settings["MAX_REQUEST_BYTES"] + 65_536)
    try:
        DrainingGranian(
            "server.serve:app_from_environment", factory=True, address=host, port=port,
            interface=Interfaces.WSGI, http=HTTPModes.http1, websockets=False,
            # threads mostly wait for a query process: more of them than cores is intended (granian warns)
            workers=settings["WEB_WORKERS"], blocking_threads=settings["HTTP_THREADS"],
            http1_settings=HTTP1Settings(max_buffer_size=buffer),
            log_access=False,  # the app writes the access log (server/access_log.py)
            # a web process that dies is replaced; on shutdown one gets its query timeout to finish
            respawn_failed_workers=True, workers_kill_timeout=int(settings["QUERY_TIMEOUT"]) + 5,
        ).serve()
    finally:
        if marker:
            shutil.rmtree(marker, ignore_errors=True)


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
