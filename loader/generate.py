"""Synthetic data for load and validation tests at 10^4 to 10^7 triples (issue 12).

The data is consistent with the ontology and the shapes, so it loads beside the bundled data:
adopted projects with their budgets and services, City OS with their introductions and shared
uses, KPIs with observations. It refers to the real local governments and fields of
``data/source`` (whose data lives in their own graphs) but every resource it mints lies under
``<base>/id/synthetic/s<seed>/`` and cites one source document saying it is synthetic, and its
files become graphs ``<base>/graph/extra/synthetic-…``: it can never be mistaken for a fact.

It streams N-Triples to one file per graph (nothing is kept but a few counters), is
deterministic for a seed, and can plant exactly K violations of several rules
(:mod:`loader.generate_faults`), recorded in ``manifest.json`` so tests can check that the
validator finds exactly those.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.defaults import DEFAULT_BASE_IRI, SOURCE_DIR

from .csvsource import read_table
from .generate_faults import Planter

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCKG = "https://w3id.org/smartcity-kg/ontology#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"

#: File (graph) names, each a graph ``<base>/graph/extra/<name>`` when loaded as an extra file.
FILES = ("synthetic-programme", "synthetic-services", "synthetic-city-os", "synthetic-kpis")
PROGRAMS = 3
SERVICES_PER_BLOCK = 10
SHARED_USES_PER_CITY_OS = 2
OBSERVATIONS_PER_KPI = 4
FIRST_ERA_YEAR, LAST_ERA_YEAR = 4, 82  # 令和4 (2022) .. 令和82 (2100): no real project has these codes
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def iri(value: str) -> str:
    return f"<{value}>"


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal (escaped per the N-Triples grammar)."""
    body = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    if lang:
        return f'"{body}"@{lang}'
    if datatype:
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


def integer(value: int) -> str:
    return lit(str(value), datatype=XSD + "integer")


def boolean(value: bool) -> str:
    return lit("true" if value else "false", datatype=XSD + "boolean")


@dataclass(frozen=True)
class Body:
    """A real municipality of ``data/source/municipalities.csv``, as the generator refers to it."""

    code: str
    name: str
    prefecture: str


def reference_bodies(source_dir: Path = SOURCE_DIR) -> list[Body]:
    """The municipalities of the bundled reference list (referred to, never copied)."""
    table = read_table(source_dir / "municipalities.csv", ("pref", "city", "lgcode"))
    return [Body(row["lgcode"], row["city"].replace(" ", ""), row["pref"]) for row in table]


def reference_fields(source_dir: Path = SOURCE_DIR) -> list[tuple[str, str]]:
    """(field id, service category) of the bundled field scheme."""
    table = read_table(source_dir / "fields.csv", ("id", "service_category"))
    return [(row["id"], row["service_category"] or row["id"]) for row in table]


@dataclass
class Writer:
    """N-Triples lines into one file per graph, counted."""

    out: Path
    files: dict = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        self.files = {name: open(self.out / f"{name}.nt", "w", encoding="utf-8") for name in FILES}

    def emit(self, graph: str, triples: list[tuple[str, str, str]]) -> None:
        self.files[graph].write("".join(f"{s} {p} {o} .\n" for s, p, o in triples))
        self.counts[graph] += len(triples)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


