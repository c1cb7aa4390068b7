"""What the reconciliation service talks about: its six types and its properties, in ja and en.

Types are our ontology classes (their IRIs are the type IDs); each maps onto the gazetteer's
types (``kg.gazetteer.TYPES``). Properties serve two purposes: narrowing a query (a prefecture or
code column) and data extension (the values OpenRefine adds as new columns). A property is known
by a short ID (``prefecture``) and, where it has one, by our property IRI.

>>> type_for("sckg:DesignatedCityWard").gazetteer
frozenset({'ward'})
>>> prop_for("https://w3id.org/smartcity-kg/ontology#localGovernmentCode").id
'lgCode'
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.jsonld import PREFIXES

from .errors import BadRequest

SCKG = PREFIXES["sckg"]


@dataclass(frozen=True)
class RType:
    """A reconciliation type: a class of ours and the gazetteer types whose entries bear it."""

    id: str
    name_ja: str
    name_en: str
    gazetteer: frozenset[str]
    broader: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en

    def json(self, lang: str) -> dict:
        """The type as the protocol writes it (``broader`` as type objects)."""
        out = {"id": self.id, "name": self.name(lang)}
        if self.broader:
            out["broader"] = [{"id": b, "name": TYPES[b].name(lang)} for b in self.broader]
        return out


def _type(local: str, ja: str, en: str, kinds: set[str], broader: tuple[str, ...] = ()) -> RType:
    return RType(SCKG + local, ja, en, frozenset(kinds), tuple(SCKG + b for b in broader))


#: The six types, by class IRI. A ward of a designated city is a municipality too (docs/model.md).
TYPES: dict[str, RType] = {t.id: t for t in (
    _type("Prefecture", "都道府県", "Prefecture", {"prefecture"}),
    _type("Municipality", "市区町村", "Municipality", {"municipality", "ward"}),
    _type("DesignatedCityWard", "政令指定都市の区", "Ward of a designated city", {"ward"},
          broader=("Municipality",)),
    _type("AdoptedProject", "採択事業", "Adopted project", {"project"}),
    _type("CityOS", "都市OS", "City OS", {"city-os"}),
    _type("SmartCityService", "スマートシティサービス", "Smart city service", {"service"}),
)}

#: The types a gazetteer entry of each kind bears, most specific first.
TYPES_OF_ENTRY: dict[str, tuple[RType, ...]] = {
    kind: tuple(sorted((t for t in TYPES.values() if kind in t.gazetteer), key=lambda t: len(t.gazetteer)))
    for kind in ("prefecture", "municipality", "ward", "project", "city-os", "service")
}

DEFAULT_TYPES = (SCKG + "Municipality", SCKG + "Prefecture")


def type_for(value: str) -> RType:
    """The type named by a class IRI, ``sckg:Name`` or a gazetteer type name.

    :raises BadRequest: for any other value, listing the types.
    """
    if value in TYPES:
        return TYPES[value]
    if value.startswith("sckg:") and SCKG + value[5:] in TYPES:
        return TYPES[SCKG + value[5:]]
    for t in TYPES.values():
        if t.gazetteer == {value} or t.id.endswith("#" + value):
            return t
    raise BadRequest(f"unknown type '{value}'; the types are: " + ", ".join(TYPES))


@dataclass(frozen=True)
class Property:
    """A property of the service: for narrowing queries (``constraint``) and/or for data extension.

    ``value`` is how extension writes it: ``str``, ``float`` or ``entity`` (of type ``range``).
    """

    id: str
    name_ja: str
    name_en: str
    description_en: str
    types: tuple[str, ...]          # the type IDs whose entities have it
    value: str = "str"
    iri: str | None = None
    range: str | None = None        # type ID of entity values
    constraint: bool = False

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en

    def json(self, lang: str) -> dict:
        return {"id": self.id, "name": self.name(lang), "description": self.description_en}


_BODIES = (SCKG + "Prefecture", SCKG + "Municipality", SCKG + "DesignatedCityWard")
_MUNICIPAL = (SCKG + "Municipality", SCKG + "DesignatedCityWard")

PROPERTIES: dict[str, Property] = {p.id: p for p in (
    Property("lgCode", "団体コード", "LG code",
             "six-digit local-government code (with check digit); narrows a query by code", _BODIES,
             iri=SCKG + "localGovernmentCode", constraint=True),
    Property("corporateNumber", "法人番号", "corporate number",
             "13-digit corporate number; narrows a query by corporate number", _BODIES,
             iri=SCKG + "corporateNumber", constraint=True),
    Property("standardAreaCode", "統計LOD標準地域コード", "e-Stat area code IRI",
             "the body's IRI in the e-Stat statistical LOD", _BODIES, iri=SCKG + "standardAreaCode"),
    Property("prefecture", "都道府県", "prefecture",
             "the prefecture of a municipality (a name, code or IRI narrows a query)", _MUNICIPAL,
             value="entity", iri=SCKG + "prefecture", range=SCKG + "Prefecture", constraint=True),
    Property("kana", "よみがな", "kana", "the reading in hiragana (rdfs:label@ja-Hrkt)", _BODIES),
    Property("nameEn", "英語名", "English name", "the English label (rdfs:label@en)", tuple(TYPES)),
    Property("lat", "緯度", "latitude", "WGS84 latitude of the office (geo:lat)", _BODIES,
             value="float", iri=PREFIXES["geo"] + "lat"),
    Property("long", "経度", "longitude", "WGS84 longitude of the office (geo:long)", _BODIES,
             value="float", iri=PREFIXES["geo"] + "long"),
    Property("coordinates", "座標", "coordinates", "latitude,longitude as one text", _BODIES),
    Property("kind", "団体の種類", "kind of body",
             "the class of the body: prefecture, city, designated city, ward, town, village, special ward",
             _BODIES, value="entity"),
    Property("projects", "採択事業", "adopted projects", "the adopted projects whose region has the body",
             _BODIES, value="entity", range=SCKG + "AdoptedProject"),
    Property("cityOSOwned", "所有する都市OS", "City OS owned", "the City OS the body owns", _BODIES,
             value="entity", range=SCKG + "CityOS"),
    Property("cityOSUsed", "共同利用する都市OS", "City OS used",
             "the City OS of another body that this body uses (shared use)", _MUNICIPAL,
             value="entity", range=SCKG + "CityOS"),
    Property("region", "対象地域", "region", "the local governments of an adopted project",
             (SCKG + "AdoptedProject",), value="entity", iri=SCKG + "region", range=SCKG + "Municipality"),
    Property("owner", "所有団体", "owner", "the local government that owns a City OS", (SCKG + "CityOS",),
             value="entity", iri=SCKG + "owner", range=SCKG + "Municipality"),
    Property("project", "採択事業", "project", "the adopted project a service belongs to",
             (SCKG + "SmartCityService",), value="entity", iri=SCKG + "project",
             range=SCKG + "AdoptedProject"),
)}

_ALIASES = {"code": "lgCode", "localGovernmentCode": "lgCode"}


def prop_for(value: str) -> Property:
    """The property named by its ID, its IRI or ``sckg:name``.

    :raises BadRequest: for any other value, listing the properties.
    """
    key = _ALIASES.get(value, value)
    if key in PROPERTIES:
        return PROPERTIES[key]
    if key.startswith("sckg:"):
        key = SCKG + key[5:]
    for p in PROPERTIES.values():
        if p.iri == key:
            return p
    raise BadRequest(f"unknown property '{value}'; the properties are: " + ", ".join(PROPERTIES))


def properties_of(type_id: str) -> list[Property]:
    """The properties entities of ``type_id`` have (for the extension's property proposals)."""
    return [p for p in PROPERTIES.values() if type_id in p.types]
