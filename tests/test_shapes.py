"""The OWL ontology (ontology/smartcity.ttl) and the SHACL shapes (ontology/shapes.ttl).

Validation is run the way the loader runs it: ``pyshacl.validate(data, shacl_graph=shapes,
ont_graph=ontology, inference="rdfs", advanced=True)``, and also with ``inference="none"`` to show
that the shapes do not depend on RDFS inference.

Test data is a small consistent "world" of inline Turtle snippets (one per resource, with the
resources it needs). Each class's minimal valid graph is the closure of its resources and must
conform. Each bad case copies one resource under a new IRI (``<iri>-bad-<case>``), breaks one
thing, and expects the shape's message on that copy: as ``sh:focusNode`` for per-instance shapes,
as ``sh:value`` for the set-level SPARQL shapes (whose focus node is the class IRI). All bad copies
are validated together, once per inference mode, because every pyshacl run costs ~0.3 s (SPARQL
constraints are re-parsed on each run); a case checks only the results about its own copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from loader.validate import ontology, shapes

PROJECT_DIR = Path(__file__).resolve().parent.parent
MODEL_FILE = PROJECT_DIR / "docs" / "model.md"

SCKG = Namespace("https://w3id.org/smartcity-kg/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
IC = "http://imi.go.jp/ns/core/rdf#"
ONTOLOGY_IRI = URIRef("https://w3id.org/smartcity-kg/ontology")
ID = "https://w3id.org/smartcity-kg/id/"

# IMI core vocabulary terms whose existence was checked (in use in gBizINFO and openpark.jp LOD:
# ic:ID / ic:ID型 / ic:識別値 / ic:体系 (range ic:ID体系型) / ic:名称 / ic:名称型 / ic:表記).
VERIFIED_IMI_TERMS = {URIRef(IC + t) for t in ("組織型", "ID", "ID型", "識別値", "体系", "ID体系型", "名称",
                                              "名称型", "表記")}


def iri(path: str) -> URIRef:
    """An instance IRI under the default base, e.g. ``iri("municipality/372013")``."""
    return URIRef(ID + path)


# --------------------------------------------------------------------------------------------
# The test world
# --------------------------------------------------------------------------------------------

PREFIXES = """\
@base <https://w3id.org/smartcity-kg/id/> .
@prefix sckg: <https://w3id.org/smartcity-kg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix schema: <https://schema.org/> .
@prefix ic: <http://imi.go.jp/ns/core/rdf#> .
"""


@dataclass(frozen=True)
class Resource:
    """One resource of the test world: its IRI path, its Turtle and the resources it needs."""

    subject: str
    turtle: str
    needs: tuple[str, ...] = ()


WORLD: dict[str, Resource] = {
    # -- source documents ------------------------------------------------------------------
    "briefing": Resource("source/briefing", """
        <source/briefing> a sckg:SourceDocument ;
            rdfs:label "令和３年度スマートシティ調査事業について"@ja , "FY2021 smart-city survey project"@en ;
            dcterms:title "令和３年度スマートシティ調査事業について"@ja ;
            dcterms:publisher "総務省"@ja ;
            dcterms:issued "2022-01-01"^^xsd:date ;
            foaf:page <https://www.soumu.go.jp/> ;
            dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
    """),
    "localgovjp": Resource("source/localgovjp", """
        <source/localgovjp> a sckg:SourceDocument ;
            rdfs:label "地方公共団体一覧"@ja , "localgovjp"@en ;
            dcterms:title "localgovjp"@en .
    """),
    "service-csv": Resource("source/service-implementations", """
        <source/service-implementations> a sckg:SourceDocument ;
            rdfs:label "スマートシティサービスの実装状況"@ja ;
            dcterms:title "Smart-city service implementations"@en .
    """),
    "curation": Resource("source/project-curation", """
        <source/project-curation> a sckg:SourceDocument ;
            rdfs:label "プロジェクトによる整理"@ja ;
            dcterms:title "Curated by the smartcity-kg project"@en .
    """),
    # -- local governments -----------------------------------------------------------------
    "hokkaido": Resource("prefecture/010006", """
        <prefecture/010006> a sckg:Prefecture ;
            rdfs:label "北海道"@ja , "ほっかいどう"@ja-hrkt , "Hokkaido"@en ;
            sckg:localGovernmentCode "010006" ;
            dcterms:identifier "010006" ;
            sckg:corporateNumber "7000020010006" ;
            ic:ID <prefecture/010006/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C01000> ;
            sckg:iso3166Code "JP-01" ;
            geo:lat 43.063968 ; geo:long 141.347899 ;
            foaf:homepage <https://www.pref.hokkaido.lg.jp/> ;
            dcterms:source <source/localgovjp> .
        <prefecture/010006/id/lg-code> a ic:ID型 ; ic:識別値 "010006" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("localgovjp", "lg-code-scheme")),
    "sapporo": Resource("municipality/011002", """
        <municipality/011002> a sckg:Municipality , sckg:City , sckg:DesignatedCity ;
            rdfs:label "札幌市"@ja , "さっぽろし"@ja-hrkt , "Sapporo-shi"@en ;
            sckg:localGovernmentCode "011002" ;
            dcterms:identifier "011002" ;
            sckg:corporateNumber "9000020011002" ;
            ic:ID <municipality/011002/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C01100> ;
            sckg:prefecture <prefecture/010006> ;
            schema:slogan "市民の力みなぎる、文化と誇りあふれる街"@ja ;
            dcterms:source <source/localgovjp> .
        <municipality/011002/id/lg-code> a ic:ID型 ; ic:識別値 "011002" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("hokkaido", "chuo-ku")),
    "chuo-ku": Resource("municipality/011011", """
        <municipality/011011> a sckg:Municipality , sckg:DesignatedCityWard ;
            rdfs:label "札幌市中央区"@ja , "さっぽろしちゅうおうく"@ja-hrkt , "Chuo-ku, Sapporo-shi"@en ;
            sckg:localGovernmentCode "011011" ;
            dcterms:identifier "011011" ;
            ic:ID <municipality/011011/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C01101> ;
            sckg:prefecture <prefecture/010006> ;
            sckg:parentMunicipality <municipality/011002> ;
            dcterms:source <source/localgovjp> .
        <municipality/011011/id/lg-code> a ic:ID型 ; ic:識別値 "011011" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("hokkaido", "sapporo")),
    "kagawa": Resource("prefecture/370002", """
        <prefecture/370002> a sckg:Prefecture ;
            rdfs:label "香川県"@ja , "かがわけん"@ja-hrkt , "Kagawa"@en ;
            sckg:localGovernmentCode "370002" ;
            dcterms:identifier "370002" ;
            sckg:corporateNumber "8000020370002" ;
            ic:ID <prefecture/370002/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C37000> ;
            sckg:iso3166Code "JP-37" ;
            geo:lat 34.340149 ; geo:long 134.043444 ;
            dcterms:source <source/localgovjp> .
        <prefecture/370002/id/lg-code> a ic:ID型 ; ic:識別値 "370002" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("localgovjp", "lg-code-scheme")),
    "kagawa-capital": Resource("prefecture/370002", """
        <prefecture/370002> sckg:capital <municipality/372013> .
    """, ("kagawa", "takamatsu")),
    "takamatsu": Resource("municipality/372013", """
        <municipality/372013> a sckg:Municipality , sckg:City ;
            rdfs:label "高松市"@ja , "たかまつし"@ja-hrkt , "Takamatsu-shi"@en ;
            sckg:localGovernmentCode "372013" ;
            dcterms:identifier "372013" ;
            sckg:corporateNumber "1000020372013" ;
            ic:ID <municipality/372013/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C37201> ;
            sckg:prefecture <prefecture/370002> ;
            geo:lat 34.34284 ; geo:long 134.04659 ;
            foaf:homepage <https://www.city.takamatsu.kagawa.jp/> ;
            dcterms:source <source/localgovjp> .
    """, ("kagawa", "takamatsu-id")),
    "takamatsu-id": Resource("municipality/372013/id/lg-code", """
        <municipality/372013/id/lg-code> a ic:ID型 ; ic:識別値 "372013" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("localgovjp", "lg-code-scheme")),
    "lg-code-scheme": Resource("id-scheme/lg-code", """
        <id-scheme/lg-code> a ic:ID体系型 ;
            rdfs:label "全国地方公共団体コード"@ja , "Nationwide local government code"@en ;
            ic:名称 <id-scheme/lg-code/name> ;
            sckg:curatedByProject true ;
            dcterms:source <source/project-curation> ;
            rdfs:seeAlso <https://www.soumu.go.jp/denshijiti/code.html> .
    """, ("curation", "lg-code-scheme-name")),
    "lg-code-scheme-name": Resource("id-scheme/lg-code/name", """
        <id-scheme/lg-code/name> a ic:名称型 ; ic:表記 "全国地方公共団体コード"@ja ;
            sckg:curatedByProject true ; dcterms:source <source/project-curation> .
    """, ("curation",)),
    "tokyo": Resource("prefecture/130001", """
        <prefecture/130001> a sckg:Prefecture ;
            rdfs:label "東京都"@ja , "とうきょうと"@ja-hrkt , "Tokyo"@en ;
            sckg:localGovernmentCode "130001" ;
            dcterms:identifier "130001" ;
            sckg:corporateNumber "8000020130001" ;
            ic:ID <prefecture/130001/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C13000> ;
            sckg:iso3166Code "JP-13" ;
            dcterms:source <source/localgovjp> .
        <prefecture/130001/id/lg-code> a ic:ID型 ; ic:識別値 "130001" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("localgovjp", "lg-code-scheme")),
    "chiyoda": Resource("municipality/131016", """
        <municipality/131016> a sckg:Municipality , sckg:SpecialWard ;
            rdfs:label "千代田区"@ja , "ちよだく"@ja-hrkt , "Chiyoda-ku"@en ;
            sckg:localGovernmentCode "131016" ;
            dcterms:identifier "131016" ;
            sckg:corporateNumber "8000020131016" ;
            ic:ID <municipality/131016/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C13101> ;
            sckg:prefecture <prefecture/130001> ;
            dcterms:source <source/localgovjp> .
        <municipality/131016/id/lg-code> a ic:ID型 ; ic:識別値 "131016" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("tokyo",)),
    "tonosho": Resource("municipality/373222", """
        <municipality/373222> a sckg:Municipality , sckg:Town ;
            rdfs:label "土庄町"@ja , "とのしょうちょう"@ja-hrkt , "Tonosho-cho"@en ;
            sckg:localGovernmentCode "373222" ;
            dcterms:identifier "373222" ;
            sckg:corporateNumber "5000020373222" ;
            ic:ID <municipality/373222/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C37322> ;
            sckg:prefecture <prefecture/370002> ;
            dcterms:source <source/localgovjp> .
        <municipality/373222/id/lg-code> a ic:ID型 ; ic:識別値 "373222" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("kagawa",)),
    "shimamaki": Resource("municipality/013919", """
        <municipality/013919> a sckg:Municipality , sckg:Village ;
            rdfs:label "島牧村"@ja , "しままきむら"@ja-hrkt , "Shimamaki-mura"@en ;
            sckg:localGovernmentCode "013919" ;
            dcterms:identifier "013919" ;
            sckg:corporateNumber "5000020013919" ;
            ic:ID <municipality/013919/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C01391> ;
            sckg:prefecture <prefecture/010006> ;
            dcterms:source <source/localgovjp> .
        <municipality/013919/id/lg-code> a ic:ID型 ; ic:識別値 "013919" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("hokkaido",)),
    "kanonji": Resource("municipality/372056", """
        <municipality/372056> a sckg:Municipality , sckg:City ;
            rdfs:label "観音寺市"@ja , "かんおんじし"@ja-hrkt , "Kan'onji-shi"@en ;
            sckg:localGovernmentCode "372056" ;
            dcterms:identifier "372056" ;
            sckg:corporateNumber "8000020372056" ;
            ic:ID <municipality/372056/id/lg-code> ;
            sckg:standardAreaCode <http://data.e-stat.go.jp/lod/sac/C37205> ;
            sckg:prefecture <prefecture/370002> ;
            dcterms:source <source/localgovjp> .
        <municipality/372056/id/lg-code> a ic:ID型 ; ic:識別値 "372056" ; ic:体系 <id-scheme/lg-code> ;
            dcterms:source <source/localgovjp> .
    """, ("kagawa", "lg-code-scheme")),
    # -- programme, budget, projects -------------------------------------------------------
    "program": Resource("program/data-utilisation", """
        <program/data-utilisation> a sckg:SubsidyProgram ;
            rdfs:label "データ利活用型スマートシティ推進事業"@ja ,
                "Data-utilisation smart city promotion"@en ;
            sckg:startFiscalYear 2017 ;
            dcterms:source <source/briefing> ;
            sckg:sourceSection "補助事業" .
    """, ("briefing",)),
    "budget": Resource("budget/data-utilisation/2017", """
        <budget/data-utilisation/2017> a sckg:ProgramBudget ;
            rdfs:label "2017年度 予算額 5.1億円"@ja ;
            sckg:program <program/data-utilisation> ;
            sckg:fiscalYear 2017 ;
            schema:amount <budget/data-utilisation/2017/amount> ;
            sckg:adoptedProjectCount 2 ;
            sckg:projectCodeRange "H29 a～f" ;
            dcterms:source <source/briefing> .
    """, ("program", "project-h29a", "project-h29f", "budget-amount")),
    "budget-amount": Resource("budget/data-utilisation/2017/amount", """
        <budget/data-utilisation/2017/amount> a sckg:BudgetAmount ;
            rdfs:label "5.1億円"@ja ;
            schema:value 510000000 ;
            schema:currency "JPY" ;
            sckg:asPrinted "5.1億円"@ja ;
            sckg:precision 10000000 ;
            dcterms:source <source/briefing> .
    """, ("budget",)),
    "foundation": Resource("organization/sapporo-industry-promotion-foundation", """
        <organization/sapporo-industry-promotion-foundation> a sckg:ImplementingBody ;
            rdfs:label "さっぽろ産業振興財団"@ja ;
            sckg:legalForm "一般財団法人"@ja ;
            dcterms:source <source/briefing> .
    """, ("briefing",)),
    "project-h29a": Resource("project/H29a", """
        <project/H29a> a sckg:AdoptedProject ;
            rdfs:label "H29a 北海道札幌市"@ja , "Adopted project H29a"@en ;
            dcterms:identifier "H29a" ;
            sckg:fiscalYear 2017 ;
            sckg:program <program/data-utilisation> ;
            sckg:budget <budget/data-utilisation/2017> ;
            sckg:region <municipality/011002> ;
            sckg:implementer <organization/sapporo-industry-promotion-foundation> ;
            sckg:field <field/mobility> , <field/health> ;
            dcterms:source <source/briefing> .
    """, ("budget", "sapporo", "foundation", "field-mobility", "field-health")),
    "project-h29f": Resource("project/H29f", """
        <project/H29f> a sckg:AdoptedProject ;
            rdfs:label "H29f 香川県高松市"@ja ;
            dcterms:identifier "H29f" ;
            sckg:fiscalYear 2017 ;
            sckg:program <program/data-utilisation> ;
            sckg:budget <budget/data-utilisation/2017> ;
            sckg:region <municipality/372013> ;
            sckg:field <field/mobility> ;
            dcterms:source <source/briefing> .
    """, ("budget", "takamatsu", "field-mobility")),
    # -- SKOS concepts -----------------------------------------------------------------------
    "field-mobility": Resource("field/mobility", """
        <field/mobility> a sckg:Field , skos:Concept ;
            rdfs:label "交通"@ja , "Mobility"@en ;
            skos:prefLabel "交通"@ja , "Mobility"@en ;
            skos:inScheme <scheme/field> ;
            sckg:serviceCategory "mobility" ;
            dcterms:source <source/briefing> .
    """, ("briefing",)),
    "field-health": Resource("field/health", """
        <field/health> a sckg:Field , skos:Concept ;
            rdfs:label "健康"@ja , "Health"@en ;
            skos:prefLabel "健康"@ja , "Health"@en ;
            skos:inScheme <scheme/field> ;
            skos:definition "健康づくりの分野。"@ja , "The field of health."@en ;
            dcterms:source <source/briefing> .
    """, ("briefing",)),
    "issue": Resource("regional-issue/disaster-prevention", """
        <regional-issue/disaster-prevention> a sckg:RegionalIssue , skos:Concept ;
            rdfs:label "防災"@ja , "Disaster prevention"@en ;
            skos:prefLabel "防災"@ja , "Disaster prevention"@en ;
            skos:inScheme <scheme/regional-issue> ;
            dcterms:source <source/briefing> , <source/project-curation> ;
            sckg:curatedByProject true .
    """, ("briefing", "curation")),
    # The project's umbrella issue and one reified relation (issue 9, item 10).
    "issue-umbrella": Resource("regional-issue/safety-security", """
        <regional-issue/safety-security> a sckg:RegionalIssue , skos:Concept ;
            rdfs:label "安全・安心"@ja , "Safety and security"@en ;
            skos:prefLabel "安全・安心"@ja , "Safety and security"@en ;
            skos:altLabel "安心・安全"@ja ;
            skos:inScheme <scheme/regional-issue> ;
            dcterms:source <source/project-curation> ;
            sckg:curatedByProject true .
    """, ("curation",)),
    "issue-relation": Resource("regional-issue-relation/disaster-prevention/broader/safety-security", """
        <regional-issue/disaster-prevention> skos:broader <regional-issue/safety-security> .
        <regional-issue/safety-security> skos:narrower <regional-issue/disaster-prevention> .
        <regional-issue-relation/disaster-prevention/broader/safety-security>
            a sckg:RegionalIssueRelation , rdf:Statement ;
            rdfs:label "地域課題の関係：防災 → 安全・安心（上位）"@ja ;
            rdf:subject <regional-issue/disaster-prevention> ;
            rdf:predicate skos:broader ;
            rdf:object <regional-issue/safety-security> ;
            sckg:relationBasis "The project's umbrella groups the issues about protecting residents."@en ;
            dcterms:source <source/project-curation> ;
            sckg:curatedByProject true .
    """, ("issue", "issue-umbrella", "curation")),
    "approach": Resource("sharing-approach/scope-expansion", """
        <sharing-approach/scope-expansion> a sckg:SharingApproach , skos:Concept ;
            rdfs:label "範囲拡大型"@ja , "Scope expansion"@en ;
            skos:prefLabel "範囲拡大型"@ja , "Scope expansion"@en ;
            skos:inScheme <scheme/sharing-approach> ;
            skos:notation "ア" ;
            skos:definition "既存の都市OSを他の地方公共団体にも開放する。"@ja ,
                "An existing City OS is opened to further local governments."@en ;
            sckg:definitionBasis "The briefing names the approach only."@en ;
            dcterms:source <source/briefing> .
    """, ("briefing",)),
    "scheme": Resource("scheme/sharing-approach", """
        <scheme/sharing-approach> a skos:ConceptScheme ;
            rdfs:label "都市OS共同利用のアプローチ"@ja ;
            sckg:rationale "都市OSの導入には一定の財源、ノウハウ等が必要というハードルが存在しており"@ja ;
            dcterms:source <source/briefing> .
    """, ("briefing",)),
    "cost": Resource("cost-allocation/equal", """
        <cost-allocation/equal> a sckg:CostAllocationMethod , skos:Concept ;
            rdfs:label "均等割"@ja , "Equal split"@en ;
            skos:prefLabel "均等割"@ja , "Equal split"@en ;
            skos:inScheme <scheme/cost-allocation> ;
            skos:notation "均等割" ;
            sckg:definitionBasis "The briefing names the method only."@en ;
            dcterms:source <source/briefing> .
    """, ("briefing",)),
    # -- services and City OS ----------------------------------------------------------------
    "service": Resource("service/H29a-1", """
        <service/H29a-1> a sckg:SmartCityService ;
            rdfs:label "札幌市データ活用プラットフォーム"@ja , "Sapporo data-utilisation platform"@en ;
            sckg:project <project/H29a> ;
            sckg:serviceCategory "city-os" ;
            sckg:field <field/mobility> ;
            sckg:addressesIssue <regional-issue/disaster-prevention> ;
            sckg:issueDescription "官民データの共有・活用"@ja ;
            sckg:evidence "A regional newspaper reported the platform as a plan."@en ;
            sckg:confidence "medium" ;
            sckg:municipalityAsStated "札幌市"@ja ;
            sckg:issueMappingBasis "The platform shares public and private data for disaster prevention."@en ;
            dcterms:source <https://news.goo.ne.jp/article/hokkaido/region/hokkaido-125181.html> ,
                <source/service-implementations> .
    """, ("project-h29a", "field-mobility", "issue", "service-csv")),
    "city-os": Resource("city-os/372013-1", """
        <city-os/372013-1> a sckg:CityOS ;
            rdfs:label "高松市の都市OS"@ja , "City OS of Takamatsu-shi"@en ;
            sckg:owner <municipality/372013> ;
            sckg:introducedFiscalYear 2017 ;
            sckg:status "introduced" ;
            dcterms:source <source/briefing> .
    """, ("takamatsu", "briefing")),
    "introduction": Resource("city-os-introduction/372056/372013-1", """
        <city-os-introduction/372056/372013-1> a sckg:CityOSIntroduction ;
            rdfs:label "観音寺市 都市OS導入（2019年度）"@ja ;
            sckg:municipality <municipality/372056> ;
            sckg:fiscalYear 2019 ;
            sckg:cityOS <city-os/372013-1> ;
            sckg:sharedUse true ;
            sckg:sharedUseMarked true ;
            sckg:asPrinted "観音寺市※"@ja ;
            sckg:chartSource <source/briefing> ;
            dcterms:source <source/briefing> .
    """, ("kanonji", "city-os", "sharing")),
    "sharing": Resource("city-os-sharing/372056/372013-1", """
        <city-os-sharing/372056/372013-1> a sckg:CityOSSharing ;
            rdfs:label "観音寺市による都市OS共同利用"@ja ;
            sckg:user <municipality/372056> ;
            sckg:cityOS <city-os/372013-1> ;
            sckg:sinceFiscalYear 2019 ;
            sckg:approach <sharing-approach/scope-expansion> ;
            sckg:approachBasis "Kan'onji uses the City OS that Takamatsu built."@en ;
            dcterms:source <source/briefing> , <source/project-curation> ;
            sckg:curatedByProject true .
    """, ("kanonji", "city-os", "approach", "curation")),
    # -- KPIs and the survey -----------------------------------------------------------------
    "kpi": Resource("kpi/city-os-introductions", """
        <kpi/city-os-introductions> a sckg:KPI ;
            rdfs:label "都市OS（データ連携基盤）の導入数"@ja ;
            sckg:unit "地域"@ja ;
            sckg:targetValue 100 ;
            sckg:targetFiscalYear 2025 ;
            dcterms:source <source/briefing> .
    """, ("briefing",)),
    "observation": Resource("kpi/city-os-introductions/observation/fy2019-end", """
        <kpi/city-os-introductions> sckg:observation <kpi/city-os-introductions/observation/fy2019-end> .
        <kpi/city-os-introductions/observation/fy2019-end> a sckg:KPIObservation ;
            rdfs:label "13（2019年度末時点）"@ja ;
            rdf:value 13 ;
            sckg:observedFiscalYear 2019 ;
            sckg:asOf "2019年度末時点"@ja ;
            dcterms:source <source/briefing> .
    """, ("kpi",)),
    "work-item": Resource("survey-work-item/1", """
        <survey-work-item/1> a sckg:SurveyWorkItem ;
            rdfs:label "自治体インタビュー記事"@ja ;
            sckg:itemNumber 1 ;
            dcterms:description "15団体へのインタビュー記事"@ja ,
                "Interview articles with 15 local governments"@en ;
            dcterms:source <source/briefing> .
    """, ("briefing",)),
    "figure": Resource("survey-work-item/1/figure/local-governments", """
        <survey-work-item/1> sckg:figure <survey-work-item/1/figure/local-governments> .
        <survey-work-item/1/figure/local-governments> a sckg:SurveyFigure ;
            rdfs:label "15団体"@ja ;
            rdf:value 15 ;
            sckg:qualifier "exact" ;
            sckg:asPrinted "15自治体"@ja ;
            dcterms:source <source/briefing> .
    """, ("work-item",)),
}

