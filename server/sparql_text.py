"""Lexical checks on a SPARQL query string before it reaches the engine.

pyoxigraph parses with a recursive descent parser that overflows its stack (and kills the process)
on deeply nested queries, and it follows ``SERVICE`` to any host.  This module looks at the query
text only - comments, string literals and IRIs are skipped, never interpreted - to report the query
form, the nesting depth, every possible ``SERVICE`` target and whether a ``FROM`` clause names the
dataset, so that such queries are refused before any parsing (and the engine knows whether to
offer the union of the named graphs as default graph).  It is pure Python, runs in linear time
and never raises on odd input.

>>> shape = analyse('''PREFIX ex: <http://example.org/>
... SELECT * WHERE { SERVICE ex:sparql { ?s ?p "{{{" } }  # { in a comment''')
>>> shape.form, shape.depth, shape.services, shape.declares_dataset
('SELECT', 2, ('http://example.org/sparql',), False)
>>> analyse('SELECT * FROM <http://ex/g> { ?s ?p ?o }').declares_dataset
True
>>> analyse('SELECT ?from { ?s <http://ex/from> "from" } # FROM').declares_dataset
False
>>> check("DROP ALL")
Traceback (most recent call last):
    ...
server.sparql_text.QueryRejected: SPARQL Update is not allowed on this read-only endpoint
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

__all__ = ["QueryRejected", "QueryShape", "analyse", "check", "tokens"]


class QueryRejected(ValueError):
    """The query is refused before parsing; ``str(error)`` is safe to show to the client."""


@dataclass(frozen=True)
class QueryShape:
    """What the lexer saw: enough to refuse a query without handing it to the engine."""

    form: str  # "SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE" | "UPDATE" | "UNKNOWN"
    depth: int  # max nesting depth of { ( [ (and << >> quoted triples) combined
    services: tuple[str, ...]  # SERVICE targets: absolute IRI, "?var", or the raw token if unresolvable
    #: a FROM / FROM NAMED clause: pyoxigraph ignores it when asked to use the union of the named
    #: graphs as default graph, so the engine asks for the union only when this is False
    declares_dataset: bool = False


# One alternative per token kind.  Every alternative that starts a string or comment always matches
# (an unterminated one runs to the end of the line or input), and quantifiers are possessive, so
# the scan never backtracks and stays linear.  Whitespace matches nothing and is skipped by finditer.
_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*+)
    | (?P<string>
          '''(?:[^'\\]++|\\[\s\S]?|'(?!''))*+(?:''')?
        | \"\"\"(?:[^"\\]++|\\[\s\S]?|"(?!""))*+(?:\"\"\")?
        | '(?:[^'\\\r\n]++|\\[^\r\n]?)*+'?
        | "(?:[^"\\\r\n]++|\\[^\r\n]?)*+"?
      )
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]*+)
    | (?P<lang>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)
    | (?P<word>(?:[\w.:%\u00B7\u0300-\u036F\u203F\u2040\-]|\\[_~.!$&'()*+,;=/?\#@%\-])++)
    | (?P<open>[{(\[]|<(?=<))
    | (?P<close>[})\]]|>>)
    | (?P<other>\S)
    """,
    re.VERBOSE,
)
_CLOSES = {"}": "{", ")": "(", "]": "[", ">>": "<"}

_UPDATE_KEYWORDS = "insert|delete|load|clear|drop|create|add|move|copy|with"
# Keywords need no word boundary in pyoxigraph ("ASKWHERE{}" parses), hence prefix matches.
_FORM = re.compile(rf"(select|ask|construct|describe)|(?:{_UPDATE_KEYWORDS})", re.I | re.A)
_PREFIX = re.compile(r"prefix", re.I | re.A)
_BASE = re.compile(r"base", re.I | re.A)
_SILENT = re.compile(r"silent", re.I | re.A)
_SERVICE = re.compile(r"service", re.I | re.A)
_SERVICE_SILENT = re.compile(r"servicesilent", re.I | re.A)
_FROM = re.compile(r"from(?:named)?", re.I | re.A)  # pyoxigraph also reads "FROMNAMED<g>"

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_HIERARCHICAL = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?", re.S)
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")
_IRI_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)", re.S)

# A keyword glued to a longer prefixed name ("trueSERVICE:x") is only looked for this far back from
# the colon; a declared prefix label longer than this makes such a word count as an unresolvable target.
_MAX_SPLIT = 256

_WANT_TARGET, _WANT_BRACE = 0, 1


def tokens(query: str) -> Iterator[tuple[str, str, int, int]]:
    """The tokens of ``query`` as (kind, text, start, end); kinds: comment, string, iri, var, lang,
    word, open, close, other. Whitespace is skipped; never raises."""
    for match in _TOKEN.finditer(query):
        yield match.lastgroup, match.group(), match.start(), match.end()


def analyse(query: str) -> QueryShape:
    """Form, nesting depth, SERVICE targets and FROM of ``query``; never raises, whatever the input."""
    shape, _ = _scan(query, depth_limit=None)
    return shape