class Generator:
    """Mints the synthetic resources block by block (one project, one City OS with its uses, one
    KPI, some services), each block consistent on its own."""

    def __init__(self, seed: int, base: str, bodies: list[Body], fields: list[tuple[str, str]]):
        self.rng = random.Random(seed)
        self.base = base.rstrip("/")
        self.ns = f"{self.base}/id/synthetic/s{seed}/"
        self.seed = seed
        self.bodies = bodies
        self.by_prefecture: dict[str, list[Body]] = {}
        for body in bodies:
            self.by_prefecture.setdefault(body.prefecture, []).append(body)
        self.fields = fields
        self.source = iri(self.ns + "source/generator")
        self.projects: list[str] = []  # codes, in order
        self.services: Counter = Counter()  # per project code
        self.budget_projects: Counter = Counter()  # per (program, year)
        self.os_count: Counter = Counter()  # per owner code

    def id(self, *parts: str | int) -> str:
        return iri(self.ns + "/".join(map(str, parts)))

    def real(self, kind: str, key: str) -> str:
        return iri(f"{self.base}/id/{kind}/{key}")

    def _label(self, s: str, text: str) -> tuple[str, str, str]:
        return (s, iri(RDFS + "label"), lit(text, "ja"))

    def _typed(self, s: str, cls: str, label: str) -> list[tuple[str, str, str]]:
        return [(s, iri(RDF + "type"), iri(SCKG + cls)), self._label(s, label),
                (s, iri(DCT + "source"), self.source)]

    def header(self) -> Iterator[tuple[str, list]]:
        """The source document all synthetic resources cite, and the programmes."""
        doc = self.source
        yield "synthetic-programme", [
            (doc, iri(RDF + "type"), iri(SCKG + "SourceDocument")),
            self._label(doc, f"合成データ（シード{self.seed}）：事実ではない"),
            (doc, iri(DCT + "title"), lit(f"Synthetic data of smartcity-kg generate, seed {self.seed}: "
                                           "not facts, for load and validation tests", "en")),
            (doc, iri(RDFS + "comment"), lit("Generated by loader/generate.py; every resource citing "
                                              "this document is synthetic.", "en")),
        ]
        for p in range(1, PROGRAMS + 1):
            s = self.id("program", f"p{p}")
            yield "synthetic-programme", [*self._typed(s, "SubsidyProgram", f"合成補助事業{p}"),
                                          (s, iri(SCKG + "startFiscalYear"), integer(2018 + FIRST_ERA_YEAR))]

    def project(self, planter: Planter) -> Iterator[tuple[str, list]]:
        """The next adopted project (while project codes last)."""
        n = len(self.projects)
        era_year = FIRST_ERA_YEAR + n // len(LETTERS)
        if era_year > LAST_ERA_YEAR:
            return
        code = f"R{era_year}{LETTERS[n % len(LETTERS)]}"
        year, program = 2018 + era_year, n % PROGRAMS + 1
        self.projects.append(code)
        self.budget_projects[program, year] += 1
        s = self.id("project", code)
        region = self.rng.choice(self.bodies)
        field_id, _ = self.rng.choice(self.fields)
        yield "synthetic-programme", [
            *self._typed(s, "AdoptedProject", f"{code} {region.prefecture}{region.name}（合成）"),
            (s, iri(DCT + "identifier"), lit(code)),
            (s, iri(SCKG + "fiscalYear"), integer(year)),
            (s, iri(SCKG + "program"), self.id("program", f"p{program}")),
            (s, iri(SCKG + "budget"), self.id("budget", f"p{program}", year)),
            (s, iri(SCKG + "region"), self.real("municipality", region.code)),
            (s, iri(SCKG + "field"), self.real("field", field_id)),
        ]

    def service(self, planter: Planter) -> Iterator[tuple[str, list]]:
        """One service of a project (round robin over the projects so far)."""
        code = self.projects[sum(self.services.values()) % len(self.projects)]
        self.services[code] += 1
        key = f"{code}-{self.services[code]}"
        s = self.id("service", key)
        field_id, category = self.rng.choice(self.fields)
        body = self.rng.choice(self.bodies)
        triples = [
            *self._typed(s, "SmartCityService", f"合成サービス{key}"),
            (s, iri(DCT + "source"), iri(f"https://example.org/synthetic/s{self.seed}/service/{key}")),
            (s, iri(SCKG + "project"), self.id("project", code)),
            (s, iri(SCKG + "serviceCategory"), lit(category)),
            (s, iri(SCKG + "field"), self.real("field", field_id)),
            (s, iri(SCKG + "issueDescription"), lit("合成データの課題記述", "ja")),
            (s, iri(SCKG + "evidence"), lit("Synthetic record for load tests; not a fact.", "en")),
            (s, iri(SCKG + "confidence"), lit(self.rng.choice(("high", "medium", "low")))),
            (s, iri(SCKG + "municipalityAsStated"), lit(body.name, "ja")),
        ]
        yield "synthetic-services", planter.service(s, triples)

    def city_os(self, planter: Planter) -> Iterator[tuple[str, list]]:
        """A City OS of a real municipality, its owner's introduction and two shared uses."""
        owner = self.rng.choice(self.bodies)
        self.os_count[owner.code] += 1
        key = f"{owner.code}-{self.os_count[owner.code]}"
        os_iri = self.id("city-os", key)
        since = 2022 + self.rng.randrange(10)
        yield "synthetic-city-os", planter.city_os(os_iri, [
            *self._typed(os_iri, "CityOS", f"{owner.name}の合成都市OS"),
            (os_iri, iri(SCKG + "owner"), self.real("municipality", owner.code)),
            (os_iri, iri(SCKG + "introducedFiscalYear"), integer(since)),
            (os_iri, iri(SCKG + "status"), lit("introduced")),
        ])
        yield "synthetic-city-os", self._introduction(owner, key, since, shared=False, planter=planter)
        neighbours = [b for b in self.by_prefecture[owner.prefecture] if b.code != owner.code] or \
            [b for b in self.bodies if b.code != owner.code]
        for user in self.rng.sample(neighbours, min(SHARED_USES_PER_CITY_OS, len(neighbours))):
            year = since + self.rng.randrange(3)
            yield "synthetic-city-os", self._introduction(user, key, year, shared=True, planter=planter)
            s = self.id("city-os-sharing", user.code, key)
            yield "synthetic-city-os", planter.sharing(s, [
                *self._typed(s, "CityOSSharing", f"{user.name}による合成都市OS共同利用"),
                (s, iri(SCKG + "user"), self.real("municipality", user.code)),
                (s, iri(SCKG + "cityOS"), os_iri),
                (s, iri(SCKG + "sinceFiscalYear"), integer(year)),
            ], owner=self.real("municipality", owner.code))

    def _introduction(self, body: Body, key: str, year: int, shared: bool, planter: Planter) -> list:
        s = self.id("city-os-introduction", body.code, key)
        return planter.introduction(s, [
            *self._typed(s, "CityOSIntroduction", f"{body.name} 合成都市OS導入（{year}年度）"),
            (s, iri(SCKG + "municipality"), self.real("municipality", body.code)),
            (s, iri(SCKG + "fiscalYear"), integer(year)),
            (s, iri(SCKG + "cityOS"), self.id("city-os", key)),
            (s, iri(SCKG + "sharedUse"), boolean(shared)),
            (s, iri(SCKG + "sharedUseMarked"), boolean(shared)),
            (s, iri(SCKG + "asPrinted"), lit(body.name + ("※" if shared else ""), "ja")),
        ], shared=shared)

    def kpi(self, number: int, planter: Planter) -> Iterator[tuple[str, list]]:
        """A KPI with its observations."""
        s = self.id("kpi", f"k{number}")
        triples = [*self._typed(s, "KPI", f"合成KPI{number}"),
                   (s, iri(SCKG + "unit"), lit("件", "ja")),
                   (s, iri(SCKG + "targetValue"), integer(100 + number % 900)),
                   (s, iri(SCKG + "targetFiscalYear"), integer(2030))]
        for k in range(OBSERVATIONS_PER_KPI):
            o = self.id("kpi", f"k{number}", "observation", f"fy{2022 + k}")
            triples.append((s, iri(SCKG + "observation"), o))
            yield "synthetic-kpis", planter.observation(o, [
                *self._typed(o, "KPIObservation", f"合成KPI{number} {2022 + k}年度"),
                (o, iri(RDF + "value"), integer(self.rng.randrange(1000))),
                (o, iri(SCKG + "observedFiscalYear"), integer(2022 + k)),
            ])
        yield "synthetic-kpis", triples

    def budgets(self) -> Iterator[tuple[str, list]]:
        """The budgets, once every project is known (each counts its projects)."""
        for (program, year), count in sorted(self.budget_projects.items()):
            s = self.id("budget", f"p{program}", year)
            amount = self.id("budget", f"p{program}", year, "amount")
            tenths = 5 + (program * 7 + year) % 40
            printed = f"{tenths // 10}.{tenths % 10}億円"
            yield "synthetic-programme", [
                *self._typed(s, "ProgramBudget", f"合成補助事業{program} {year}年度 予算額 {printed}"),
                (s, iri(SCKG + "program"), self.id("program", f"p{program}")),
                (s, iri(SCKG + "fiscalYear"), integer(year)),
                (s, iri(SCHEMA + "amount"), amount),
                (s, iri(SCKG + "adoptedProjectCount"), integer(count)),
                *self._typed(amount, "BudgetAmount", printed),
                (amount, iri(SCHEMA + "value"), integer(tenths * 10_000_000)),
                (amount, iri(SCHEMA + "currency"), lit("JPY")),
                (amount, iri(SCKG + "asPrinted"), lit(printed, "ja")),
                (amount, iri(SCKG + "precision"), integer(10_000_000)),
            ]