# Each class: the world resources of its minimal valid graph; bad cases copy the first one.
CLASSES: dict[str, tuple[str, ...]] = {
    "LocalGovernment": ("takamatsu", "hokkaido"),
    "Prefecture": ("kagawa", "kagawa-capital", "hokkaido"),
    "Municipality": ("takamatsu", "kanonji", "chuo-ku"),
    "City": ("takamatsu",),
    "DesignatedCity": ("sapporo",),
    "Town": ("tonosho",),
    "Village": ("shimamaki",),
    "SpecialWard": ("chiyoda",),
    "DesignatedCityWard": ("chuo-ku",),
    "ImplementingBody": ("foundation",),
    "SubsidyProgram": ("program",),
    "ProgramBudget": ("budget",),
    "AdoptedProject": ("project-h29a",),
    "Field": ("field-mobility", "field-health"),
    "RegionalIssue": ("issue",),
    "RegionalIssueRelation": ("issue-relation",),
    "SharingApproach": ("approach",),
    "CostAllocationMethod": ("cost",),
    "SmartCityService": ("service",),
    "CityOS": ("city-os",),
    "CityOSIntroduction": ("introduction",),
    "CityOSSharing": ("sharing",),
    "KPI": ("kpi",),
    "KPIObservation": ("observation",),
    "SurveyWorkItem": ("work-item",),
    "SurveyFigure": ("figure",),
    "SourceDocument": ("briefing",),
}


