"""What every page for people shares: the reader's language, queries run for a page, rendering.

Pages (landing, resource pages, the workbench) are rendered on the server from the store through
the same query engine as ``/sparql``, so they see the same version and obey the same limits.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, render_template, request

from kg.errors import ServiceUnavailable

from .engine.query import QueryRequest

LANGUAGES = ("ja", "en")
LANG_COOKIE = "lang"


def language() -> str:
    """The reader's language: ``?lang=``, else the switch's cookie, else Accept-Language; ja by default."""
    asked = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LANGUAGES:
        return asked
    best = request.accept_languages.best_match(LANGUAGES)
    return best or "ja"


def select(query: str, **substitutions: Any) -> list[dict[str, dict[str, str]]]:
    """Rows of a SELECT query as SPARQL JSON bindings (``{"var": {"type", "value", "xml:lang"?}}``).

    ``substitutions`` are pyoxigraph terms bound to variables of the query (never pasted in).
    """
    engine = current_app.extensions["kg_engine"]
    result = engine.execute(QueryRequest(query=query, format="srj",
                                         substitutions=tuple(substitutions.items())))
    return json.loads(result.read())["results"]["bindings"]


def select_all(query: str, what: str) -> list[dict[str, dict[str, str]]]:
    """Every row of a SELECT query that builds a table (the gazetteer, the identifier table): one
    cut short by ``MAX_ROWS`` would silently lose entries, so it is a 503 naming ``what``.

    :raises ServiceUnavailable: when the row cap is below the table's size.
    """
    result = current_app.extensions["kg_engine"].execute(QueryRequest(query=query, format="srj"))
    if result.truncated:
        result.read()
        raise ServiceUnavailable(f"the {what} is larger than MAX_ROWS; raise the setting")
    return json.loads(result.read())["results"]["bindings"]


def store_version() -> str:
    """The store version queries are answered from now (a page's ETag depends on it)."""
    return current_app.extensions["kg_engine"].version


def _code_stamp() -> str:
    """What identifies this deployment's pages: the size and time of every template and module of
    the server (the same in every worker process of one deployment)."""
    root = Path(__file__).parent
    files = sorted(p for pattern in ("*.py", "templates/**/*.html", "svg/*.py") for p in root.glob(pattern))
    return hashlib.sha256("".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                                  for p in files).encode()).hexdigest()[:16]


_CODE_STAMP = _code_stamp()


def page_etag() -> str:
    """A page's ETag, known before rendering: deployment, store version, language and URL make
    the page, so a browser's revalidation is answered without a query."""
    key = f"{_CODE_STAMP}|{store_version()}|{language()}|{request.full_path}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def not_modified() -> Response | None:
    """A 304 when the browser holds the current page (call first in a page's view), else None."""
    etag = page_etag()
    if not request.if_none_match.contains(etag):
        return None
    response = Response(status=304)
    response.set_etag(etag)
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    _remember_language(response)
    return response


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    """Render ``template`` in the reader's language, with the ETag of :func:`page_etag`, so a
    browser's revalidation costs a 304."""
    lang = context.setdefault("lang", language())
    body = render_template(template, **context)
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Language"] = lang
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    if status == 200:
        response.set_etag(page_etag())
        response.make_conditional(request)
    _remember_language(response)
    return response


def _remember_language(response: Response) -> None:
    """Set the language cookie when ``?lang=`` chose the language, on a 304 too: a browser that
    revalidates a page it switched to before must remember the switch (tests/browser/test_pages_e2e)."""
    if "lang" in request.args and request.args["lang"] in LANGUAGES:
        response.set_cookie(LANG_COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Lax")


def other_language_url(lang: str) -> str:
    """The current page in the other language (for the switch)."""
    args = request.args.to_dict()
    args["lang"] = "en" if lang == "ja" else "ja"
    return f"{request.path}?{urlencode(args)}"


def favicon() -> Response:
    """The site's icon at the address every browser asks for first (a 404 there is an error in
    every page's console), one SVG for all pages."""
    response = current_app.send_static_file("favicon.svg")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def init_app(app) -> None:
    """Make ``t(ja, en)`` and the language switch available to every template; serve the icon."""
    app.add_url_rule("/favicon.ico", "favicon", favicon)

    @app.context_processor
    def _site_helpers() -> dict[str, Any]:
        lang = language()
        return {
            "lang": lang,
            "t": lambda ja, en: ja if lang == "ja" else en,
            "other_language_url": other_language_url(lang),
        }