def check(
    query: str,
    *,
    max_depth: int = 64,
    max_length: int = 1_000_000,
    service_allowlist: Collection[str] = (),
) -> QueryShape:
    """The shape of ``query``, or :class:`QueryRejected` if it must not reach the engine.

    ``service_allowlist`` holds absolute IRIs matched exactly; ``"*"`` allows every target,
    including variables (which are otherwise never allowed: they can be bound to any host).
    """
    if len(query) > max_length:
        raise QueryRejected(f"query is too long ({len(query):,} characters; the limit is {max_length:,})")
    if len(query) <= _MEMO_CHARS:  # clients repeat their queries: scan each text once
        return _check_memo(query, max_depth, tuple(service_allowlist))
    return _check(query, max_depth, service_allowlist)


#: Queries up to this length have their verdict memoized (at most 1,024 of them: 16 MB at worst).
_MEMO_CHARS = 16_384


@functools.lru_cache(maxsize=1024)
def _check_memo(query: str, max_depth: int, service_allowlist: tuple[str, ...]) -> QueryShape:
    return _check(query, max_depth, service_allowlist)


def _check(query: str, max_depth: int, service_allowlist: Collection[str]) -> QueryShape:
    shape, shown = _scan(query, depth_limit=max_depth)
    if shape.form == "UPDATE":
        raise QueryRejected("SPARQL Update is not allowed on this read-only endpoint")
    if shape.depth > max_depth:
        raise QueryRejected(f"query nesting is deeper than {max_depth} levels")
    allowed = {entry.strip().removeprefix("<").removesuffix(">") for entry in service_allowlist}
    if "*" not in allowed:
        for target in shape.services:
            if target.startswith("?") or target not in allowed:
                raise QueryRejected(f"SERVICE {_shorten(shown[target])} is not allowed")
    return shape


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _scan(query: str, depth_limit: int | None) -> tuple[QueryShape, dict[str, str]]:
    """The shape of ``query`` and how to show each SERVICE target; stops once depth exceeds the limit."""
    scanner = _Scanner()
    stack: list[str] = []
    depth = 0
    declares_dataset = False
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "comment":
            continue
        text = match.group()
        if scanner.form is None:
            scanner.prologue(kind, text)
        if scanner.pending:
            scanner.advance(kind, text)
        if kind == "word":
            scanner.spawn(text)
            if not declares_dataset and _FROM.fullmatch(text):
                declares_dataset = True
        elif kind == "open":
            stack.append(text)
            if len(stack) > depth:
                depth = len(stack)
                if depth_limit is not None and depth > depth_limit:
                    break
        elif kind == "close" and stack and stack[-1] == _CLOSES[text]:
            stack.pop()  # a mismatched closer is ignored: the depth is never under-counted
    shape = QueryShape(scanner.form or "UNKNOWN", depth, tuple(scanner.shown), declares_dataset)
    return shape, scanner.shown


# A SERVICE reading waiting for more tokens: (stage, explicit, silent_allowed, target, display).
_Pending = tuple[int, bool, bool, str, str]
# A target as (value, display); None means "SILENT was read, the target is the next token".
_Target = tuple[str, str] | None