@cache
def snippet(key: str) -> Graph:
    """The parsed Turtle of one world resource."""
    return Graph().parse(data=PREFIXES + WORLD[key].turtle, format="turtle")


def closure(keys: tuple[str, ...]) -> list[str]:
    """The given world resources and everything they need, transitively."""
    todo, seen = list(keys), []
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.append(key)
            todo.extend(WORLD[key].needs)
    return sorted(seen)


def world_graph(keys: tuple[str, ...] = tuple(WORLD)) -> Graph:
    """The union of the closure of ``keys``."""
    g = Graph()
    for key in closure(keys):
        g += snippet(key)
    return g


# --------------------------------------------------------------------------------------------
# Validation and its results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult, reduced to what the tests look at."""

    focus: URIRef | None
    path: URIRef | None
    value: object
    message: str


def run(data: Graph, inference: str = "rdfs") -> tuple[bool, list[Result]]:
    """Validate ``data`` as the loader does; return conformance and the results."""
    conforms, report, _ = validate(data, shacl_graph=shapes(), ont_graph=ontology(),
                                   inference=inference, advanced=True)
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        messages = " | ".join(sorted(str(m) for m in report.objects(r, SH.resultMessage)))
        results.append(Result(report.value(r, SH.focusNode), report.value(r, SH.resultPath),
                              report.value(r, SH.value), messages))
    return conforms, results


def explain(results: list[Result]) -> str:
    """Results, one per line, for assertion messages."""
    return "\n".join(f"  {r.focus} {r.path} {r.value}: {r.message}" for r in results) or "  (none)"


# --------------------------------------------------------------------------------------------
# Bad cases
# --------------------------------------------------------------------------------------------

Edit = Callable[[Graph, URIRef], None]


def drop(p: URIRef, lang: str | None = None) -> Edit:
    """Remove the values of ``p`` (only those tagged ``lang`` when given)."""
    def edit(g: Graph, s: URIRef) -> None:
        for o in list(g.objects(s, p)):
            if lang is None or getattr(o, "language", None) == lang:
                g.remove((s, p, o))
    return edit


def put(p: URIRef, *values) -> Edit:
    """Replace the values of ``p`` by ``values``."""
    def edit(g: Graph, s: URIRef) -> None:
        g.remove((s, p, None))
        for o in values:
            g.add((s, p, o))
    return edit


def add(p: URIRef, *values) -> Edit:
    """Add ``values`` to ``p``."""
    def edit(g: Graph, s: URIRef) -> None:
        for o in values:
            g.add((s, p, o))
    return edit


def unlink(p: URIRef) -> Edit:
    """Remove the triples that point at the resource through ``p``."""
    def edit(g: Graph, s: URIRef) -> None:
        g.remove((None, p, s))
    return edit


@dataclass(frozen=True)
class Case:
    """A copy of world resource ``key`` broken by ``edits``; ``message`` must be reported on it.

    ``on`` says where the copy appears in the result: ``focus`` (per-instance shapes) or
    ``value`` (set-level SPARQL shapes, whose focus node is the class IRI). ``detail`` is more
    text the same message must contain (the values a SPARQL message names).
    """

    id: str
    key: str
    edits: tuple[Edit, ...]
    message: str
    on: str = "focus"
    detail: str = ""  # more text the same result message must contain

    @property
    def node(self) -> URIRef:
        return URIRef(f"{ID}{WORLD[self.key].subject}-bad-{self.id}")


def ja(text: str) -> Literal:
    return Literal(text, lang="ja")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


DANGLING_MUNICIPALITY = iri("municipality/999997")
PROGRAM = iri("program/data-utilisation")
ESTAT = "http://data.e-stat.go.jp/lod/sac/"

