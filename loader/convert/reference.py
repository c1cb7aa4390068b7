"""Reference data: the source documents (void graph) and Japan's local governments (localgovjp).

Prefectures and municipalities come from the localgovjp tables; later steps look them up by
code through the :class:`Places` these steps return.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from .. import cells
from ..csvsource import Row
from ..romanize import municipality_name_en, with_spelling
from ..vocab import GEO, SCHEMA, SCKG, estat_sac
from .common import Context, ids, label, translation


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


def _local_government(ctx: Context, g: Graph, subject: URIRef, row: Row, code: str) -> None:
    """What prefectures and municipalities share: codes, e-Stat link, position, homepage."""
    g.add((subject, SCKG.localGovernmentCode, Literal(code)))
    g.add((subject, DCTERMS.identifier, Literal(code)))
    g.add((subject, SKOS.exactMatch, estat_sac(code)))
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
    for code, (row, _) in spellings.items():
        if code not in {c for _, c, _ in read}:
            raise row.error("code", f"unknown municipality '{code}'")
        if row["name"] != next(r["city"] for r, c, _ in read if c == code):
            raise row.error("name", f"'{row['name']}' is not the name of municipality {code}")
    english = _english_names(read, by_name, spellings, prefs)
    places: dict[str, Place] = {}
    wards: list[tuple[Row, URIRef, str, str]] = []
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
        if " " in name:
            wards.append((row, subject, row["pref"], name.split()[0]))
    for row, subject, pref_name, parent in wards:
        if (pref_name, parent) not in by_name:
            raise row.error("city", f"ward of unknown municipality '{parent}'")
        g.add((subject, SCKG.parentMunicipality, places[by_name[(pref_name, parent)]].iri))
    names = {code: pref for pref, code in prefs.by_name.items()}
    for pref_code, (row, capital) in prefs.capitals.items():
        if (names[pref_code], capital) not in by_name:
            raise row.error("capital", f"unknown municipality '{capital}' in {names[pref_code]}")
        ctx.build.graph("localgovjp").add((
            prefs.places[pref_code].iri, SCKG.capital, places[by_name[(names[pref_code], capital)]].iri))
    return Places(prefs.places, places)


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
