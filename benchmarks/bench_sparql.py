#!/usr/bin/env python
"""Throughput and latency of our SPARQL endpoint against the Oxigraph server, on the same data.

Servers (all on 127.0.0.1, free ports, default graph = union of the named graphs):

* ``ox-ro``        ``oxigraph serve-read-only`` on an on-disk store built with ``oxigraph load``
* ``ox-mem``       ``oxigraph serve`` without ``--location`` (in-memory), loaded over the Graph Store Protocol
* ``ours-nocache`` ``smartcity-kg serve --no-cache`` (granian + query worker processes)
* ``ours-cache``   ``smartcity-kg serve`` (result cache on)
* ``py-floor``     ``floor_app.py`` under gunicorn: a bare WSGI app that runs the query in-process on an
                   in-memory pyoxigraph store, with none of an endpoint's checks, limits or isolation;
                   what any Python server over pyoxigraph costs at least (the floor under ours)
* ``ours-disk``    (only with ``--servers``) cache off and ``SMARTCITY_KG_IN_MEMORY=off``: the query
                   workers read the on-disk store, like ``ox-ro``
* ``gunicorn-nocache``, ``gunicorn-cache`` (only with ``--servers``) the same as ``ours-*`` under
                   gunicorn (``--http-server gunicorn``) instead of granian

Every server gets the same Turtle: ``data/ttl/*.ttl`` and ``ontology/smartcity.ttl``, one named graph
per file (``<base>/graph/<stem>``, the ontology as ``<base>/graph/ontology``). Our store is built from
those files with ``kg.store.build`` (or taken from ``--store``); the triple count of every graph is
checked on every server before measuring.

Two query mixes are driven at each concurrency (threads, one keep-alive ``http.client`` connection each):

* ``param``  templated queries with parameters drawn at random (point lookups by IRI, Japanese and
             English label filters, 2–3 hop joins, GROUP BY aggregates, ORDER BY/LIMIT, a CONSTRUCT);
* ``canned`` one fixed query text per template, repeated (what the result cache is for).

Servers alternate in rounds (the order rotates every round) so that drift hits all of them alike.
Every answer's status is checked, and every query text must give the same number of result rows
(or triples) on every server. Results go to stdout and to ``benchmarks/results.md``.

Installs nothing: it needs the ``oxigraph`` PyPI package (the server binary) in the environment.
Run ``python benchmarks/bench_sparql.py --help`` for the options; ``--quick`` takes about a minute.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

BASE = "https://w3id.org/smartcity-kg"
GRAPH_BASE = BASE + "/graph/"
SERVER_NAMES = ("ox-ro", "ox-mem", "py-floor", "ours-nocache", "ours-cache")
#: ours-disk: cache off, query workers read the on-disk store (IN_MEMORY off); gunicorn-*: our app
#: with the same settings under gunicorn (gthread) instead of granian (``--http-server gunicorn``)
#: before-*: another checkout's ``smartcity-kg serve`` (``--before PATH``), to compare versions in one run
OPTIONAL_SERVERS = ("ours-disk", "gunicorn-nocache", "gunicorn-cache", "before-nocache", "before-cache")
OX_REFERENCES = ("ox-ro", "ox-mem")

PREFIXES = """PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples"


# --- the query mix ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    name: str
    weight: int
    kind: str  # "select" or "construct"
    text: str  # str.format placeholders, filled from Pools

    def fill(self, params: dict) -> str:
        return PREFIXES + self.text.format(**params)