class _Scanner:
    """Prologue state and the SERVICE readings of one scan.

    pyoxigraph matches keywords without a word boundary ("?s ?p trueSERVICE <x> {}" and
    "SERVICESILENT:x {}" both parse as SERVICE), so besides the bare keyword, every word whose part
    before the first colon contains "service" is a possible SERVICE.  Such a glued reading only counts
    when the engine could accept it: its target resolves and is followed by "{".
    """

    def __init__(self) -> None:
        self.form: str | None = None
        self.expect = "keyword"  # next prologue item: "keyword" | "base" | "prefix" | "prefix-iri"
        self.label = ""
        self.base: str | None = None
        self.prefixes: dict[str, str | None] = {}  # label -> namespace IRI (None: not resolvable)
        self.longest_label = 0
        self.pending: list[_Pending] = []
        self.shown: dict[str, str] = {}  # SERVICE target -> how to show it; insertion-ordered

    def prologue(self, kind: str, text: str) -> None:
        """Follow BASE / PREFIX declarations, then set the form from the first keyword after them."""
        if self.expect == "keyword" and kind == "word":
            if _BASE.fullmatch(text):
                self.expect = "base"
                return
            if _PREFIX.match(text):
                if len(text) == 6:
                    self.expect = "prefix"
                    return
                if self._declare(text[6:]):  # "PREFIXex:" parses in pyoxigraph
                    return
            found = _FORM.match(text)
            self.form = "UNKNOWN" if found is None else (found.group(1) or "update").upper()
        elif self.expect == "base" and kind == "iri":
            self.base = _resolve(_iri_value(text), self.base)
            self.expect = "keyword"
        elif self.expect == "prefix" and kind == "word" and self._declare(text):
            pass
        elif self.expect == "prefix-iri" and kind == "iri":
            self.prefixes[self.label] = _resolve(_iri_value(text), self.base)
            self.longest_label = max(self.longest_label, len(self.label))
            self.expect = "keyword"
        else:
            self.form = "UNKNOWN"

    def _declare(self, namespace: str) -> bool:
        if not namespace.endswith(":") or ":" in namespace[:-1]:
            return False
        self.label = namespace[:-1]
        self.expect = "prefix-iri"
        return True

    def advance(self, kind: str, text: str) -> None:
        """Feed the next token to every waiting SERVICE reading."""
        waiting, self.pending = self.pending, []
        for stage, explicit, silent_allowed, value, display in waiting:
            if stage == _WANT_BRACE:
                if text == "{":
                    self.shown.setdefault(value, display)
                continue
            for target in self._targets(kind, text, explicit, silent_allowed):
                if target is None:
                    self.pending.append((_WANT_TARGET, explicit, False, "", ""))
                elif explicit:
                    self.shown.setdefault(*target)
                else:
                    self.pending.append((_WANT_BRACE, False, False, *target))

    def spawn(self, word: str) -> None:
        """Start the SERVICE readings that begin inside ``word``."""
        if _SERVICE.fullmatch(word):
            self.pending.append((_WANT_TARGET, True, True, "", ""))
            return
        colon = word.find(":")
        head = word if colon < 0 else word[:colon]
        if _SERVICE.search(head) is None:
            return
        if colon < 0:  # the target is the next token: "trueSERVICE <x>", "1SERVICESILENT ?v"
            if _SERVICE.fullmatch(head[-7:]):
                self.pending.append((_WANT_TARGET, False, True, "", ""))
            elif _SERVICE_SILENT.fullmatch(head[-13:]):
                self.pending.append((_WANT_TARGET, False, False, "", ""))
            return
        local = word[colon:]
        raw_added = False
        for found in _SERVICE.finditer(head):  # "trueSERVICEex:x" may be SERVICE ex:x
            rest_length = len(head) - found.end()
            if rest_length > _MAX_SPLIT:
                if not raw_added and self.longest_label + 6 >= rest_length:
                    self.pending.append((_WANT_BRACE, False, False, word, word))
                    raw_added = True
                continue
            rest = head[found.end():]
            labels = [rest, rest[6:]] if _SILENT.match(rest) else [rest]
            for label in labels:
                target = self._pname(label + local)
                if target is not None:
                    self.pending.append((_WANT_BRACE, False, False, *target))

    def _targets(self, kind: str, text: str, explicit: bool, silent_allowed: bool) -> list[_Target]:
        """The SERVICE targets ``text`` can be, right after the keyword (or after SILENT)."""
        if kind == "iri":
            value = _resolve(_iri_value(text), self.base)
            return [(text, text) if value is None else (value, f"<{value}>")]
        if kind == "var":
            return [("?" + text[1:], "?" + text[1:])] if len(text) > 1 else []
        if kind != "word":
            return []
        found: list[_Target] = []
        if silent_allowed and _SILENT.match(text):
            if len(text) == 6:
                return [None]
            if ":" in text:
                found.append(self._pname(text[6:]))
        if ":" in text:
            found.append(self._pname(text))
        targets = [target for target in found if target is not None]
        if not targets and explicit:
            targets.append((text, text))
        return targets

    def _pname(self, word: str) -> _Target:
        """``word`` as an IRI; the raw word if its prefix cannot be resolved; None if undeclared."""
        label, _, local = word.partition(":")
        if label not in self.prefixes:
            return None
        namespace = self.prefixes[label]
        if namespace is None:
            return (word, word)
        iri = namespace + _LOCAL_ESCAPE.sub(r"\1", local)
        return (iri, f"<{iri}>")


def _iri_value(token: str) -> str:
    """The text between ``<`` and ``>`` with ``\\u`` escapes decoded, as pyoxigraph does."""
    return _IRI_ESCAPE.sub(_decode_escape, token[1:-1])


def _decode_escape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else match.group()


def _resolve(ref: str, base: str | None) -> str | None:
    """``ref`` made absolute against ``base`` (RFC 3986) where that is unambiguous, else None.

    Only bases of the form scheme://authority/path and references without dot segments are
    resolved: an allowlist check must never rest on a resolution that could differ from the engine's.
    """
    if _SCHEME.match(ref):
        return ref
    parts = _HIERARCHICAL.fullmatch(base) if base is not None else None
    if parts is None or ref.startswith("//"):
        return None
    root, path, query = parts.group(1), parts.group(2), parts.group(3) or ""
    if _DOT_SEGMENT.search(path) or _DOT_SEGMENT.search(re.split(r"[?#]", ref, maxsplit=1)[0]):
        return None
    if not ref or ref[0] == "#":
        return root + path + query + ref
    if ref[0] == "?":
        return root + path + ref
    if ref[0] == "/":
        return root + ref
    return root + (path[: path.rfind("/") + 1] if path else "/") + ref
