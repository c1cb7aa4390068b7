"""Stage 2 of the pipeline: turn the checked CSV tables into RDF, one named graph per source.

Every instance gets ``dcterms:source`` (and ``sckg:sourceSection`` where the document is cited)
and is remembered with the file and row it came from, so a SHACL violation can point back at it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from tqdm import tqdm

from . import cells
from .csvsource import Row, Table, read_table
from .errors import MissingSource
from .romanize import municipality_name_en
from .vocab import GEO, SCHEMA, SCKG, Iris, estat_sac

OKU = Decimal(100_000_000)  # 1 億円 in yen


@dataclass
class Build:
    """The graphs being built and where each instance came from."""

    iris: Iris
    graphs: dict[str, Graph] = field(default_factory=dict)
    origins: dict[URIRef, tuple[str, int]] = field(default_factory=dict)

    def graph(self, name: str) -> Graph:
        """The named graph ``name``, created on first use."""
        if name not in self.graphs:
            self.graphs[name] = Graph(identifier=self.iris.graph(name))
        return self.graphs[name]


class Converter:
    """Reads ``data/source/*.csv`` in dependency order and fills a :class:`Build`."""

    def __init__(self, source_dir: Path, iris: Iris):
        self.dir = source_dir
        self.iris = iris
        self.build = Build(iris)
        self.keys: dict[str, set[str]] = {}

    # -- helpers -------------------------------------------------------------------------

    def table(self, name: str, *required: str, key: str | None = None) -> Table:
        path = self.dir / name
        label = _display(path)
        if not path.is_file():
            raise MissingSource(f"{label}: source file not found")
        table = read_table(path, required, label=label)
        if key:
            cells.unique(table, key)
        return table

    def known(self, kind: str, row: Row, column: str, value: str | None = None) -> str:
        value = cells.text(row, column) if value is None else value
        if value not in self.keys.get(kind, ()):
            raise row.error(column, f"unknown {kind} '{value}'")
        return value

    def instance(self, graph: str, kind: str, key: str, cls: URIRef, row: Row) -> tuple[Graph, URIRef]:
        g = self.build.graph(graph)
        subject = self.iris.id(kind, key)
        g.add((subject, RDF.type, cls))
        self.build.origins.setdefault(subject, (row.file, row.number))
        return g, subject

    def cite(self, g: Graph, subject: URIRef, row: Row, sources: str = "source") -> None:
        for key in cells.text(row, sources).split():
            self.known("source", row, sources, key)
            g.add((subject, DCTERMS.source, self.iris.source(key)))
            if key == "project-curation":
                g.add((subject, SCKG.curatedByProject, Literal(True)))
        if section := cells.optional(row, "section"):
            g.add((subject, SCKG.sourceSection, Literal(section)))

    @staticmethod
    def label(g: Graph, subject: URIRef, ja: str, en: str | None = None, kana: str | None = None,
              concept: bool = False) -> None:
        values = [Literal(ja, lang="ja")]
        if kana:
            values.append(Literal(kana, lang="ja-hrkt"))
        if en:
            values.append(Literal(en, lang="en"))
        for value in values:
            g.add((subject, RDFS.label, value))
            if concept and value.language != "ja-hrkt":
                g.add((subject, SKOS.prefLabel, value))

    def concept(self, g: Graph, subject: URIRef, scheme: str, scheme_label: tuple[str, str]) -> None:
        scheme_iri = self.iris.scheme(scheme)
        g.add((subject, RDF.type, SKOS.Concept))
        g.add((subject, SKOS.inScheme, scheme_iri))
        g.add((scheme_iri, RDF.type, SKOS.ConceptScheme))
        g.add((scheme_iri, SKOS.hasTopConcept, subject))
        self.label(g, scheme_iri, *scheme_label, concept=True)

    # -- tables, in dependency order --------------------------------------------------------

    def run(self) -> Build:
        """Convert every source table; the first problem found stops the run."""
        steps = (
            self.sources, self.prefectures, self.municipalities, self.programs, self.budgets,
            self.fields, self.implementing_bodies, self.projects, self.sharing_approaches,
            self.cost_allocation_methods, self.city_os, self.city_os_introductions,
            self.city_os_sharing, self.kpis, self.kpi_observations, self.survey_work_items,
            self.survey_figures, self.regional_issues, self.services, self.service_issues,
        )
        for step in tqdm(steps, desc="converting", unit="table", disable=None, file=sys.stderr):
            step()
        return self.build

    def sources(self) -> None:
        t = self.table("sources.csv", "id", "title_ja", "title_en", "publisher", "issued",
                       "page", "license", "note", key="id")
        g = self.build.graph("void")
        for row in t:
            key = cells.slug(row, "id")
            subject = self.iris.source(key)
            self.build.origins.setdefault(subject, (row.file, row.number))
            g.add((subject, RDF.type, SCKG.SourceDocument))
            g.add((subject, DCTERMS.title, Literal(cells.text(row, "title_ja"), lang="ja")))
            g.add((subject, DCTERMS.title, Literal(cells.text(row, "title_en"), lang="en")))
            self.label(g, subject, row["title_ja"], row["title_en"])
            if publisher := cells.optional(row, "publisher"):
                g.add((subject, DCTERMS.publisher, Literal(publisher, lang="ja")))
            if issued := cells.iso_date(row, "issued"):
                g.add((subject, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
            if page := cells.iri(row, "page"):
                g.add((subject, FOAF.page, URIRef(page)))
            if license_ := cells.iri(row, "license"):
                g.add((subject, DCTERMS.license, URIRef(license_)))
            if note := cells.optional(row, "note"):
                g.add((subject, RDFS.comment, Literal(note, lang="en")))
        self.keys["source"] = {row["id"] for row in t}

    def _local_government(self, g: Graph, subject: URIRef, row: Row, code: str) -> None:
        g.add((subject, SCKG.localGovernmentCode, Literal(code)))
        g.add((subject, DCTERMS.identifier, Literal(code)))
        g.add((subject, SKOS.exactMatch, estat_sac(code)))
        g.add((subject, DCTERMS.source, self.iris.source("localgovjp")))
        lat, lng = cells.coordinate(row, "lat", 90), cells.coordinate(row, "lng", 180)
        if lat is not None and lng is not None:
            g.add((subject, GEO.lat, Literal(lat)))
            g.add((subject, GEO.long, Literal(lng)))
        if url := cells.iri(row, "url"):
            g.add((subject, FOAF.homepage, URIRef(url)))

    def prefectures(self) -> None:
        t = self.table("prefectures.csv", "pid", "pref", "prefkana", "pref_en", "url", "lgcode",
                       "ISO3166-2", "capital", "lat", "lng", key="lgcode")
        cells.unique(t, "pref")
        self.prefecture_by_name: dict[str, str] = {}
        self.capitals: dict[str, tuple[Row, str]] = {}
        for row in t:
            code = cells.lg_code(row, "lgcode")
            if code[2:5] != "000":
                raise row.error("lgcode", f"'{code}' is not a prefecture code (digits 3–5 must be 000)")
            g, subject = self.instance("localgovjp", "prefecture", code, SCKG.Prefecture, row)
            name = cells.text(row, "pref")
            self.label(g, subject, name, cells.text(row, "pref_en"), cells.text(row, "prefkana"))
            self._local_government(g, subject, row, code)
            iso = cells.text(row, "ISO3166-2")
            if iso != f"JP-{code[:2]}":
                raise row.error("ISO3166-2", f"'{iso}' does not match the code (expected JP-{code[:2]})")
            g.add((subject, SCKG.iso3166Code, Literal(iso)))
            self.prefecture_by_name[name] = code
            if capital := cells.optional(row, "capital"):
                self.capitals[code] = (row, capital)
        self.keys["prefecture"] = set(self.prefecture_by_name.values())

    def municipalities(self) -> None:
        t = self.table("municipalities.csv", "pref", "city", "citykana", "lat", "lng", "url",
                       "phrase", "lgcode", key="lgcode")
        cells.unique(t, "city", key=lambda r: (r["pref"], r["city"]))
        by_name: dict[tuple[str, str], str] = {}
        wards: list[tuple[Row, URIRef, str, str]] = []
        for row in t:
            code = cells.lg_code(row, "lgcode")
            pref_name = cells.text(row, "pref")
            if pref_name not in self.prefecture_by_name:
                raise row.error("pref", f"unknown prefecture '{pref_name}'")
            pref_code = self.prefecture_by_name[pref_name]
            if code[:2] != pref_code[:2]:
                raise row.error("lgcode", f"'{code}' does not lie in {pref_name} ({pref_code[:2]}…)")
            g, subject = self.instance("localgovjp", "municipality", code, SCKG.Municipality, row)
            name, kana = cells.text(row, "city"), cells.text(row, "citykana")
            self.label(g, subject, name.replace(" ", ""), municipality_name_en(name, kana),
                       kana.replace(" ", ""))
            self._local_government(g, subject, row, code)
            g.add((subject, SCKG.prefecture, self.iris.id("prefecture", pref_code)))
            if phrase := cells.optional(row, "phrase"):
                g.add((subject, SCHEMA.slogan, Literal(phrase, lang="ja")))
            by_name[(pref_name, name)] = code
            if " " in name:
                wards.append((row, subject, pref_name, name.split()[0]))
        for row, subject, pref_name, parent in wards:
            if (pref_name, parent) not in by_name:
                raise row.error("city", f"ward of unknown municipality '{parent}'")
            g.add((subject, SCKG.parentMunicipality,
                   self.iris.id("municipality", by_name[(pref_name, parent)])))
        names = {code: pref for pref, code in self.prefecture_by_name.items()}
        for pref_code, (row, capital) in self.capitals.items():
            if (names[pref_code], capital) not in by_name:
                raise row.error("capital", f"unknown municipality '{capital}' in {names[pref_code]}")
            self.build.graph("localgovjp").add((
                self.iris.id("prefecture", pref_code), SCKG.capital,
                self.iris.id("municipality", by_name[(names[pref_code], capital)])))
        self.keys["municipality"] = set(by_name.values())

    def region(self, row: Row, column: str, code: str) -> URIRef:
        """A municipality or prefecture named by its code, which must exist."""
        cells.lg_code(row, column, code)
        if code in self.keys["municipality"]:
            return self.iris.id("municipality", code)
        if code in self.keys["prefecture"]:
            return self.iris.id("prefecture", code)
        raise row.error(column, f"unknown municipality or prefecture '{code}'")

    def municipality(self, row: Row, column: str) -> URIRef:
        """A municipality named by its code, which must exist."""
        code = cells.lg_code(row, column)
        if code not in self.keys["municipality"]:
            raise row.error(column, f"unknown municipality '{code}'")
        return self.iris.id("municipality", code)

    def programs(self) -> None:
        t = self.table("programs.csv", "id", "label_ja", "label_en", "start_fiscal_year",
                       "source", "section", key="id")
        for row in t:
            g, s = self.instance("briefing", "program", cells.slug(row, "id"), SCKG.SubsidyProgram, row)
            self.label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
            g.add((s, SCKG.startFiscalYear, Literal(cells.fiscal_year(row, "start_fiscal_year"))))
            self.cite(g, s, row)
        self.keys["program"] = {row["id"] for row in t}

    def budgets(self) -> None:
        t = self.table("program-budgets.csv", "fiscal_year", "program", "budget_oku_yen",
                       "adopted_projects", "code_range", "source", "section", key="fiscal_year")
        self.budget_program: dict[int, str] = {}
        for row in t:
            year = cells.fiscal_year(row, "fiscal_year")
            program = self.known("program", row, "program")
            g, s = self.instance("briefing", "budget", str(year), SCKG.ProgramBudget, row)
            oku = cells.decimal(row, "budget_oku_yen")
            self.label(g, s, f"{year}年度 予算額 {oku}億円", f"FY{year} budget: {oku} hundred million yen")
            g.add((s, SCKG.program, self.iris.id("program", program)))
            g.add((s, SCKG.fiscalYear, Literal(year)))
            g.add((s, SCKG.budgetYen, Literal(int(oku * OKU))))
            g.add((s, SCKG.adoptedProjectCount, Literal(cells.integer(row, "adopted_projects", 0))))
            if code_range := cells.optional(row, "code_range"):
                g.add((s, SCKG.projectCodeRange, Literal(code_range)))
            self.cite(g, s, row)
            self.budget_program[year] = program

    def fields(self) -> None:
        t = self.table("fields.csv", "id", "label_ja", "label_en", "service_category",
                       "source", "section", key="id")
        cells.unique(t, "label_ja")
        self.field_by_category: dict[str, str] = {}
        for row in t:
            key = cells.slug(row, "id")
            g, s = self.instance("briefing", "field", key, SCKG.Field, row)
            self.label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"), concept=True)
            self.concept(g, s, "field", ("分野", "Fields"))
            if category := cells.optional(row, "service_category"):
                g.add((s, SCKG.serviceCategory, Literal(category)))
                self.field_by_category[category] = key
            self.cite(g, s, row)
        self.keys["field"] = {row["id"] for row in t}

    def implementing_bodies(self) -> None:
        t = self.table("implementing-bodies.csv", "id", "label_ja", "legal_form", "label_en",
                       "source", "section", key="id")
        for row in t:
            g, s = self.instance("briefing", "organization", cells.slug(row, "id"),
                                 SCKG.ImplementingBody, row)
            self.label(g, s, cells.text(row, "label_ja"), cells.optional(row, "label_en"))
            if form := cells.optional(row, "legal_form"):
                g.add((s, SCKG.legalForm, Literal(form, lang="ja")))
            self.cite(g, s, row)
        self.keys["organization"] = {row["id"] for row in t}

    def projects(self) -> None:
        t = self.table("projects.csv", "code", "fiscal_year", "region_codes", "region_as_printed",
                       "implementer", "fields", "source", "section", key="code")
        for row in t:
            code = cells.text(row, "code")
            if not _project_code_ok(code):
                raise row.error("code", f"project code '{code}' must look like H29a or R3i")
            year = cells.fiscal_year(row, "fiscal_year")
            if _project_code_year(code) != year:
                raise row.error("fiscal_year", f"{year} does not match project code {code} "
                                f"(FY{_project_code_year(code)})")
            if year not in self.budget_program:
                raise row.error("fiscal_year", f"no budget row for fiscal year {year}")
            g, s = self.instance("briefing", "project", code, SCKG.AdoptedProject, row)
            printed = cells.text(row, "region_as_printed")
            self.label(g, s, f"{code} {printed}", f"Adopted project {code}")
            g.add((s, DCTERMS.identifier, Literal(code)))
            g.add((s, SCKG.fiscalYear, Literal(year)))
            g.add((s, SCKG.program, self.iris.id("program", self.budget_program[year])))
            g.add((s, SCKG.budget, self.iris.id("budget", str(year))))
            for region in cells.text(row, "region_codes").split():
                g.add((s, SCKG.region, self.region(row, "region_codes", region)))
            if implementer := cells.optional(row, "implementer"):
                self.known("organization", row, "implementer")
                g.add((s, SCKG.implementer, self.iris.id("organization", implementer)))
            for key in cells.choices(row, "fields", self.keys["field"], "field"):
                g.add((s, SCKG.field, self.iris.id("field", key)))
            self.cite(g, s, row)
        self.keys["project"] = {row["code"] for row in t}

    def _concepts(self, file: str, kind: str, cls: URIRef, scheme: tuple[str, str, str]) -> Table:
        t = self.table(file, "id", "notation", "label_ja", "label_en", "definition_ja",
                       "definition_en", "source", "section", key="id")
        cells.unique(t, "notation")
        for row in t:
            g, s = self.instance("briefing", kind, cells.slug(row, "id"), cls, row)
            self.label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"), concept=True)
            self.concept(g, s, scheme[0], scheme[1:])
            g.add((s, SKOS.notation, Literal(cells.text(row, "notation"))))
            g.add((s, SKOS.definition, Literal(cells.text(row, "definition_ja"), lang="ja")))
            g.add((s, SKOS.definition, Literal(cells.text(row, "definition_en"), lang="en")))
            for column, lang in (("example_ja", "ja"), ("example_en", "en")):
                if example := row.cells.get(column):
                    g.add((s, SKOS.example, Literal(example, lang=lang)))
            self.cite(g, s, row)
        self.keys[kind] = {row["id"] for row in t}
        return t

    def sharing_approaches(self) -> None:
        self._concepts("sharing-approaches.csv", "sharing-approach", SCKG.SharingApproach,
                       ("sharing-approach", "都市OS共同利用のアプローチ", "City OS sharing approaches"))

    def cost_allocation_methods(self) -> None:
        self._concepts("cost-allocation-methods.csv", "cost-allocation", SCKG.CostAllocationMethod,
                       ("cost-allocation", "費用按分の方法", "Cost-allocation methods"))

    def city_os(self) -> None:
        t = self.table("city-os.csv", "owner_code", "label_ja", "label_en", "introduced_fiscal_year",
                       "source", "section", "note_en", key="owner_code")
        for row in t:
            code = cells.lg_code(row, "owner_code")
            owner = self.region(row, "owner_code", code)
            g, s = self.instance("briefing", "city-os", code, SCKG.CityOS, row)
            en = cells.optional(row, "label_en") or f"City OS of {_english(self.build, owner)}"
            self.label(g, s, cells.text(row, "label_ja"), en)
            g.add((s, SCKG.owner, owner))
            if (year := cells.optional_fiscal_year(row, "introduced_fiscal_year")) is not None:
                g.add((s, SCKG.introducedFiscalYear, Literal(year)))
            if note := cells.optional(row, "note_en"):
                g.add((s, RDFS.comment, Literal(note, lang="en")))
            self.cite(g, s, row)
        self.keys["city-os"] = {row["owner_code"] for row in t}

    def city_os_introductions(self) -> None:
        t = self.table("city-os-introductions.csv", "municipality_code", "fiscal_year", "city_os",
                       "shared_use", "as_printed", "source", "section", key="municipality_code")
        for row in t:
            municipality = self.municipality(row, "municipality_code")
            code = row["municipality_code"]
            year = cells.fiscal_year(row, "fiscal_year")
            g, s = self.instance("briefing", "city-os-introduction", code, SCKG.CityOSIntroduction, row)
            self.label(g, s, f"{_ja(self.build, municipality)} 都市OS導入（{year}年度）",
                       f"City OS introduction: {_english(self.build, municipality)}, FY{year}")
            g.add((s, SCKG.municipality, municipality))
            g.add((s, SCKG.fiscalYear, Literal(year)))
            g.add((s, SCKG.cityOS, self.iris.id("city-os", self.known("city-os", row, "city_os"))))
            g.add((s, SCKG.sharedUse, Literal(cells.boolean(row, "shared_use"))))
            g.add((s, SCKG.asPrinted, Literal(cells.text(row, "as_printed"), lang="ja")))
            self.cite(g, s, row)
        self.introductions = {row["municipality_code"]: row for row in t}

    def city_os_sharing(self) -> None:
        t = self.table("city-os-sharing.csv", "user_code", "city_os", "since_fiscal_year",
                       "approach", "approach_basis_en", "source", "section", key="user_code")
        for row in t:
            user = self.municipality(row, "user_code")
            city_os = self.known("city-os", row, "city_os")
            if city_os == row["user_code"]:
                raise row.error("city_os", "a municipality cannot share its own City OS")
            year = cells.fiscal_year(row, "since_fiscal_year")
            g, s = self.instance("briefing", "city-os-sharing", row["user_code"], SCKG.CityOSSharing, row)
            self.label(g, s, f"{_ja(self.build, user)}による都市OS共同利用",
                       f"Shared use of a City OS by {_english(self.build, user)}")
            g.add((s, SCKG.user, user))
            g.add((s, SCKG.cityOS, self.iris.id("city-os", city_os)))
            g.add((s, SCKG.sinceFiscalYear, Literal(year)))
            self.cite(g, s, row)
            # The briefing never names the approach of a shared use: the project assigns it.
            if approach := cells.optional(row, "approach"):
                self.known("sharing-approach", row, "approach")
                curated = self.build.graph("curated")
                curated.add((s, SCKG.approach, self.iris.id("sharing-approach", approach)))
                curated.add((s, SCKG.approachBasis, Literal(cells.text(row, "approach_basis_en"), lang="en")))

    def kpis(self) -> None:
        t = self.table("kpis.csv", "id", "label_ja", "label_en", "unit_ja", "target_value",
                       "target_fiscal_year", "note_ja", "source", "section", key="id")
        for row in t:
            g, s = self.instance("briefing", "kpi", cells.slug(row, "id"), SCKG.KPI, row)
            self.label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
            g.add((s, SCKG.unit, Literal(cells.text(row, "unit_ja"), lang="ja")))
            if row["target_value"]:
                g.add((s, SCKG.targetValue, Literal(cells.integer(row, "target_value", 0))))
            if (year := cells.optional_fiscal_year(row, "target_fiscal_year")) is not None:
                g.add((s, SCKG.targetFiscalYear, Literal(year)))
            if note := cells.optional(row, "note_ja"):
                g.add((s, RDFS.comment, Literal(note, lang="ja")))
            self.cite(g, s, row)
        self.keys["kpi"] = {row["id"] for row in t}

    def kpi_observations(self) -> None:
        t = self.table("kpi-observations.csv", "kpi", "id", "value", "fiscal_year", "as_of_ja",
                       "note_en", "source", "section")
        cells.unique(t, "id", key=lambda r: (r["kpi"], r["id"]))
        for row in t:
            kpi = self.known("kpi", row, "kpi")
            year = cells.optional_fiscal_year(row, "fiscal_year")
            g, s = self.instance("briefing", "kpi", f"{kpi}/observation/{cells.slug(row, 'id')}",
                                 SCKG.KPIObservation, row)
            value = cells.integer(row, "value", 0)
            as_of = cells.text(row, "as_of_ja")
            self.label(g, s, f"{value}（{as_of}）", f"{value} (FY{year})" if year else f"{value} ({as_of})")
            g.add((self.iris.id("kpi", kpi), SCKG.observation, s))
            g.add((s, RDF.value, Literal(value)))
            if year is not None:
                g.add((s, SCKG.observedFiscalYear, Literal(year)))
            g.add((s, SCKG.asOf, Literal(as_of, lang="ja")))
            if note := cells.optional(row, "note_en"):
                g.add((s, RDFS.comment, Literal(note, lang="en")))
            self.cite(g, s, row)

    def survey_work_items(self) -> None:
        t = self.table("survey-work-items.csv", "number", "label_ja", "label_en", "description_ja",
                       "description_en", "source", "section", key="number")
        for row in t:
            number = cells.integer(row, "number", 1)
            g, s = self.instance("briefing", "survey-work-item", str(number), SCKG.SurveyWorkItem, row)
            self.label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
            g.add((s, SCKG.itemNumber, Literal(number)))
            g.add((s, DCTERMS.description, Literal(cells.text(row, "description_ja"), lang="ja")))
            g.add((s, DCTERMS.description, Literal(cells.text(row, "description_en"), lang="en")))
            self.cite(g, s, row)
        self.keys["survey-work-item"] = {row["number"] for row in t}

    def survey_figures(self) -> None:
        t = self.table("survey-figures.csv", "work_item", "id", "value", "qualifier", "label_ja",
                       "label_en", "source", "section")
        cells.unique(t, "id", key=lambda r: (r["work_item"], r["id"]))
        for row in t:
            item = self.known("survey-work-item", row, "work_item")
            key = cells.slug(row, "id")
            g, s = self.instance("briefing", "survey-work-item", f"{item}/figure/{key}",
                                 SCKG.SurveyFigure, row)
            self.label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"))
            g.add((self.iris.id("survey-work-item", item), SCKG.figure, s))
            g.add((s, RDF.value, Literal(cells.integer(row, "value", 0))))
            qualifier = cells.choice(row, "qualifier", ("exact", "about", "more-than"))
            g.add((s, SCKG.qualifier, Literal(qualifier)))
            self.cite(g, s, row)

    def regional_issues(self) -> None:
        t = self.table("regional-issues.csv", "id", "label_ja", "alt_labels_ja", "label_en",
                       "sources", key="id")
        cells.unique(t, "label_ja")
        for row in t:
            g, s = self.instance("curated", "regional-issue", cells.slug(row, "id"), SCKG.RegionalIssue, row)
            self.label(g, s, cells.text(row, "label_ja"), cells.text(row, "label_en"), concept=True)
            self.concept(g, s, "regional-issue", ("地域課題（プロジェクトによる整理）",
                                                   "Regional issues (curated by the project)"))
            for alt in row["alt_labels_ja"].split():
                g.add((s, SKOS.altLabel, Literal(alt, lang="ja")))
            self.cite(g, s, row, "sources")
            g.add((s, DCTERMS.source, self.iris.source("project-curation")))
            g.add((s, SCKG.curatedByProject, Literal(True)))
        scheme = self.iris.scheme("regional-issue")
        g = self.build.graph("curated")
        g.add((scheme, SCKG.curatedByProject, Literal(True)))
        g.add((scheme, DCTERMS.source, self.iris.source("project-curation")))
        g.add((scheme, RDFS.comment, Literal(
            "The briefing's 11 frequent issues are not listed in it; this scheme is the project's "
            "union of issue categories that official materials use, each citing them.", lang="en")))
        self.keys["regional-issue"] = {row["id"] for row in t}

    def services(self) -> None:
        t = self.table("service-implementations.csv", "service_id", "project_code", "municipality",
                       "service_name_ja", "service_name_en", "service_category", "issue_addressed_ja",
                       "source_url", "evidence_paraphrase_en", "confidence", key="service_id")
        for row in t:
            project = self.known("project", row, "project_code")
            key = cells.text(row, "service_id")
            if not key.startswith(f"{project}-") or not key[len(project) + 1 :].isdigit():
                raise row.error("service_id", f"'{key}' must be '{project}-<n>'")
            g, s = self.instance("service-implementations", "service", key, SCKG.SmartCityService, row)
            self.label(g, s, cells.text(row, "service_name_ja"), cells.text(row, "service_name_en"))
            g.add((s, SCKG.project, self.iris.id("project", project)))
            category = cells.slug(row, "service_category")
            g.add((s, SCKG.serviceCategory, Literal(category)))
            if category in self.field_by_category:
                g.add((s, SCKG.field, self.iris.id("field", self.field_by_category[category])))
            g.add((s, SCKG.issueDescription, Literal(cells.text(row, "issue_addressed_ja"), lang="ja")))
            g.add((s, SCKG.municipalityAsStated, Literal(cells.text(row, "municipality"), lang="ja")))
            g.add((s, SCKG.evidence, Literal(cells.text(row, "evidence_paraphrase_en"), lang="en")))
            g.add((s, SCKG.confidence, Literal(cells.choice(row, "confidence", ("high", "medium", "low")))))
            url = cells.iri(row, "source_url")
            if url is None:
                raise row.error("source_url", "'source_url' is required")
            g.add((s, DCTERMS.source, URIRef(url)))
            g.add((s, DCTERMS.source, self.iris.source("service-implementations")))
        self.keys["service"] = {row["service_id"] for row in t}

    def service_issues(self) -> None:
        t = self.table("service-issues.csv", "service_id", "issues", "basis_en", key="service_id")
        g = self.build.graph("curated")
        for row in t:
            service = self.iris.id("service", self.known("service", row, "service_id"))
            for issue in cells.choices(row, "issues", self.keys["regional-issue"], "regional issue"):
                g.add((service, SCKG.addressesIssue, self.iris.id("regional-issue", issue)))
            g.add((service, SCKG.issueMappingBasis, Literal(cells.text(row, "basis_en"), lang="en")))


def _display(path: Path) -> str:
    """A path as a user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _ja(build: Build, subject: URIRef) -> str:
    return str(next(v for v in build.graph("localgovjp").objects(subject, RDFS.label) if v.language == "ja"))


def _english(build: Build, subject: URIRef) -> str:
    return str(next(v for v in build.graph("localgovjp").objects(subject, RDFS.label) if v.language == "en"))


_ERAS = (("H", 1988), ("R", 2018))
_PROJECT_CODE = re.compile(r"(H(2[0-9]|3[01])|R[1-9][0-9]?)[a-z]")


def _project_code_year(code: str) -> int:
    """The Western fiscal year a project code names: H29a -> 2017, R3i -> 2021."""
    era = dict(_ERAS)[code[0]]
    return era + int(code[1:-1])


def _project_code_ok(code: str) -> bool:
    return bool(_PROJECT_CODE.fullmatch(code))
