"""Canned queries as data: ``queries/*.rq``, each with a ``#+`` YAML header, read into frozen dataclasses.

The web API is generated from this folder at start, so adding a file adds an endpoint. Every
header is checked here, and the query itself is run once on an empty store (syntax, SELECT form,
projection = declared columns): a bad file stops the server with a message naming it.

>>> query = parse(EXAMPLE, "hello.rq")
>>> query.name, query.columns, [(p.name, p.type, p.required) for p in query.params]
('hello', ('greeting', 'who'), [('who', 'text', False)])
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pyoxigraph as ox
import yaml

from kg.defaults import QUERIES_DIR
from kg.sparql_functions import FUNCTIONS

#: The project's own folder of canned queries (the app's QUERIES_DIR setting may name another).
DEFAULT_DIR = QUERIES_DIR

PARAM_TYPES = frozenset({"iri", "iri-or-label", "lgcode", "fiscal-year", "integer", "number", "text",
                         "choice"})
#: Request parameters the API itself reads on every canned query; no query may declare them.
RESERVED = frozenset({"format", "bom"})
#: Names under /api/ taken by the API's own pages.
RESERVED_NAMES = frozenset({"docs"})
NORMALIZATIONS = frozenset({"NFC", "NFKC"})

_HEADER_KEYS = {"name", "title", "description", "params", "columns", "examples"}
_PARAM_KEYS = {"name", "type", "required", "description", "example", "choices", "binds", "unsupported",
               "normalize", "key"}
#: Parameter types whose value may be a name, hence may declare ``key``.
KEYED_TYPES = frozenset({"text", "iri-or-label"})
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

EXAMPLE = '''#+ name: hello
#+ title: {ja: "挨拶", en: "Greeting"}
#+ description: {ja: "例", en: "Example"}
#+ params:
#+   - {name: who, type: text, required: false, example: "世界", description: {ja: "相手", en: "Whom"}}
#+ columns: [greeting, who]
#+ examples: ["/api/hello?who=世界"]
SELECT ?greeting ?who WHERE { BIND(CONCAT("こんにちは", COALESCE(?who, "")) AS ?greeting) }
'''


class QueryFileError(ValueError):
    """A canned-query file that cannot be served; the message starts with the file's path."""


@dataclass(frozen=True)
class Param:
    """One request parameter of a canned query, as its header declares it."""

    name: str
    type: str
    required: bool
    description: Mapping[str, str]  # {"ja": …, "en": …}
    example: Any
    choices: tuple[str, ...] = ()
    binds: Mapping[str, str] | None = None  # iri-or-label: {"iri": variable, "label": variable}
    # choice → {"ja", "en"} reason the server cannot answer it
    unsupported: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    normalize: str | None = None  # Unicode normalization applied before binding (NFKC for search)
    #: a variable that also gets the name key of a text value (kg.normalize.normalize), which the
    #: query compares with the stored keys (sckg:nameKey): standard SPARQL, no extension function
    key: str | None = None

    @property
    def variables(self) -> tuple[str, ...]:
        """The query variables this parameter may bind."""
        own = (self.binds["iri"], self.binds["label"]) if self.binds is not None else (self.name,)
        return own + ((self.key,) if self.key else ())


@dataclass(frozen=True)
class CannedQuery:
    """A query file: its metadata and its SPARQL text (the header lines are SPARQL comments)."""

    name: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    examples: tuple[str, ...]
    text: str
    path: Path


