"""The lexical pre-check refuses what must not reach pyoxigraph: deep nesting, updates, foreign SERVICEs."""

from __future__ import annotations

import random
import time

import pytest

from server.sparql_text import QueryRejected, QueryShape, analyse, check

EX = "PREFIX ex: <http://example.org/>\n"
EVIL = "http://evil.example/sparql"
EVIL_NS = "PREFIX : <http://evil.example/> "

FORMS = {
    "select": ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    "ask": ("ASK { ?s ?p ?o }", "ASK"),
    "construct": ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    "describe": ("DESCRIBE <http://example.org/x>", "DESCRIBE"),
    "prefix prologue": (EX + "SELECT ?s WHERE { ?s a ex:Project }", "SELECT"),
    "base and prefixes": ("BASE <http://example.org/>\nPREFIX a: <a#> PREFIX : <b#>\nASK { :x a:y 1}", "ASK"),
    "comments before": ("# SELECT in a comment\n# ASK\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    "comments in prologue": ("PREFIX ex: <http://example.org/> # SELECT\n# ASK\nDESCRIBE ex:x", "DESCRIBE"),
    "keyword in string": ("ASK { ?s ?p 'SELECT' }", "ASK"),
    "lowercase select": ("select * where { ?s ?p ?o }", "SELECT"),
    "lowercase ask": ("prefix ex: <http://example.org/> ask { ex:a ?p ?o }", "ASK"),
    "lowercase construct": ("construct where { ?s ?p ?o }", "CONSTRUCT"),
    "lowercase describe": ("base <http://example.org/> describe <x>", "DESCRIBE"),
    "mixed case": ("SeLeCt ?s { ?s ?p ?o }", "SELECT"),
    "subquery in select": ("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 } }", "SELECT"),
    "subquery in construct": ("CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { ?s ?p ?o } } }", "CONSTRUCT"),
    "subquery in ask": ("ASK { { SELECT (COUNT(*) AS ?n) { ?s ?p ?o } } FILTER(?n > 0) }", "ASK"),
    "no whitespace": ("PREFIX ex:<http://example.org/>ASK{ex:a ?p ?o}", "ASK"),
    "glued keywords": ("ASKWHERE{}", "ASK"),
    "empty": ("", "UNKNOWN"),
    "blank": ("  \n\t ", "UNKNOWN"),
    "comment only": ("# SELECT * {}", "UNKNOWN"),
    "prologue only": (EX, "UNKNOWN"),
    "group first": ("{ ?s ?p ?o } SELECT", "UNKNOWN"),
    "not a keyword": ("FETCH * { ?s ?p ?o }", "UNKNOWN"),
    "string first": ("'SELECT' * {}", "UNKNOWN"),
}


@pytest.mark.parametrize(("query", "form"), FORMS.values(), ids=FORMS.keys())
def test_form(query, form):
    assert analyse(query).form == form


UPDATES = {
    "insert data": "INSERT DATA { <http://a> <http://b> <http://c> }",
    "delete data": "DELETE DATA { <http://a> <http://b> <http://c> }",
    "delete where": "DELETE WHERE { ?s ?p ?o }",
    "delete insert": "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "load": "LOAD <http://example.org/data.ttl> INTO GRAPH <http://example.org/g>",
    "clear": "CLEAR ALL",
    "drop": "DROP SILENT GRAPH <http://example.org/g>",
    "create": "CREATE GRAPH <http://example.org/g>",
    "add": "ADD <http://example.org/a> TO <http://example.org/b>",
    "move": "MOVE DEFAULT TO <http://example.org/g>",
    "copy": "COPY <http://example.org/g> TO DEFAULT",
    "with": "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "lowercase": "insert data { <http://a> <http://b> <http://c> }",
    "after prologue": EX + "# a comment\ndrop all",
    "select in body": "INSERT { ?s ?p ?o } WHERE { SELECT * { ?s ?p ?o } }",
}


@pytest.mark.parametrize("query", UPDATES.values(), ids=UPDATES.keys())
def test_update_is_detected_and_rejected(query):
    assert analyse(query).form == "UPDATE"
    with pytest.raises(QueryRejected, match="^SPARQL Update is not allowed on this read-only endpoint$"):
        check(query)


DEPTHS = {
    "flat": ("SELECT * { ?s ?p ?o }", 1),
    "nested groups": ("SELECT * { { ?s ?p ?o } UNION { { ?s ?p ?o } } }", 3),
    "filter parentheses": ("SELECT * { FILTER((1 + (2)) > 0) }", 4),
    "blank node and list": ("SELECT * { ?s ?p [ ?q ( 1 ( 2 ) ) ] }", 4),
    "mixed kinds": ("SELECT * { FILTER(EXISTS { ?s ?p [ ?q ?r ] }) }", 4),
    "braces in short strings": ("SELECT * { ?s ?p '{{((' . ?s ?q \"[[{{\" }", 1),
    "braces in long strings": ("SELECT * { ?s ?p '''{{\n((''' . ?s ?q \"\"\"{{'{\"\"{\"\"\" }", 1),
    "escaped quotes": (r"SELECT * { ?s ?p 'it\'s {{' . ?s ?q " + r'"say \"{{\"" }', 1),
    "parentheses in IRI": ("SELECT * { ?s <http://example.org/p(((> ?o }", 1),
    "braces in comment": ("SELECT * { # {{{ ((( [[[\n ?s ?p ?o }", 1),
    "hash in IRI is no comment": ("SELECT * { ?s <http://example.org/#x> ?o { } }", 2),
    "hash in string is no comment": ("SELECT * { ?s ?p '#x' { } }", 2),
    "escapes in prefixed name": (EX + r"SELECT * { ?s ?p ex:a\(\(\#b { } }", 2),
    "quoted triple": ("SELECT * { << ?s ?p << ?a ?b ?c >> >> ?q ?r }", 3),
    "stray closers do not hide depth": ("}}}}}} SELECT * { { } }", 2),
    "mismatched closers do not hide depth": ("SELECT * { ) ) { ] { }", 3),
    "unclosed": ("SELECT * { { {", 3),
}


@pytest.mark.parametrize(("query", "depth"), DEPTHS.values(), ids=DEPTHS.keys())
def test_depth(query, depth):
    assert analyse(query).depth == depth


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
        "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "SELECT * WHERE { ?s ?p " + "[ ?p " * 5000 + "]" * 5000 + " }",
        "SELECT * WHERE { " + "<< " * 5000 + "?s ?p ?o" + " >> ?p ?o" * 5000 + " }",
    ],
    ids=["braces", "parentheses", "brackets", "quoted triples"],
)
def test_deep_nesting_is_rejected_quickly(query):
    start = time.perf_counter()
    with pytest.raises(QueryRejected, match="^query nesting is deeper than 64 levels$"):
        check(query)
    assert time.perf_counter() - start < 0.1


