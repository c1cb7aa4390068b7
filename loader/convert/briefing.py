"""The briefing's programme facts (briefing graph): programs, budgets, fields, bodies, projects.

Also the two concept schemes the briefing defines for City OS sharing: approaches and
cost-allocation methods.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg import fiscal

from .. import cells
from ..vocab import SCHEMA, SCKG
from .common import Context, ids, known, label
from .reference import Places

OKU = Decimal(100_000_000)  # 1 億円 in yen
_PROJECT_CODE = re.compile(r"(H(2[0-9]|3[01])|R[1-9][0-9]?)[a-z]")


@dataclass(frozen=True)
class Fields:
    """The fields by id, and which field each service category of the implementations belongs to."""

    ids: frozenset[str]
    by_category: Mapping[str, str]


def programs(ctx: Context) -> frozenset[str]:
    """Describe the subsidy programs; return their ids."""
    t = ctx.table("programs.csv", "id", "label_ja", "label_en", "start_fiscal_year",
                  "source", "section", key="id")
    for row in t:
        g, s = ctx.instance("briefing", "program", cells.slug(row, "id"), SCKG.SubsidyProgram, row)
        label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
        g.add((s, SCKG.startFiscalYear, Literal(cells.fiscal_year(row, "start_fiscal_year"))))
        ctx.cite(g, s, row)
    return ids(t)


def budgets(ctx: Context, program_ids: frozenset[str]) -> Mapping[int, str]:
    """Describe each programme's budget of a fiscal year; return the programme funded in each year.

    The amount is the briefing's rounded figure (e.g. 5.1億円): a ``schema:MonetaryAmount`` in JPY
    with the figure as printed and the place value of its last printed digit (sckg:precision),
    not an exact number of yen.
    """
    t = ctx.table("program-budgets.csv", "fiscal_year", "program", "budget_oku_yen",
                  "budget_as_printed", "adopted_projects", "code_range_as_printed", "source", "section")
    cells.unique(t, "fiscal_year", key=lambda r: (r["program"], r["fiscal_year"]))
    program_by_year: dict[int, str] = {}
    for row in t:
        year = cells.fiscal_year(row, "fiscal_year")
        program = known("program", row, "program", program_ids)
        if program_by_year.setdefault(year, program) != program:
            raise row.error("program", f"fiscal year {year} already has a budget of programme "
                            f"'{program_by_year[year]}'; projects.csv cannot tell their projects apart")
        g, s = ctx.instance("briefing", "budget", f"{program}/{year}", SCKG.ProgramBudget, row)
        oku = cells.decimal(row, "budget_oku_yen")
        printed = cells.text(row, "budget_as_printed")
        if printed != f"{oku}億円":
            raise row.error("budget_as_printed", f"'{printed}' is not the figure {oku}億円 as printed")
        # The table's own words: 「R3年度」, the column 予算額, 「6.9億円」.
        label(g, s, f"{fiscal.era_label(year)}年度 予算額 {printed}",
              f"FY{year} budget: {oku} hundred million yen", composed=True)
        g.add((s, SCKG.program, ctx.iris.id("program", program)))
        g.add((s, SCKG.fiscalYear, Literal(year)))
        g.add((s, SCKG.adoptedProjectCount, Literal(cells.integer(row, "adopted_projects", 0))))
        if code_range := cells.optional(row, "code_range_as_printed"):
            g.add((s, SCKG.projectCodeRange, Literal(code_range)))
        ctx.cite(g, s, row)
        g, amount = ctx.instance("briefing", "budget", f"{program}/{year}/amount", SCKG.BudgetAmount, row)
        g.add((s, SCHEMA.amount, amount))
        label(g, amount, printed, f"{oku} hundred million yen (rounded)")
        g.add((amount, SCHEMA.value, Literal(int(oku * OKU))))
        g.add((amount, SCHEMA.currency, Literal("JPY")))
        g.add((amount, SCKG.asPrinted, Literal(printed, lang="ja")))
        g.add((amount, SCKG.precision, Literal(int(OKU.scaleb(oku.as_tuple().exponent)))))
        ctx.cite(g, amount, row)
    return program_by_year


def fields(ctx: Context) -> Fields:
    """Describe the fields (a concept scheme) and map service categories onto them (curated)."""
    t = ctx.table("fields.csv", "id", "label_ja", "label_en", "service_category",
                  "source", "section", key="id")
    cells.unique(t, "label_ja")
    by_category: dict[str, str] = {}
    for row in t:
        key = cells.slug(row, "id")
        g, s = ctx.instance("briefing", "field", key, SCKG.Field, row)
        label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"), concept=True)
        ctx.concept(g, s, "field", ("分野", "Fields"))
        # Which category of the services list a field stands for is the project's mapping.
        if category := cells.optional(row, "service_category"):
            ctx.build.graph("curated").add((s, SCKG.serviceCategory, Literal(category)))
            by_category[category] = key
        ctx.cite(g, s, row)
    return Fields(ids(t), by_category)


def implementing_bodies(ctx: Context) -> frozenset[str]:
    """Describe the bodies that implement projects; return their ids."""
    t = ctx.table("implementing-bodies.csv", "id", "label_ja", "legal_form", "label_en",
                  "source", "section", key="id")
    for row in t:
        g, s = ctx.instance("briefing", "organization", cells.slug(row, "id"), SCKG.ImplementingBody, row)
        label(g, s, cells.text(row, "label_ja"), cells.optional(row, "label_en"))
        # The table abbreviates (（一財）, （株）); the spelled-out legal form is our reading of it.
        if form := cells.optional(row, "legal_form"):
            ctx.build.graph("curated").add((s, SCKG.legalForm, Literal(form, lang="ja")))
        ctx.cite(g, s, row)
    return ids(t)


def projects(ctx: Context, places: Places, program_by_year: Mapping[int, str],
             body_ids: frozenset[str], field_ids: frozenset[str]) -> frozenset[str]:
    """Describe the adopted projects; return their codes."""
    t = ctx.table("projects.csv", "code", "fiscal_year", "region_codes", "region_as_printed",
                  "implementer", "fields", "source", "section", key="code")
    for row in t:
        code = cells.text(row, "code")
        if not _PROJECT_CODE.fullmatch(code):
            raise row.error("code", f"project code '{code}' must look like H29a or R3i")
        year = cells.fiscal_year(row, "fiscal_year")
        if _project_code_year(code) != year:
            raise row.error("fiscal_year", f"{year} does not match project code {code} "
                            f"(FY{_project_code_year(code)})")
        if year not in program_by_year:
            raise row.error("fiscal_year", f"no budget row for fiscal year {year}")
        g, s = ctx.instance("briefing", "project", code, SCKG.AdoptedProject, row)
        printed = cells.text(row, "region_as_printed")
        label(g, s, f"{code} {printed}", f"Adopted project {code}")
        g.add((s, DCTERMS.identifier, Literal(code)))
        g.add((s, SCKG.fiscalYear, Literal(year)))
        g.add((s, SCKG.program, ctx.iris.id("program", program_by_year[year])))
        g.add((s, SCKG.budget, ctx.iris.id("budget", program_by_year[year], year)))
        for region in cells.text(row, "region_codes").split():
            g.add((s, SCKG.region, places.region(row, "region_codes", region).iri))
        if implementer := cells.optional(row, "implementer"):
            known("organization", row, "implementer", body_ids)
            g.add((s, SCKG.implementer, ctx.iris.id("organization", implementer)))
        for key in cells.choices(row, "fields", field_ids, "field"):
            g.add((s, SCKG.field, ctx.iris.id("field", key)))
        ctx.cite(g, s, row)
    return ids(t, "code")


def _project_code_year(code: str) -> int | None:
    """The Western fiscal year a project code names: H29a -> 2017, R3i -> 2021."""
    return fiscal.from_era(code[0], int(code[1:-1]))


# Why the briefing studies shared use at all (§(3) p.9), in its words.
SHARING_RATIONALE = ("都市OSの導入には一定の財源、ノウハウ等が必要というハードルが存在しており、"
                     "そのハードルを下げる１つの手法として「共同利用」について研究した。")
SHARING_RATIONALE_SECTION = "(3)都市OSの共同利用の促進 p.9"


def sharing_approaches(ctx: Context) -> frozenset[str]:
    """Describe the approaches to sharing a City OS, and why share at all; return their ids."""
    found = _concepts(ctx, "sharing-approaches.csv", "sharing-approach", SCKG.SharingApproach,
                      ("sharing-approach", "都市OS共同利用のアプローチ", "City OS sharing approaches"))
    g, scheme = ctx.build.graph("briefing"), ctx.iris.scheme("sharing-approach")
    g.add((scheme, SCKG.rationale, Literal(SHARING_RATIONALE, lang="ja")))
    g.add((scheme, DCTERMS.source, ctx.iris.source("briefing")))
    g.add((scheme, SCKG.sourceSection, Literal(SHARING_RATIONALE_SECTION)))
    return found


def cost_allocation_methods(ctx: Context) -> None:
    """Describe the methods of sharing a City OS's cost (no other table refers to them)."""
    _concepts(ctx, "cost-allocation-methods.csv", "cost-allocation", SCKG.CostAllocationMethod,
              ("cost-allocation", "費用按分の方法", "Cost-allocation methods"))