def header_text(text: str) -> str:
    """The YAML document formed by the leading ``#+`` lines."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[3:] if line.startswith("#+ ") else line[2:])
    return "\n".join(lines)


def _fail(where: str, message: str):
    raise QueryFileError(f"{where}: {message}")


def _bilingual(value: Any, where: str, key: str) -> Mapping[str, str]:
    if not (isinstance(value, dict) and set(value) == {"ja", "en"}
            and all(isinstance(v, str) and v.strip() for v in value.values())):
        _fail(where, f"'{key}' must have non-empty 'ja' and 'en' texts")
    return MappingProxyType(dict(value))


def _param(raw: Any, where: str) -> Param:
    if not isinstance(raw, dict):
        _fail(where, "each entry of 'params' must be a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        _fail(where, f"parameter name {name!r} must be a SPARQL variable name")
    where = f"{where}: parameter '{name}'"
    if unknown := set(raw) - _PARAM_KEYS:
        _fail(where, f"unknown keys {sorted(unknown)} (known: {sorted(_PARAM_KEYS)})")
    if name in RESERVED:
        _fail(where, f"the names {sorted(RESERVED)} are reserved for the API itself")
    kind = raw.get("type")
    if kind not in PARAM_TYPES:
        _fail(where, f"type {kind!r} is not one of {sorted(PARAM_TYPES)}")
    if not isinstance(raw.get("required"), bool):
        _fail(where, "'required' must be true or false")
    if "example" not in raw:
        _fail(where, "an 'example' value is required")
    choices = raw.get("choices")
    if (choices is not None) != (kind == "choice"):
        _fail(where, "'choices' is required for type choice, and only for it")
    if choices is not None and not (isinstance(choices, list) and choices
                                    and all(isinstance(c, str) and c for c in choices)):
        _fail(where, "'choices' must be a list of strings")
    binds = raw.get("binds")
    if (binds is not None) != (kind == "iri-or-label"):
        _fail(where, "'binds' is required for type iri-or-label, and only for it")
    if binds is not None and not (
            isinstance(binds, dict) and set(binds) == {"iri", "label"} and binds["iri"] != binds["label"]
            and all(isinstance(v, str) and _IDENTIFIER.fullmatch(v) for v in binds.values())):
        _fail(where, "'binds' must name two different variables as {iri: …, label: …}")
    unsupported = raw.get("unsupported") or {}
    if not isinstance(unsupported, dict):
        _fail(where, "'unsupported' must map choices to {ja, en} reasons")
    for value, reason in unsupported.items():
        if value not in (choices or []):
            _fail(where, f"unsupported value {value!r} is not one of the choices")
        _bilingual(reason, where, f"unsupported.{value}")
    normalize = raw.get("normalize")
    if normalize is not None and normalize not in NORMALIZATIONS:
        _fail(where, f"normalize {normalize!r} is not one of {sorted(NORMALIZATIONS)}")
    if choices is not None and raw["example"] not in choices:
        _fail(where, "the example is not one of the choices")
    key = raw.get("key")
    if key is not None and not (isinstance(key, str) and _IDENTIFIER.fullmatch(key)):
        _fail(where, f"'key' {key!r} must be a SPARQL variable name")
    if key is not None and kind not in KEYED_TYPES:
        _fail(where, f"'key' is only for the types {sorted(KEYED_TYPES)}")
    return Param(
        name=name, type=kind, required=raw["required"],
        description=_bilingual(raw.get("description"), where, "description"), example=raw["example"],
        choices=tuple(choices or ()), binds=MappingProxyType(dict(binds)) if binds else None,
        unsupported=MappingProxyType({k: _bilingual(v, where, k) for k, v in unsupported.items()}),
        normalize=normalize, key=key,
    )


def parse(text: str, where: str, path: Path | None = None) -> CannedQuery:
    """Read one query file's text; ``where`` (the file name) starts every error message.

    :raises QueryFileError: for a missing, malformed or inconsistent header, or a query that does
        not run or whose projection differs from the declared columns.
    """
    if not text.startswith("#+ "):
        _fail(where, "the file must start with a '#+ ' metadata header")
    try:
        header = yaml.safe_load(header_text(text))
    except yaml.YAMLError as exc:
        _fail(where, f"the header is not valid YAML: {exc}")
    if not isinstance(header, dict):
        _fail(where, "the header must be a YAML mapping")
    if missing := _HEADER_KEYS - set(header):
        _fail(where, f"the header lacks {sorted(missing)}")
    if unknown := set(header) - _HEADER_KEYS:
        _fail(where, f"unknown header keys {sorted(unknown)}")
    name = header["name"]
    if path is not None and name != path.stem:
        _fail(where, f"name {name!r} differs from the file name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        _fail(where, f"name {name!r} must be lower-case letters, digits and '-'")
    if name in RESERVED_NAMES:
        _fail(where, f"the names {sorted(RESERVED_NAMES)} are taken by the API's own pages")
    raw_params = header["params"] or []
    if not isinstance(raw_params, list):
        _fail(where, "'params' must be a list")
    params = tuple(_param(p, where) for p in raw_params)
    if len({p.name for p in params}) != len(params):
        _fail(where, "two parameters have the same name")
    columns = header["columns"]
    if not (isinstance(columns, list) and columns and all(isinstance(c, str) for c in columns)
            and len(set(columns)) == len(columns)):
        _fail(where, "'columns' must be a non-empty list of distinct names")
    examples = header["examples"]
    if not (isinstance(examples, list) and examples
            and all(isinstance(e, str) and e.startswith(f"/api/{name}") for e in examples)):
        _fail(where, f"'examples' must be a non-empty list of URLs starting with /api/{name}")
    variables = [v for p in params for v in p.variables]
    if len(set(variables)) != len(variables):
        _fail(where, "two parameters bind the same variable")
    for variable in variables:  # pyoxigraph refuses substituting a variable that is not projected
        if variable not in columns:
            _fail(where, f"the variable ?{variable} of a parameter must be an output column")
    _check_query(text, columns, where)
    return CannedQuery(
        name=name, title=_bilingual(header["title"], where, "title"),
        description=_bilingual(header["description"], where, "description"), params=params,
        columns=tuple(columns), examples=tuple(examples), text=text, path=path or Path(where),
    )


def _check_query(text: str, columns: list[str], where: str) -> None:
    """Run the query on an empty store: it must parse, be a SELECT, and project ``columns`` in order."""
    try:
        result = ox.Store().query(text, custom_functions=FUNCTIONS)
    except SyntaxError as exc:
        _fail(where, f"the query does not parse: {exc}")
    except Exception as exc:  # any evaluation error makes the file unusable
        _fail(where, f"the query cannot be evaluated: {exc}")
    if not isinstance(result, ox.QuerySolutions):
        _fail(where, "the query must be a SELECT")
    projection = [v.value for v in result.variables]
    if projection != list(columns):
        _fail(where, f"the query projects {projection}, the header declares columns {list(columns)}")


def load_folder(folder: Path) -> dict[str, CannedQuery]:
    """Every ``*.rq`` file of ``folder`` by query name, in name order.

    :raises QueryFileError: for the first file that cannot be served, or a missing folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise QueryFileError(f"{folder}: the canned-query folder does not exist")
    found: dict[str, CannedQuery] = {}
    for path in sorted(folder.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryFileError(f"{path}: cannot be read as UTF-8: {exc}") from None
        query = parse(text, str(path), path)
        found[query.name] = query
    return found
