"""The smartcity-kg web service: the SPARQL endpoint and canned-query API over the loaded store.

``create_app`` (in ``server.app``) is imported only when called, so that a query process, which
imports ``server.engine``, does not import Flask with this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app (see ``server.app.create_app``)."""
    from .app import create_app as build

    return build(overrides)