def _concepts(ctx: Context, file: str, kind: str, cls: URIRef,
              scheme: tuple[str, str, str]) -> frozenset[str]:
    """A table of named concepts (notation, labels, the briefing's examples) as one SKOS scheme.

    The briefing names the concepts; their definitions are the project's (it defines none in its
    text), so each ``skos:definition`` goes to the curated graph (@ja, with the reason in
    ``sckg:definitionBasis``) and to the translations graph (@en). Examples are the briefing's
    words (@ja; their English renderings are translations). A ``bases_ja`` cell lists the bases
    the briefing names for a method (``sckg:allocationBasis``).
    """
    t = ctx.table(file, "id", "notation", "label_ja", "label_en", "definition_ja",
                  "definition_en", "definition_basis_en", "source", "section", key="id")
    cells.unique(t, "notation")
    curated, translations = ctx.build.graph("curated"), ctx.build.graph("translations")
    for row in t:
        g, s = ctx.instance("briefing", kind, cells.slug(row, "id"), cls, row)
        label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"), concept=True)
        ctx.concept(g, s, scheme[0], scheme[1:])
        g.add((s, SKOS.notation, Literal(cells.text(row, "notation"))))
        curated.add((s, SKOS.definition, Literal(cells.text(row, "definition_ja"), lang="ja")))
        curated.add((s, SCKG.definitionBasis, Literal(cells.text(row, "definition_basis_en"), lang="en")))
        translations.add((s, SKOS.definition, Literal(cells.text(row, "definition_en"), lang="en")))
        if example := row.cells.get("example_ja"):
            g.add((s, SKOS.example, Literal(example, lang="ja")))
        if example := row.cells.get("example_en"):
            translations.add((s, SKOS.example, Literal(example, lang="en")))
        for basis in (row.cells.get("bases_ja") or "").split():
            g.add((s, SCKG.allocationBasis, Literal(basis, lang="ja")))
        ctx.cite(g, s, row)
    return ids(t)
