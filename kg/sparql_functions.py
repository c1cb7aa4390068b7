"""The project's SPARQL extension functions, registered with the engine by IRI.

Every query the server evaluates (``/sparql``, the canned queries, the pages) may call them; the
Service Description lists them as ``sd:extensionFunction`` and ``/function`` describes them. They
are pure functions of their arguments, so a query's answer still depends only on the data. Their
rules live in ``kg/fiscal.py``, ``kg/codes.py`` and ``kg/normalize.py``; this module only turns
RDF terms into Python values and back.

An argument of the wrong kind (an IRI for a date, a string for a year, ``"2022-02-30"``) or the
wrong number of arguments makes the call a SPARQL error (the function returns None): the
variable stays unbound and a ``FILTER`` drops the row, as with the built-in functions.

INTERFACE (issue 11): :data:`FUNCTIONS` is what ``store.query(custom_functions=…)`` receives;
:data:`CATALOGUE` holds the same functions with their documentation.

>>> import pyoxigraph as ox
>>> q = ('PREFIX f: <' + NAMESPACE + '> SELECT (f:normalize("ＡＢＣ") AS ?n) '
...      '(f:eraLabelJa(f:fiscalYear("2019-05-01"^^<http://www.w3.org/2001/XMLSchema#date>)) AS ?e) {}')
>>> [(row["n"].value, row["e"].value) for row in ox.Store().query(q, custom_functions=FUNCTIONS)]
[('abc', '令和元年度')]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from . import codes, fiscal
from .normalize import normalize

#: The namespace of the functions (suggested prefix ``sckgfn:``); without the ``#``, the IRI of
#: the document that describes them.
NAMESPACE = "https://w3id.org/smartcity-kg/function#"
PREFIX = "sckgfn"

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_STRING, _LANG_STRING = ox.NamedNode(XSD + "string"), ox.NamedNode(RDF + "langString")
_DATES = {ox.NamedNode(XSD + t) for t in ("date", "dateTime", "dateTimeStamp")}
_INTEGERS = {ox.NamedNode(XSD + t) for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte", "gYear")}
_TEXTS = {_STRING, _LANG_STRING}


# --- arguments: an RDF term → a Python value, or None for a term of the wrong kind -------------------

def _text(term) -> str | None:
    """The string of a simple literal or a language-tagged string."""
    return term.value if isinstance(term, ox.Literal) and term.datatype in _TEXTS else None


def _lexical(term) -> str | None:
    """The lexical form of any literal (a number's digits are text too)."""
    return term.value if isinstance(term, ox.Literal) else None


def _code(term) -> str | None:
    """The digits of a code: a string, or an integer as written (which has lost leading zeros)."""
    if isinstance(term, ox.Literal) and (term.datatype in _TEXTS or term.datatype in _INTEGERS):
        return term.value
    return None


def _year(term) -> int | None:
    """A fiscal year: an xsd:integer (or a type derived from it) or an xsd:gYear."""
    if not isinstance(term, ox.Literal) or term.datatype not in _INTEGERS:
        return None
    try:
        return int(term.value)
    except ValueError:  # an ill-typed literal such as "R3"^^xsd:integer
        return None


def _day(term):
    """A day: an xsd:date or xsd:dateTime, or a string in one of ``fiscal.parse_date``'s spellings."""
    if isinstance(term, ox.Literal) and (term.datatype in _DATES or term.datatype in _TEXTS):
        return fiscal.parse_date(term.value)
    return None


# --- results ------------------------------------------------------------------------------------------

def _integer(value: int | None) -> ox.Literal | None:
    return None if value is None else ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _string(value: str | None) -> ox.Literal | None:
    return None if value is None else ox.Literal(value)


def _japanese(value: str | None) -> ox.Literal | None:
    return None if value is None else ox.Literal(value, language="ja")


def _boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))


def _or_none(function: Callable, *args):
    """``function(*args)``, None when it refuses its argument with ValueError."""
    try:
        return function(*args)
    except ValueError:
        return None


def _adapt(argument: Callable, compute: Callable, result: Callable) -> Callable[..., ox.Term | None]:
    """A pyoxigraph custom function of one argument: convert it, compute, convert back; None for an
    argument of the wrong kind or number (pyoxigraph makes None a SPARQL error: unbound)."""
    def call(*terms):
        if len(terms) != 1:
            return None
        value = argument(terms[0])
        return None if value is None else result(compute(value))
    return call


