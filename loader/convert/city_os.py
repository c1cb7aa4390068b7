"""The City OS facts: each City OS, its introductions (as the chart prints them) and shared uses.

What the briefing states goes to the briefing graph; what the project reads into it goes to the
curated graph with the reason (a ``...Basis`` literal) or on a resource marked
``sckg:curatedByProject``:

- a shared use's approach (the briefing never names the approach of a case);
- the status of a City OS the briefing only says is about to be introduced (大阪府, 長崎県);
- which City OS an introduction is of, and whether it is shared use, where the chart does not
  say so (長崎県全21市町: printed without ※, read as the use of 長崎県's City OS);
- the shared uses that follow from that reading (cited to the project's curation as a whole).

Keys stay unique when a second one arrives (issue 9, item 8): ``city-os/<owner code>-<n>``,
``city-os-introduction/<municipality code>/<city-os key>``, ``city-os-sharing/<user code>/<city-os key>``.
"""

from __future__ import annotations

from rdflib import Literal

from .. import cells
from ..vocab import SCKG
from .common import Context, known, label
from .reference import Places

STATUSES = ("introduced", "planned")


def city_os(ctx: Context, places: Places) -> frozenset[str]:
    """Describe each City OS; return their keys (``<owner code>-<n>``)."""
    t = ctx.table("city-os.csv", "owner_code", "n", "label_ja", "label_en", "introduced_fiscal_year",
                  "status", "status_as_stated", "status_basis_en", "source", "section")
    cells.unique(t, "n", key=lambda row: f"{row['owner_code']}-{row['n']}")
    keys = []
    for row in t:
        code = cells.lg_code(row, "owner_code")
        owner = places.region(row, "owner_code", code)
        key = f"{code}-{cells.integer(row, 'n', 1)}"
        g, s = ctx.instance("briefing", "city-os", key, SCKG.CityOS, row)
        en = cells.optional(row, "label_en") or f"City OS of {owner.en}"
        label(g, s, cells.text(row, "label_ja"), en, composed=True)  # 「高松市の都市OS」: our name
        g.add((s, SCKG.owner, owner.iri))
        if (year := cells.optional_fiscal_year(row, "introduced_fiscal_year")) is not None:
            g.add((s, SCKG.introducedFiscalYear, Literal(year)))
        status = cells.choice(row, "status", STATUSES, "City OS status")
        if basis := cells.optional(row, "status_basis_en"):
            # The briefing's words are not a status in so many words: the status is our reading.
            curated = ctx.build.graph("curated")
            curated.add((s, SCKG.status, Literal(status)))
            curated.add((s, SCKG.statusBasis, Literal(basis, lang="en")))
        else:
            g.add((s, SCKG.status, Literal(status)))
        if stated := cells.optional(row, "status_as_stated"):
            g.add((s, SCKG.statusAsStated, Literal(stated, lang="ja")))
        ctx.cite(g, s, row)
        keys.append(key)
    return frozenset(keys)


def introductions(ctx: Context, places: Places, city_os_ids: frozenset[str]) -> None:
    """Describe when each municipality introduced which City OS, as the chart prints it."""
    t = ctx.table("city-os-introductions.csv", "municipality_code", "fiscal_year", "city_os",
                  "shared_use", "marked_shared", "as_printed", "reading_basis_en", "chart_source",
                  "source", "section")
    cells.unique(t, "city_os", key=lambda row: f"{row['municipality_code']}/{row['city_os']}")
    for row in t:
        municipality = places.municipality(row, "municipality_code")
        code = row["municipality_code"]
        os_key = known("city-os", row, "city_os", city_os_ids)
        year = cells.fiscal_year(row, "fiscal_year")
        g, s = ctx.instance("briefing", "city-os-introduction", f"{code}/{os_key}",
                            SCKG.CityOSIntroduction, row)
        label(g, s, f"{municipality.ja} 都市OS導入（{year}年度）",
              f"City OS introduction: {municipality.en}, FY{year}", composed=True)
        g.add((s, SCKG.municipality, municipality.iri))
        g.add((s, SCKG.fiscalYear, Literal(year)))
        g.add((s, SCKG.asPrinted, Literal(cells.text(row, "as_printed"), lang="ja")))
        g.add((s, SCKG.sharedUseMarked, Literal(cells.boolean(row, "marked_shared"))))
        chart = known("source", row, "chart_source", ctx.sources)
        g.add((s, SCKG.chartSource, ctx.iris.source(chart)))
        # Which City OS, and whether shared: the briefing's where it says so, else our reading.
        reading = g
        if basis := cells.optional(row, "reading_basis_en"):
            reading = ctx.build.graph("curated")
            reading.add((s, SCKG.sharedUseBasis, Literal(basis, lang="en")))
        reading.add((s, SCKG.cityOS, ctx.iris.id("city-os", os_key)))
        reading.add((s, SCKG.sharedUse, Literal(cells.boolean(row, "shared_use"))))
        ctx.cite(g, s, row)


def sharing(ctx: Context, places: Places, city_os_ids: frozenset[str], approach_ids: frozenset[str]) -> None:
    """Describe which municipality uses another body's City OS, and (curated) by which approach.

    A sharing citing the project's curation is the project's reading as a whole and goes to the
    curated graph; the approach of any sharing is always the project's.
    """
    t = ctx.table("city-os-sharing.csv", "user_code", "city_os", "since_fiscal_year",
                  "approach", "approach_basis_en", "source", "section")
    cells.unique(t, "city_os", key=lambda row: f"{row['user_code']}/{row['city_os']}")
    for row in t:
        user = places.municipality(row, "user_code")
        os_key = known("city-os", row, "city_os", city_os_ids)
        if os_key.rsplit("-", 1)[0] == row["user_code"]:
            raise row.error("city_os", "a municipality cannot share its own City OS")
        year = cells.fiscal_year(row, "since_fiscal_year")
        graph = "curated" if "project-curation" in cells.text(row, "source").split() else "briefing"
        g, s = ctx.instance(graph, "city-os-sharing", f"{row['user_code']}/{os_key}", SCKG.CityOSSharing, row)
        label(g, s, f"{user.ja}による都市OS共同利用", f"Shared use of a City OS by {user.en}",
              composed=True)
        g.add((s, SCKG.user, user.iri))
        g.add((s, SCKG.cityOS, ctx.iris.id("city-os", os_key)))
        g.add((s, SCKG.sinceFiscalYear, Literal(year)))
        ctx.cite(g, s, row)
        # The briefing never names the approach of a shared use: the project assigns it.
        if approach := cells.optional(row, "approach"):
            known("sharing-approach", row, "approach", approach_ids)
            curated = ctx.build.graph("curated")
            curated.add((s, SCKG.approach, ctx.iris.id("sharing-approach", approach)))
            curated.add((s, SCKG.approachBasis, Literal(cells.text(row, "approach_basis_en"), lang="en")))