CASES: list[Case] = [
    # -- LocalGovernment (on copies of 高松市 and 香川県) --------------------------------------
    Case("code-missing", "takamatsu", (drop(SCKG.localGovernmentCode),),
         "LocalGovernment must have exactly one sckg:localGovernmentCode"),
    Case("code-twice", "takamatsu", (add(SCKG.localGovernmentCode, Literal("372056")),),
         "LocalGovernment must have exactly one sckg:localGovernmentCode"),
    Case("code-five-digits", "takamatsu", (put(SCKG.localGovernmentCode, Literal("37201")),),
         "LocalGovernment must have exactly one sckg:localGovernmentCode"),
    Case("code-integer", "takamatsu", (put(SCKG.localGovernmentCode, Literal(372013)),),
         "LocalGovernment must have exactly one sckg:localGovernmentCode"),
    Case("check-digit", "takamatsu", (put(SCKG.localGovernmentCode, Literal("372014")),),
         "LocalGovernment's sckg:localGovernmentCode must end in its check digit", on="value",
         detail="has 372014"),
    Case("check-digit-prefecture", "kagawa", (put(SCKG.localGovernmentCode, Literal("370001")),),
         "LocalGovernment's sckg:localGovernmentCode must end in its check digit", on="value"),
    Case("area-code-missing", "takamatsu", (drop(SCKG.standardAreaCode),),
         "LocalGovernment must have exactly one sckg:standardAreaCode"),
    Case("area-code-not-estat", "takamatsu", (put(SCKG.standardAreaCode, URIRef("http://example.org/C37201")),),
         "LocalGovernment must have exactly one sckg:standardAreaCode"),
    Case("area-code-literal", "takamatsu", (put(SCKG.standardAreaCode, Literal(ESTAT + "C37201")),),
         "LocalGovernment must have exactly one sckg:standardAreaCode"),
    Case("area-code-other-code", "takamatsu", (put(SCKG.standardAreaCode, URIRef(ESTAT + "C37202")),),
         "LocalGovernment's sckg:standardAreaCode must be the e-Stat IRI", on="value"),
    Case("label-two-ja", "takamatsu", (add(RDFS.label, ja("高松")),),
         "LocalGovernment must have an rdfs:label tagged @ja;"),
    Case("label-untagged", "takamatsu", (add(RDFS.label, Literal("Takamatsu")),),
         "LocalGovernment must have an rdfs:label tagged @ja;"),
    Case("label-no-kana", "takamatsu", (drop(RDFS.label, "ja-hrkt"),),
         "LocalGovernment must have an rdfs:label tagged @ja-hrkt"),
    Case("source-not-document", "takamatsu", (put(DCTERMS.source, URIRef("https://example.org/page")),),
         "LocalGovernment must have at least one dcterms:source"),
    Case("lat-outside-japan", "takamatsu", (put(GEO.lat, Literal("51.5", datatype=XSD.decimal)),),
         "LocalGovernment may have at most one geo:lat"),
    Case("lat-string", "takamatsu", (put(GEO.lat, Literal("34.34")),),
         "LocalGovernment may have at most one geo:lat"),
    Case("long-twice", "takamatsu", (add(GEO.long, Literal("134.1", datatype=XSD.decimal)),),
         "LocalGovernment may have at most one geo:long"),
    Case("homepage-literal", "takamatsu", (put(FOAF.homepage, Literal("https://www.city.takamatsu.jp/")),),
         "LocalGovernment may have at most one foaf:homepage"),
    # -- Prefecture (copies of 香川県) ---------------------------------------------------------
    Case("iso-missing", "kagawa", (drop(SCKG.iso3166Code),),
         "Prefecture must have exactly one sckg:iso3166Code"),
    Case("iso-pattern", "kagawa", (put(SCKG.iso3166Code, Literal("JP-48")),),
         "Prefecture must have exactly one sckg:iso3166Code"),
    Case("iso-other-prefecture", "kagawa", (put(SCKG.iso3166Code, Literal("JP-13")),),
         "Prefecture's sckg:iso3166Code number must equal", on="value"),
    Case("prefecture-code-of-municipality", "kagawa",
         (put(SCKG.localGovernmentCode, Literal("372013")),
          put(SCKG.standardAreaCode, URIRef(ESTAT + "C37201"))),
         "Prefecture's sckg:localGovernmentCode must be a prefecture code"),
    Case("capital-dangling", "kagawa", (add(SCKG.capital, DANGLING_MUNICIPALITY),),
         "Prefecture may have at most one sckg:capital"),
    Case("capital-not-municipality", "kagawa", (add(SCKG.capital, PROGRAM),),
         "Prefecture may have at most one sckg:capital"),
    Case("capital-twice", "kagawa",
         (add(SCKG.capital, iri("municipality/372013"), iri("municipality/372056")),),
         "Prefecture may have at most one sckg:capital"),
    Case("capital-elsewhere", "kagawa", (add(SCKG.capital, iri("municipality/011002")),),
         "Prefecture's sckg:capital must be a municipality whose sckg:prefecture is this prefecture",
         on="value"),
    # -- Municipality (copies of 高松市) -------------------------------------------------------
    Case("prefecture-missing", "takamatsu", (drop(SCKG.prefecture),),
         "Municipality must have exactly one sckg:prefecture"),
    Case("prefecture-dangling", "takamatsu", (put(SCKG.prefecture, iri("prefecture/990009")),),
         "Municipality must have exactly one sckg:prefecture"),
    Case("prefecture-is-municipality", "takamatsu", (put(SCKG.prefecture, iri("municipality/011002")),),
         "Municipality must have exactly one sckg:prefecture"),
    Case("prefecture-twice", "takamatsu", (add(SCKG.prefecture, iri("prefecture/010006")),),
         "Municipality must have exactly one sckg:prefecture"),
    Case("prefecture-other", "takamatsu", (put(SCKG.prefecture, iri("prefecture/010006")),),
         "Municipality's sckg:prefecture must be the prefecture whose sckg:localGovernmentCode",
         on="value"),
    Case("municipality-code-of-prefecture", "takamatsu",
         (put(SCKG.localGovernmentCode, Literal("370002")),
          put(SCKG.standardAreaCode, URIRef(ESTAT + "C37000"))),
         "Municipality's sckg:localGovernmentCode must be a municipality code"),
    Case("also-prefecture", "takamatsu", (add(RDF.type, SCKG.Prefecture),),
         "Municipality must not also be a sckg:Prefecture"),
    Case("parent-dangling", "takamatsu", (add(SCKG.parentMunicipality, DANGLING_MUNICIPALITY),),
         "Municipality may have at most one sckg:parentMunicipality"),
    Case("parent-prefecture", "takamatsu", (add(SCKG.parentMunicipality, iri("prefecture/370002")),),
         "Municipality may have at most one sckg:parentMunicipality"),
    Case("slogan-english", "takamatsu", (add(SCHEMA.slogan, en("A slogan")),),
         "Municipality may have at most one schema:slogan"),
    Case("slogan-twice", "takamatsu", (add(SCHEMA.slogan, ja("一つ目"), ja("二つ目")),),
         "Municipality may have at most one schema:slogan"),
    # -- ImplementingBody ----------------------------------------------------------------------
    Case("legal-form-other", "foundation", (put(SCKG.legalForm, ja("公益財団法人")),),
         "ImplementingBody may have at most one sckg:legalForm"),
    Case("legal-form-untagged", "foundation", (put(SCKG.legalForm, Literal("一般財団法人")),),
         "ImplementingBody may have at most one sckg:legalForm"),
    # -- SubsidyProgram --------------------------------------------------------------------------
    Case("start-missing", "program", (drop(SCKG.startFiscalYear),),
         "SubsidyProgram must have exactly one sckg:startFiscalYear"),
    Case("start-1999", "program", (put(SCKG.startFiscalYear, Literal(1999)),),
         "SubsidyProgram must have exactly one sckg:startFiscalYear"),
    Case("start-2101", "program", (put(SCKG.startFiscalYear, Literal(2101)),),
         "SubsidyProgram must have exactly one sckg:startFiscalYear"),
    Case("start-string", "program", (put(SCKG.startFiscalYear, Literal("2017")),),
         "SubsidyProgram must have exactly one sckg:startFiscalYear"),
    Case("start-gyear", "program", (put(SCKG.startFiscalYear, Literal("2017", datatype=XSD.gYear)),),
         "SubsidyProgram must have exactly one sckg:startFiscalYear"),
    Case("curated-without-curation-source", "program", (add(SCKG.curatedByProject, Literal(True)),),
         "Any resource with sckg:curatedByProject must have the dcterms:source"),
    # -- ProgramBudget ---------------------------------------------------------------------------
    Case("budget-program-missing", "budget", (drop(SCKG.program),),
         "ProgramBudget must have exactly one sckg:program"),
    Case("budget-program-dangling", "budget", (put(SCKG.program, iri("program/none")),),
         "ProgramBudget must have exactly one sckg:program"),
    Case("budget-year-missing", "budget", (drop(SCKG.fiscalYear),),
         "ProgramBudget must have exactly one sckg:fiscalYear"),
    Case("budget-year-out-of-range", "budget", (put(SCKG.fiscalYear, Literal(1989)),),
         "ProgramBudget must have exactly one sckg:fiscalYear"),
    Case("budget-year-before-program", "budget", (put(SCKG.fiscalYear, Literal(2016)),),
         "ProgramBudget's sckg:fiscalYear must not be earlier than the sckg:startFiscalYear", on="value"),
    Case("amount-missing", "budget", (drop(SCHEMA.amount),),
         "ProgramBudget must have exactly one schema:amount"),
    Case("amount-literal", "budget", (put(SCHEMA.amount, Literal(510000000)),),
         "ProgramBudget must have exactly one schema:amount"),
    Case("amount-dangling", "budget", (put(SCHEMA.amount, iri("budget/none/amount")),),
         "ProgramBudget must have exactly one schema:amount"),
    Case("count-missing", "budget", (drop(SCKG.adoptedProjectCount),),
         "ProgramBudget must have exactly one sckg:adoptedProjectCount"),
    Case("count-negative", "budget", (put(SCKG.adoptedProjectCount, Literal(-1)),),
         "ProgramBudget must have exactly one sckg:adoptedProjectCount"),
    # No project points at any budget copy; this one states 5 so that its own result is checked.
    Case("count-wrong", "budget", (put(SCKG.adoptedProjectCount, Literal(5)),),
         "ProgramBudget's sckg:adoptedProjectCount must equal the number of sckg:AdoptedProject",
         on="value", detail="states 5, found 0"),
    Case("code-range-twice", "budget", (add(SCKG.projectCodeRange, Literal("H29a–c")),),
         "ProgramBudget may have at most one sckg:projectCodeRange"),
    # -- AdoptedProject --------------------------------------------------------------------------
    Case("identifier-missing", "project-h29a", (drop(DCTERMS.identifier),),
         "AdoptedProject must have exactly one dcterms:identifier"),
    *[Case(f"identifier-{code}", "project-h29a", (put(DCTERMS.identifier, Literal(code)),),
           "AdoptedProject must have exactly one dcterms:identifier")
      for code in ("H32a", "H19a", "R0a", "R01a", "R3", "R3aa", "h29a", "H29A")],
    Case("identifier-other-era-year", "project-h29a", (put(DCTERMS.identifier, Literal("H30a")),),
         "AdoptedProject's sckg:fiscalYear must match the era year of its dcterms:identifier", on="value"),
    Case("identifier-reiwa-year", "project-h29a", (put(DCTERMS.identifier, Literal("R1a")),),
         "AdoptedProject's sckg:fiscalYear must match the era year of its dcterms:identifier", on="value"),
    Case("project-year-missing", "project-h29a", (drop(SCKG.fiscalYear),),
         "AdoptedProject must have exactly one sckg:fiscalYear"),
    Case("project-year-not-budget-year", "project-h29a", (put(SCKG.fiscalYear, Literal(2018)),),
         "AdoptedProject's sckg:fiscalYear must equal the sckg:fiscalYear of its sckg:budget"),
    Case("project-program-missing", "project-h29a", (drop(SCKG.program),),
         "AdoptedProject must have exactly one sckg:program"),
    Case("project-program-not-budget-program", "project-h29a", (put(SCKG.program, iri("program/none")),),
         "AdoptedProject's sckg:program must equal the sckg:program of its sckg:budget"),
    Case("budget-missing", "project-h29a", (drop(SCKG.budget),),
         "AdoptedProject must have exactly one sckg:budget"),
    Case("budget-dangling", "project-h29a", (put(SCKG.budget, iri("budget/2018")),),
         "AdoptedProject must have exactly one sckg:budget"),
    Case("region-missing", "project-h29a", (drop(SCKG.region),),
         "AdoptedProject must have at least one sckg:region"),
    Case("region-dangling", "project-h29a", (put(SCKG.region, DANGLING_MUNICIPALITY),),
         "AdoptedProject must have at least one sckg:region"),
    Case("region-not-local-government", "project-h29a", (put(SCKG.region, PROGRAM),),
         "AdoptedProject must have at least one sckg:region"),
    Case("region-literal", "project-h29a", (put(SCKG.region, Literal("札幌市")),),
         "AdoptedProject must have at least one sckg:region"),
    Case("implementer-dangling", "project-h29a", (put(SCKG.implementer, iri("organization/none")),),
         "AdoptedProject may have at most one sckg:implementer"),
    Case("implementer-twice", "project-h29a",
         (add(SCKG.implementer, iri("organization/sapporo-industry-promotion-foundation"),
              iri("organization/none")),),
         "AdoptedProject may have at most one sckg:implementer"),
    Case("field-missing", "project-h29a", (drop(SCKG.field),),
         "AdoptedProject must have at least one sckg:field"),
    Case("field-is-issue", "project-h29a", (put(SCKG.field, iri("regional-issue/disaster-prevention")),),
         "AdoptedProject must have at least one sckg:field"),
    # -- SmartCityService ------------------------------------------------------------------------
    Case("service-project-missing", "service", (drop(SCKG.project),),
         "SmartCityService must have exactly one sckg:project"),
    Case("service-project-dangling", "service", (put(SCKG.project, iri("project/H29z")),),
         "SmartCityService must have exactly one sckg:project"),
    Case("category-missing", "service", (drop(SCKG.serviceCategory),),
         "SmartCityService must have exactly one sckg:serviceCategory"),
    Case("category-not-slug", "service", (put(SCKG.serviceCategory, Literal("City OS")),),
         "SmartCityService must have exactly one sckg:serviceCategory"),
    Case("service-field-not-field", "service", (add(SCKG.field, PROGRAM),),
         "SmartCityService may have any number of sckg:field"),
    Case("issue-dangling", "service", (add(SCKG.addressesIssue, iri("regional-issue/none")),),
         "SmartCityService may have any number of sckg:addressesIssue"),
    Case("issue-is-field", "service", (put(SCKG.addressesIssue, iri("field/mobility")),),
         "SmartCityService may have any number of sckg:addressesIssue"),
    Case("issue-description-missing", "service", (drop(SCKG.issueDescription),),
         "SmartCityService must have exactly one sckg:issueDescription"),
    Case("issue-description-english", "service", (put(SCKG.issueDescription, en("data sharing")),),
         "SmartCityService must have exactly one sckg:issueDescription"),
    Case("evidence-missing", "service", (drop(SCKG.evidence),),
         "SmartCityService must have exactly one sckg:evidence"),
    Case("evidence-japanese", "service", (put(SCKG.evidence, ja("報道による")),),
         "SmartCityService must have exactly one sckg:evidence"),
    Case("confidence-missing", "service", (drop(SCKG.confidence),),
         "SmartCityService must have exactly one sckg:confidence"),
    Case("confidence-other", "service", (put(SCKG.confidence, Literal("certain")),),
         "SmartCityService must have exactly one sckg:confidence"),
    Case("confidence-tagged", "service", (put(SCKG.confidence, en("high")),),
         "SmartCityService must have exactly one sckg:confidence"),
    Case("web-source-missing", "service", (put(DCTERMS.source, iri("source/service-implementations")),),
         "SmartCityService must have a dcterms:source that is the IRI of the web page"),
    # -- City OS ---------------------------------------------------------------------------------
    Case("owner-missing", "city-os", (drop(SCKG.owner),),
         "CityOS must have exactly one sckg:owner"),
    Case("owner-not-local-government", "city-os",
         (put(SCKG.owner, iri("organization/sapporo-industry-promotion-foundation")),),
         "CityOS must have exactly one sckg:owner"),
    Case("introduced-1999", "city-os", (put(SCKG.introducedFiscalYear, Literal(1999)),),
         "CityOS may have at most one sckg:introducedFiscalYear"),
    Case("introduction-municipality-prefecture", "introduction",
         (put(SCKG.municipality, iri("prefecture/370002")),),
         "CityOSIntroduction must have exactly one sckg:municipality"),
    Case("introduction-year-missing", "introduction", (drop(SCKG.fiscalYear),),
         "CityOSIntroduction must have exactly one sckg:fiscalYear"),
    Case("introduction-city-os-dangling", "introduction", (put(SCKG.cityOS, iri("city-os/999997")),),
         "CityOSIntroduction must have exactly one sckg:cityOS"),
    Case("shared-use-missing", "introduction", (drop(SCKG.sharedUse),),
         "CityOSIntroduction must have exactly one sckg:sharedUse, an"),
    Case("shared-use-string", "introduction", (put(SCKG.sharedUse, Literal("true")),),
         "CityOSIntroduction must have exactly one sckg:sharedUse, an"),
    Case("user-missing", "sharing", (drop(SCKG.user),),
         "CityOSSharing must have exactly one sckg:user"),
    Case("user-prefecture", "sharing", (put(SCKG.user, iri("prefecture/370002")),),
         "CityOSSharing must have exactly one sckg:user"),
    Case("sharing-city-os-dangling", "sharing", (put(SCKG.cityOS, iri("city-os/999997")),),
         "CityOSSharing must have exactly one sckg:cityOS"),
    Case("sharing-city-os-municipality", "sharing", (put(SCKG.cityOS, iri("municipality/372013")),),
         "CityOSSharing must have exactly one sckg:cityOS"),
    Case("since-missing", "sharing", (drop(SCKG.sinceFiscalYear),),
         "CityOSSharing must have exactly one sckg:sinceFiscalYear"),
    Case("since-2200", "sharing", (put(SCKG.sinceFiscalYear, Literal(2200)),),
         "CityOSSharing must have exactly one sckg:sinceFiscalYear"),
    Case("approach-cost-method", "sharing", (put(SCKG.approach, iri("cost-allocation/equal")),),
         "CityOSSharing may have at most one sckg:approach,"),
    Case("approach-basis-japanese", "sharing", (put(SCKG.approachBasis, ja("高松市の都市OSを利用")),),
         "CityOSSharing may have at most one sckg:approachBasis"),
    Case("user-is-owner", "sharing", (put(SCKG.user, iri("municipality/372013")),),
         "CityOSSharing's sckg:user must not be the sckg:owner of the shared sckg:cityOS"),
    Case("curation-source-without-flag", "sharing", (drop(SCKG.curatedByProject),),
         "Any resource whose dcterms:source is <base>/id/source/project-curation must have"),
    Case("curated-false", "sharing", (put(SCKG.curatedByProject, Literal(False)),),
         "Any resource with sckg:curatedByProject must have the value true"),
    # -- KPIs ------------------------------------------------------------------------------------
    Case("unit-missing", "kpi", (drop(SCKG.unit),), "KPI must have exactly one sckg:unit"),
    Case("unit-english", "kpi", (put(SCKG.unit, en("regions")),), "KPI must have exactly one sckg:unit"),
    Case("target-negative", "kpi", (put(SCKG.targetValue, Literal(-1)),),
         "KPI may have at most one sckg:targetValue"),
    Case("target-year-2200", "kpi", (put(SCKG.targetFiscalYear, Literal(2200)),),
         "KPI may have at most one sckg:targetFiscalYear"),
    Case("observation-dangling", "kpi", (add(SCKG.observation, iri("kpi/none/observation/x")),),
         "KPI may have any number of sckg:observation"),
    Case("observation-unreferenced", "observation", (unlink(SCKG.observation),),
         "KPIObservation must be the sckg:observation of exactly one existing sckg:KPI"),
    Case("observation-of-non-kpi", "observation",
         (unlink(SCKG.observation), lambda g, s: g.add((PROGRAM, SCKG.observation, s))),
         "KPIObservation must be the sckg:observation of exactly one existing sckg:KPI"),
    Case("value-missing", "observation", (drop(RDF.value),),
         "KPIObservation must have exactly one rdf:value"),
    Case("value-decimal", "observation", (put(RDF.value, Literal("13.5", datatype=XSD.decimal)),),
         "KPIObservation must have exactly one rdf:value"),
    Case("observed-year-twice", "observation", (add(SCKG.observedFiscalYear, Literal(2020)),),
         "KPIObservation may have at most one sckg:observedFiscalYear"),
    Case("no-time", "observation", (drop(SCKG.observedFiscalYear), drop(SCKG.asOf)),
         "KPIObservation must have a sckg:observedFiscalYear or a sckg:asOf"),
    Case("as-of-english", "observation", (put(SCKG.asOf, en("end of FY2019")),),
         "KPIObservation may have at most one sckg:asOf"),
    # -- Survey ----------------------------------------------------------------------------------
    Case("item-number-missing", "work-item", (drop(SCKG.itemNumber),),
         "SurveyWorkItem must have exactly one sckg:itemNumber"),
    Case("item-number-4", "work-item", (put(SCKG.itemNumber, Literal(4)),),
         "SurveyWorkItem must have exactly one sckg:itemNumber"),
    Case("description-without-ja", "work-item", (drop(DCTERMS.description, "ja"),),
         "SurveyWorkItem must have a dcterms:description tagged @ja"),
    Case("description-two-en", "work-item", (add(DCTERMS.description, en("Interviews")),),
         "SurveyWorkItem must have a dcterms:description tagged @ja"),
    Case("figure-dangling", "work-item", (add(SCKG.figure, iri("survey-work-item/1/figure/none")),),
         "SurveyWorkItem may have any number of sckg:figure"),
    Case("figure-unreferenced", "figure", (unlink(SCKG.figure),),
         "SurveyFigure must be the sckg:figure of exactly one existing sckg:SurveyWorkItem"),
    Case("figure-value-missing", "figure", (drop(RDF.value),),
         "SurveyFigure must have exactly one rdf:value"),
    Case("qualifier-missing", "figure", (drop(SCKG.qualifier),),
         "SurveyFigure must have exactly one sckg:qualifier"),
    Case("qualifier-other", "figure", (put(SCKG.qualifier, Literal("approximately")),),
         "SurveyFigure must have exactly one sckg:qualifier"),
    # -- SourceDocument --------------------------------------------------------------------------
    Case("title-missing", "briefing", (drop(DCTERMS.title),),
         "SourceDocument must have at least one dcterms:title"),
    Case("title-french", "briefing", (put(DCTERMS.title, Literal("Enquête", lang="fr")),),
         "SourceDocument must have at least one dcterms:title"),
    Case("publisher-iri", "briefing", (put(DCTERMS.publisher, URIRef("https://www.soumu.go.jp/")),),
         "SourceDocument may have at most one dcterms:publisher"),
    Case("issued-not-date", "briefing", (put(DCTERMS.issued, Literal("2022-01")),),
         "SourceDocument may have at most one dcterms:issued"),
    Case("page-literal", "briefing", (put(FOAF.page, Literal("https://www.soumu.go.jp/")),),
         "SourceDocument may have at most one foaf:page"),
    Case("license-twice", "briefing",
         (add(DCTERMS.license, URIRef("https://creativecommons.org/publicdomain/zero/1.0/")),),
         "SourceDocument may have at most one dcterms:license"),
]

