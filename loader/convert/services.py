"""The service implementations found in the projects' public materials (service-implementations graph)."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from .. import cells
from ..vocab import SCKG
from .briefing import Fields
from .common import Context, ids, known, label


def services(ctx: Context, project_codes: frozenset[str], fields: Fields) -> frozenset[str]:
    """Describe each service with its evidence; return their ids (``<project>-<n>``)."""
    t = ctx.table("service-implementations.csv", "service_id", "project_code", "municipality",
                  "service_name_ja", "service_name_en", "service_category", "issue_addressed_ja",
                  "source_url", "evidence_paraphrase_en", "confidence", key="service_id")
    for row in t:
        project = known("project", row, "project_code", project_codes)
        key = cells.text(row, "service_id")
        if not key.startswith(f"{project}-") or not key[len(project) + 1 :].isdigit():
            raise row.error("service_id", f"'{key}' must be '{project}-<n>'")
        g, s = ctx.instance("service-implementations", "service", key, SCKG.SmartCityService, row)
        label(g, s, cells.text(row, "service_name_ja"), cells.text(row, "service_name_en"))
        g.add((s, SCKG.project, ctx.iris.id("project", project)))
        category = cells.slug(row, "service_category")
        g.add((s, SCKG.serviceCategory, Literal(category)))
        if category in fields.by_category:  # the project's mapping of categories to fields
            field_iri = ctx.iris.id("field", fields.by_category[category])
            ctx.build.graph("curated").add((s, SCKG.field, field_iri))
        g.add((s, SCKG.issueDescription, Literal(cells.text(row, "issue_addressed_ja"), lang="ja")))
        g.add((s, SCKG.municipalityAsStated, Literal(cells.text(row, "municipality"), lang="ja")))
        g.add((s, SCKG.evidence, Literal(cells.text(row, "evidence_paraphrase_en"), lang="en")))
        g.add((s, SCKG.confidence, Literal(cells.choice(row, "confidence", ("high", "medium", "low")))))
        url = cells.iri(row, "source_url")
        if url is None:
            raise row.error("source_url", "'source_url' is required")
        g.add((s, DCTERMS.source, URIRef(url)))
        g.add((s, DCTERMS.source, ctx.iris.source("service-implementations")))
    return ids(t, "service_id")
