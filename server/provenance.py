"""Licence and provenance on every data response: ``Link`` to the licence and to the VoID description.

Every answer of the service (query results, API results, pages, ``/id`` and ``/data``, dumps,
reconciliation, enrichment, crosswalk, and any route added later) carries

    Link: <https://creativecommons.org/licenses/by/4.0/>; rel="license",
          </.well-known/void>; rel="describedby"

so a client that keeps only a response still knows under which terms it may reuse it and where
the dataset's description (sources, licence, dumps) is. The rule is by exclusion, so a new route
cannot miss it: only :data:`EXEMPT` (static assets, the health check) goes without, and

- errors (4xx, 5xx) go without: their body is not the dataset's data, and the licence is read from
  the store, which may be what failed;
- ``OPTIONS`` (CORS preflights) go without: they carry no body.

Links a route set itself (``server/linked_data.py``: alternates, licence) are kept; a relation
already present is not added twice. The VoID link is relative to this server (``url_for``), as the
alternates are; the licence is the ``dcterms:license`` of the dataset in the store.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request, url_for

from kg.errors import KGError

from .linked_data import license_iri

log = logging.getLogger(__name__)

#: Endpoints without the links: files that are not data, and the store's health.
EXEMPT = frozenset({"static", "healthz"})
#: Methods whose successful answers carry the links.
METHODS = frozenset({"GET", "HEAD", "POST"})


def exempt(endpoint: str | None) -> bool:
    """Whether responses of ``endpoint`` go without the links (a blueprint's static files too)."""
    return endpoint is None or endpoint in EXEMPT or endpoint.endswith(".static")


def _license() -> str | None:
    """The dataset's licence, or None when the store cannot say now (no link rather than a wrong one)."""
    try:
        return license_iri()
    except KGError as exc:
        log.warning("no licence link: %s", exc)
        return None


def _relations(header: str) -> set[str]:
    """The ``rel`` values already in a ``Link`` header (enough for our own headers' syntax)."""
    found = set()
    for part in header.split(","):
        for parameter in part.split(";")[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "rel":
                found.update(value.strip().strip('"').lower().split())
    return found


def add_links(response: Response) -> Response:
    """Add the licence and VoID links to ``response`` unless it is exempt, an error or a preflight."""
    if (response.status_code >= 400 or request.method not in METHODS
            or exempt(request.url_rule.endpoint if request.url_rule else None)):
        return response
    existing = response.headers.get("Link", "")
    present = _relations(existing)
    added = []
    if "license" not in present and (licence := _license()):
        added.append(f'<{licence}>; rel="license"')
    if "describedby" not in present:
        added.append(f'<{url_for("linked_data.void")}>; rel="describedby"')
    if added:
        response.headers["Link"] = ", ".join(filter(None, [existing, *added]))
    return response


def init_app(app: Flask) -> None:
    """Register the hook on ``app``."""
    app.after_request(add_links)