# The conventions every instance follows, checked on every class (for prefectures and
# municipalities by the LocalGovernment shape).
for _cls, _keys in CLASSES.items():
    if _cls in ("Prefecture", "Municipality", "City", "DesignatedCity", "Town", "Village", "SpecialWard",
                "DesignatedCityWard"):
        continue
    _key = _keys[0]
    CASES += [
        Case(f"{_cls}-label-without-ja", _key, (drop(RDFS.label, "ja"),),
             f"{_cls} must have an rdfs:label tagged @ja;"),
        Case(f"{_cls}-source-section-integer", _key, (add(SCKG.sourceSection, Literal(3)),),
             f"{_cls}'s sckg:sourceSection values must be xsd:string literals"),
        Case(f"{_cls}-curated-not-boolean", _key, (add(SCKG.curatedByProject, Literal("yes")),),
             f"{_cls} may have at most one sckg:curatedByProject, an xsd:boolean"),
    ]
    if _cls == "SmartCityService":
        CASES.append(Case(f"{_cls}-source-document-missing", _key,
                          (drop(DCTERMS.source), add(DCTERMS.source, URIRef("https://example.org/"))),
                          f"{_cls} must have a dcterms:source that is an existing sckg:SourceDocument"))
    elif _cls != "SourceDocument":
        CASES.append(Case(f"{_cls}-source-missing", _key, (drop(DCTERMS.source),),
                          f"{_cls} must have at least one dcterms:source"))
for _cls, _key, _scheme, _notation in (("Field", "field-mobility", "field", "0..1"),
                                        ("RegionalIssue", "issue", "regional-issue", "0..1"),
                                        ("SharingApproach", "approach", "sharing-approach", "1"),
                                        ("CostAllocationMethod", "cost", "cost-allocation", "1")):
    _count = "may have at most" if _notation == "0..1" else "must have exactly"
    CASES += [
        Case(f"{_cls}-pref-label-differs", _key, (put(SKOS.prefLabel, ja("別名")),),
             f"{_cls} must have skos:prefLabel values identical to its rdfs:label values"),
        Case(f"{_cls}-pref-label-missing", _key, (drop(SKOS.prefLabel),),
             f"{_cls} must have skos:prefLabel values identical to its rdfs:label values"),
        Case(f"{_cls}-scheme-missing", _key, (drop(SKOS.inScheme),),
             f"{_cls} must have exactly one skos:inScheme"),
        Case(f"{_cls}-scheme-other", _key, (put(SKOS.inScheme, iri(f"scheme/{_scheme}-other")),),
             f"{_cls} must have exactly one skos:inScheme"),
        Case(f"{_cls}-definition-untagged", _key, (add(SKOS.definition, Literal("untagged")),),
             f"{_cls}'s skos:definition values must be literals tagged @ja or @en"),
        Case(f"{_cls}-notation-twice", _key, (add(SKOS.notation, Literal("x"), Literal("y")),),
             f"{_cls} {_count} one skos:notation"),
    ]
    if _notation == "1":
        CASES.append(Case(f"{_cls}-notation-missing", _key, (drop(SKOS.notation),),
                          f"{_cls} must have exactly one skos:notation"))
CASES += [
    Case("notation-not-a-i-u", "approach", (put(SKOS.notation, Literal("エ")),),
         "SharingApproach must have exactly one skos:notation, one of the scheme's"),
    Case("field-category-not-slug", "field-mobility", (put(SCKG.serviceCategory, Literal("Mobility")),),
         "Field may have at most one sckg:serviceCategory"),
]
CASES += [
    Case("identifier-not-the-code", "takamatsu", (put(DCTERMS.identifier, Literal("372056")),),
         "LocalGovernment must have exactly one dcterms:identifier, equal to its sckg:localGovernmentCode"),
    Case("prefecture-identifier-missing", "kagawa", (drop(DCTERMS.identifier),),
         "LocalGovernment must have exactly one dcterms:identifier, equal to its sckg:localGovernmentCode"),
    Case("municipality-as-stated-missing", "service", (drop(SCKG.municipalityAsStated),),
         "SmartCityService must have exactly one sckg:municipalityAsStated"),
    Case("issue-mapping-basis-in-japanese", "service", (put(SCKG.issueMappingBasis, ja("防災")),),
         "SmartCityService may have at most one sckg:issueMappingBasis"),
    Case("as-printed-missing", "introduction", (drop(SCKG.asPrinted),),
         "CityOSIntroduction must have exactly one sckg:asPrinted"),
    Case("alt-label-is-the-pref-label", "issue", (add(SKOS.altLabel, ja("防災")),),
         "Concept's skos:altLabel values must be language-tagged literals"),
    Case("example-untagged", "approach", (add(SKOS.example, Literal("高松市と観音寺市")),),
         "Concept's skos:example values must be language-tagged literals"),
]

# Closed shapes (loader/closedshapes.py): a misspelled property on an instance of each class is
# refused by the closed shape of its class, whose message names the rule and the class. Every class
# of CLASSES gets a case (a class missing here gets sckg:undeclaredProperty, see misspelling()).
# The sckg:LocalGovernment copy is typed only as a local government (neither subclass) and loses
# sckg:prefecture, whose rdfs:domain would make it a municipality under RDFS inference.
MISSPELLED: dict[str, tuple[str, URIRef, tuple[Edit, ...]]] = {
    "LocalGovernment": ("takamatsu", SCKG.localGovermentCode,
                        (put(RDF.type, SCKG.LocalGovernment), drop(SCKG.prefecture))),
    "Prefecture": ("kagawa", SCKG.iso3166code, ()),
    "Municipality": ("takamatsu", SCKG.prefecure, (put(RDF.type, SCKG.Municipality),)),
    "ImplementingBody": ("foundation", SCKG.legalFrom, ()),
    "SubsidyProgram": ("program", SCKG.startFiscalyear, ()),
    "ProgramBudget": ("budget", SCKG.fiscalYaer, ()),
    "AdoptedProject": ("project-h29a", SCKG.implementor, ()),
    "Field": ("field-mobility", SCKG.serviceCatgory, ()),
    "RegionalIssue": ("issue", URIRef(f"{SKOS}prefLable"), ()),
    "SharingApproach": ("approach", URIRef(f"{SKOS}notaion"), ()),
    "CostAllocationMethod": ("cost", URIRef(f"{SKOS}defintion"), ()),
    "SmartCityService": ("service", SCKG.adressesIssue, ()),
    "CityOS": ("city-os", SCKG.ower, ()),
    "CityOSIntroduction": ("introduction", SCKG.sharedUsed, ()),
    "CityOSSharing": ("sharing", SCKG.sinceFiscalyear, ()),
    "KPI": ("kpi", SCKG.targetVaule, ()),
    "KPIObservation": ("observation", SCKG.observedYear, ()),
    "SurveyWorkItem": ("work-item", URIRef(f"{DCTERMS}descripton"), ()),
    "SurveyFigure": ("figure", SCKG.qualifer, ()),
    "SourceDocument": ("briefing", URIRef(f"{DCTERMS}licence"), ()),
    "BudgetAmount": ("budget-amount", SCHEMA.curency, ()),
    "StatusStatement": ("status", SCKG.asof, ()),
    "SurveyProject": ("survey", SCKG.purpuse, ()),
    "Deliverable": ("deliverable", SCKG.charateristic, ()),
}


def misspelling(cls: str) -> tuple[str, URIRef, tuple[Edit, ...]]:
    """The misspelled-property case of ``cls``: MISSPELLED's, or for a class not listed there (a
    new one) an undeclared property on the first world resource of its minimal graph."""
    return MISSPELLED.get(cls, (CLASSES[cls][0], SCKG.undeclaredProperty, ()))


