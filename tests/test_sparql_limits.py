"""Limits of the real server (granian) under hostile or careless input: timeouts, nesting, SERVICE,
row cap, result cache, and a fuzz run that must never get a 5xx or a dropped connection.

The server is the session's ``limited_server`` (conftest): a 1 s query timeout (5 s on a remote
engine), a 100-row cap, no result cache; its output goes to a file, so that its access log can
never fill a pipe and block it.
The same limits with the result cache on are an app in this process (``cached``), for comparison.
"""

from __future__ import annotations

import collections
import csv
import io
import os
import random
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from conftest import (
    LIMITED_MAX_ROWS,
    LIMITED_QUERY_TIMEOUT,
    LIMITED_WEB_WORKERS,
    LiveServer,
    backend_settings,
    http,
    start_server,
    stop_server,
)
from wsgi_transport import WSGIAdapter

from kg.config import DEFAULTS

TIMEOUT = 30  # seconds, on every request
QUERY_TIMEOUT = LIMITED_QUERY_TIMEOUT
MAX_ROWS = LIMITED_MAX_ROWS
BASE = "https://w3id.org/smartcity-kg/"
PREFIXES = (f"PREFIX sckg: <{BASE}ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = PREFIXES + 'SELECT ?m WHERE { ?m rdfs:label "高松市"@ja }'
TAKAMATSU = BASE + "id/municipality/372013"
CLK_TCK = os.sysconf("SC_CLK_TCK")

pytestmark = pytest.mark.slow  # a live server
Server = LiveServer


def _server_log(server: Server, lines: int = 40) -> str:
    """The server's latest output other than access-log lines (errors, tracebacks), for failure messages."""
    output = Path(server.process.log_path).read_text(errors="replace").splitlines()
    return "\n".join([line for line in output if not line.startswith("127.0.0.1 - ")][-lines:])


@pytest.fixture(scope="module")
def limited(limited_server) -> Server:
    """1 s timeout (3 s remote), 100 rows at most, no result cache: every query reaches a worker."""
    return limited_server


@pytest.fixture(scope="module")
def cached(kg, kg_root, remote_engine) -> Server:
    """The same limits with the result cache on: an app in this process, reached through ``http``."""
    from server import create_app

    app = create_app({"STORE": str(kg_root / "store"), "TESTING": True, "QUERY_TIMEOUT": QUERY_TIMEOUT,
                      "MAX_ROWS": MAX_ROWS, "CACHE": True, "QUERY_WORKERS": 1,
                      **backend_settings(remote_engine)})
    base = "http://cached.test"
    http.mount(base + "/", WSGIAdapter(app))
    try:
        yield Server(None, base)
    finally:
        http.adapters.pop(base + "/", None)
        app.extensions["kg_engine"].close()


# --- /proc helpers -------------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (field 3, the state, is index 0)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children[int(fields[1])].append(int(entry))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _query_workers(server: Server) -> set[int]:
    """The engine's worker processes (multiprocessing "spawn" children) of the server."""
    workers = set()
    for pid in _descendants(server.process.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            workers.add(pid)
    return workers


def _cpu_seconds(pids: set[int]) -> dict[int, float]:
    times = {}
    for pid in pids:
        fields = _stat(pid)
        if fields is not None and fields[0] != "Z":
            times[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    return times


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


# --- timeouts ------------------------------------------------------------------------------------

def test_runaway_query_times_out_while_a_simple_query_answers(limited):
    def runaway() -> tuple[requests.Response, float]:
        started = time.monotonic()
        response = requests.get(limited.sparql, params={"query": RUNAWAY}, timeout=TIMEOUT)
        return response, time.monotonic() - started

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(runaway)
        time.sleep(0.3)  # the runaway holds a worker now
        started = time.monotonic()
        simple = requests.get(limited.sparql, params={"query": SIMPLE}, timeout=TIMEOUT)
        simple_seconds = time.monotonic() - started
        assert not future.done(), "the runaway query finished before the simple one was sent"
        response, seconds = future.result(timeout=TIMEOUT)

    assert simple.status_code == 200
    assert simple.json()["results"]["bindings"] == [{"m": {"type": "uri", "value": TAKAMATSU}}]
    assert simple_seconds < 0.5, f"a simple query took {simple_seconds:.2f} s beside a runaway one"
    assert response.status_code == 503, response.text
    assert f"did not finish within {QUERY_TIMEOUT:g} s" in response.text
    assert "Traceback" not in response.text
    assert QUERY_TIMEOUT * 0.9 <= seconds < QUERY_TIMEOUT + 2, f"503 after {seconds:.2f} s"


@pytest.mark.embedded_only  # query processes are the embedded engine's; a remote one has its own
def test_no_query_process_keeps_burning_cpu_after_a_timeout(limited):
    workers_before = _query_workers(limited)
    expected = LIMITED_WEB_WORKERS * DEFAULTS["QUERY_WORKERS"]  # each web process has its own
    assert len(workers_before) == expected, workers_before
    response = requests.get(limited.sparql, params={"query": RUNAWAY}, timeout=TIMEOUT)
    assert response.status_code == 503

    gone = {pid for pid in workers_before if not _alive(pid)}
    assert len(gone) == 1, "the worker that ran the runaway query was not stopped"

    # Over a 1 s window a spinning process would use ~1 s of CPU. The replacement worker uses some
    # while it opens the store, so a few windows are allowed for it to settle.
    for _window in range(6):
        pids = _descendants(limited.process.pid) | {limited.process.pid}
        before = _cpu_seconds(pids)
        time.sleep(1.0)
        after = _cpu_seconds(pids)
        used = {pid: after[pid] - before[pid] for pid in after if pid in before}
        if max(used.values(), default=0.0) < 0.3:
            break
    else:
        pytest.fail(f"server processes still busy a few seconds after the timeout: {used} (s of CPU per s)\n"
                    f"{_server_log(limited)}")
    assert len(_query_workers(limited)) == expected, "the stopped worker was not replaced"
    assert requests.get(limited.sparql, params={"query": SIMPLE}, timeout=TIMEOUT).status_code == 200


# --- nesting -------------------------------------------------------------------------------------

DEEP = "SELECT * WHERE " + "{" * 5000 + "}" * 5000  # ~10 kB


@pytest.mark.parametrize("query", [
    DEEP,
    "SELECT * WHERE " + "{" * 10_000,
    "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * WHERE { ?s ?p " + "[ ?p " * 3000 + "1" + " ]" * 3000 + " }",
    "SELECT * WHERE { ?s ?p " + "<<( " * 2000 + "?a ?b ?c" + " )>>" * 2000 + " }",
], ids=["braces", "unclosed", "parentheses", "blank-nodes", "triple-terms"])
def test_deeply_nested_query_is_400_and_the_server_stays_up(limited, query):
    workers = _query_workers(limited)
    direct = requests.post(limited.sparql, data=query.encode(),
                           headers={"Content-Type": "application/sparql-query"}, timeout=TIMEOUT)
    form = requests.post(limited.sparql, data={"query": query}, timeout=TIMEOUT)
    assert (direct.status_code, form.status_code) == (400, 400), direct.text
    assert "nesting" in direct.text
    assert requests.get(limited.sparql, params={"query": SIMPLE}, timeout=TIMEOUT).status_code == 200
    assert _query_workers(limited) == workers, "a query worker died"


def test_nesting_within_the_limit_is_answered(limited):
    query = "SELECT * WHERE " + "{" * 60 + "BIND(1 AS ?x)" + "}" * 60
    response = requests.get(limited.sparql, params={"query": query}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text + "\n" + _server_log(limited)


# --- SERVICE -------------------------------------------------------------------------------------

class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.port = self.socket.getsockname()[1]
        self.connections: list[tuple] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="service-listener", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, address = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(address)
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.socket.close()


@pytest.fixture()
def listener():
    listening = Listener()
    yield listening
    listening.close()


def _service_queries(port: int) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}/sparql"
    return {
        "iri": f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "silent": f"SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "prefixed": f"PREFIX ex: <http://127.0.0.1:{port}/> SELECT * {{ SERVICE ex:sparql {{ ?s ?p ?o }} }}",
        "variable": f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "silent variable": f"SELECT * {{ BIND(IRI(\"{url}\") AS ?e) SERVICE SILENT ?e {{ ?s ?p ?o }} }}",
        "relative to BASE": f"BASE <http://127.0.0.1:{port}/> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "lower case, comment": f"select * {{ service # hidden\n <{url}> {{ ?s ?p ?o }} }}",
        "in OPTIONAL of ASK": f"ASK {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "in CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "glued keyword": f"SELECT * {{ ?s ?p true SERVICE <{url}> {{ ?s ?p ?o }} }}",
    }


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_service_is_refused_without_any_connection(limited, listener, how):
    statuses = {}
    for name, query in _service_queries(listener.port).items():
        if how == "get":
            response = requests.get(limited.sparql, params={"query": query}, timeout=TIMEOUT)
        elif how == "form":
            response = requests.post(limited.sparql, data={"query": query}, timeout=TIMEOUT)
        else:
            response = requests.post(limited.sparql, data=query.encode(),
                                     headers={"Content-Type": "application/sparql-query"}, timeout=TIMEOUT)
        statuses[name] = response.status_code
        if response.status_code == 400:
            assert "SERVICE" in response.text, (name, response.text)
    time.sleep(0.3)  # a connection made in the background would be accepted by now
    assert listener.connections == [], f"the server connected to the SERVICE target: {listener.connections}"
    assert all(status == 400 for status in statuses.values()), statuses


def test_service_in_a_string_or_comment_is_not_a_service(limited, listener):
    url = f"http://127.0.0.1:{listener.port}/sparql"
    query = f'SELECT ?x {{ BIND("SERVICE <{url}> {{" AS ?x) }} # SERVICE <{url}> {{ }}'
    response = requests.get(limited.sparql, params={"query": query}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text + "\n" + _server_log(limited)
    time.sleep(0.1)
    assert listener.connections == []


# --- row cap -------------------------------------------------------------------------------------

def _csv_rows(response: requests.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))[1:]


@pytest.mark.parametrize("accept", ["text/csv", "application/sparql-results+json",
                                    "application/sparql-results+xml", "text/tab-separated-values"])
def test_row_cap_cuts_and_says_so(limited, accept):
    response = requests.get(limited.sparql, params={"query": "SELECT * { ?s ?p ?o }"},
                            headers={"Accept": accept}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text + "\n" + _server_log(limited)
    assert response.headers.get("X-Result-Truncated") == f"max-rows={MAX_ROWS}"
    if accept == "text/csv":
        assert len(_csv_rows(response)) == MAX_ROWS
    elif accept.endswith("json"):
        assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    elif accept.endswith("xml"):
        assert response.text.count("<result>") == MAX_ROWS
        assert response.text.endswith("</results></sparql>")
    else:
        # literals are escaped in TSV, so each row is one line
        assert len(response.text.splitlines()) == MAX_ROWS + 1


def test_row_cap_on_triples(limited):
    # ~360 triples, over the cap of 100: small enough for the time limit on every backend (Virtuoso
    # builds a whole CONSTRUCT before its first byte; the whole store took it 1.8 s on a busy machine)
    query = PREFIXES + "CONSTRUCT WHERE { ?s a sckg:AdoptedProject ; ?p ?o }"
    response = requests.get(limited.sparql, params={"query": query},
                            headers={"Accept": "application/n-triples"}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text + "\n" + _server_log(limited)
    assert response.headers.get("X-Result-Truncated") == f"max-rows={MAX_ROWS}"
    assert len(response.text.splitlines()) == MAX_ROWS


@pytest.mark.parametrize(("limit", "truncated"), [(50, False), (MAX_ROWS, False), (MAX_ROWS + 1, True)])
def test_row_cap_boundary(limited, limit, truncated):
    response = requests.get(limited.sparql, params={"query": f"SELECT * {{ ?s ?p ?o }} LIMIT {limit}"},
                            headers={"Accept": "text/csv"}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text + "\n" + _server_log(limited)
    assert ("X-Result-Truncated" in response.headers) is truncated
    assert len(_csv_rows(response)) == min(limit, MAX_ROWS)


# --- result cache --------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    PREFIXES + "SELECT ?p ?label { ?p a sckg:AdoptedProject ; rdfs:label ?label } ORDER BY ?p ?label",
    # cut by the row cap (about 400 rows; small enough to sort within the time limit on any backend)
    PREFIXES + "SELECT ?s ?p ?o { ?s a sckg:AdoptedProject ; ?p ?o } ORDER BY ?s ?p ?o",
    f"DESCRIBE <{TAKAMATSU}>",
], ids=["projects", "truncated", "describe"])
def test_cache_off_and_on_answer_identically(limited, cached, query):
    answers = []
    for server in (limited, cached, limited, cached):
        accept = "application/n-triples" if "DESCRIBE" in query else "text/csv"
        response = http.get(server.sparql, params={"query": query}, headers={"Accept": accept},
                            timeout=TIMEOUT)
        assert response.status_code == 200, response.text + "\n" + _server_log(limited)
        answers.append((response.content, response.headers["Content-Type"], response.headers["ETag"],
                        response.headers.get("X-Result-Truncated")))
    assert len(set(answers)) == 1, [a[1:] for a in answers]
    assert answers[0][0]


# --- raw HTTP: bytes an HTTP library would not send ----------------------------------------------

@dataclass
class Answer:
    request: str
    status: int | None
    body: bytes = b""
    error: str = ""


def _valid_request_line(request: bytes) -> bool:
    """Whether the request line is well-formed HTTP (method, target without spaces or raw bytes, version)."""
    line = request.split(b"\r\n", 1)[0]
    return len(line.split(b" ")) == 3 and all(0x21 <= byte < 0x7F or byte == 0x20 for byte in line)


def _raw_exchange(base: str, request: bytes, label: str) -> Answer:
    """Send ``request`` (complete bytes, ``Connection: close``) and read the whole answer.

    A request whose request line is not HTTP at all is refused by the HTTP server itself, which closes
    the connection at once; a reset is then an acceptable answer (``garbage``).
    """
    parts = urlsplit(base)
    garbage = not _valid_request_line(request)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT) as connection:
            connection.sendall(request)
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
    except OSError as exc:  # reset, refused, timed out
        if garbage and isinstance(exc, ConnectionResetError):
            return Answer(label, 400, error="reset after a request line that is not HTTP")
        return Answer(label, None, error=f"{type(exc).__name__}: {exc}")
    data = b"".join(chunks)
    while True:
        head, _, body = data.partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].split()
        if len(status_line) < 2 or not status_line[1].isdigit():
            return Answer(label, None, data[:300], error="no HTTP status line")
        if not status_line[1].startswith(b"1"):
            return Answer(label, int(status_line[1]), body)
        data = body  # an interim answer (100 Continue): the final one follows


def _http_request(base: str, method: str, target: bytes, headers: list[tuple[bytes, bytes]],
                  body: bytes | None) -> bytes:
    host = urlsplit(base).netloc.encode()
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: " + host, b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    if body is not None:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")


@pytest.mark.parametrize("target", [b"/sparql?query=ASK%7B%7D&default-graph-uri=\xff",
                                    b"/sparql?query=ASK%20%7B%7D%20%23\xe9t\xe9",
                                    b"/sparql?\xff=1&query=ASK%7B%7D"],
                         ids=["graph-iri", "latin-1-comment", "parameter-name"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_non_utf8_bytes_in_the_url_are_a_client_error(limited, method, target):
    """Raw bytes that are not UTF-8 in the query string (Latin-1 ``é``, ``\\xff``) are the client's fault."""
    body = b"ASK {}" if method == "POST" else None
    headers = [(b"Content-Type", b"application/sparql-query")] if body else []
    answer = _raw_exchange(limited.base, _http_request(limited.base, method, target, headers, body), "")
    assert answer.status is not None, answer.error
    assert 400 <= answer.status < 500, (answer.status, answer.body[:200])


@pytest.mark.parametrize(("method", "target", "content_type", "size", "expected"), [
    ("POST", b"/sparql", b"text/plain", 20_000, 415),
    ("PUT", b"/sparql", b"application/sparql-query", 20_000, 405),
    ("POST", b"/sparql?query=ASK%7B%7D", b"application/sparql-query", 20_000, 400),
    ("POST", b"/sparql", b"application/sparql-query", 1_000_100, 413),
], ids=["415", "405", "400", "413"])
def test_an_early_answer_reaches_a_client_that_closes(limited, method, target, content_type, size, expected):
    """A client sending ``Connection: close`` with a body the server never reads still gets the answer
    (not a TCP reset that discards it; RFC 9112 §9.6)."""
    request = _http_request(limited.base, method, target, [(b"Content-Type", content_type)], b"x" * size)
    answer = _raw_exchange(limited.base, request, "")
    assert answer.status == expected, answer.error or answer.body[:200]


# --- fuzz ----------------------------------------------------------------------------------------

SEEDS = [
    SIMPLE,
    PREFIXES + "SELECT ?p ?label WHERE { ?p a sckg:AdoptedProject ; rdfs:label ?label } ORDER BY ?p LIMIT 5",
    PREFIXES + 'ASK { ?m rdfs:label "高松市"@ja }',
    f"DESCRIBE <{TAKAMATSU}>",
    PREFIXES + f"CONSTRUCT {{ <{TAKAMATSU}> rdfs:label ?l }} WHERE {{ <{TAKAMATSU}> rdfs:label ?l }}",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    PREFIXES + 'SELECT * FROM <https://w3id.org/smartcity-kg/graph/curated> WHERE { ?i a sckg:RegionalIssue '
               'OPTIONAL { ?i rdfs:label ?l FILTER(langMatches(lang(?l), "ja")) } } LIMIT 10',
    'SELECT (STRLEN("a\\"b") AS ?n) (1 + 2 * 3 AS ?m) (<http://ex/#x> AS ?i) { VALUES ?v { 1 2.5 "x"@en } }',
    "SELECT * { ?s ?p ?o FILTER(REGEX(STR(?o), '^高', 'i')) } LIMIT 3",
    'PREFIX ex: <http://example.org/> SELECT * { BIND(<<( ex:s ex:p "o" )>> AS ?t) } # comment {',
]
ALPHABET = "{}()[]<>?$\"'#.;,@^:_\\/*+-=!|&0123456789 \n\tabcdefxyzSELECTWHERE高松\x00\x7f\u200b\U0001F600"
OP_NAMES = ["delete", "insert", "duplicate", "swap"]


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        operation = rng.choice(OP_NAMES)
        i = rng.randrange(len(text) + 1)
        if operation == "delete" and text:
            text = text[:i] + text[i + rng.randint(1, 6):]
        elif operation == "insert":
            text = text[:i] + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 4))) + text[i:]
        elif operation == "duplicate" and text:
            j = rng.randrange(len(text))
            text = text[:i] + text[j:j + rng.randint(1, 20)] + text[i:]
        elif operation == "swap" and len(text) > 1:
            j = rng.randrange(len(text))
            chars = list(text)
            chars[min(i, len(text) - 1)], chars[j] = chars[j], chars[min(i, len(text) - 1)]
            text = "".join(chars)
    return text


def _mutated_query_request(rng: random.Random, base: str) -> tuple[str, bytes]:
    query = _mutate(rng, rng.choice(SEEDS))
    encoded = query.encode("utf-8", "surrogatepass")
    how = rng.choice(["get", "form", "direct"])
    accept = [(b"Accept", rng.choice([b"*/*", b"text/csv", b"application/sparql-results+xml",
                                      b"text/turtle"]))]
    if how == "get":
        request = _http_request(base, "GET", b"/sparql?query=" + quote(encoded).encode(), accept, None)
    elif how == "form":
        request = _http_request(base, "POST", b"/sparql",
                                [(b"Content-Type", b"application/x-www-form-urlencoded"), *accept],
                                b"query=" + quote(encoded).encode())
    else:
        request = _http_request(base, "POST", b"/sparql",
                                [(b"Content-Type", b"application/sparql-query"), *accept], encoded)
    return f"{how} {query!r}", request


PARAM_VALUES = {
    "query": [b"ASK {}", b"SELECT * { ?s ?p ?o } LIMIT 2", b"", b"%FF%FE", b"\xff\xfe", b"%E9%AB%98",
              b"ASK%20%7B%7D", b"%zz", b"CLEAR ALL", b"DESCRIBE <http://example.org/>", b"x" * 3000],
    "default-graph-uri": [b"", b"not an iri", b"https%3A%2F%2Fw3id.org%2Fsmartcity-kg%2Fgraph%2Fcurated",
                          b"%FF", b"urn:x", b"http://[::1", b"\xff"],
    "named-graph-uri": [b"", b"urn:x", b"::", b"%00",
                        b"https%3A%2F%2Fw3id.org%2Fsmartcity-kg%2Fgraph%2Fvoid"],
    "format": [b"", b"csv", b"json", b"turtle", b"image%2Fpng", b"%FF", b"xml", b"rdf%2Bxml", b"n3"],
    "update": [b"CLEAR ALL", b""],
    "%FF": [b"%FE"],
    "": [b""],
}
CONTENT_TYPES = [b"application/x-www-form-urlencoded", b"application/sparql-query", b"text/plain",
                 b"multipart/form-data", b"multipart/form-data; boundary=x", b"application/json", b"",
                 b"application/sparql-query; charset=latin-1",
                 b"application/x-www-form-urlencoded; charset=utf-16",
                 b"application/sparql-update", b"*/*", b"\xff/\xfe", b"application/sparql-query;;;=="]
ACCEPTS = [b"*/*", b"", b"image/png", b"text/csv;q=0.5, application/sparql-results+xml;q=0.9",
           b"*/*;q=2", b";;;,,", b"application/json;q=nan", b"text/*;level=1;q=0.3", b"\xff\xfe",
           b"text/turtle, " * 500]
EXTRA_HEADERS = [(b"If-None-Match", b"garbage"), (b"If-None-Match", b"*"),
                 (b"If-Modified-Since", b"yesterday"),
                 (b"If-Modified-Since", b"Thu, 01 Jan 1970 00:00:00 GMT"), (b"Origin", b"null"),
                 (b"Origin", b"\xff"), (b"X-Huge", b"a" * 7000), (b"Range", b"bytes=0-10"),
                 (b"Transfer-Encoding", b"identity"), (b"Expect", b"100-continue"),
                 (b"Accept-Charset", b"iso-8859-1"), (b"Accept-Encoding", b"gzip, br")]
BODIES = [b"", b"query=ASK%20%7B%7D", b"ASK {}", b"\xff\xfe\x00A\x00S\x00K", b"query=\xff&query=\xfe",
          b"query=ASK{}&format=tsv&default-graph-uri=urn:x", b"%%%%&&&===", b"query=" + b"%7B" * 2000,
          b"update=CLEAR%20ALL", "ASK { ?s ?p \"高\" }".encode("shift_jis"), b"\x00" * 100]


def _parameter_request(rng: random.Random, base: str) -> tuple[str, bytes]:
    params = []
    for _ in range(rng.randint(0, 6)):
        name = rng.choice(list(PARAM_VALUES))
        for _ in range(rng.choice([1, 1, 1, 2, 3, 40])):  # repeated parameters
            params.append(name.encode() + b"=" + rng.choice(PARAM_VALUES[name]))
    target = b"/sparql" + (b"?" + b"&".join(params) if params else b"")
    if len(target) > 6000:
        target = target[:6000]
    method = rng.choice(["GET", "GET", "POST", "POST", "POST", "HEAD", "OPTIONS", "PUT", "PATCH", "FOO"])
    headers = [(b"Accept", rng.choice(ACCEPTS))]
    headers += rng.sample(EXTRA_HEADERS, rng.randint(0, 3))
    headers += [(f"X-Filler-{i}".encode(), b"v" * rng.randint(0, 100)) for i in range(rng.choice([0, 0, 40]))]
    body = None
    if method in ("POST", "PUT", "PATCH") or rng.random() < 0.1:
        headers.append((b"Content-Type", rng.choice(CONTENT_TYPES)))
        body = rng.choice(BODIES)
    if any(name == b"Expect" for name, _ in headers) and body is None:
        body = b""
    return f"{method} {target[:200]!r} {headers[:4]!r} body={body[:60] if body else body!r}", \
        _http_request(base, method, target, headers, body)


def _acceptable(answer: Answer) -> bool:
    if answer.status is None:
        return False
    if answer.status == 503:
        return b"did not finish within" in answer.body
    return answer.status < 500


def test_fuzz_never_5xx_never_a_reset(limited):
    rng = random.Random(20240611)
    requests_to_send = [_mutated_query_request(rng, limited.base) for _ in range(300)]
    requests_to_send += [_parameter_request(rng, limited.base) for _ in range(100)]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda item: _raw_exchange(limited.base, item[1], item[0]), requests_to_send))

    bad = [a for a in answers if not _acceptable(a)]
    statuses = collections.Counter(a.status for a in answers)
    report = "\n".join(f"{a.status} {a.error} {a.request[:300]} -> {a.body[:200]!r}" for a in bad[:20])
    assert not bad, (f"{len(bad)} bad answers of {len(answers)} ({dict(statuses)}):\n{report}\n"
                     f"server log:\n{_server_log(limited)}")
    assert statuses[200] > 20, statuses  # the fuzz also reached the engine with valid queries
    health = requests.get(limited.base + "/healthz", timeout=TIMEOUT)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert requests.get(limited.sparql, params={"query": SIMPLE}, timeout=TIMEOUT).status_code == 200
    assert limited.process.poll() is None