def test_depth_limit_is_inclusive_and_configurable():
    def nested(n: int) -> str:
        return "SELECT * WHERE " + "{" * n + "}" * n

    assert check(nested(64)).depth == 64
    with pytest.raises(QueryRejected, match="deeper than 64 levels"):
        check(nested(65))
    assert check(nested(10), max_depth=10).depth == 10
    with pytest.raises(QueryRejected, match="deeper than 9 levels"):
        check(nested(10), max_depth=9)


def test_length_limit():
    query = "SELECT * { ?s ?p ?o }"
    assert check(query, max_length=len(query)).form == "SELECT"
    with pytest.raises(QueryRejected, match=r"^query is too long \(21 characters; the limit is 20\)$"):
        check(query, max_length=len(query) - 1)
    with pytest.raises(QueryRejected, match="limit is 1,000,000"):
        check("#" * 1_000_001)


SERVICES = {
    "full IRI": (f"SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}", (EVIL,)),
    "prefixed name": (EX + "SELECT * { SERVICE ex:sparql { ?s ?p ?o } }", ("http://example.org/sparql",)),
    "empty prefix": ("PREFIX : <http://example.org/> SELECT * { SERVICE :sparql {} }", ("http://example.org/sparql",)),
    "escaped local name": (EX + r"SELECT * { SERVICE ex:a\.b {} }", ("http://example.org/a.b",)),
    "silent": (f"SELECT * {{ SERVICE SILENT <{EVIL}> {{ }} }}", (EVIL,)),
    "silent prefixed": (EX + "SELECT * { SERVICE SILENT ex:sparql {} }", ("http://example.org/sparql",)),
    "lowercase": (f"select * {{ service silent <{EVIL}> {{ }} }}", (EVIL,)),
    "variable": ("SELECT * { BIND(<http://a> AS ?ep) SERVICE ?ep { } }", ("?ep",)),
    "dollar variable": ("SELECT * { SERVICE SILENT $ep { } }", ("?ep",)),
    "relative IRI and BASE": ("BASE <http://example.org/q/> SELECT * { SERVICE <sparql> {} }",
                              ("http://example.org/q/sparql",)),
    "relative prefix and BASE": ("BASE <http://example.org/q/x> PREFIX e: </e/> SELECT * { SERVICE e:s {} }",
                                 ("http://example.org/e/s",)),
    "relative IRI, no BASE": ("SELECT * { SERVICE <sparql> {} }", ("<sparql>",)),
    "dot segments are not resolved": ("BASE <http://example.org/a/> SELECT * { SERVICE <../b> {} }",
                                      ("<../b>",)),
    "undeclared prefix": ("SELECT * { SERVICE ex:sparql {} }", ("ex:sparql",)),
    "unicode escape in IRI": (r"SELECT * { SERVICE <http://evil.example/\u0073parql> {} }", (EVIL,)),
    "comment between": (f"SELECT * {{ SERVICE # where to?\n <{EVIL}> {{}} }}", (EVIL,)),
    "no whitespace": (f"SELECT*{{SERVICE<{EVIL}>{{}}}}", (EVIL,)),
    "several, in order, once each": (
        EX + f"SELECT * {{ SERVICE ex:a {{}} SERVICE <{EVIL}> {{ SERVICE ?v {{}} }} SERVICE ex:a {{}} }}",
        ("http://example.org/a", EVIL, "?v"),
    ),
    "after FILTER with < and >": (f"SELECT * {{ FILTER(?a < 3 && ?b > 2) SERVICE <{EVIL}> {{}} }}", (EVIL,)),
    "after <= and a path": (
        f"SELECT * {{ ?s <http://p>/<http://q>* ?o FILTER(?a <= ?b) SERVICE <{EVIL}> {{}} }}", (EVIL,),
    ),
    "after < without spaces": (f"SELECT * {{ FILTER(?a<3&&?b>2) SERVICE <{EVIL}> {{}} }}", (EVIL,)),
    "after an IRI compared with <": (f"SELECT * {{ FILTER(?a<<http://x#>) SERVICE <{EVIL}> {{}} }}", (EVIL,)),
    "after escaped # in a local name": (EX + rf"SELECT * {{ ?s ?p ex:a\#b SERVICE <{EVIL}> {{}} }}", (EVIL,)),
    "after escaped ' in a local name": (EX + rf"SELECT * {{ ?s ?p ex:a\' SERVICE <{EVIL}> {{}} }}", (EVIL,)),
    # pyoxigraph needs no word boundary around keywords: each of these really queries the target.
    "glued to a number": (f"SELECT * {{ ?s ?p 1SERVICE <{EVIL}> {{}} }}", (EVIL,)),
    "glued to true": (f"SELECT * {{ ?s ?p trueSERVICE <{EVIL}> {{}} }}", (EVIL,)),
    "glued to a dot": (f"SELECT * {{ ?s ?p ?o.SERVICE <{EVIL}> {{}} }}", (EVIL,)),
    "glued to SILENT": (f"SELECT * {{ SERVICESILENT<{EVIL}>{{}} }}", (EVIL,)),
    "glued to the target": (EVIL_NS + "SELECT * { ?s ?p trueSERVICE:sparql {} }", (EVIL,)),
    "glued SILENT and target": (EVIL_NS + "SELECT * { SERVICESILENT:sparql {} }", (EVIL,)),
}