def closed_message(cls: str) -> str:
    """The start of the message of the closed shape of ``cls`` (up to the bracket: sckg:KPI is a
    prefix of sckg:KPIObservation)."""
    return f"closed shape: not a property of sckg:{cls} ("


def closed_case_id(cls: str) -> str:
    return f"closed-{cls}"


for _cls in sorted(CLASSES):
    _key, _misspelled, _edits = misspelling(_cls)
    CASES.append(Case(closed_case_id(_cls), _key, (*_edits, add(_misspelled, Literal("2017"))),
                      closed_message(_cls)))
CASES += [
    # a property of another class is as foreign as a misspelled one: a municipality is no prefecture
    Case("closed-Municipality-iso-code", "takamatsu",
         (put(RDF.type, SCKG.City), add(SCKG.iso3166Code, Literal("JP-37"))),
         closed_message("City")),
    # the class-level twin of a misspelled property: an instance of no class escapes every shape
    Case("class-misspelled", "takamatsu", (put(RDF.type, SCKG.Municipalty),),
         "An rdf:type in the sckg: namespace must be an owl:Class of the ontology", on="value",
         detail="has type https://w3id.org/smartcity-kg/ontology#Municipalty"),
    # a SKOS property the scheme does not use (the issues' relations are declared, the fields' not)
    Case("closed-Field-broader", "field-mobility", (add(SKOS.broader, iri("field/health")),),
         closed_message("Field")),
]

# -- City OS rules of issue 9 (shared use by its own definitions, introduction years, notations) ---
OTHERS_CITY_OS_NOT_SHARED = (
    "CityOSIntroduction of a City OS that another body owns must have sckg:sharedUse true")
INTRODUCED_BEFORE_CITY_OS = ("CityOSIntroduction's sckg:fiscalYear must not be earlier than the "
                             "sckg:introducedFiscalYear of its sckg:cityOS")
UNKNOWN_COST_NOTATION = "CostAllocationMethod must have exactly one skos:notation, one of the scheme's"
UNKNOWN_APPROACH_NOTATION = "SharingApproach must have exactly one skos:notation, one of the scheme's"
CASES += [
    Case("others-city-os-not-shared", "introduction", (put(SCKG.sharedUse, Literal(False)),),
         OTHERS_CITY_OS_NOT_SHARED, on="value", detail="owned by"),
    Case("own-city-os-shared", "introduction", (put(SCKG.municipality, iri("municipality/372013")),),
         "CityOSIntroduction of the municipality's own City OS must have sckg:sharedUse false", on="value"),
    Case("shared-without-sharing", "introduction", (put(SCKG.municipality, iri("municipality/011002")),),
         "CityOSIntroduction with sckg:sharedUse true needs a sckg:CityOSSharing", on="value"),
    Case("introduced-before-city-os", "introduction", (put(SCKG.fiscalYear, Literal(2016)),),
         INTRODUCED_BEFORE_CITY_OS, on="value", detail="in 2016, City OS from 2017"),
    Case("cost-notation-unknown", "cost", (put(SKOS.notation, Literal("人口割")),), UNKNOWN_COST_NOTATION),
    Case("approach-notation-unknown", "approach", (put(SKOS.notation, Literal("範囲拡大型")),),
         UNKNOWN_APPROACH_NOTATION),
    Case("status-missing", "city-os", (drop(SCKG.status),), "CityOS must have exactly one sckg:status"),
    Case("status-other", "city-os", (put(SCKG.status, Literal("running")),),
         "CityOS must have exactly one sckg:status"),
    Case("status-basis-japanese", "city-os", (put(SCKG.statusBasis, ja("導入しようとされている")),),
         "CityOS may have at most one sckg:statusBasis"),
    Case("status-as-stated-english", "city-os", (put(SCKG.statusAsStated, en("about to introduce")),),
         "CityOS may have at most one sckg:statusAsStated"),
    Case("marked-missing", "introduction", (drop(SCKG.sharedUseMarked),),
         "CityOSIntroduction must have exactly one sckg:sharedUseMarked"),
    Case("shared-use-basis-japanese", "introduction", (put(SCKG.sharedUseBasis, ja("県の都市OS")),),
         "CityOSIntroduction may have at most one sckg:sharedUseBasis"),
    Case("as-printed-english", "introduction", (put(SCKG.asPrinted, en("Kan'onji")),),
         "CityOSIntroduction must have exactly one sckg:asPrinted"),
    Case("chart-source-not-document", "introduction", (put(SCKG.chartSource, iri("municipality/372013")),),
         "CityOSIntroduction may have at most one sckg:chartSource"),
    Case("approach-definition-basis-japanese", "approach", (put(SCKG.definitionBasis, ja("名称のみ")),),
         "SharingApproach may have at most one sckg:definitionBasis"),
    Case("cost-definition-basis-twice", "cost", (add(SCKG.definitionBasis, en("again")),),
         "CostAllocationMethod may have at most one sckg:definitionBasis"),
    Case("allocation-basis-english", "cost", (add(SCKG.allocationBasis, en("population")),),
         "CostAllocationMethod may have any number of sckg:allocationBasis"),
    Case("approach-example-untagged", "approach", (add(SKOS.example, Literal("5団体で1/5")),),
         "SharingApproach's skos:example values must be literals tagged @ja"),
    Case("cost-example-french", "cost", (add(SKOS.example, Literal("à parts égales", lang="fr")),),
         "CostAllocationMethod's skos:example values must be literals tagged @ja"),
    Case("rationale-english", "scheme", (put(SCKG.rationale, en("funds and know-how")),),
         "Any resource with sckg:rationale must have sckg:rationale values"),
    Case("rationale-without-source", "scheme", (drop(DCTERMS.source),),
         "Any resource with sckg:rationale must have at least one dcterms:source"),
]


# -- Regional issues related by SKOS, each relation with its basis (issue 9, item 10) -----------
UMBRELLA = iri("regional-issue/safety-security")


def self_broader(g: Graph, s: URIRef) -> None:
    """Make the copy its own broader concept (a cycle of length one)."""
    g.add((s, SKOS.broader, s))


CASES += [
    Case("issue-alt-label-untagged", "issue", (add(SKOS.altLabel, Literal("見守り")),),
         "RegionalIssue's skos:altLabel values must be literals tagged"),
    *(Case(f"issue-{p}-not-issue", "issue", (add(SKOS[p], PROGRAM),),
           f"RegionalIssue's skos:{p} values")
      for p in ("broader", "narrower", "related", "closeMatch", "exactMatch")),
    Case("issue-relation-without-basis", "issue", (add(SKOS.related, UMBRELLA),),
         "RegionalIssue's SKOS relation to another issue must be described by a sckg:RegionalIssueRelation",
         on="value", detail=str(SKOS.related)),
    Case("issue-broader-cycle", "issue", (self_broader,),
         "RegionalIssue must not be its own broader concept", on="value"),
    Case("issue-related-and-broader", "issue", (add(SKOS.broader, UMBRELLA), add(SKOS.related, UMBRELLA)),
         "RegionalIssue must not be skos:related to one of its broader or narrower concepts", on="value"),
    Case("relation-subject-missing", "issue-relation", (drop(RDF.subject),),
         "RegionalIssueRelation must have exactly one rdf:subject"),
    Case("relation-subject-not-issue", "issue-relation", (put(RDF.subject, PROGRAM),),
         "RegionalIssueRelation must have exactly one rdf:subject"),
    Case("relation-object-twice", "issue-relation",
         (add(RDF.object, iri("regional-issue/disaster-prevention")),),
         "RegionalIssueRelation must have exactly one rdf:object"),
    Case("relation-predicate-not-skos-relation", "issue-relation", (put(RDF.predicate, SKOS.broadMatch),),
         "RegionalIssueRelation must have exactly one rdf:predicate"),
    Case("relation-basis-missing", "issue-relation", (drop(SCKG.relationBasis),),
         "RegionalIssueRelation must have exactly one sckg:relationBasis"),
    Case("relation-basis-japanese", "issue-relation", (put(SCKG.relationBasis, ja("根拠")),),
         "RegionalIssueRelation must have exactly one sckg:relationBasis"),
    Case("relation-source-briefing", "issue-relation", (put(DCTERMS.source, iri("source/briefing")),),
         "RegionalIssueRelation's only dcterms:source must be the project's curation"),
    Case("relation-not-marked-curated", "issue-relation", (drop(SCKG.curatedByProject),),
         "RegionalIssueRelation must have sckg:curatedByProject true"),
    Case("relation-triple-not-stated", "issue-relation", (put(RDF.predicate, SKOS.related),),
         "RegionalIssueRelation must describe a triple that the data states", on="value",
         detail=str(SKOS.related)),
]

def both(*edits: Edit) -> Edit:
    """All of ``edits``, in order."""
    def edit(g: Graph, s: URIRef) -> None:
        for one in edits:
            one(g, s)
    return edit


def code(value: str) -> Edit:
    """A project copy's own code (two projects must not share one identifier)."""
    return put(DCTERMS.identifier, Literal(value))


# -- Issue 9, figures: amounts as printed, status statements, the survey project, deliverables,
#    and the rules "a fiscal year after the briefing's", "two projects with one identifier",
#    "a source that is not an http(s) IRI". -------------------------------------------------------
WORLD.update({
    "status": Resource("status-statement/city-os-in-operation", """
        <status-statement/city-os-in-operation> a sckg:StatusStatement ;
            rdfs:label "現在18地域で実装・運営中"@ja ;
            sckg:asPrinted "…現在18地域で実装・運営中"@ja ;
            rdf:value 18 ;
            sckg:unit "地域"@ja ;
            sckg:asOf "現在"@ja ;
            schema:observationAbout <program/data-utilisation> ;
            dcterms:source <source/briefing> .
    """, ("program",)),
    "survey": Resource("survey/fy2021", """
        <survey/fy2021> a sckg:SurveyProject ;
            rdfs:label "令和３年度総務省スマートシティ調査事業"@ja ;
            sckg:purpose "本調査研究では、…スマートシティの在り方をとりまとめる"@ja ;
            dcterms:hasPart <survey-work-item/1> ;
            dcterms:source <source/briefing> .
    """, ("work-item",)),
    "deliverable": Resource("survey-work-item/1/deliverable/interview-articles", """
        <survey-work-item/1> sckg:deliverable <survey-work-item/1/deliverable/interview-articles> .
        <survey-work-item/1/deliverable/interview-articles> a sckg:Deliverable ;
            rdfs:label "インタビュー記事（原稿）"@ja ;
            dcterms:title "インタビュー記事（原稿）"@ja ;
            schema:creativeWorkStatus "作成中"@ja ;
            sckg:characteristic "「スマートシティ・ガイドブック」に沿った聞き取り"@ja ;
            dcterms:source <source/briefing> .
    """, ("work-item",)),
})
FIGURES_CLASSES = {"BudgetAmount": ("budget-amount",), "StatusStatement": ("status",),
                   "SurveyProject": ("survey",), "Deliverable": ("deliverable",)}
CLASSES.update(FIGURES_CLASSES)
for _cls in FIGURES_CLASSES:  # their closed-shape cases, as for the classes above
    _key, _misspelled, _edits = misspelling(_cls)
    CASES.append(Case(closed_case_id(_cls), _key, (*_edits, add(_misspelled, Literal("2017"))),
                      closed_message(_cls)))
for _cls, _keys in FIGURES_CLASSES.items():
    CASES += [
        Case(f"{_cls}-label-without-ja", _keys[0], (drop(RDFS.label, "ja"),),
             f"{_cls} must have an rdfs:label tagged @ja;"),
        Case(f"{_cls}-source-section-integer", _keys[0], (add(SCKG.sourceSection, Literal(3)),),
             f"{_cls}'s sckg:sourceSection values must be xsd:string literals"),
        Case(f"{_cls}-curated-not-boolean", _keys[0], (add(SCKG.curatedByProject, Literal("yes")),),
             f"{_cls} may have at most one sckg:curatedByProject, an xsd:boolean"),
        Case(f"{_cls}-source-missing", _keys[0], (drop(DCTERMS.source),),
             f"{_cls} must have at least one dcterms:source"),
    ]
