"""The briefing's figures (briefing graph): KPIs with their observations, the briefing's status
statements, the survey project with its work items, their figures and deliverables.

Observations, figures and deliverables are keyed under their KPI or work item, so those are read first.
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF, RDFS

from .. import cells
from ..vocab import SCHEMA, SCKG
from .common import Context, ids, known, label, translation


def kpis(ctx: Context) -> frozenset[str]:
    """Describe the KPIs and their targets; return their ids."""
    t = ctx.table("kpis.csv", "id", "label_ja", "label_en", "unit_ja", "target_value",
                  "target_fiscal_year", "note_ja", "source", "section", key="id")
    for row in t:
        g, s = ctx.instance("briefing", "kpi", cells.slug(row, "id"), SCKG.KPI, row)
        label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
        g.add((s, SCKG.unit, Literal(cells.text(row, "unit_ja"), lang="ja")))
        if row["target_value"]:
            g.add((s, SCKG.targetValue, Literal(cells.integer(row, "target_value", 0))))
        if (year := cells.optional_fiscal_year(row, "target_fiscal_year")) is not None:
            g.add((s, SCKG.targetFiscalYear, Literal(year)))
        if note := cells.optional(row, "note_ja"):
            g.add((s, RDFS.comment, Literal(note, lang="ja")))
        ctx.cite(g, s, row)
    return ids(t)


def kpi_observations(ctx: Context, kpi_ids: frozenset[str]) -> None:
    """Describe the values observed for each KPI."""
    t = ctx.table("kpi-observations.csv", "kpi", "id", "value", "fiscal_year", "as_of_ja",
                  "note_en", "source", "section")
    cells.unique(t, "id", key=lambda r: (r["kpi"], r["id"]))
    for row in t:
        kpi = known("kpi", row, "kpi", kpi_ids)
        year = cells.optional_fiscal_year(row, "fiscal_year")
        g, s = ctx.instance("briefing", "kpi", f"{kpi}/observation/{cells.slug(row, 'id')}",
                            SCKG.KPIObservation, row)
        value = cells.integer(row, "value", 0)
        as_of = cells.text(row, "as_of_ja")
        label(g, s, f"{value}（{as_of}）", f"{value} (FY{year})" if year else f"{value} ({as_of})",
              composed=True)
        g.add((ctx.iris.id("kpi", kpi), SCKG.observation, s))
        g.add((s, RDF.value, Literal(value)))
        if year is not None:
            g.add((s, SCKG.observedFiscalYear, Literal(year)))
        g.add((s, SCKG.asOf, Literal(as_of, lang="ja")))
        if note := cells.optional(row, "note_en"):
            translation(g, s, RDFS.comment, note)
        ctx.cite(g, s, row)


def survey_work_items(ctx: Context) -> frozenset[str]:
    """Describe the survey's numbered work items; return their numbers as written."""
    t = ctx.table("survey-work-items.csv", "number", "label_ja", "label_en", "description_ja",
                  "description_en", "source", "section", key="number")
    for row in t:
        number = cells.integer(row, "number", 1)
        g, s = ctx.instance("briefing", "survey-work-item", str(number), SCKG.SurveyWorkItem, row)
        label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
        g.add((s, SCKG.itemNumber, Literal(number)))
        g.add((s, DCTERMS.description, Literal(cells.text(row, "description_ja"), lang="ja")))
        translation(g, s, DCTERMS.description, cells.text(row, "description_en"))
        ctx.cite(g, s, row)
    return ids(t, "number")