# --- the catalogue ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Function:
    """One extension function and what the Service Description, ``/function`` and the README say of it.

    ``example`` is a SPARQL expression (prefixes ``sckgfn:`` and ``xsd:``) whose value is
    ``expected`` (its lexical form); the tests evaluate every example.
    """

    name: str
    call: Callable[..., ox.Term | None]
    argument: str
    result: str
    label_en: str
    label_ja: str
    comment_en: str
    comment_ja: str
    example: str
    expected: str

    @property
    def iri(self) -> str:
        return NAMESPACE + self.name


CATALOGUE: tuple[Function, ...] = (
    Function(
        "normalize", _adapt(_lexical, normalize, _string),
        "any literal", "xsd:string",
        "comparison form of a name", "名称の比較形",
        "The one comparison form of a Japanese name (kg/normalize.py): width, kana, spaces and the rest "
        "of the rules of the search; two spellings of one name have the same form.",
        "日本語の名称の比較形（kg/normalize.py）。全角・半角、ひらがな・カタカナ、空白などを揃え、同じ名称の"
        "別表記は同じ形になる。",
        'sckgfn:normalize("ＡＢＣ")', "abc"),
    Function(
        "fiscalYear", _adapt(_day, fiscal.of_date, _integer),
        "xsd:date, xsd:dateTime or a string (2022-03-31, 令和4年3月31日, R4.3.31)", "xsd:integer",
        "fiscal year of a date", "日付の年度",
        "The Japanese fiscal year (April to March) a day falls in, as a Western year. A date counts as "
        "written; a time stamp with an offset counts in Japan time (2022-03-31T20:00:00Z is 2022-04-01 "
        "in Japan). An era date must lie within its era (平成31年5月1日 is an error).",
        "日付が属する年度（4月〜翌3月）を西暦の年で返す。日付は書かれたとおり、時差付きの日時は日本時間で"
        "数える。和暦の日付はその元号の期間内に限る（平成31年5月1日はエラー）。",
        'sckgfn:fiscalYear("2022-03-31"^^xsd:date)', "2021"),
    Function(
        "eraYearJa", _adapt(_day, lambda d: _or_none(fiscal.era_year_ja, d), _japanese),
        "xsd:date, xsd:dateTime or a string, as sckgfn:fiscalYear", "rdf:langString (@ja)",
        "era year of a date", "日付の和暦年",
        "The era year of a day, by the day the era began: 2019-04-30 is 平成31年, 2019-05-01 is 令和元年. "
        "Days before 平成 (1989-01-08) are an error.",
        "日付の和暦の年。元号の始まった日で分ける：2019-04-30 は平成31年、2019-05-01 は令和元年。"
        "平成より前の日付はエラー。",
        'sckgfn:eraYearJa("2019-05-01"^^xsd:date)', "令和元年"),
    Function(
        "eraLabel", _adapt(_year, lambda y: _or_none(fiscal.era_label, y), _string),
        "xsd:integer (a Western fiscal year, 1989–2117)", "xsd:string",
        "short era label of a fiscal year", "年度の元号略記",
        "The short era label of a fiscal year: 2021 → R3, 2019 → R1, 2018 → H30.",
        "年度の元号の略記：2021 → R3、2019 → R1、2018 → H30。",
        "sckgfn:eraLabel(2021)", "R3"),
    Function(
        "eraLabelJa", _adapt(_year, lambda y: _or_none(fiscal.era_label_ja, y), _japanese),
        "xsd:integer (a Western fiscal year, 1989–2117)", "rdf:langString (@ja)",
        "Japanese era label of a fiscal year", "年度の和暦表記",
        "The Japanese era label of a fiscal year: 2021 → 令和3年度; FY2019 is 令和元年度 (as in common "
        "use; 平成31年度 is read by sckgfn:parseFiscalYear).",
        "年度の和暦表記：2021 → 令和3年度。2019年度は令和元年度"
        "（平成31年度は sckgfn:parseFiscalYear が読む）。",
        "sckgfn:eraLabelJa(2019)", "令和元年度"),
    Function(
        "parseFiscalYear", _adapt(_code, fiscal.parse, _integer),
        "a string (2021, FY2021, R3, ｒ３, 令和3年度, 令和元年度, H31, 平成31年度) or an xsd:integer",
        "xsd:integer",
        "fiscal year of any spelling", "年度表記の西暦化",
        "The Western fiscal year of any spelling the API accepts: Western, short or Japanese era "
        "labels, full-width or half-width. 平成 counts to 31 (平成31年度 = 2019).",
        "API が受け付けるどの表記の年度も西暦の年に：西暦、略記、和暦、全角・半角。平成は31年度まで"
        "（平成31年度 = 2019）。",
        'sckgfn:parseFiscalYear("令和元年度")', "2019"),
    Function(
        "lgCheckDigit", _adapt(_code, lambda c: _or_none(codes.check_digit, c), _string),
        "a string of 5 digits", "xsd:string (one digit)",
        "check digit of a local-government code", "地方公共団体コードの検査数字",
        "The check digit of the first five digits of a local-government code "
        "(modulus 11, weights 6 5 4 3 2).",
        "全国地方公共団体コードの上5桁に付く検査数字（モジュラス11、重み 6 5 4 3 2）。",
        'sckgfn:lgCheckDigit("37201")', "3"),
    Function(
        "isLgCode", _adapt(_code, codes.is_lg_code, _boolean),
        "a string", "xsd:boolean",
        "is a valid local-government code", "地方公共団体コードの検査",
        "Whether a string is six digits whose last is the check digit of the first five.",
        "6桁で、最後の桁が上5桁の検査数字であるか。",
        'sckgfn:isLgCode("372014")', "false"),
    Function(
        "corporateCheckDigit", _adapt(_code, lambda c: _or_none(codes.corporate_check_digit, c), _string),
        "a string of 12 digits (the base number)", "xsd:string (one digit)",
        "check digit of a corporate number", "法人番号の検査数字",
        "The check digit of a corporate number's 12-digit base number (法人番号の指定等に関する省令 第2条).",
        "法人番号の12桁の基礎番号に付く検査数字（法人番号の指定等に関する省令 第2条）。",
        'sckgfn:corporateCheckDigit("000020130001")', "8"),
    Function(
        "isCorporateNumber", _adapt(_code, codes.is_corporate_number, _boolean),
        "a string", "xsd:boolean",
        "is a valid corporate number", "法人番号の検査",
        "Whether a string is 13 digits whose first is the check digit of the other twelve.",
        "13桁で、最初の桁が残り12桁の検査数字であるか。",
        'sckgfn:isCorporateNumber("1000020372013")', "true"),
    Function(
        "corporateNumber", _adapt(_code, lambda c: _or_none(codes.corporate_number, c), _string),
        "a string: a 6-digit local-government code", "xsd:string (13 digits)",
        "corporate number of a local public body", "地方公共団体の法人番号",
        "The corporate number of the local public body with this local-government code: check digit, "
        "000020 and the code. A code with a wrong check digit is an error.",
        "地方公共団体コードから法人番号を：検査数字、000020、コード。検査数字の誤ったコードはエラー。",
        'sckgfn:corporateNumber("372013")', "1000020372013"),
)