CASES += [
    # -- BudgetAmount ----------------------------------------------------------------------------
    Case("amount-unreferenced", "budget-amount", (unlink(SCHEMA.amount),),
         "BudgetAmount must be the schema:amount of exactly one existing sckg:ProgramBudget"),
    Case("amount-value-missing", "budget-amount", (drop(SCHEMA.value),),
         "BudgetAmount must have exactly one schema:value"),
    Case("amount-value-decimal", "budget-amount", (put(SCHEMA.value, Literal("5.1", datatype=XSD.decimal)),),
         "BudgetAmount must have exactly one schema:value"),
    Case("amount-value-negative", "budget-amount", (put(SCHEMA.value, Literal(-1)),),
         "BudgetAmount must have exactly one schema:value"),
    Case("amount-currency-usd", "budget-amount", (put(SCHEMA.currency, Literal("USD")),),
         "BudgetAmount must have exactly one schema:currency"),
    Case("amount-currency-missing", "budget-amount", (drop(SCHEMA.currency),),
         "BudgetAmount must have exactly one schema:currency"),
    Case("amount-printed-missing", "budget-amount", (drop(SCKG.asPrinted),),
         "BudgetAmount must have exactly one sckg:asPrinted"),
    Case("amount-printed-as-yen", "budget-amount", (put(SCKG.asPrinted, ja("510000000円")),),
         "BudgetAmount must have exactly one sckg:asPrinted"),
    Case("amount-precision-missing", "budget-amount", (drop(SCKG.precision),),
         "BudgetAmount must have exactly one sckg:precision"),
    Case("amount-precision-zero", "budget-amount", (put(SCKG.precision, Literal(0)),),
         "BudgetAmount must have exactly one sckg:precision"),
    # -- StatusStatement -------------------------------------------------------------------------
    Case("status-printed-missing", "status", (drop(SCKG.asPrinted),),
         "StatusStatement must have exactly one sckg:asPrinted"),
    Case("status-value-decimal", "status", (put(RDF.value, Literal("18.0", datatype=XSD.decimal)),),
         "StatusStatement may have at most one rdf:value"),
    Case("status-count-without-unit", "status", (drop(SCKG.unit),),
         "StatusStatement that states a count (rdf:value) must have its sckg:unit"),
    Case("status-unit-english", "status", (put(SCKG.unit, en("regions")),),
         "StatusStatement may have at most one sckg:unit"),
    Case("status-as-of-year", "status", (put(SCKG.asOf, Literal(2021)),),
         "StatusStatement may have at most one sckg:asOf"),
    Case("status-about-dangling", "status", (put(SCHEMA.observationAbout, iri("program/none")),),
         "StatusStatement may have any number of schema:observationAbout"),
    # -- SurveyProject and Deliverable ----------------------------------------------------------
    Case("purpose-missing", "survey", (drop(SCKG.purpose),),
         "SurveyProject must have exactly one sckg:purpose"),
    Case("purpose-english", "survey", (put(SCKG.purpose, en("To collect know-how")),),
         "SurveyProject must have exactly one sckg:purpose"),
    Case("parts-missing", "survey", (drop(DCTERMS.hasPart),),
         "SurveyProject must have at least one dcterms:hasPart"),
    Case("part-dangling", "survey", (put(DCTERMS.hasPart, iri("survey-work-item/9")),),
         "SurveyProject must have at least one dcterms:hasPart"),
    Case("deliverable-dangling", "work-item",
         (add(SCKG.deliverable, iri("survey-work-item/1/deliverable/none")),),
         "SurveyWorkItem may have any number of sckg:deliverable"),
    Case("deliverable-unreferenced", "deliverable", (unlink(SCKG.deliverable),),
         "Deliverable must be the sckg:deliverable of exactly one existing sckg:SurveyWorkItem"),
    Case("deliverable-title-missing", "deliverable", (drop(DCTERMS.title),),
         "Deliverable must have exactly one dcterms:title"),
    Case("deliverable-status-twice", "deliverable", (add(SCHEMA.creativeWorkStatus, ja("完成")),),
         "Deliverable may have at most one schema:creativeWorkStatus"),
    Case("deliverable-characteristic-untagged", "deliverable", (add(SCKG.characteristic, Literal("images")),),
         "Deliverable's sckg:characteristic values must be literals tagged @ja"),
    Case("figure-printed-missing", "figure", (drop(SCKG.asPrinted),),
         "SurveyFigure must have exactly one sckg:asPrinted"),
    # -- Issue 9 item 7: a fiscal year after the document's (FY2021) on a fact of the briefing ----
    Case("observed-after-briefing", "observation", (put(SCKG.observedFiscalYear, Literal(2022)),),
         "SourceDocument briefing (FY2021) cannot state a fact of a later fiscal year", on="value",
         detail="observedFiscalYear 2022"),
    Case("program-starts-after-briefing", "program", (put(SCKG.startFiscalYear, Literal(2023)),),
         "SourceDocument briefing (FY2021) cannot state a fact of a later fiscal year", on="value",
         detail="startFiscalYear 2023"),
    # -- Issue 9 item 7: two projects with one identifier ---------------------------------------
    Case("identifier-of-another-project", "project-h29a", (put(DCTERMS.identifier, Literal("H29f")),),
         "AdoptedProject's dcterms:identifier must be unique", on="value", detail="have H29f"),
    # -- Issue 9 item 7: a source that is not an http(s) IRI --------------------------------------
    Case("source-literal", "program", (add(DCTERMS.source, Literal("briefing")),),
         "Any resource's dcterms:source must be an http(s) IRI"),
    Case("source-urn", "kpi", (add(DCTERMS.source, URIRef("urn:x-smartcity:briefing")),),
         "Any resource's dcterms:source must be an http(s) IRI"),
    Case("source-file", "service", (add(DCTERMS.source, URIRef("file:///tmp/page.html")),),
         "Any resource's dcterms:source must be an http(s) IRI"),
]
VALID_FIGURE_VARIANTS = {
    # KPI targets are targets, not facts of the briefing: 2025 is accepted.
    "kpi-target-after-briefing": ("kpi", put(SCKG.targetFiscalYear, Literal(2030))),
    "status-without-count": ("status", both(drop(RDF.value), drop(SCKG.unit))),
    "status-undated": ("status", drop(SCKG.asOf)),
    "deliverable-without-status": ("deliverable", drop(SCHEMA.creativeWorkStatus)),
}


# -- Reference data (issue 9, items 4, 5 and 7): kinds, validity, corporate numbers, ic:ID -------
IC_NS = Namespace(IC)


def untype(cls: URIRef) -> Edit:
    """Remove the rdf:type ``cls``."""
    def edit(g: Graph, s: URIRef) -> None:
        g.remove((s, RDF.type, cls))
    return edit


CASES += [
    Case("kana-romaji", "takamatsu",
         (drop(RDFS.label, "ja-hrkt"), add(RDFS.label, Literal("takamatsushi", lang="ja-hrkt"))),
         "LocalGovernment's rdfs:label tagged @ja-Hrkt must be kana only"),
    Case("kana-kanji", "takamatsu",
         (drop(RDFS.label, "ja-hrkt"), add(RDFS.label, Literal("たかまつ市", lang="ja-Hrkt"))),
         "LocalGovernment's rdfs:label tagged @ja-Hrkt must be kana only"),
    Case("iri-key-other-code", "takamatsu",
         (put(SCKG.localGovernmentCode, Literal("372064")),
          put(SCKG.standardAreaCode, URIRef(ESTAT + "C37206")),
          put(SCKG.corporateNumber, Literal("5000020372064"))),
         "LocalGovernment's IRI must end in", on="value", detail="has 372064"),
    Case("code-of-another-body", "takamatsu",
         (put(SCKG.localGovernmentCode, Literal("372056")),
          put(SCKG.standardAreaCode, URIRef(ESTAT + "C37205")),
          put(SCKG.corporateNumber, Literal("8000020372056"))),
         "LocalGovernment's sckg:localGovernmentCode must belong to one body only", on="value",
         detail="372056"),
    Case("parent-on-a-city", "takamatsu", (add(SCKG.parentMunicipality, iri("municipality/011002")),),
         "Any resource with sckg:parentMunicipality must be a ward of a designated city"),
    Case("parent-on-a-special-ward", "chiyoda", (add(SCKG.parentMunicipality, iri("municipality/011002")),),
         "Any resource with sckg:parentMunicipality must be a ward of a designated city"),
    Case("ward-without-parent", "chuo-ku", (drop(SCKG.parentMunicipality),),
         "DesignatedCityWard must have a sckg:parentMunicipality that is a sckg:DesignatedCity"),
    Case("ward-of-an-ordinary-city", "chuo-ku", (put(SCKG.parentMunicipality, iri("municipality/372013")),),
         "DesignatedCityWard must have a sckg:parentMunicipality that is a sckg:DesignatedCity"),
    Case("kind-missing", "kanonji", (untype(SCKG.City),), "Municipality must be of exactly one kind"),
    Case("kind-twice", "kanonji", (add(RDF.type, SCKG.Town),), "Municipality must be of exactly one kind"),
    Case("city-named-town", "kanonji", (drop(RDFS.label, "ja"), add(RDFS.label, ja("観音寺町"))),
         "City must have an rdfs:label tagged @ja ending in 市"),
    Case("designated-city-without-wards", "sapporo", (), "DesignatedCity must have at least one ward"),
    Case("town-named-village", "tonosho", (drop(RDFS.label, "ja"), add(RDFS.label, ja("土庄村"))),
         "Town must have an rdfs:label tagged @ja ending in 町"),
    Case("village-named-town", "shimamaki", (drop(RDFS.label, "ja"), add(RDFS.label, ja("島牧町"))),
         "Village must have an rdfs:label tagged @ja ending in 村"),
    Case("special-ward-outside-tokyo-23", "chiyoda",
         (put(SCKG.localGovernmentCode, Literal("132012")),
          put(SCKG.standardAreaCode, URIRef(ESTAT + "C13201")),
          put(SCKG.corporateNumber, Literal("7000020132012"))),
         "SpecialWard's sckg:localGovernmentCode must be one of Tokyo's special wards"),
    Case("corporate-number-short", "takamatsu", (put(SCKG.corporateNumber, Literal("100002037201")),),
         "LocalGovernment may have at most one sckg:corporateNumber"),
    Case("corporate-number-check-digit", "takamatsu", (put(SCKG.corporateNumber, Literal("2000020372013")),),
         "LocalGovernment's sckg:corporateNumber must be the check digit", on="value",
         detail="2000020372013"),
    Case("corporate-number-missing", "kanonji", (drop(SCKG.corporateNumber),),
         "LocalGovernment must have a sckg:corporateNumber unless it is a sckg:DesignatedCityWard"),
    Case("corporate-number-on-a-ward", "chuo-ku", (add(SCKG.corporateNumber, Literal("8000020011011")),),
         "LocalGovernment must have a sckg:corporateNumber unless it is a sckg:DesignatedCityWard"),
    Case("id-missing", "takamatsu", (drop(IC_NS.ID),), "LocalGovernment must have one or two ic:ID"),
    Case("id-of-another-body", "takamatsu", (put(IC_NS.ID, iri("municipality/372056/id/lg-code")),),
         "LocalGovernment's ic:ID must carry its own codes", on="value"),
    Case("derivation-basis-untagged", "takamatsu", (add(SCKG.derivationBasis, Literal("Kind 市")),),
         "LocalGovernment may have at most one sckg:derivationBasis"),
    Case("founding-date-string", "takamatsu", (add(SCHEMA.foundingDate, Literal("2024-01-01")),),
         "LocalGovernment may have at most one schema:foundingDate"),
    Case("dissolution-date-twice", "chuo-ku",
         (add(SCHEMA.dissolutionDate, Literal("2024-01-01", datatype=XSD.date),
              Literal("2025-01-01", datatype=XSD.date)),),
         "LocalGovernment may have at most one schema:dissolutionDate"),
    Case("replaced-by-dangling", "chuo-ku", (add(DCTERMS.isReplacedBy, DANGLING_MUNICIPALITY),),
         "LocalGovernment's dcterms:isReplacedBy values must be existing"),
    Case("replaces-a-programme", "chuo-ku", (add(DCTERMS.replaces, PROGRAM),),
         "LocalGovernment's dcterms:replaces values must be existing"),
    Case("id-value-missing", "takamatsu-id", (drop(IC_NS["識別値"]),),
         "ic:ID型 must have exactly one ic:識別値"),
    Case("id-scheme-missing", "takamatsu-id", (drop(IC_NS["体系"]),),
         "ic:ID型 must have exactly one ic:体系"),
    Case("id-source-missing", "takamatsu-id", (drop(DCTERMS.source),),
         "ic:ID型 must have at least one dcterms:source"),
    Case("id-curated-twice", "takamatsu-id", (add(SCKG.curatedByProject, Literal(True), Literal("yes")),),
         "ic:ID型 may have at most one sckg:curatedByProject"),
    Case("scheme-label-missing", "lg-code-scheme", (drop(RDFS.label),),
         "ic:ID体系型 must have an rdfs:label tagged @ja"),
    Case("scheme-name-missing", "lg-code-scheme", (drop(IC_NS["名称"]),),
         "ic:ID体系型 must have exactly one ic:名称"),
    Case("scheme-source-missing", "lg-code-scheme", (drop(DCTERMS.source),),
         "ic:ID体系型 must have at least one dcterms:source"),
    Case("scheme-curated-twice", "lg-code-scheme", (add(SCKG.curatedByProject, Literal("yes")),),
         "ic:ID体系型 may have at most one sckg:curatedByProject"),
    Case("scheme-see-also-literal", "lg-code-scheme", (add(RDFS.seeAlso, Literal("https://example.org/")),),
         "ic:ID体系型's rdfs:seeAlso values must be IRIs"),
    Case("scheme-name-without-text", "lg-code-scheme-name", (drop(IC_NS["表記"]),),
         "ic:名称型 must have exactly one ic:表記"),
    Case("scheme-name-source-not-document", "lg-code-scheme-name",
         (put(DCTERMS.source, URIRef("https://example.org/page")),),
         "ic:名称型's dcterms:source values must be existing"),
    Case("scheme-name-curated-twice", "lg-code-scheme-name", (add(SCKG.curatedByProject, Literal("yes")),),
         "ic:名称型 may have at most one sckg:curatedByProject"),
]


