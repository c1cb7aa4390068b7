"""The Flask app factory: settings, the store link, the query engine, the blueprints, CORS, /healthz.

>>> from kg.config import DEFAULTS
>>> DEFAULTS["QUERY_TIMEOUT"]
10.0
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, request

from kg import config as settings
from kg.errors import StoreError
from kg.store import StoreLink

from . import api, errors, limits, site
from .cache import ResultCache
from .engine import QueryEngine

log = logging.getLogger(__name__)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults → config file → SMARTCITY_KG_* environment → ``overrides``.

    Keys of ``overrides`` that are not server settings (``TESTING``, …) go to Flask's config.

    :raises ConfigError: for a setting that cannot be used.
    :raises StoreError: when there is no loaded store.
    """
    overrides = dict(overrides or {})
    flask_keys = {k: overrides.pop(k) for k in list(overrides)
                  if k.upper() not in settings.DEFAULTS and k.upper() != "CONFIG"}
    app = Flask(__name__)
    app.config.update(settings.load(overrides))
    app.config.update(flask_keys)
    app.json.ensure_ascii = False
    api.init_app(app)  # canned queries/*.rq: a bad file stops the start here

    state, engine = _backend(app.config)
    atexit.register(engine.close)  # embedded: its workers start with the first query; this stops them
    app.extensions["kg_state"] = state
    app.extensions["kg_engine"] = engine
    if app.config["CACHE"]:
        app.extensions["kg_cache"] = ResultCache(app.config["CACHE_ENTRIES"])

    errors.init_app(app)
    from . import functions, provenance  # issue 11: /function; Link rel=license and rel=describedby
    provenance.init_app(app)
    app.register_blueprint(functions.bp)
    limits.init_app(app)
    site.init_app(app)
    _init_cors(app)
    from . import landing, linked_data, pages, reconcile, sparql

    app.register_blueprint(sparql.bp)
    app.register_blueprint(linked_data.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(landing.bp)
    from . import crosswalk, linkage  # issue 11: CSV enrichment (/linkage, /api/enrich), /api/crosswalk
    app.register_blueprint(linkage.bp)
    app.register_blueprint(crosswalk.bp)
    app.register_blueprint(reconcile.bp)

    @app.get("/healthz")
    def healthz() -> Response:
        """The store's state: version, load time and triple count (503 when it cannot be read)."""
        try:
            snapshot = state.snapshot()
        except StoreError:
            return jsonify({"status": "unavailable", "error": "no complete store version"}), 503
        return jsonify({"status": "ok", "version": snapshot.version, "triples": snapshot.triples,
                        "loaded": snapshot.created.isoformat(), "graphs": len(snapshot.graphs)})

    return app


def _backend(config: Mapping[str, Any]):
    """The store state and the query engine of ``ENGINE``: the embedded store, or a remote engine.

    Both states answer ``version()``, ``snapshot()``, ``version_dir()`` and ``dump_source()``; both
    engines ``execute()`` a ``QueryRequest`` with the same limits, errors and result bytes.

    :raises StoreError: when nothing is loaded (or the remote engine cannot be reached).
    """
    if config["ENGINE"] == "remote":
        from pathlib import Path

        from kg.remote import RemoteEngineSettings

        from .engine.remote import RemoteEngine, RemoteState

        remote = RemoteEngineSettings.from_config(config)
        store = Path(config["STORE"])
        state = RemoteState(remote, store.with_name(store.name + ".remote"), poll=config["REMOTE_POLL"])
        state.snapshot()  # fail now, not on the first request, when the engine holds nothing
        engine = RemoteEngine(remote, state, workers=config["QUERY_WORKERS"], timeout=config["QUERY_TIMEOUT"],
                              max_rows=config["MAX_ROWS"], union_default_graph=config["UNION_DEFAULT_GRAPH"])
        return state, engine
    state = StoreLink(config["STORE"])
    state.snapshot()  # fail now, not on the first request, when nothing is loaded
    engine = QueryEngine(
        config["STORE"], workers=config["QUERY_WORKERS"], timeout=config["QUERY_TIMEOUT"],
        max_rows=config["MAX_ROWS"], in_memory=config["IN_MEMORY"],
        union_default_graph=config["UNION_DEFAULT_GRAPH"],
    )
    return state, engine


def _init_cors(app: Flask) -> None:
    """CORS for reads: simple requests and preflights from the configured origins."""
    origins = app.config["CORS_ORIGINS"]

    def allowed(origin: str | None) -> str | None:
        if not origin:
            return None
        if "*" in origins:
            return "*"
        return origin if origin in origins else None

    @app.before_request
    def _preflight():
        if request.method == "OPTIONS":
            response = app.make_default_options_response()
            if allow := allowed(request.headers.get("Origin")):
                response.headers["Access-Control-Allow-Origin"] = allow
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
                response.headers["Access-Control-Max-Age"] = "86400"
            return response
        return None

    @app.after_request
    def _cors(response: Response) -> Response:
        if allow := allowed(request.headers.get("Origin")):
            response.headers["Access-Control-Allow-Origin"] = allow
            response.headers["Access-Control-Expose-Headers"] = "ETag, Link, X-Result-Truncated"
            if allow != "*":
                response.vary.add("Origin")
        return response