TEMPLATES = (
    Template("lookup-iri", 4, "select", "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"),
    Template("label-exact-ja", 2, "select",
             'SELECT ?s ?type WHERE {{ ?s rdfs:label "{label_ja}"@ja ; a ?type }}'),
    Template("label-contains-ja", 1, "select",
             "SELECT ?m ?label WHERE {{ ?m a sckg:Municipality ; rdfs:label ?label . "
             'FILTER(LANG(?label) = "ja" && CONTAINS(STR(?label), "{kanji}")) }}'),
    Template("label-regex-en", 1, "select",
             "SELECT ?m ?label WHERE {{ ?m a sckg:Municipality ; rdfs:label ?label . "
             'FILTER(LANG(?label) = "en" && REGEX(STR(?label), "^{en_prefix}", "i")) }}'),
    Template("munis-of-pref", 1, "select",
             "SELECT ?m ?code ?label WHERE {{ ?m sckg:prefecture <{pref}> ; sckg:localGovernmentCode ?code ; "
             'rdfs:label ?label . FILTER(LANG(?label) = "ja") }} ORDER BY ?code'),
    Template("hop2-project-pref", 1, "select",
             "SELECT ?project ?region ?prefLabel WHERE {{ ?project a sckg:AdoptedProject ; "
             "sckg:fiscalYear ?year ; sckg:region ?region . ?region sckg:prefecture ?pref . "
             '?pref rdfs:label ?prefLabel . FILTER(LANG(?prefLabel) = "ja" && ?year >= {year}) }}'),
    Template("hop3-service-pref", 1, "select",
             "SELECT ?service ?category ?regionLabel ?prefLabel WHERE {{ ?service a sckg:SmartCityService ; "
             "sckg:serviceCategory ?category ; sckg:project ?project . ?project sckg:region ?region ; "
             "sckg:fiscalYear ?year . ?region rdfs:label ?regionLabel ; sckg:prefecture ?pref . "
             "?pref rdfs:label ?prefLabel . "
             'FILTER(LANG(?regionLabel) = "ja" && LANG(?prefLabel) = "ja" && ?year >= {year}) }}'),
    Template("agg-munis-per-pref", 1, "select",
             "SELECT ?pref ?prefLabel (COUNT(?m) AS ?n) WHERE {{ ?m a sckg:Municipality ; "
             "sckg:prefecture ?pref . ?pref rdfs:label ?prefLabel . "
             'FILTER(LANG(?prefLabel) = "ja") }} GROUP BY ?pref ?prefLabel '
             "HAVING (COUNT(?m) >= {min_munis}) ORDER BY DESC(?n) ?pref"),
    Template("agg-projects-per-year", 1, "select",
             "SELECT ?year (COUNT(DISTINCT ?p) AS ?projects) (COUNT(DISTINCT ?region) AS ?regions) "
             "(SAMPLE(?yen) AS ?budgetYen) WHERE {{ ?p a sckg:AdoptedProject ; sckg:fiscalYear ?year ; "
             "sckg:region ?region ; sckg:budget/<https://schema.org/amount>/<https://schema.org/value> ?yen "
             ". FILTER(?year >= {year}) }} "
             "GROUP BY ?year ORDER BY ?year"),
    Template("order-limit", 1, "select",
             "SELECT ?m ?label ?lat WHERE {{ ?m a sckg:Municipality ; geo:lat ?lat ; rdfs:label ?label . "
             'FILTER(LANG(?label) = "en") }} ORDER BY DESC(?lat) ?m LIMIT 10 OFFSET {offset}'),
    Template("construct-pref", 1, "construct",
             "CONSTRUCT {{ ?m rdfs:label ?label ; sckg:prefecture <{pref}> ; "
             "geo:lat ?lat ; geo:long ?long }} "
             "WHERE {{ ?m sckg:prefecture <{pref}> ; rdfs:label ?label . "
             "OPTIONAL {{ ?m geo:lat ?lat ; geo:long ?long }} }}"),
)

KANJI = ("川", "山", "田", "島", "野", "市", "町", "村", "大", "東", "北", "松")
EN_PREFIXES = ("Kita", "Higashi", "Minami", "Nishi", "Oo", "Ta", "Ka", "Shi", "Yama", "Naka")


