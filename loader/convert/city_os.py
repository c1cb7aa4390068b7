"""The briefing's City OS facts (briefing graph): each City OS, its introductions and shared uses.

A shared use's approach is the project's assignment, not the briefing's, so it goes to the
curated graph.
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import RDFS

from .. import cells
from ..vocab import SCKG
from .common import Context, ids, known, label
from .reference import Places


def city_os(ctx: Context, places: Places) -> frozenset[str]:
    """Describe each City OS; return their keys, the codes of their owners."""
    t = ctx.table("city-os.csv", "owner_code", "label_ja", "label_en", "introduced_fiscal_year",
                  "source", "section", "note_en", key="owner_code")
    for row in t:
        code = cells.lg_code(row, "owner_code")
        owner = places.region(row, "owner_code", code)
        g, s = ctx.instance("briefing", "city-os", code, SCKG.CityOS, row)
        en = cells.optional(row, "label_en") or f"City OS of {owner.en}"
        label(g, s, cells.text(row, "label_ja"), en)
        g.add((s, SCKG.owner, owner.iri))
        if (year := cells.optional_fiscal_year(row, "introduced_fiscal_year")) is not None:
            g.add((s, SCKG.introducedFiscalYear, Literal(year)))
        if note := cells.optional(row, "note_en"):
            g.add((s, RDFS.comment, Literal(note, lang="en")))
        ctx.cite(g, s, row)
    return ids(t, "owner_code")


def introductions(ctx: Context, places: Places, city_os_ids: frozenset[str]) -> None:
    """Describe when each municipality introduced which City OS."""
    t = ctx.table("city-os-introductions.csv", "municipality_code", "fiscal_year", "city_os",
                  "shared_use", "as_printed", "source", "section", key="municipality_code")
    for row in t:
        municipality = places.municipality(row, "municipality_code")
        code = row["municipality_code"]
        year = cells.fiscal_year(row, "fiscal_year")
        g, s = ctx.instance("briefing", "city-os-introduction", code, SCKG.CityOSIntroduction, row)
        label(g, s, f"{municipality.ja} 都市OS導入（{year}年度）",
              f"City OS introduction: {municipality.en}, FY{year}")
        g.add((s, SCKG.municipality, municipality.iri))
        g.add((s, SCKG.fiscalYear, Literal(year)))
        g.add((s, SCKG.cityOS, ctx.iris.id("city-os", known("city-os", row, "city_os", city_os_ids))))
        g.add((s, SCKG.sharedUse, Literal(cells.boolean(row, "shared_use"))))
        g.add((s, SCKG.asPrinted, Literal(cells.text(row, "as_printed"), lang="ja")))
        ctx.cite(g, s, row)


def sharing(ctx: Context, places: Places, city_os_ids: frozenset[str], approach_ids: frozenset[str]) -> None:
    """Describe which municipality uses another's City OS, and (curated) by which approach."""
    t = ctx.table("city-os-sharing.csv", "user_code", "city_os", "since_fiscal_year",
                  "approach", "approach_basis_en", "source", "section", key="user_code")
    for row in t:
        user = places.municipality(row, "user_code")
        owner = known("city-os", row, "city_os", city_os_ids)
        if owner == row["user_code"]:
            raise row.error("city_os", "a municipality cannot share its own City OS")
        year = cells.fiscal_year(row, "since_fiscal_year")
        g, s = ctx.instance("briefing", "city-os-sharing", row["user_code"], SCKG.CityOSSharing, row)
        label(g, s, f"{user.ja}による都市OS共同利用", f"Shared use of a City OS by {user.en}")
        g.add((s, SCKG.user, user.iri))
        g.add((s, SCKG.cityOS, ctx.iris.id("city-os", owner)))
        g.add((s, SCKG.sinceFiscalYear, Literal(year)))
        ctx.cite(g, s, row)
        # The briefing never names the approach of a shared use: the project assigns it.
        if approach := cells.optional(row, "approach"):
            known("sharing-approach", row, "approach", approach_ids)
            curated = ctx.build.graph("curated")
            curated.add((s, SCKG.approach, ctx.iris.id("sharing-approach", approach)))
            curated.add((s, SCKG.approachBasis, Literal(cells.text(row, "approach_basis_en"), lang="en")))
