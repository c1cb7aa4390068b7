"""The project's own curation (curated graph): regional issues and which services address them.

None of this is in the official documents, so every resource says it was curated by the project.
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import DCTERMS, RDFS, SKOS

from .. import cells
from ..vocab import SCKG
from .common import Context, ids, known, label


def regional_issues(ctx: Context) -> frozenset[str]:
    """Describe the regional issues (a concept scheme); return their ids."""
    t = ctx.table("regional-issues.csv", "id", "label_ja", "alt_labels_ja", "label_en",
                  "sources", key="id")
    cells.unique(t, "label_ja")
    for row in t:
        g, s = ctx.instance("curated", "regional-issue", cells.slug(row, "id"), SCKG.RegionalIssue, row)
        label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"), concept=True)
        ctx.concept(g, s, "regional-issue", ("地域課題（プロジェクトによる整理）",
                                             "Regional issues (curated by the project)"))
        for alt in row["alt_labels_ja"].split():
            g.add((s, SKOS.altLabel, Literal(alt, lang="ja")))
        ctx.cite(g, s, row, "sources")
        g.add((s, DCTERMS.source, ctx.iris.source("project-curation")))
        g.add((s, SCKG.curatedByProject, Literal(True)))
    scheme = ctx.iris.scheme("regional-issue")
    g = ctx.build.graph("curated")
    g.add((scheme, SCKG.curatedByProject, Literal(True)))
    g.add((scheme, DCTERMS.source, ctx.iris.source("project-curation")))
    g.add((scheme, RDFS.comment, Literal(
        "The briefing's 11 frequent issues are not listed in it; this scheme is the project's "
        "union of issue categories that official materials use, each citing them.", lang="en")))
    return ids(t)


def service_issues(ctx: Context, service_ids: frozenset[str], issue_ids: frozenset[str]) -> None:
    """Link each service to the regional issues it addresses, with the basis for the mapping."""
    t = ctx.table("service-issues.csv", "service_id", "issues", "basis_en", key="service_id")
    g = ctx.build.graph("curated")
    for row in t:
        service = ctx.iris.id("service", known("service", row, "service_id", service_ids))
        for issue in cells.choices(row, "issues", issue_ids, "regional issue"):
            g.add((service, SCKG.addressesIssue, ctx.iris.id("regional-issue", issue)))
        g.add((service, SCKG.issueMappingBasis, Literal(cells.text(row, "basis_en"), lang="en")))