#: IRI → function, as pyoxigraph's ``custom_functions`` takes them.
FUNCTIONS: dict[ox.NamedNode, Callable] = {ox.NamedNode(f.iri): f.call for f in CATALOGUE}


# --- their description in RDF -------------------------------------------------------------------------

SD_FUNCTION = ox.NamedNode("http://www.w3.org/ns/sparql-service-description#Function")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DOCUMENT = NAMESPACE.rstrip("#")


def describe() -> list[ox.Triple]:
    """Each function as an ``sd:Function`` with labels and comments in English and Japanese.

    >>> sum(1 for t in describe() if t.object == SD_FUNCTION) == len(CATALOGUE)
    True
    """
    document = ox.NamedNode(DOCUMENT)
    label, comment = ox.NamedNode(RDFS + "label"), ox.NamedNode(RDFS + "comment")
    triples = [
        ox.Triple(document, label, ox.Literal("SPARQL extension functions of smartcity-kg", language="en")),
        ox.Triple(document, label, ox.Literal("smartcity-kg の SPARQL 拡張関数", language="ja")),
    ]
    for f in CATALOGUE:
        node = ox.NamedNode(f.iri)
        triples += [
            ox.Triple(node, ox.NamedNode(RDF + "type"), SD_FUNCTION),
            ox.Triple(node, ox.NamedNode(RDFS + "isDefinedBy"), document),
            ox.Triple(node, label, ox.Literal(f.label_en, language="en")),
            ox.Triple(node, label, ox.Literal(f.label_ja, language="ja")),
            ox.Triple(node, comment, ox.Literal(
                f"{f.comment_en} Argument: {f.argument}. Result: {f.result}. Example: {f.example} = "
                f"{f.expected}.", language="en")),
            ox.Triple(node, comment, ox.Literal(f.comment_ja, language="ja")),
        ]
    return triples
