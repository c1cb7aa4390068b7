"""The project's own curation (curated graph): regional issues and which services address them.

None of this is in the official documents, so every resource says it was curated by the project.
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

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
        "union of issue categories that official materials use, each citing them, plus umbrella "
        "concepts of the project's own (citing only the project's curation). The concepts are "
        "related by skos:broader/narrower, skos:related and skos:closeMatch, each relation the "
        "project's reading with its basis on a sckg:RegionalIssueRelation.", lang="en")))
    return ids(t)


#: The SKOS relations a row of regional-issue-relations.csv may state, and their inverses
#: (stated too, so a query needs no inference to go either way).
RELATIONS = {
    "broader": (SKOS.broader, SKOS.narrower),
    "related": (SKOS.related, SKOS.related),
    "closeMatch": (SKOS.closeMatch, SKOS.closeMatch),
    "exactMatch": (SKOS.exactMatch, SKOS.exactMatch),
}

#: How a relation's label reads it (from → to): to is broader, related, close, the same.
RELATION_JA = {"broader": "上位", "related": "関連", "closeMatch": "近い", "exactMatch": "同じ"}


def issue_relations(ctx: Context, issue_ids: frozenset[str]) -> None:
    """Relate the regional issues (SKOS), each relation reified with the project's basis for it.

    Each row states one relation ``from relation to``; the triple and its inverse go into the
    curated graph, and an ``rdf:Statement`` (a ``sckg:RegionalIssueRelation``) of the stated
    triple carries ``sckg:relationBasis`` and the project's curation as its source. A concept that
    gets a broader concept is no longer a top concept of the scheme.
    """
    t = ctx.table("regional-issue-relations.csv", "from", "relation", "to", "basis_en")
    cells.unique(t, "from", key=lambda row: tuple(sorted((row["from"], row["to"]))))
    scheme = ctx.iris.scheme("regional-issue")
    issue_labels = {row["id"]: row["label_ja"] for row in ctx.table("regional-issues.csv", "id", "label_ja")}
    for row in t:
        a = ctx.iris.id("regional-issue", known("regional issue", row, "from", issue_ids))
        b = ctx.iris.id("regional-issue", known("regional issue", row, "to", issue_ids))
        if a == b:
            raise row.error("to", "a regional issue cannot be related to itself")
        relation = cells.choice(row, "relation", RELATIONS, "relation")
        forward, inverse = RELATIONS[relation]
        key = f"{row['from']}/{relation}/{row['to']}"
        g, statement = ctx.instance("curated", "regional-issue-relation", key,
                                    SCKG.RegionalIssueRelation, row)
        g.add((a, forward, b))
        g.add((b, inverse, a))
        if relation == "broader":
            g.remove((scheme, SKOS.hasTopConcept, a))
        g.add((statement, RDF.type, RDF.Statement))
        reading = f"{issue_labels[row['from']]} → {issue_labels[row['to']]}（{RELATION_JA[relation]}）"
        g.add((statement, RDFS.label, Literal(f"地域課題の関係：{reading}", lang="ja")))
        g.add((statement, RDF.subject, a))
        g.add((statement, RDF.predicate, forward))
        g.add((statement, RDF.object, b))
        g.add((statement, SCKG.relationBasis, Literal(cells.text(row, "basis_en"), lang="en")))
        g.add((statement, DCTERMS.source, ctx.iris.source("project-curation")))
        g.add((statement, SCKG.curatedByProject, Literal(True)))


def service_issues(ctx: Context, service_ids: frozenset[str], issue_ids: frozenset[str]) -> None:
    """Link each service to the regional issues it addresses, with the basis for the mapping."""
    t = ctx.table("service-issues.csv", "service_id", "issues", "basis_en", key="service_id")
    g = ctx.build.graph("curated")
    for row in t:
        service = ctx.iris.id("service", known("service", row, "service_id", service_ids))
        for issue in cells.choices(row, "issues", issue_ids, "regional issue"):
            g.add((service, SCKG.addressesIssue, ctx.iris.id("regional-issue", issue)))
        g.add((service, SCKG.issueMappingBasis, Literal(cells.text(row, "basis_en"), lang="en")))