@pytest.mark.parametrize(("query", "services"), SERVICES.values(), ids=SERVICES.keys())
def test_service_targets(query, services):
    assert analyse(query).services == services


NOT_SERVICES = {
    "in short string": f"SELECT * {{ ?s ?p 'SERVICE <{EVIL}> {{}}' }}",
    "in double-quoted string": f'SELECT * {{ ?s ?p "SERVICE <{EVIL}> {{}}" }}',
    "in long string": f"SELECT * {{ ?s ?p '''\nSERVICE <{EVIL}> {{}}\n''' }}",
    "in long double-quoted string": f'SELECT * {{ ?s ?p """x"" SERVICE <{EVIL}> {{}}""" }}',
    "in comment": f"SELECT * {{ ?s ?p ?o }} # SERVICE <{EVIL}> {{}}",
    "in comment ended by CR": f"SELECT * {{ ?s ?p ?o # SERVICE <{EVIL}> {{}}\r}}",
    "in IRI": "SELECT * { ?s <http://example.org/SERVICE> ?o }",
    "variable named service": "SELECT ?service { ?service ?p ?o }",
    "local name service": EX + "SELECT * { ?s ex:service ex:Service . ex:SERVICE ?p ?o }",
    "prefix named service": "PREFIX service: <http://example.org/> SELECT * { ?s service:p ?o }",
    "language tag": "SELECT * { ?s ?p 'x'@service }",
    "word containing service": "SELECT * { ?s ?p ?o } # serviceable\n",
}