def rename(g: Graph, old: URIRef, new: URIRef) -> Graph:
    """A copy of ``g`` with ``old`` replaced by ``new`` wherever it occurs."""
    out = Graph()
    for s, p, o in g:
        out.add((new if s == old else s, p, new if o == old else o))
    return out


def bad_graph() -> Graph:
    """The whole world plus one broken copy per case."""
    g = world_graph()
    for case in CASES:
        copy = rename(snippet(case.key), URIRef(ID + WORLD[case.key].subject), case.node)
        for edit in case.edits:
            edit(copy, case.node)
        g += copy
    return g


@cache
def bad_results(inference: str) -> tuple[bool, list[Result]]:
    """Validation of :func:`bad_graph`, once per inference mode."""
    return run(bad_graph(), inference)


# --------------------------------------------------------------------------------------------
# Tests: the ontology
# --------------------------------------------------------------------------------------------


def test_ontology_header():
    g = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    titles = {t.language for t in g.objects(ONTOLOGY_IRI, DCTERMS.title)}
    assert titles == {"ja", "en"}
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix) == Literal("sckg")


def _terms(kind: URIRef) -> list[URIRef]:
    return sorted(s for s in ontology().subjects(RDF.type, kind) if str(s).startswith(str(SCKG)))


TERMS = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) for t in _terms(kind)]


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.split("#")[1])
def test_term_labelled_and_defined_in_japanese_and_english(term):
    g = ontology()
    for p in (RDFS.label, SKOS.definition):
        languages = sorted(v.language for v in g.objects(term, p))
        assert languages == ["en", "ja"], f"{term} {p}: {languages}"


@pytest.mark.parametrize("term", [t for t in TERMS if (t, RDF.type, OWL.Class) not in ontology()],
                         ids=lambda t: t.split("#")[1])
def test_property_has_range(term):
    assert ontology().value(term, RDFS.range) is not None


def test_every_model_term_is_declared():
    """Every sckg: name in docs/model.md is a class or property of the ontology."""
    names = set(re.findall(r"sckg:([A-Za-z0-9]+)", MODEL_FILE.read_text(encoding="utf-8")))
    declared = {t.split("#")[1] for t in TERMS}
    assert names - declared == set()
    assert {name for name in names if name[0].isupper()} == {t.split("#")[1] for t in _terms(OWL.Class)}


def test_only_verified_imi_terms():
    used = {t for triple in ontology() for t in triple if isinstance(t, URIRef) and str(t).startswith(IC)}
    assert used - {URIRef(IC)} <= VERIFIED_IMI_TERMS


@pytest.mark.parametrize("cls", _terms(OWL.Class), ids=lambda t: t.split("#")[1])
def test_every_class_has_a_shape(cls):
    assert list(shapes().subjects(SH.targetClass, cls)), f"no shape has sh:targetClass {cls}"


def test_classes_under_test_are_the_ontology_classes():
    assert set(CLASSES) == {t.split("#")[1] for t in _terms(OWL.Class)}


# --------------------------------------------------------------------------------------------
# Tests: the shapes graph itself
# --------------------------------------------------------------------------------------------


def _constraint_nodes() -> list[tuple[URIRef, object]]:
    """(node shape, constraint node) for every property shape and SPARQL constraint."""
    g = shapes()
    out = []
    for shape in set(g.subjects(RDF.type, SH.NodeShape)):
        out += [(shape, p) for p in g.objects(shape, SH.property)]
        out += [(shape, c) for c in g.objects(shape, SH.sparql)]
    return out


def test_every_constraint_has_an_english_message_and_violation_severity():
    g = shapes()
    for shape, node in _constraint_nodes():
        messages = list(g.objects(node, SH.message))
        assert [m.language for m in messages] == ["en"], f"{shape}: {messages}"
        assert g.value(node, SH.severity) == SH.Violation, f"{shape}: {messages}"


def test_messages_name_the_class():
    g = shapes()
    for shape, node in _constraint_nodes():
        message = str(g.value(node, SH.message))
        targets = [str(c).split("#")[1] for c in g.objects(shape, SH.targetClass)]
        targets += [str(c).split("#")[1] for c in g.objects(shape, SH.targetNode)]
        if any(g.objects(shape, SH.targetSubjectsOf)):  # not about one class: about any resource
            targets.append("Any resource")
        expected = targets or [str(shape).split("#")[1].removesuffix("Reference")]
        assert any(re.search(rf"\b{name}\b", message) for name in expected), (shape, message)


def _shape_messages() -> set[str]:
    """The fixed text of every message of a targeted shape (SPARQL details after ' ({?' cut)."""
    g = shapes()
    targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.target)
                for s in g.subjects(p, None)}
    messages = set()
    for shape in targeted:
        nodes = [shape, *g.objects(shape, SH.property), *g.objects(shape, SH.sparql)]
        messages |= {str(m).split(" ({?")[0] for n in nodes for m in g.objects(n, SH.message)}
    return messages


def test_every_message_has_a_bad_case():
    """Each constraint's message is expected by at least one bad case, and unambiguously."""
    messages = _shape_messages()
    covered = set()
    for case in CASES:
        matching = [m for m in messages if case.message in m]
        assert len(matching) == 1, f"{case.id}: {case.message!r} matches {matching}"
        covered |= set(matching)
    assert messages - covered == set()


# --------------------------------------------------------------------------------------------
# Tests: valid data conforms
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", sorted(CLASSES))
def test_minimal_valid_graph_conforms(cls):
    data = world_graph(CLASSES[cls])
    assert any(data.subjects(RDF.type, SCKG[cls])) or cls == "LocalGovernment"
    conforms, results = run(data)
    assert conforms, f"{cls}:\n{explain(results)}"


# Valid variations of a world resource. Like the bad cases, each is a copy (``<iri>-ok-<name>``)
# and all are validated together; no result may be about a copy.
VALID_VARIANTS: dict[str, tuple[str, Edit]] = {
    # sh:class sckg:LocalGovernment accepts a sckg:Prefecture (rdfs:subClassOf, no explicit type)
    "region-is-a-prefecture": ("project-h29a",
                               both(code("H29b"), put(SCKG.region, iri("prefecture/370002")))),
    "region-is-a-ward": ("project-h29a", both(code("H29c"), put(SCKG.region, iri("municipality/011011")))),
    "two-regions": ("project-h29a", both(code("H29d"), add(SCKG.region, iri("municipality/372013")))),
    "no-implementer": ("project-h29a", both(code("H29e"), drop(SCKG.implementer))),
    "city-os-owned-by-a-prefecture": ("city-os", put(SCKG.owner, iri("prefecture/370002"))),
    "observation-without-year": ("observation", drop(SCKG.observedFiscalYear)),
    "source-titled-only-in-english": ("briefing", put(DCTERMS.title, en("FY2021 survey"))),
    "label-without-english": ("takamatsu", drop(RDFS.label, "en")),
    "municipality-without-coordinates": ("kanonji", drop(GEO.lat)),
    # closed shapes: what every class may carry (sckgsh:CommonProperties) and what every concept
    # may carry (sckgsh:ConceptShape)
    "comment-on-a-prefecture": ("kagawa", add(RDFS.comment, en("The prefecture of Takamatsu."))),
    "comment-on-a-city-os": ("city-os", add(RDFS.comment, en("Takamatsu opened its City OS to Kan'onji."))),
    "example-on-a-field": ("field-health", add(SKOS.example, ja("健康ポイント"))),
    "alt-label-on-an-issue": ("issue", add(SKOS.altLabel, ja("災害対策"))),
}
VALID_VARIANTS.update({name: (key, edit) for name, (key, edit) in VALID_FIGURE_VARIANTS.items()})


def variant_node(name: str) -> URIRef:
    return URIRef(f"{ID}{WORLD[VALID_VARIANTS[name][0]].subject}-ok-{name}")


@cache
def variant_results() -> list[Result]:
    """Validation of the whole world plus one copy per valid variant."""
    g = world_graph()
    for name, (key, edit) in VALID_VARIANTS.items():
        copy = rename(snippet(key), URIRef(ID + WORLD[key].subject), variant_node(name))
        edit(copy, variant_node(name))
        g += copy
    return run(g)[1]


# A copy of a local government has another IRI with the same code: the two rules about a body's
# identity (its IRI's key, one body per code) are bound to report it, and only those two.
IDENTITY_RULES = ("LocalGovernment's IRI must end in",
                  "LocalGovernment's sckg:localGovernmentCode must belong to one body")


@pytest.mark.parametrize("name", sorted(VALID_VARIANTS))
def test_valid_variant_conforms(name):
    about = [r for r in variant_results() if variant_node(name) in (r.focus, r.value)
             and not r.message.startswith(IDENTITY_RULES)]
    assert not about, f"{name}:\n{explain(about)}"


def test_whole_world_conforms_without_inference():
    """The shapes do not need RDFS inference: the mixed-in ontology's subClassOf suffices."""
    conforms, results = run(world_graph(), inference="none")
    assert conforms, explain(results)


def test_check_digit_accepts_every_residue_and_rejects_wrong_digits():
    """Codes whose weighted sums cover every residue mod 11, each also with a wrong last digit."""
    good = ["011011", "011070", "011029", "011088", "011037", "011096", "011045", "012084",
            "011053", "011002", "011061", "372013", "372056", "010006", "370002"]
    bad = [code[:5] + str((int(code[5]) + 1) % 10) for code in good]
    data = Graph()
    for code in good + bad:
        data.add((iri(f"code/{code}"), SCKG.localGovernmentCode, Literal(code)))
    _, results = run(data)
    flagged = {r.value for r in results if "must end in its check digit" in r.message}
    assert flagged == {iri(f"code/{code}") for code in bad}


# --------------------------------------------------------------------------------------------
# Tests: every bad case is reported, with and without RDFS inference
# --------------------------------------------------------------------------------------------


def test_bad_case_ids_are_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("inference", ["rdfs", "none"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_case_is_reported(case, inference):
    conforms, results = bad_results(inference)
    assert not conforms
    about = [r for r in results if getattr(r, case.on) == case.node]
    assert any(case.message in r.message and case.detail in r.message for r in about), (
        f"expected {case.message!r} on <{case.node}> ({case.on}); got:\n{explain(about)}")