#: Triples in one block (a project, a City OS with its uses, a KPI and its services), roughly.
BLOCK_TRIPLES = 10 + 45 + 30 + 12 * SERVICES_PER_BLOCK


def generate(triples: int, out: Path, violations: int = 0, seed: int = 1,
             base: str = DEFAULT_BASE_IRI, source_dir: Path = SOURCE_DIR) -> dict:
    """Write about ``triples`` triples (at least, to the end of a resource) to ``out``; return the manifest.

    ``violations`` are planted on distinct resources spread over the data, ``manifest.json`` lists them.
    """
    gen = Generator(seed, base, reference_bodies(source_dir), reference_fields(source_dir))
    planter = Planter(violations, spacing=max(1, triples // BLOCK_TRIPLES // max(1, violations)),
                      ns=gen.ns)
    writer = Writer(out)
    try:
        for graph, chunk in gen.header():
            writer.emit(graph, chunk)
        block = 0
        while writer.total < triples or planter.remaining or not gen.projects:
            planter.start_block(block)
            groups = [gen.project(planter), gen.city_os(planter), gen.kpi(block + 1, planter)]
            groups += [gen.service(planter) for _ in range(SERVICES_PER_BLOCK)]
            for group in groups:
                for graph, chunk in group:
                    writer.emit(graph, chunk)
                if writer.total >= triples and not planter.remaining and gen.projects:
                    break
            block += 1
        for graph, chunk in gen.budgets():
            writer.emit(graph, chunk)
    finally:
        writer.close()
    manifest = {"seed": seed, "base_iri": gen.base, "requested": triples, "triples": writer.total,
                "graphs": {f"{name}.nt": writer.counts[name] for name in FILES},
                "namespace": gen.ns, "violations": planter.planted}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest
