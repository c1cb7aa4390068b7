"""Reference data: the source documents (void graph) and Japan's local governments (localgovjp).

Prefectures and municipalities come from the localgovjp tables, kept as published (graph
``localgovjp``). The changes since, which bring the list to :data:`LIST_VALID_ON`, come from
local-government-changes.csv, each with its own source (graph ``localgov-changes``): abolished
bodies keep their code and IRI and get an end date, new ones a start date. The kind of each body
(市, 町, 村, 特別区, 政令指定都市の区) and its corporate number are derived by the project
(graph ``curated``). Later steps look bodies up by code through the :class:`Places` returned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, VOID, XSD

from kg.codes import corporate_number

from .. import cells
from ..csvsource import Row
from ..romanize import municipality_name_en, with_spelling
from ..vocab import GEO, IC, SCHEMA, SCKG, estat_sac
from .common import TRANSLATIONS, Context, ids, known, label, translation

LIST_VALID_ON = date(2024, 1, 1)
"""The date the local-government list (localgovjp with the changes applied) is valid for."""

CHANGES = "localgov-changes"
"""The named graph of the changes applied to the localgovjp list."""

SPECIAL_WARDS = range(131016, 131237 + 1)
"""Codes of Tokyo's 23 special wards (特別区): 千代田区 131016 to 江戸川区 131237."""

_SCHEMES = {  # key: (name @ja, name @en, sources, a published IRI of the same scheme or None)
    "lg-code": ("全国地方公共団体コード", "Nationwide local government code", ("soumu-lg-code",), None),
    "corporate-number": ("法人番号", "Corporate number", ("corporate-number-ordinance",),
                         URIRef("http://imi.go.jp/ns/code_id/id/corporateNumber")),
}


@dataclass(frozen=True)
class Place:
    """A prefecture or municipality as other tables refer to it: its IRI and labels."""

    iri: URIRef
    ja: str
    en: str


@dataclass(frozen=True)
class Prefectures:
    """What municipalities.csv needs from prefectures.csv."""

    places: Mapping[str, Place]  # by code
    by_name: Mapping[str, str]  # name -> code
    capitals: Mapping[str, tuple[Row, str]]  # code -> (row, capital's name), checked with municipalities
    short_en: Mapping[str, str]  # code -> the source's romanized name (pref_en), "Tokyo"


@dataclass(frozen=True)
class Places:
    """Every local government by code, to resolve the codes other tables use."""

    prefectures: Mapping[str, Place]
    municipalities: Mapping[str, Place]

    def region(self, row: Row, column: str, code: str) -> Place:
        """A municipality or prefecture named by its code, which must exist."""
        cells.lg_code(row, column, code)
        if code in self.municipalities:
            return self.municipalities[code]
        if code in self.prefectures:
            return self.prefectures[code]
        raise row.error(column, f"unknown municipality or prefecture '{code}'")

    def municipality(self, row: Row, column: str) -> Place:
        """A municipality named by its code, which must exist."""
        code = cells.lg_code(row, column)
        if code not in self.municipalities:
            raise row.error(column, f"unknown municipality '{code}'")
        return self.municipalities[code]


def sources(ctx: Context) -> frozenset[str]:
    """Describe the source documents; return their keys, which every later row may cite."""
    t = ctx.table("sources.csv", "id", "title_ja", "title_en", "publisher", "issued",
                  "page", "license", "note", key="id")
    g = ctx.build.graph("void")
    for row in t:
        key = cells.slug(row, "id")
        subject = ctx.iris.source(key)
        ctx.build.origins.setdefault(subject, (row.file, row.number))
        g.add((subject, RDF.type, SCKG.SourceDocument))
        g.add((subject, DCTERMS.title, Literal(cells.text(row, "title_ja"), lang="ja")))
        translation(g, subject, DCTERMS.title, cells.text(row, "title_en"))
        label(g, subject, row["title_ja"], row["title_en"])
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
    return ids(t)


def _id_schemes(ctx: Context) -> None:
    """The two identifier schemes (ic:ID体系型) the bodies' ic:ID nodes name, with stable IRIs."""
    g = ctx.build.graph("curated")
    for key, (ja, en, sources, published) in _SCHEMES.items():
        scheme = ctx.iris.id("id-scheme", key)
        name = URIRef(f"{scheme}/name")
        g.add((scheme, RDF.type, IC["ID体系型"]))
        label(g, scheme, ja, en)
        g.add((scheme, IC["名称"], name))
        g.add((name, RDF.type, IC["名称型"]))
        g.add((name, IC["表記"], Literal(ja, lang="ja")))
        g.add((name, SCKG.curatedByProject, Literal(True)))
        g.add((name, DCTERMS.source, ctx.iris.source("project-curation")))
        g.add((scheme, SCKG.curatedByProject, Literal(True)))
        for source in ("project-curation", *sources):
            g.add((scheme, DCTERMS.source, ctx.iris.source(source)))
        if published is not None:
            g.add((scheme, RDFS.seeAlso, published))


def _identifiers(ctx: Context, g: Graph, subject: URIRef, code: str, source: str) -> None:
    """The code as an IMI ic:ID node (IRI ``<body>/id/lg-code``), in the graph of its source."""
    lg_id = URIRef(f"{subject}/id/lg-code")
    g.add((subject, IC.ID, lg_id))
    g.add((lg_id, RDF.type, IC["ID型"]))
    g.add((lg_id, IC["識別値"], Literal(code)))
    g.add((lg_id, IC["体系"], ctx.iris.id("id-scheme", "lg-code")))
    g.add((lg_id, DCTERMS.source, ctx.iris.source(source)))


_CORPORATE_BASIS = ("Corporate number: check digit, 000020 and the local government code, the National Tax "
                    "Agency's base number of a local public body (check digit: MOF Ordinance No. 70 of 2014, "
                    "Art. 2).")
_KIND_BASES = {
    SCKG.SpecialWard: "Kind 特別区: its code lies in 131016–131237, Tokyo's 23 special wards.",
    SCKG.DesignatedCityWard: "Kind 政令指定都市の区: the list writes its name as '<designated city> <ward>'. "
                             "No corporate number: a ward of a designated city is not a legal person.",
    SCKG.DesignatedCity: "Kind 市, 政令指定都市: its name ends in 市 and the list gives it wards.",
    SCKG.City: "Kind 市: its name ends in 市.",
    SCKG.Town: "Kind 町: its name ends in 町 (read まち or ちょう).",
    SCKG.Village: "Kind 村: its name ends in 村 (read むら or そん).",
}


def _corporate_number(ctx: Context, subject: URIRef, code: str) -> None:
    """The corporate number (法人番号), as a literal and an ic:ID node ``<body>/id/corporate-number``.

    Derived by the project from the code by the National Tax Agency's rule (graph ``curated``).
    Only local public bodies have one: prefectures, cities, towns, villages and special wards, not
    the wards of designated cities (not legal persons).
    """
    c = ctx.build.graph("curated")
    number = corporate_number(code)
    cn_id = URIRef(f"{subject}/id/corporate-number")
    c.add((subject, SCKG.corporateNumber, Literal(number)))
    c.add((subject, IC.ID, cn_id))
    c.add((cn_id, RDF.type, IC["ID型"]))
    c.add((cn_id, IC["識別値"], Literal(number)))
    c.add((cn_id, IC["体系"], ctx.iris.id("id-scheme", "corporate-number")))
    c.add((cn_id, SCKG.curatedByProject, Literal(True)))
    c.add((cn_id, DCTERMS.source, ctx.iris.source("project-curation")))
    c.add((cn_id, DCTERMS.source, ctx.iris.source("corporate-number-ordinance")))


def _codes(ctx: Context, g: Graph, subject: URIRef, code: str, source: str) -> None:
    """A body's code: as a literal, as an ic:ID node and as its e-Stat standard area code."""
    g.add((subject, SCKG.localGovernmentCode, Literal(code)))
    g.add((subject, DCTERMS.identifier, Literal(code)))
    g.add((subject, SCKG.standardAreaCode, estat_sac(code)))
    _identifiers(ctx, g, subject, code, source)


def _local_government(ctx: Context, g: Graph, subject: URIRef, row: Row, code: str) -> None:
    """What prefectures and municipalities share: codes, e-Stat link, position, homepage."""
    _codes(ctx, g, subject, code, "localgovjp")
    g.add((subject, DCTERMS.source, ctx.iris.source("localgovjp")))
    lat, lng = cells.coordinate(row, "lat", 90), cells.coordinate(row, "lng", 180)
    if lat is not None and lng is not None:
        g.add((subject, GEO.lat, Literal(lat)))
        g.add((subject, GEO.long, Literal(lng)))
    if url := cells.iri(row, "url"):
        g.add((subject, FOAF.homepage, URIRef(url)))


def prefecture_name_en(name: str, short_en: str) -> str:
    """The English label of a prefecture, in its own usage: ``Nagasaki Prefecture``, never just
    ``Nagasaki`` (which is also a city); 東京都 ``Tokyo Metropolis``, 北海道 ``Hokkaido``."""
    if name == "北海道":
        return short_en
    if name.endswith("都"):
        return f"{short_en} Metropolis"
    return f"{short_en} Prefecture"  # 府 and 県 alike: Kyoto Prefecture, Osaka Prefecture


def prefectures(ctx: Context) -> Prefectures:
    """Describe the prefectures; their capitals are linked once municipalities are known."""
    t = ctx.table("prefectures.csv", "pid", "pref", "prefkana", "pref_en", "url", "lgcode",
                  "ISO3166-2", "capital", "lat", "lng", key="lgcode")
    cells.unique(t, "pref")
    _id_schemes(ctx)
    places: dict[str, Place] = {}
    by_name: dict[str, str] = {}
    capitals: dict[str, tuple[Row, str]] = {}
    short_en: dict[str, str] = {}
    for row in t:
        code = cells.lg_code(row, "lgcode")
        if code[2:5] != "000":
            raise row.error("lgcode", f"'{code}' is not a prefecture code (digits 3–5 must be 000)")
        g, subject = ctx.instance("localgovjp", "prefecture", code, SCKG.Prefecture, row)
        name, short_en[code] = cells.text(row, "pref"), cells.text(row, "pref_en")
        en = prefecture_name_en(name, short_en[code])
        label(g, subject, name, en, cells.text(row, "prefkana"))
        _local_government(ctx, g, subject, row, code)
        iso = cells.text(row, "ISO3166-2")
        if iso != f"JP-{code[:2]}":
            raise row.error("ISO3166-2", f"'{iso}' does not match the code (expected JP-{code[:2]})")
        g.add((subject, SCKG.iso3166Code, Literal(iso)))
        _corporate_number(ctx, subject, code)
        ctx.build.graph("curated").add((subject, SCKG.derivationBasis, Literal(_CORPORATE_BASIS, lang="en")))
        places[code] = Place(subject, name, en)
        by_name[name] = code
        if capital := cells.optional(row, "capital"):
            capitals[code] = (row, capital)
    return Prefectures(places, by_name, capitals, short_en)


def official_english_names(ctx: Context) -> dict[str, tuple[Row, str]]:
    """The bodies' own English spellings, by code, each with its evidence (the body's web address)."""
    t = ctx.table("official-english-names.csv", "code", "name", "name_en", "evidence", "note", key="code")
    spellings: dict[str, tuple[Row, str]] = {}
    for row in t:
        if not cells.iri(row, "evidence"):
            raise row.error("evidence", "an official English name needs its evidence (a URL)")
        spellings[cells.lg_code(row, "code")] = (row, cells.text(row, "name_en"))
    return spellings


def municipalities(ctx: Context, prefs: Prefectures) -> Places:
    """Describe the municipalities, link wards to their cities and prefectures to their capitals.

    English labels: the romanized reading (:mod:`loader.romanize`), with the body's own
    spelling where official-english-names.csv gives one; a ward carries its city's label
    (``Sapporo-shi Chuo-ku``); a label two bodies would share gets its prefecture
    (``Fuchu-shi, Tokyo``), and one two bodies of a prefecture would still share, its code
    (江差町 and 枝幸町 both read えさしちょう: ``Esashi-cho, Hokkaido (013617)``).
    """
    t = ctx.table("municipalities.csv", "pref", "city", "citykana", "lat", "lng", "url",
                  "phrase", "lgcode", key="lgcode")
    cells.unique(t, "city", key=lambda r: (r["pref"], r["city"]))
    spellings = official_english_names(ctx)
    by_name: dict[tuple[str, str], str] = {}
    read: list[tuple[Row, str, str]] = []  # (row, code, prefecture code)
    for row in t:
        code = cells.lg_code(row, "lgcode")
        pref_name = cells.text(row, "pref")
        if pref_name not in prefs.by_name:
            raise row.error("pref", f"unknown prefecture '{pref_name}'")
        pref_code = prefs.by_name[pref_name]
        if code[:2] != pref_code[:2]:
            raise row.error("lgcode", f"'{code}' does not lie in {pref_name} ({pref_code[:2]}…)")
        by_name[(pref_name, cells.text(row, "city"))] = code
        read.append((row, code, pref_code))
    codes_read = {code for _, code, _ in read}
    for code, (row, _) in spellings.items():
        if code not in codes_read:
            raise row.error("code", f"unknown municipality '{code}'")
        if row["name"] != next(r["city"] for r, c, _ in read if c == code):
            raise row.error("name", f"'{row['name']}' is not the name of municipality {code}")
    english = _english_names(read, by_name, spellings, prefs)
    places: dict[str, Place] = {}
    names: dict[str, tuple[Row, str, str]] = {}  # code -> (row, column, name as written: "札幌市 中央区")
    wards: list[tuple[Row, Graph, URIRef, str, str]] = []  # (row, graph, ward, prefecture, city name)
    for row, code, pref_code in read:
        g, subject = ctx.instance("localgovjp", "municipality", code, SCKG.Municipality, row)
        name, kana = row["city"], cells.text(row, "citykana")
        ja, en = name.replace(" ", ""), english[code]
        label(g, subject, ja, en, kana.replace(" ", ""))
        _local_government(ctx, g, subject, row, code)
        g.add((subject, SCKG.prefecture, prefs.places[pref_code].iri))
        if phrase := cells.optional(row, "phrase"):
            g.add((subject, SCHEMA.slogan, Literal(phrase, lang="ja")))
        places[code] = Place(subject, ja, en)
        names[code] = (row, "city", name)
        if " " in name:
            wards.append((row, g, subject, row["pref"], name.split()[0]))
    _apply_changes(ctx, prefs, places, names, wards)
    parents: set[str] = set()
    for row, g, subject, pref_name, parent in wards:
        if (pref_name, parent) not in by_name:
            raise row.error("city", f"ward of unknown municipality '{parent}'")
        parents.add(by_name[(pref_name, parent)])
        g.add((subject, SCKG.parentMunicipality, places[by_name[(pref_name, parent)]].iri))
    _kinds(ctx, places, names, parents)
    pref_names = {code: pref for pref, code in prefs.by_name.items()}
    for pref_code, (row, capital) in prefs.capitals.items():
        if (pref_names[pref_code], capital) not in by_name:
            raise row.error("capital", f"unknown municipality '{capital}' in {pref_names[pref_code]}")
        ctx.build.graph("localgovjp").add((
            prefs.places[pref_code].iri, SCKG.capital, places[by_name[(pref_names[pref_code], capital)]].iri))
    _reference_list(ctx)
    return Places(prefs.places, places)


def _apply_changes(ctx: Context, prefs: Prefectures, places: dict[str, Place],
                   names: dict[str, tuple[Row, str, str]],
                   wards: list[tuple[Row, Graph, URIRef, str, str]]) -> None:
    """Bring the localgovjp list to :data:`LIST_VALID_ON` with local-government-changes.csv.

    An abolished body keeps its code and IRI and gets ``schema:dissolutionDate`` and
    ``dcterms:isReplacedBy``; an established one is described in full with ``schema:foundingDate``
    and ``dcterms:replaces``. Every change cites its own sources (graph ``localgov-changes``).
    """
    t = ctx.table("local-government-changes.csv", "code", "name", "kana", "change", "date",
                  "replaced_by", "source", key="code")
    g = ctx.build.graph(CHANGES)
    by_pref_code = {place_code[:2]: place_code for place_code in prefs.places}
    replaced: list[tuple[Row, URIRef, list[str]]] = []
    for row in t:
        code = cells.lg_code(row, "code")
        change = cells.choice(row, "change", ("abolished", "established"), "change")
        when = cells.iso_date(row, "date")
        if when is None:
            raise row.error("date", "a change needs its date")
        if when > LIST_VALID_ON:
            raise row.error("date", f"{when} is after the date the list is valid for ({LIST_VALID_ON})")
        name, kana = cells.text(row, "name"), cells.text(row, "kana")
        if change == "abolished":
            if code not in places:
                raise row.error("code", f"abolished body '{code}' is not in the list")
            if names[code][2] != name:
                raise row.error("name", f"'{code}' is '{names[code][2]}' in the list, not '{name}'")
            subject = places[code].iri
            g.add((subject, SCHEMA.dissolutionDate, Literal(when.isoformat(), datatype=XSD.date)))
            _label_as_abolished(ctx, places, code, when)
            successors = cells.text(row, "replaced_by").split()
            replaced.append((row, subject, successors))
        else:
            if code in places:
                raise row.error("code", f"established body '{code}' is already in the list")
            if code[:2] not in by_pref_code:
                raise row.error("code", f"'{code}' lies in no known prefecture")
            _, subject = ctx.instance(CHANGES, "municipality", code, SCKG.Municipality, row)
            ja, en = name.replace(" ", ""), municipality_name_en(name, kana)
            label(g, subject, ja, en, kana.replace(" ", ""))
            _codes(ctx, g, subject, code, "soumu-lg-code")
            g.add((subject, SCKG.prefecture, prefs.places[by_pref_code[code[:2]]].iri))
            g.add((subject, SCHEMA.foundingDate, Literal(when.isoformat(), datatype=XSD.date)))
            places[code] = Place(subject, ja, en)
            names[code] = (row, "name", name)
            if " " in name:
                pref_name = next(n for n, c in prefs.by_name.items() if c == by_pref_code[code[:2]])
                wards.append((row, g, subject, pref_name, name.split()[0]))
        ctx.cite(g, subject, row)
    for row, subject, successors in replaced:
        for successor in successors:
            known("local government", row, "replaced_by", places, successor)
            g.add((subject, DCTERMS.isReplacedBy, places[successor].iri))
            g.add((places[successor].iri, DCTERMS.replaces, subject))


def _label_as_abolished(ctx: Context, places: dict[str, Place], code: str, when: date) -> None:
    """Say in an abolished body's English label that it ended: its successor may take its name
    (浜松市天竜区 221376, abolished, and 221406, established on the same day)."""
    old = places[code]
    en = f"{old.en} (abolished {when.isoformat()})"
    translations = ctx.build.graph(TRANSLATIONS)
    translations.remove((old.iri, RDFS.label, Literal(old.en, lang="en")))
    translations.add((old.iri, RDFS.label, Literal(en, lang="en")))
    places[code] = Place(old.iri, old.ja, en)