# --- access log ----------------------------------------------------------------------------------

def test_access_log_writes_one_combined_format_line_per_request(limited):
    agent = f'probe-{random.randrange(10**9)} "quoted" \\ agent'
    response = requests.get(limited.base + "/healthz?x=1", timeout=TIMEOUT,
                            headers={"User-Agent": agent, "Referer": "http://example.org/"})
    assert response.status_code == 200, response.text + "\n" + _server_log(limited)
    deadline = time.monotonic() + 5
    while True:
        output = Path(limited.process.log_path).read_text(errors="replace")
        lines = [line for line in output.splitlines() if agent.split()[0] in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(lines) == 1, lines
    escaped_agent = agent.replace("\\", "\\\\").replace('"', '\\"')
    pattern = (r'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
               r'"GET /healthz\?x=1 HTTP/1\.1" '
               rf'200 {len(response.content)} "http://example\.org/" "{re.escape(escaped_agent)}"')
    assert re.fullmatch(pattern, lines[0]), lines[0]


@pytest.mark.slow
def test_gunicorn_runs_the_same_app_with_the_same_access_log(kg, kg_root):
    """``--http-server gunicorn``: the other real server for the same app (granian is the default)."""
    process, base = start_server(kg_root / "store", "--http-server", "gunicorn", "--workers", "1",
                                 "--query-workers", "1")
    try:
        response = requests.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=TIMEOUT,
                                headers={"User-Agent": "gunicorn-probe", "Accept": "application/json"})
        assert response.status_code == 200 and response.json()["boolean"] is True
        assert response.headers["Server"].startswith("gunicorn")
        deadline = time.monotonic() + 5
        while True:
            output = Path(process.log_path).read_text(errors="replace")
            lines = [line for line in output.splitlines() if "gunicorn-probe" in line]
            if lines or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        stop_server(process)
    pattern = (r'127\.0\.0\.1 - - \[[^\]]+\] "GET /sparql\?query=ASK\+%7B\+%3Fs\+%3Fp\+%3Fo\+%7D HTTP/1\.1" '
               rf'200 {len(response.content)} "-" "gunicorn-probe"')
    assert len(lines) == 1 and re.fullmatch(pattern, lines[0]), lines