@dataclass
class Pools:
    """Parameter values taken from the data, so that most queries have answers."""

    iri: list[str]
    label_ja: list[str]
    pref: list[str]
    year: list[int]
    kanji: tuple = KANJI
    en_prefix: tuple = EN_PREFIXES
    min_munis: tuple = (1, 20, 40, 60)
    offset: tuple = tuple(range(0, 300, 10))

    def draw(self, rng: random.Random) -> dict:
        return {name: rng.choice(getattr(self, name)) for name in
                ("iri", "label_ja", "pref", "year", "kanji", "en_prefix", "min_munis", "offset")}

    def fixed(self) -> dict:
        """The parameters of the canned mix (one text per template)."""
        return {"iri": self.iri[len(self.iri) // 2], "label_ja": self.label_ja[len(self.label_ja) // 2],
                "pref": self.pref[12] if len(self.pref) > 12 else self.pref[0], "year": min(self.year),
                "kanji": "川", "en_prefix": "Kita", "min_munis": 20, "offset": 0}


def make_pools(store) -> Pools:
    def column(query: str) -> list:
        rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
        return [row[0].value for row in rows]

    iris = column("SELECT DISTINCT ?s WHERE { VALUES ?c { sckg:Municipality sckg:Prefecture "
                  "sckg:AdoptedProject sckg:SmartCityService sckg:CityOS sckg:KPI } ?s a ?c } ORDER BY ?s")
    labels = column('SELECT DISTINCT ?l WHERE { ?s a sckg:Municipality ; rdfs:label ?l . '
                    'FILTER(LANG(?l) = "ja") } ORDER BY ?l')
    prefs = column("SELECT ?p WHERE { ?p a sckg:Prefecture } ORDER BY ?p")
    years = sorted({int(y) for y in column("SELECT DISTINCT ?y WHERE { ?p a sckg:AdoptedProject ; "
                                           "sckg:fiscalYear ?y }")})
    if not (iris and labels and prefs and years):
        raise SystemExit("the data has no municipalities, prefectures or projects to query")
    return Pools(iris, labels[::7] or labels, prefs, years)


@dataclass(frozen=True)
class Query:
    template: str
    kind: str
    text: str


class Mix:
    """A deterministic stream of queries for one client thread."""

    def __init__(self, name: str, pools: Pools, seed: int):
        self.name = name
        self.rng = random.Random(seed)
        self.pools = pools
        self.templates = [t for t in TEMPLATES for _ in range(t.weight)]
        self.canned = [Query(t.name, t.kind, t.fill(pools.fixed())) for t in TEMPLATES]

    def next(self) -> Query:
        if self.name == "canned":
            template = self.rng.choice(self.templates)
            return next(q for q in self.canned if q.template == template.name)
        template = self.rng.choice(self.templates)
        return Query(template.name, template.kind, template.fill(self.pools.draw(self.rng)))


# --- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    command: list[str]
    path: str  # the query endpoint's path
    log: Path
    port: int = 0
    process: subprocess.Popen | None = None
    ready_path: str = "/"
    env: dict = field(default_factory=dict)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True,
                                            env={**clean_environment(), **self.env})

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: "
                                   + self.log.read_text(errors="replace")[-2000:])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", self.ready_path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer within {timeout:g} s; see {self.log}")
            time.sleep(0.1)

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def cpu_seconds(self) -> float:
        """User + system CPU time of every live process in the server's session."""
        if self.process is None:
            return 0.0
        total = 0
        tick = os.sysconf("SC_CLK_TCK")
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == self.process.pid:  # fields[3] is the session id
                total += int(fields[11]) + int(fields[12])
        return total / tick


