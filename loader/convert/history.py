"""The ``iri-history`` graph: every IRI the project renamed, as ``<old> owl:sameAs <new>``.

``data/source/iri-history.csv`` (columns ``old,new,changed,reason``) lists the paths relative to
``<base>/id/``. So that an old IRI keeps resolving to exactly one current resource, the new IRI
must be described in the data (typed in some graph built before this step) and the old one must
not be (an old IRI still in use means the rename is unfinished). Any step that renames an IRI adds
a row; this step runs last.
"""

from __future__ import annotations

import re

from rdflib.namespace import OWL, RDF

from .. import cells
from .common import Context

_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*(?:/[A-Za-z0-9][A-Za-z0-9._~-]*)*")


def iri_history(ctx: Context) -> int:
    """Map each renamed IRI to its successor; return the number of renamed IRIs."""
    t = ctx.table("iri-history.csv", "old", "new", "changed", "reason", key="old")
    typed = {s for g in ctx.build.graphs.values() for s in g.subjects(RDF.type, None)}
    used = {term for g in ctx.build.graphs.values() for triple in g for term in triple}
    g = ctx.build.graph("iri-history")
    for row in t:
        old, new = (_path(row, column) for column in ("old", "new"))
        if old == new:
            raise row.error("new", f"'{new}' is the old IRI itself")
        if cells.iso_date(row, "changed") is None:
            raise row.error("changed", "'changed' is required (the date of the rename, YYYY-MM-DD)")
        cells.text(row, "reason")
        old_iri, new_iri = ctx.iris.id(old), ctx.iris.id(new)
        if new_iri not in typed:
            raise row.error("new", f"new IRI '{new}' is not described in the data")
        if old_iri in used:
            raise row.error("old", f"old IRI '{old}' is still used in the data")
        g.add((old_iri, OWL.sameAs, new_iri))
    return len(t)


def _path(row, column: str) -> str:
    value = cells.text(row, column)
    if not _PATH.fullmatch(value):
        raise row.error(column, f"'{value}' must be a path relative to <base>/id/, e.g. city-os/372013-1")
    return value