@pytest.mark.parametrize("query", NOT_SERVICES.values(), ids=NOT_SERVICES.keys())
def test_no_service_where_there_is_none(query):
    assert analyse(query).services == ()
    check(query)


def test_service_allowlist():
    allowed = "http://example.org/sparql"
    by_iri = f"SELECT * {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}"
    by_name = EX + "SELECT * { SERVICE SILENT ex:sparql { ?s ?p ?o } }"
    assert check(by_iri, service_allowlist=[allowed]).services == (allowed,)
    assert check(by_name, service_allowlist={allowed, EVIL}).services == (allowed,)
    assert check(by_name, service_allowlist=[f"<{allowed}>"]).services == (allowed,)
    with pytest.raises(QueryRejected, match=f"^SERVICE <{allowed}> is not allowed$"):
        check(by_name)
    with pytest.raises(QueryRejected, match=f"^SERVICE <{EVIL}> is not allowed$"):
        check(f"SELECT * {{ SERVICE <{allowed}> {{}} SERVICE <{EVIL}> {{}} }}", service_allowlist=[allowed])
    with pytest.raises(QueryRejected, match="^SERVICE <http://example.org/sparql/> is not allowed$"):
        check("SELECT * { SERVICE <http://example.org/sparql/> {} }", service_allowlist=[allowed])
    with pytest.raises(QueryRejected, match="^SERVICE ex:sparql is not allowed$"):
        check("SELECT * { SERVICE ex:sparql {} }", service_allowlist=[allowed])


def test_variable_service_needs_a_wildcard():
    query = "SELECT * { VALUES ?ep { <http://example.org/sparql> } SERVICE ?ep { ?s ?p ?o } }"
    with pytest.raises(QueryRejected, match=r"^SERVICE \?ep is not allowed$"):
        check(query, service_allowlist=["http://example.org/sparql"])
    assert check(query, service_allowlist=["*"]).services == ("?ep",)
    assert check(f"SELECT * {{ SERVICE <{EVIL}> {{}} }}", service_allowlist=["*"]).services == (EVIL,)


def test_long_target_is_shortened_in_the_message():
    query = "SELECT * { SERVICE <http://example.org/" + "x" * 10_000 + "> {} }"
    with pytest.raises(QueryRejected) as caught:
        check(query)
    assert len(str(caught.value)) < 250
    assert str(caught.value).endswith("... is not allowed")


def test_plain_query_passes():
    shape = check(EX + "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s a ex:Project ; ex:year ?y FILTER(?y >= 2021) } "
                  "GROUP BY ?s ORDER BY DESC(?n) LIMIT 10")
    assert shape == QueryShape(form="SELECT", depth=2, services=())


UNTERMINATED = [
    "SELECT * { ?s ?p 'abc",
    'SELECT * { ?s ?p "abc',
    "SELECT * { ?s ?p '''abc\n{{{",
    'SELECT * { ?s ?p """abc\n{{{',
    "SELECT * { ?s ?p '''abc\\",
    "SELECT * { ?s ?p 'abc\\",
    "SELECT * { ?s <http://example.org/",
    "SELECT * { ?s <http://example.org/ SERVICE",
    "SELECT * { ?s ?p ?o } # comment without newline",
    "SELECT * { SERVICE",
    "SELECT * { SERVICE SILENT",
    "SELECT * { SERVICE ex:",
    "PREFIX",
    "PREFIX ex:",
    "PREFIX ex: <http://example.org/",
    "BASE",
    "BASE <",
    "<",
    "<<",
    ">>",
    "\\",
    "'",
    '"',
    "'''",
    '"""',
    "#",
    "?",
    "@",
    "\\u0053ELECT",
    "SELECT * { SERVICE <http://example.org/\\U0011FFFF> {} }",
    "BASE <http://[::1/> SELECT * { SERVICE <x> {} }",
    "SELECT * { ?s ?p '\ud800' } \x00 \u2028 \ufeff",
]