def clean_environment() -> dict[str, str]:
    """This process's environment without SMARTCITY_KG_* settings, so that only the options count."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SMARTCITY_KG_")}


def run_checked(command: list[str], what: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout + done.stderr


def turtle_sources() -> dict[str, Path]:
    """Graph IRI → Turtle file, as the loader names the graphs."""
    files = {GRAPH_BASE + p.stem: p for p in sorted((PROJECT_DIR / "data" / "ttl").glob("*.ttl"))}
    files[GRAPH_BASE + "ontology"] = PROJECT_DIR / "ontology" / "smartcity.ttl"
    return files


def build_our_store(path: Path, sources: dict[str, Path]):
    """Our on-disk store (link + version directory) from the same Turtle files; returns it open."""
    import pyoxigraph as ox

    from kg import store as kgstore

    graphs = {}
    for graph, file in sources.items():
        with open(file, "rb") as handle:
            graphs[graph] = ox.serialize(ox.parse(handle, format=ox.RdfFormat.TURTLE),
                                         format=ox.RdfFormat.N_TRIPLES)
    kgstore.build(path, graphs, {"base_iri": BASE, "built_by": "benchmarks/bench_sparql.py"})


def expected_counts(sources: dict[str, Path]) -> dict[str, int]:
    import pyoxigraph as ox

    counts = {}
    for graph, file in sources.items():
        with open(file, "rb") as handle:
            counts[graph] = sum(1 for _ in ox.parse(handle, format=ox.RdfFormat.TURTLE))
    return counts


def oxigraph_binary(option: str | None) -> str:
    beside = str(Path(sys.executable).parent / "oxigraph")
    candidates = [option] if option else [beside, shutil.which("oxigraph")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("the oxigraph server binary was not found; install the benchmark extras: "
                     "pip install -e '.[bench]' (PyPI package 'oxigraph')")


# --- HTTP client ----------------------------------------------------------------------------------


class Client:
    """One keep-alive connection to one server."""

    def __init__(self, server: Server, method: str):
        self.server = server
        self.method = method
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def _connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def request(self, query: Query) -> tuple[int, bytes]:
        accept = SELECT_ACCEPT if query.kind == "select" else GRAPH_ACCEPT
        if self.method == "get":
            target, body = self.server.path + "?" + urllib.parse.urlencode({"query": query.text}), None
            headers = {"Accept": accept}
        else:
            target, body = self.server.path, query.text.encode()
            headers = {"Accept": accept, "Content-Type": "application/sparql-query"}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.request(self.method.upper(), target, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.close()
                return response.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                # the server closed an idle keep-alive connection: reconnect once
                self.close()
                self.reconnects += 1
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def count_rows(query: Query, body: bytes) -> int:
    if query.kind == "select":
        return len(json.loads(body)["results"]["bindings"])
    return sum(1 for line in body.split(b"\n") if line.strip() and not line.startswith(b"#"))


# --- measurement ----------------------------------------------------------------------------------


@dataclass
class Cell:
    """The measurements of one (mix, concurrency, server) over all rounds."""

    latencies: list[float] = field(default_factory=list)
    by_template: dict[str, list[float]] = field(default_factory=dict)
    requests: int = 0
    errors: int = 0
    wall: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    reconnects: int = 0
    repeats: int = 0  # requests whose text this server had answered before (cache hits for ours-cache)


class Checker:
    """Row counts per (query text) per server, and the first few failures."""

    def __init__(self):
        self.rows: dict[str, dict[str, int]] = {}
        self.failures: list[str] = []
        self.lock = threading.Lock()

    def record(self, server: str, query: Query, rows: int) -> bool:
        """Remember the row count; True when ``server`` had answered this query text before."""
        with self.lock:
            seen = self.rows.setdefault(query.text, {})
            repeat = server in seen
            previous = seen.setdefault(server, rows)
            if previous != rows and len(self.failures) < 50:
                self.failures.append(f"{server}: {query.template} gave {rows} rows, earlier {previous}")
            return repeat

    def fail(self, message: str) -> None:
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(message)

    def mismatches(self) -> list[str]:
        out = []
        for text, counts in self.rows.items():
            if len(set(counts.values())) > 1:
                template = next((t.name for t in TEMPLATES if _matches(t, text)), "?")
                out.append(f"{template}: " + ", ".join(f"{s}={n}" for s, n in sorted(counts.items())))
        return out


def _matches(template: Template, text: str) -> bool:
    head = template.text.split("{", 1)[0].strip()[:40]
    return text[len(PREFIXES):].startswith(head)


def run_segment(server: Server, mix_name: str, pools: Pools, concurrency: int, seconds: float,
                max_requests: int, seed: int, method: str, checker: Checker, cell: Cell,
                stop: threading.Event, record: bool = True) -> None:
    """``concurrency`` threads send queries to ``server`` for ``seconds`` (or ``max_requests``)."""
    quota = max(1, max_requests // concurrency)
    barrier = threading.Barrier(concurrency + 1)
    results: list[tuple] = [()] * concurrency
    deadline_box: list[float] = [0.0]

    def client_main(index: int) -> None:
        client = Client(server, method)
        mix = Mix(mix_name, pools, seed * 1000 + index)
        latencies, by_template, errors, done, repeats = [], {}, 0, 0, 0
        try:
            barrier.wait()
            deadline = deadline_box[0]
            while done < quota and not stop.is_set() and time.perf_counter() < deadline:
                query = mix.next()
                started = time.perf_counter()
                try:
                    status, body = client.request(query)
                except (OSError, http.client.HTTPException) as exc:
                    errors += 1
                    checker.fail(f"{server.name}: {query.template}: {type(exc).__name__}: {exc}")
                    client.close()
                    time.sleep(0.05)
                    continue
                elapsed = time.perf_counter() - started
                done += 1
                latencies.append(elapsed)
                by_template.setdefault(query.template, []).append(elapsed)
                if status != 200:
                    errors += 1
                    checker.fail(f"{server.name}: {query.template}: HTTP {status}: {body[:200]!r}")
                    continue
                try:
                    repeats += checker.record(server.name, query, count_rows(query, body))
                except (ValueError, KeyError) as exc:
                    errors += 1
                    checker.fail(f"{server.name}: {query.template}: unreadable result ({exc})")
        finally:
            client.close()
            results[index] = (latencies, by_template, errors, done, client.reconnects, repeats)

    threads = [threading.Thread(target=client_main, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    cpu_before = server.cpu_seconds()
    client_before = time.process_time()
    started = time.perf_counter()
    deadline_box[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join(seconds + 120)
    wall = time.perf_counter() - started
    if not record:
        return
    cell.wall += wall
    cell.server_cpu += server.cpu_seconds() - cpu_before
    cell.client_cpu += time.process_time() - client_before
    for latencies, by_template, errors, done, reconnects, repeats in results:
        cell.latencies.extend(latencies)
        for name, values in by_template.items():
            cell.by_template.setdefault(name, []).extend(values)
        cell.errors += errors
        cell.requests += done
        cell.reconnects += reconnects
        cell.repeats += repeats


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- report ---------------------------------------------------------------------------------------


def fmt(value: float, digits: int = 2) -> str:
    if value != value:  # NaN
        return "–"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}f}"


def report(cells: dict, args, servers: list[str], checker: Checker, info: dict) -> str:
    lines = ["# SPARQL endpoint benchmark: smartcity-kg vs Oxigraph server", ""]
    lines.append(f"Run {info['when']} on {info['machine']}; oxigraph {info['oxigraph']}, "
                 f"pyoxigraph {info['pyoxigraph']}, Python {platform.python_version()}. Load average "
                 f"before / after: {info['load_before']} / {info['load_after']} (anything else running on "
                 "the machine competes for the same cores and shows up as noise).")
    lines.append("")
    lines.append("Command:")
    lines.append("")
    lines.append("```")
    lines.append(info["command"])
    lines.append("```")
    lines.append("")
    lines.append(f"Data: {info['triples']} triples in {info['graphs']} named graphs, union default graph on "
                 f"every server. {args.rounds} rounds × {args.segment:g} s per server and concurrency "
                 f"(server order rotated each round), after {args.warmup:g} s warm-up per server and mix; "
                 f"HTTP {args.method.upper()}, JSON results (N-Triples for CONSTRUCT), one keep-alive "
                 f"connection per client thread. Our server: {info['ours']}.")
    lines.append("")
    lines.append("Ratios are ours ÷ oxigraph at the same mix and concurrency: throughput ratio (higher is "
                 "better for us) and p99 ratio (lower is better for us). CPU ms/req is the server's "
                 "processes' CPU time per answered request; client CPU is the benchmark's own share of "
                 "one core (it shares the machine's cores with the servers); repeat is the share of "
                 "requests whose exact text that server had answered before (an upper bound on the "
                 "cache hits of ours-cache).")
    for mix in args.mixes:
        lines.append("")
        title = {"param": "parameterized mix (random parameters: lookups seldom repeat, "
                           "small-pool templates do)",
                 "canned": "canned mix (one fixed text per template, repeated: cache hits for ours-cache)",
                 }[mix]
        lines.append(f"## {title}")
        lines.append("")
        refs = [r for r in OX_REFERENCES if r in servers]
        header = ["clients", "server", "requests", "repeat", "req/s", "p50 ms", "p99 ms", "errors",
                  "CPU ms/req", "client CPU"]
        for ref in refs:
            header += [f"thr ÷ {ref}", f"p99 ÷ {ref}"]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---:" if i not in (1,) else "---" for i in range(len(header))) + "|")
        for conc in args.concurrency:
            for name in servers:
                cell = cells.get((mix, conc, name))
                if cell is None:
                    continue
                rps = cell.requests / cell.wall if cell.wall else float("nan")
                p50 = percentile(cell.latencies, 50) * 1000
                p99 = percentile(cell.latencies, 99) * 1000
                cpu = cell.server_cpu * 1000 / cell.requests if cell.requests else float("nan")
                repeat = f"{100 * cell.repeats / cell.requests:.0f}%" if cell.requests else "–"
                row = [str(conc), name, str(cell.requests), repeat, fmt(rps, 1), fmt(p50), fmt(p99),
                       str(cell.errors),
                       fmt(cpu), f"{100 * cell.client_cpu / cell.wall:.0f}%" if cell.wall else "–"]
                for ref in refs:
                    other = cells.get((mix, conc, ref))
                    if name not in OX_REFERENCES and other is not None and other.requests and cell.requests:
                        other_rps = other.requests / other.wall
                        other_p99 = percentile(other.latencies, 99) * 1000
                        row += [fmt(rps / other_rps, 3), fmt(p99 / other_p99, 1)]
                    else:
                        row += ["", ""]
                lines.append("| " + " | ".join(row) + " |")
    # per-template medians at one client: where the fixed per-request cost shows
    single = min(args.concurrency)
    if "param" in args.mixes:
        lines.append("")
        lines.append(f"## p50 latency (ms) per query template, parameterized mix, {single} client(s)")
        lines.append("")
        lines.append("| template | " + " | ".join(servers) + " |")
        lines.append("|---|" + "---:|" * len(servers))
        for template in TEMPLATES:
            row = [template.name]
            for name in servers:
                cell = cells.get(("param", single, name))
                values = cell.by_template.get(template.name, []) if cell else []
                row.append(fmt(percentile(values, 50) * 1000) if values else "–")
            lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    lines.append("## Checks")
    lines.append("")
    mismatches = checker.mismatches()
    compared = sum(1 for counts in checker.rows.values() if len(counts) > 1)
    lines.append(f"- graph triple counts identical on every server: {info['graph_check']}")
    lines.append(f"- {len(checker.rows)} distinct query texts answered; {compared} answered by more than one "
                 f"server; row-count mismatches between servers: {len(mismatches)}")
    for line in mismatches[:20]:
        lines.append(f"  - {line}")
    total_errors = sum(c.errors for c in cells.values())
    lines.append(f"- failed requests (status ≠ 200, transport error or unreadable result): {total_errors}")
    for line in checker.failures[:20]:
        lines.append(f"  - {line}")
    reconnects = sum(c.reconnects for c in cells.values())
    lines.append(f"- keep-alive reconnects (server closed an idle connection): {reconnects}")
    lines.append("")
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="about a minute: 2 rounds of 0.8 s, short warm-up")
    parser.add_argument("--rounds", type=int, help="rounds per (mix, concurrency) (default 3, quick 2)")
    parser.add_argument("--segment", type=float, help="seconds per server per round (default 2.5, quick 0.8)")
    parser.add_argument("--warmup", type=float,
                        help="warm-up seconds per server and mix (default 2, quick 0.7)")
    parser.add_argument("--concurrency", default="1,4,16", help="client thread counts (default 1,4,16)")
    parser.add_argument("--servers", default=",".join(SERVER_NAMES),
                        help=f"servers to run (default {','.join(SERVER_NAMES)}; also: "
                             f"{','.join(OPTIONAL_SERVERS)})")
    parser.add_argument("--mixes", default="param,canned", help="query mixes (default param,canned)")
    parser.add_argument("--max-requests", type=int, default=100_000,
                        help="requests per server per round at most (default 100000)")
    parser.add_argument("--method", choices=("post", "get"), default="post",
                        help="POST application/sparql-query (default) or GET ?query=")
    parser.add_argument("--store",
                        help="serve this existing store (link) instead of one built from the Turtle")
    parser.add_argument("--web-workers", type=int, help="our server's web processes (its default: 2)")
    parser.add_argument("--query-workers", type=int,
                        help="our server's query processes per web process (its default: 2)")
    parser.add_argument("--threads", type=int,
                        help="our server's HTTP threads per web process (its default: 8)")
    parser.add_argument("--oxigraph", help="path of the oxigraph binary (default: beside python, then PATH)")
    parser.add_argument("--before", help="another checkout's smartcity-kg script, served as before-nocache "
                                         "and before-cache (e.g. the last release's, to compare versions)")
    parser.add_argument("--output", default=str(PROJECT_DIR / "benchmarks" / "results.md"),
                        help="Markdown report (default benchmarks/results.md)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (stores, logs)")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (2 if args.quick else 3)
    args.segment = args.segment or (0.8 if args.quick else 2.5)
    args.warmup = args.warmup if args.warmup is not None else (0.7 if args.quick else 2.0)
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c.strip()]
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    args.mixes = [m.strip() for m in args.mixes.split(",") if m.strip()]
    unknown = set(args.servers) - set(SERVER_NAMES + OPTIONAL_SERVERS)
    unknown |= set(args.mixes) - {"param", "canned"}
    if any(s.startswith("before-") for s in args.servers) and not args.before:
        parser.error("before-nocache and before-cache need --before PATH")
    if unknown or not args.servers or not args.mixes or not args.concurrency or min(args.concurrency) < 1:
        parser.error(f"bad --servers/--mixes/--concurrency ({', '.join(sorted(unknown)) or 'empty'})")
    return args


def graph_counts(server: Server) -> dict[str, int]:
    client = Client(server, "post")
    query = Query("graph-counts", "select",
                  "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    try:
        status, body = client.request(query)
    finally:
        client.close()
    if status != 200:
        raise RuntimeError(f"{server.name}: graph count query answered {status}: {body[:300]!r}")
    return {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(body)["results"]["bindings"]}


def load_in_memory_oxigraph(server: Server, sources: dict[str, Path]) -> None:
    for graph, file in sources.items():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        try:
            conn.request("POST", "/store?" + urllib.parse.urlencode({"graph": graph}), body=file.read_bytes(),
                         headers={"Content-Type": "text/turtle"})
            response = conn.getresponse()
            body = response.read()
            if response.status not in (200, 201, 204):
                raise RuntimeError(f"loading {file} into {server.name}: "
                                   f"HTTP {response.status} {body[:300]!r}")
        finally:
            conn.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = "cd " + shlex.quote(str(Path.cwd())) + " && " + shlex.join([sys.executable, *sys.argv])
    oxigraph = oxigraph_binary(args.oxigraph)
    ours = Path(sys.executable).parent / "smartcity-kg"
    if not ours.is_file():
        raise SystemExit(f"{ours} not found: run with the project's virtualenv python")
    import pyoxigraph as ox

    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started in the background with SIGINT ignored
    tmp = Path(tempfile.mkdtemp(prefix="smartcity-kg-bench-"))
    servers: dict[str, Server] = {}
    try:
        sources = turtle_sources()
        expected = expected_counts(sources)
        say(f"data: {sum(expected.values())} triples in {len(expected)} graphs; work dir {tmp}")
        store_link = Path(args.store).resolve() if args.store else None
        if store_link is None:
            store_link = tmp / "ours" / "store"
            store_link.parent.mkdir()
            build_our_store(store_link, sources)
        from kg.store import KnowledgeGraph

        kg = KnowledgeGraph.open(Path(args.store) if args.store else store_link)
        pools = make_pools(kg.store)
        del kg

        if "ox-ro" in args.servers:
            location = tmp / "oxigraph-disk"
            started = time.perf_counter()
            for graph, file in sources.items():
                run_checked([oxigraph, "load", "--location", str(location), "--file", str(file),
                             "--graph", graph], f"oxigraph load {file.name}")
            run_checked([oxigraph, "optimize", "--location", str(location)], "oxigraph optimize")
            say(f"oxigraph load + optimize: {time.perf_counter() - started:.1f} s")

        for name in args.servers:
            port = free_port()
            log = tmp / f"{name}.log"
            if name == "ox-ro":
                cmd = [oxigraph, "serve-read-only", "--location", str(tmp / "oxigraph-disk"),
                       "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
                server = Server(name, cmd, "/query", log, port)
            elif name == "ox-mem":
                cmd = [oxigraph, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
                server = Server(name, cmd, "/query", log, port)
            elif name == "py-floor":
                cmd = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread",
                       "--threads", "4", "--bind", f"127.0.0.1:{port}",
                       "--pythonpath", f"{PROJECT_DIR},{PROJECT_DIR / 'benchmarks'}",
                       "floor_app:create_app()"]
                server = Server(name, cmd, "/", log, port, env={"BENCH_FLOOR_STORE": str(store_link)})
            else:
                script = args.before if name.startswith("before-") else ours
                cmd = [str(script), "serve", "--host", "127.0.0.1", "--port", str(port),
                       "--store", str(store_link)]
                if name in ("ours-nocache", "ours-disk", "gunicorn-nocache", "before-nocache"):
                    cmd.append("--no-cache")
                if name.startswith("gunicorn-"):
                    cmd += ["--http-server", "gunicorn"]
                if args.web_workers:
                    cmd += ["--workers", str(args.web_workers)]
                if args.query_workers:
                    cmd += ["--query-workers", str(args.query_workers)]
                if args.threads:
                    cmd += ["--threads", str(args.threads)]
                env = {"SMARTCITY_KG_IN_MEMORY": "off"} if name == "ours-disk" else {}
                server = Server(name, cmd, "/sparql", log, port, ready_path="/healthz", env=env)
            servers[name] = server
            server.start()
        for server in servers.values():
            server.wait_ready()
            if server.name == "ox-mem":
                load_in_memory_oxigraph(server, sources)
        mismatched = []
        for server in servers.values():
            counts = graph_counts(server)
            if counts != expected:
                mismatched.append(f"{server.name}: {counts}")
        if mismatched:
            raise SystemExit("the servers do not hold the same data:\n  expected "
                             f"{expected}\n  " + "\n  ".join(mismatched))
        say("servers up: " + ", ".join(f"{s.name} :{s.port}" for s in servers.values()))

        checker = Checker()
        cells: dict[tuple, Cell] = {}
        order = list(servers)
        started_all = time.perf_counter()
        load_before = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        for mix in args.mixes:
            for name in order:  # warm-up: every template, at 4 clients, not recorded
                run_segment(servers[name], mix, pools, 4, args.warmup, args.max_requests, args.seed + 999,
                            args.method, checker, Cell(), stop, record=False)
            for conc in args.concurrency:
                for round_no in range(args.rounds):
                    shift = round_no % len(order)
                    for name in order[shift:] + order[:shift]:
                        cell = cells.setdefault((mix, conc, name), Cell())
                        run_segment(servers[name], mix, pools, conc, args.segment, args.max_requests,
                                    args.seed + round_no, args.method, checker, cell, stop)
                        if stop.is_set():
                            raise KeyboardInterrupt
                summary = ", ".join(f"{n} {cells[(mix, conc, n)].requests / cells[(mix, conc, n)].wall:.0f}/s"
                                    for n in order)
                say(f"{mix} × {conc} clients: {summary}")
        say(f"measured for {time.perf_counter() - started_all:.0f} s")

        from kg.config import DEFAULTS

        web = args.web_workers or DEFAULTS["WEB_WORKERS"]
        workers = (f"{web} web processes (granian, {args.threads or DEFAULTS['HTTP_THREADS']} "
                   f"threads each), each with {args.query_workers or DEFAULTS['QUERY_WORKERS']} query "
                   "processes")
        info = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} CPUs, {platform.machine()}, Linux {platform.release()}",
            "oxigraph": run_checked([oxigraph, "--version"], "oxigraph --version").split()[-1],
            "pyoxigraph": ox.__version__,
            "command": command,
            "triples": sum(expected.values()),
            "graphs": len(expected),
            "graph_check": "yes (" + ", ".join(servers) + ")",
            "ours": workers,
            "load_before": load_before,
            "load_after": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
        }
        text = report(cells, args, order, checker, info)
        print(text)
        Path(args.output).write_text(text, encoding="utf-8")
        say(f"written to {args.output}")
        bad = checker.mismatches() or any(c.errors for c in cells.values())
        return 1 if bad else 0
    except KeyboardInterrupt:
        stop.set()
        say("interrupted; stopping the servers")
        return 130
    finally:
        stop.set()
        for server in servers.values():
            server.stop()
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