def _kinds(ctx: Context, places: Mapping[str, Place], names: Mapping[str, tuple[Row, str, str]],
           parents: set[str]) -> None:
    """Type every municipality by its kind (graph ``curated``), derived from its name and code.

    特別区: codes 131016–131237; 政令指定都市の区: a name "<city> <ward>" (localgovjp writes a
    designated city's ward after its city); 政令指定都市: a city with wards; else the last
    character: 市, 町 (read まち or ちょう), 村.
    """
    g = ctx.build.graph("curated")
    for code, place in places.items():
        row, column, name = names[code]
        if int(code) in SPECIAL_WARDS:
            if not name.endswith("区"):
                raise row.error(column, f"'{name}' has a code of Tokyo's special wards ({code})")
            kinds = [SCKG.SpecialWard]
        elif " " in name:
            kinds = [SCKG.DesignatedCityWard]
        elif code in parents:
            kinds = [SCKG.City, SCKG.DesignatedCity]
        elif name.endswith("市"):
            kinds = [SCKG.City]
        elif name.endswith("町"):
            kinds = [SCKG.Town]
        elif name.endswith("村"):
            kinds = [SCKG.Village]
        else:
            raise row.error(column, f"no kind of local government (市, 町, 村, 区) fits '{name}'")
        for kind in kinds:
            g.add((place.iri, RDF.type, kind))
        basis = _KIND_BASES[kinds[-1]]
        if SCKG.DesignatedCityWard not in kinds:
            _corporate_number(ctx, place.iri, code)
            basis += " " + _CORPORATE_BASIS
        g.add((place.iri, SCKG.derivationBasis, Literal(basis, lang="en")))


def _reference_list(ctx: Context) -> None:
    """Describe the local-government list the graph holds and the date it is valid for (void graph)."""
    g = ctx.build.graph("void")
    dataset = ctx.iris.id("dataset", "smartcity-kg")
    subject = ctx.iris.id("dataset", "smartcity-kg", "local-governments")
    g.add((dataset, VOID.subset, subject))
    g.add((subject, RDF.type, VOID.Dataset))
    g.add((subject, RDF.type, DCAT.Dataset))
    day = f"{LIST_VALID_ON.year}年{LIST_VALID_ON.month}月{LIST_VALID_ON.day}日"
    g.add((subject, DCTERMS.title, Literal(f"全国の地方公共団体一覧（{day}現在）", lang="ja")))
    g.add((subject, DCTERMS.title, Literal(f"Local governments of Japan as of {LIST_VALID_ON}", lang="en")))
    g.add((subject, DCTERMS.valid, Literal(LIST_VALID_ON.isoformat(), datatype=XSD.date)))
    g.add((subject, RDFS.comment, Literal(
        "The localgovjp list as published (graph localgovjp) with the changes the project applied to "
        "bring it to this date (graph localgov-changes, each change with its source). Bodies abolished "
        "before this date keep their code with schema:dissolutionDate.", lang="en")))
    for graph in ("localgovjp", CHANGES):  # the subsets void.describe gives each named graph
        g.add((subject, VOID.subset, ctx.iris.id("dataset", "smartcity-kg", "graph", graph)))
    for source in ("localgovjp", "hamamatsu-ward-reorganisation", "soumu-lg-code"):
        g.add((subject, PROV.wasDerivedFrom, ctx.iris.source(source)))


def _english_names(read: list[tuple[Row, str, str]], by_name: Mapping[tuple[str, str], str],
                   spellings: Mapping[str, tuple[Row, str]], prefs: Prefectures) -> dict[str, str]:
    """Each municipality's English label by code (see :func:`municipalities`)."""
    english: dict[str, str] = {}
    for row, code, _ in read:
        name = row["city"]
        romanized = municipality_name_en(name, row["citykana"])
        city = by_name.get((row["pref"], name.split()[0])) if " " in name else code
        if city in spellings:  # the body's own spelling; a ward takes its city's
            romanized = with_spelling(romanized, spellings[city][1])
        english[code] = romanized
    for qualify in (lambda code, pref_code: f", {prefs.short_en[pref_code]}",
                    lambda code, pref_code: f" ({code})"):
        counts = Counter(english.values())
        for _, code, pref_code in read:
            if counts[english[code]] > 1:
                english[code] += qualify(code, pref_code)
    return english