def survey_figures(ctx: Context, item_numbers: frozenset[str]) -> None:
    """Describe the figures each survey work item reports."""
    t = ctx.table("survey-figures.csv", "work_item", "id", "value", "qualifier", "as_printed_ja",
                  "label_ja", "label_en", "source", "section")
    cells.unique(t, "id", key=lambda r: (r["work_item"], r["id"]))
    for row in t:
        item = known("survey-work-item", row, "work_item", item_numbers)
        key = cells.slug(row, "id")
        g, s = ctx.instance("briefing", "survey-work-item", f"{item}/figure/{key}", SCKG.SurveyFigure, row)
        label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
        g.add((ctx.iris.id("survey-work-item", item), SCKG.figure, s))
        g.add((s, RDF.value, Literal(cells.integer(row, "value", 0))))
        qualifier = cells.choice(row, "qualifier", ("exact", "about", "more-than"))
        g.add((s, SCKG.qualifier, Literal(qualifier)))
        g.add((s, SCKG.asPrinted, Literal(cells.text(row, "as_printed_ja"), lang="ja")))
        ctx.cite(g, s, row)


def status_statements(ctx: Context, program_ids: frozenset[str]) -> None:
    """Describe what the briefing states about the state of things, in its words (not KPIs).

    e.g. 「現在18地域で実装・運営中」: a count with its unit and the document's own time
    (「現在」, undated), or 「のべ28地域」 about both programmes; a statement may have no count.
    """
    t = ctx.table("status-statements.csv", "id", "label_ja", "label_en", "value", "unit_ja",
                  "as_of_ja", "as_printed_ja", "about_programs", "source", "section", key="id")
    for row in t:
        g, s = ctx.instance("briefing", "status-statement", cells.slug(row, "id"), SCKG.StatusStatement, row)
        label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
        g.add((s, SCKG.asPrinted, Literal(cells.text(row, "as_printed_ja"), lang="ja")))
        if row["value"]:
            g.add((s, RDF.value, Literal(cells.integer(row, "value", 0))))
            g.add((s, SCKG.unit, Literal(cells.text(row, "unit_ja"), lang="ja")))
        elif row["unit_ja"]:
            raise row.error("unit_ja", "a unit without a value")
        if as_of := cells.optional(row, "as_of_ja"):
            g.add((s, SCKG.asOf, Literal(as_of, lang="ja")))
        for program in (cells.optional(row, "about_programs") or "").split():
            known("program", row, "about_programs", program_ids, program)
            g.add((s, SCHEMA.observationAbout, ctx.iris.id("program", program)))
        ctx.cite(g, s, row)


def survey(ctx: Context, item_numbers: frozenset[str]) -> None:
    """Describe the survey project itself: its name, its purpose in the briefing's words, its work items."""
    t = ctx.table("survey.csv", "id", "label_ja", "label_en", "purpose_ja", "source", "section", key="id")
    for row in t:
        g, s = ctx.instance("briefing", "survey", cells.slug(row, "id"), SCKG.SurveyProject, row)
        label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
        g.add((s, SCKG.purpose, Literal(cells.text(row, "purpose_ja"), lang="ja")))
        for number in sorted(item_numbers, key=int):
            g.add((s, DCTERMS.hasPart, ctx.iris.id("survey-work-item", number)))
        ctx.cite(g, s, row)


def deliverables(ctx: Context, item_numbers: frozenset[str]) -> None:
    """Describe the documents each work item produces, titled as printed."""
    t = ctx.table("survey-deliverables.csv", "work_item", "id", "title_ja", "label_en", "status_ja",
                  "characteristics_ja", "source", "section")
    cells.unique(t, "id", key=lambda r: (r["work_item"], r["id"]))
    for row in t:
        item = known("survey-work-item", row, "work_item", item_numbers)
        g, s = ctx.instance("briefing", "survey-work-item", f"{item}/deliverable/{cells.slug(row, 'id')}",
                            SCKG.Deliverable, row)
        title = cells.text(row, "title_ja")
        label(g, s, title, cells.text(row, "label_en"))
        g.add((ctx.iris.id("survey-work-item", item), SCKG.deliverable, s))
        g.add((s, DCTERMS.title, Literal(title, lang="ja")))
        if status := cells.optional(row, "status_ja"):
            g.add((s, SCHEMA.creativeWorkStatus, Literal(status, lang="ja")))
        for characteristic in (cells.optional(row, "characteristics_ja") or "").split(";"):
            if characteristic.strip():
                g.add((s, SCKG.characteristic, Literal(characteristic.strip(), lang="ja")))
        ctx.cite(g, s, row)