@pytest.mark.parametrize("query", UNTERMINATED)
def test_unterminated_input_is_not_an_error(query):
    shape = analyse(query)
    assert shape.form in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE", "UNKNOWN"}
    try:
        check(query)
    except QueryRejected:
        pass


def test_unterminated_short_string_ends_at_the_line():
    query = f"SELECT * {{ ?s ?p 'abc\n SERVICE <{EVIL}> {{}} }}"
    assert analyse(query).services == (EVIL,)


@pytest.mark.parametrize(
    "query",
    [
        "'''" + "x" * 300_000,
        "<a" * 150_000,
        "'" * 300_000,
        "\\" * 300_000,
        "SERVICE" * 40_000 + ":x {}",
        "PREFIX : <http://x/> SELECT * {" + "trueSERVICE:x {} " * 15_000,
        "<<" * 150_000,
    ],
    ids=["long string", "less-than", "quotes", "backslashes", "glued keywords", "glued targets", "quoted"],
)
def test_pathological_input_is_linear(query):
    start = time.perf_counter()
    analyse(query)
    assert time.perf_counter() - start < 2.0  # quadratic behaviour would take minutes


FUZZ_ALPHABET = [
    "{", "}", "(", ")", "[", "]", "<", ">", "<<", ">>", "<=", "'", '"', "'''", '"""', "#", "\\", "\\'",
    "\n", "\r", " ", "\t", "?", "$", ":", ".", ";", ",", "@", "^^", "|", "&&", "*", "a", "x", "1",
    "SERVICE", "service", "SILENT", "PREFIX", "BASE", "SELECT", "ask", "CONSTRUCT", "DESCRIBE", "INSERT",
    "WITH", "FILTER", "true", "ex:", "ex:a", ":", "_:b", "?v", "<http://example.org/>", "<x>", "\\u0041",
    "\\U0011FFFF", "é", "\u3000", "\ud800", "\x00", "\U0001F600",
]


def test_fuzz_never_raises_anything_but_query_rejected():
    rnd = random.Random(20240611)
    for _ in range(2000):
        query = "".join(rnd.choice(FUZZ_ALPHABET) for _ in range(rnd.randrange(60)))
        shape = analyse(query)
        assert shape.form in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE", "UNKNOWN"}
        assert shape.depth >= 0 and all(isinstance(target, str) for target in shape.services)
        try:
            check(query, max_depth=8, max_length=50, service_allowlist=["http://example.org/"])
        except QueryRejected as error:
            assert str(error)


DATASETS = {
    "from": ("SELECT * FROM <http://ex/g> { ?s ?p ?o }", True),
    "from named": ("SELECT * FROM NAMED <http://ex/g> { GRAPH ?g { ?s ?p ?o } }", True),
    "lower case, glued": ("select*from<http://ex/g>{?s ?p ?o}", True),
    "glued named": ("SELECT * FROMNAMED<http://ex/g> { GRAPH ?g { ?s ?p ?o } }", True),
    "construct": ("CONSTRUCT { ?s ?p ?o } FROM <http://ex/g> WHERE { ?s ?p ?o }", True),
    "none": ("SELECT * { ?s ?p ?o }", False),
    "in a comment": ("SELECT * { ?s ?p ?o } # FROM <http://ex/g>", False),
    "in strings": ("SELECT * { ?s ?p 'FROM' , \"from\" , '''\nFROM <x>''' }", False),
    "in an IRI": ("SELECT * { ?s <http://ex/FROM> ?o }", False),
    "as a variable": ("SELECT ?from ?$FROM { ?s ?p ?from }", False),
    "in prefixed names": ("PREFIX from: <http://ex/> SELECT * { from:x ?p from:FROM }", False),
}


@pytest.mark.parametrize(("query", "declares"), DATASETS.values(), ids=DATASETS.keys())
def test_from_clause_is_found_outside_comments_strings_and_iris(query, declares):
    assert analyse(query).declares_dataset is declares
