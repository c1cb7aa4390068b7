#!/usr/bin/env python
"""How cost grows with the data (issue 12, item 6): load and canned-query latency at 10^4 … 10^7 triples.

For each size N (generated triples on top of the bundled data), in one scratch directory:

1. ``smartcity-kg generate --triples N --out DIR``.
2. ``smartcity-kg load --store S --ttl-dir T --shacl sparql --no-dumps DIR/*.nt`` into a fresh
   embedded store: wall time, peak RSS (the largest process, from wait4, and the sum over the
   process and its children, sampled from /proc every 0.2 s), the store version's size on disk.
3. The same command with ``SMARTCITY_KG_ENGINE=remote`` into a fresh ``oxigraph serve --location D
   --union-default-graph --timeout-s 30`` (Graph Store PUTs): the same measures, plus the engine's
   own peak RSS (VmHWM) and its directory's size. The dataset the engine then holds is exported
   (``GET /store``, N-Quads) and is the peer reference: ``oxigraph load --location D2 --file
   all.nq`` (wall, peak RSS, size) and a POST of it to an in-memory ``oxigraph serve``.
4. Canned-query latency: every ``queries/*.rq`` with its first ``#+ examples:`` URL, on four
   backends, one client thread, one keep-alive connection per backend, JSON results:

   * ``embedded``  ``smartcity-kg serve --workers 1 --query-workers 2 --no-cache`` on the store of 2;
   * ``remote``    the same with ``--engine remote`` against the ``oxigraph serve`` of 3;
   * ``ox-disk``   that ``oxigraph serve`` queried directly (``POST /query``) with the canned query's
                   text and the example's values written in (``server.engine.substitute``, the text
                   the remote backend sends);
   * ``ox-mem``    the in-memory ``oxigraph serve`` of 3, queried the same way.

   Three warm-up requests per (backend, query), then ``--rounds`` rounds; in each round every
   backend answers every query once, backends in an order that rotates from round to round, so
   drift on the shared machine hits all of them alike. An answer with a status other than 200 is a
   failure, counted and reported with its first message; it never enters the percentiles.

Writes a Markdown report (``--out``) with one table per size, a summary, the slope of log p50 over
log size per query and backend, and a PNG plot beside it (``--plot``, default ``scale.png`` next to
``--out``). Every process it starts runs in its own session and is stopped (SIGTERM, then SIGKILL)
on normal exit, on errors, on Ctrl-C and on SIGTERM. A script, not a test:

    .venv/bin/python benchmarks/bench_scale.py --sizes 10000,100000 --rounds 30 \
        --out benchmarks/results-scale.md
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sparql import PROJECT_DIR, Server, clean_environment, free_port, oxigraph_binary  # noqa: E402

VENV_BIN = Path(sys.executable).parent
SMARTCITY_KG = str(VENV_BIN / "smartcity-kg")
BACKENDS = ("embedded", "remote", "ox-disk", "ox-mem")
RESULTS_JSON = "application/sparql-results+json"
CLIENT_TIMEOUT = 120.0


# --- processes -----------------------------------------------------------------------------------


def _session_rss(session: int) -> tuple[int, int]:
    """(sum, largest) resident set in bytes of the live processes of ``session``."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = largest = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:
            rss = int(fields[21]) * page
            total += rss
            largest = max(largest, rss)
    return total, largest


def peak_rss(pid: int) -> int:
    """The peak resident set (VmHWM) of a live process in bytes, 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Measured:
    seconds: float
    largest_mb: float  # the largest single process (wait4 via /usr/bin/time)
    sum_mb: float  # the process and its children together (sampled)
    output: str


def measured(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` at nice 10 in its own session; its wall time, peak memory and output.

    :raises RuntimeError: when it exits non-zero (with the end of its standard error).
    """
    full = ["nice", "-n", "10", "/usr/bin/time", "-f", "%M", *command]
    started = time.perf_counter()
    process = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL, start_new_session=True,
                               env={**clean_environment(), **(env or {})})
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _session_rss(process.pid)[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate()
    except BaseException:
        _kill_group(process)
        raise
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{shlex.join(command[:3])} … failed ({process.returncode}): {err[-3000:]}")
    largest_kb = int(err.strip().splitlines()[-1])
    return Measured(seconds, largest_kb / 1024, peak[0] / 2**20, out)


def _kill_group(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


def disk_mb(path: Path) -> float:
    """Space used on disk by the files under ``path`` (as du counts it), in MB."""
    return sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file()) / 2**20


def oxigraph_server(name: str, oxigraph: str, folder: Path, location: Path | None) -> Server:
    port = free_port()
    command = ["nice", "-n", "10", oxigraph, "serve", "--bind", f"127.0.0.1:{port}",
               "--union-default-graph", "--timeout-s", "30"]
    if location is not None:
        command[5:5] = ["--location", str(location)]
    return Server(name, command, "/query", folder / f"{name}.log", port=port,
                  ready_path="/query?query=ASK%7B%7D")


def our_server(name: str, folder: Path, store: Path, env: dict[str, str]) -> Server:
    port = free_port()
    command = ["nice", "-n", "10", SMARTCITY_KG, "serve", "--host", "127.0.0.1", "--port", str(port),
               "--store", str(store), "--workers", "1", "--query-workers", "2", "--no-cache"]
    return Server(name, command, "/api", folder / f"{name}.log", port=port, ready_path="/healthz", env=env)


def remote_env(server: Server) -> dict[str, str]:
    base = f"http://127.0.0.1:{server.port}"
    return {"SMARTCITY_KG_ENGINE": "remote", "SMARTCITY_KG_REMOTE_QUERY_URL": base + "/query",
            "SMARTCITY_KG_REMOTE_STORE_URL": base + "/store"}


def http_call(port: int, method: str, path: str, body=None, headers=None,
              timeout: float = CLIENT_TIMEOUT) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def export_dataset(server: Server, target: Path) -> None:
    """Everything ``server`` (an oxigraph serve) holds, as N-Quads, into ``target``."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    try:
        conn.request("GET", "/store", headers={"Accept": "application/n-quads"})
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"export from {server.name}: HTTP {response.status} {response.read()[:300]!r}")
        with open(target, "wb") as out:
            while chunk := response.read(1 << 20):
                out.write(chunk)
    finally:
        conn.close()


def post_dataset(server: Server, source: Path) -> float:
    """POST the N-Quads file ``source`` to ``server``'s Graph Store; seconds taken."""
    started = time.perf_counter()
    with open(source, "rb") as body:
        status, text = http_call(server.port, "POST", "/store", body=body, timeout=1800,
                                 headers={"Content-Type": "application/n-quads",
                                          "Content-Length": str(source.stat().st_size)})
    if status not in (200, 201, 204):
        raise RuntimeError(f"loading {source} into {server.name}: HTTP {status} {text[:300]!r}")
    return time.perf_counter() - started


def count_quads(server: Server) -> int:
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    status, body = http_call(server.port, "GET", "/query?query=" + query, headers={"Accept": RESULTS_JSON})
    if status != 200:
        raise RuntimeError(f"counting on {server.name}: HTTP {status} {body[:300]!r}")
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# --- queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One canned query as each backend is asked it: the API URL, and the text with values written in."""

    name: str
    url: str
    text: str


def canned_requests() -> list[Request]:
    """Every canned query with its first example (``server.api.load``, ``bind_arguments``, ``substitute``)."""
    from server.api import load
    from server.engine.substitute import substitute
    from server.params import bind_arguments

    found = []
    for name, query in load(PROJECT_DIR / "queries").items():
        url = query.examples[0]
        args: dict[str, list[str]] = {}
        for key, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True):
            args.setdefault(key, []).append(value)
        values = dict(bind_arguments(query, args))
        found.append(Request(name, url, substitute(query.text, values)))
    return found


@dataclass
class Cell:
    """The answers of one backend to one query at one size."""

    times: list[float] = field(default_factory=list)  # seconds, answers with status 200 only
    rows: set[int] = field(default_factory=set)
    failures: int = 0
    failure: str = ""
    spent: float = 0.0

    def percentile(self, q: float) -> float | None:
        if not self.times:
            return None
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class Client:
    """One keep-alive connection to one backend."""

    def __init__(self, backend: str, server: Server):
        self.backend = backend
        self.server = server
        self.conn: http.client.HTTPConnection | None = None

    def ask(self, request: Request) -> tuple[int, bytes, float]:
        if self.backend in ("embedded", "remote"):
            method, path, body = "GET", urllib.parse.quote(request.url, safe="/?&=:%+"), None
            headers = {"Accept": RESULTS_JSON}
        else:
            method, path, body = "POST", "/query", request.text.encode()
            headers = {"Accept": RESULTS_JSON, "Content-Type": "application/sparql-query"}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=CLIENT_TIMEOUT)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, data, time.perf_counter() - started
            except (ConnectionError, http.client.HTTPException) as exc:  # a closed keep-alive: once more
                self.close()
                if attempt == 2:
                    return 0, repr(exc).encode(), time.perf_counter() - started
            except TimeoutError as exc:
                self.close()
                return 0, repr(exc).encode(), time.perf_counter() - started
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _rows(body: bytes) -> int:
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return -1


def measure_queries(clients: dict[str, Client], requests: list[Request], rounds: int, warmups: int,
                    cell_budget: float) -> dict[tuple[str, str], Cell]:
    """Warm-ups, then ``rounds`` rounds of every (backend, query), backend order rotating."""
    cells = {(b, r.name): Cell() for b in clients for r in requests}

    def one(backend: str, request: Request, record: bool) -> None:
        cell = cells[(backend, request.name)]
        status, body, seconds = clients[backend].ask(request)
        cell.spent += seconds
        if not record:
            return
        rows = _rows(body) if status == 200 else -1
        if rows >= 0:
            cell.times.append(seconds)
            cell.rows.add(rows)
        else:  # an engine that times out after the status line cuts the body: a failure too
            cell.failures += 1
            if not cell.failure:
                what = "" if status != 200 else " but not SPARQL JSON results (cut at the engine's timeout?)"
                cell.failure = (f"HTTP {status}{what} after {seconds:.1f} s: "
                                + body[:160].decode(errors="replace").replace("\n", " "))

    for backend in clients:
        for request in requests:
            for _ in range(warmups):
                if cells[(backend, request.name)].spent < cell_budget / 2:
                    one(backend, request, record=False)
    order = list(clients)
    for round_no in range(rounds):
        shift = round_no % len(order)
        for backend in order[shift:] + order[:shift]:
            for request in requests:
                cell = cells[(backend, request.name)]
                if cell.spent > cell_budget and len(cell.times) + cell.failures >= 5:
                    continue  # a slow cell: at least 5 answers, then stop at the time budget
                one(backend, request, record=True)
        say(f"  round {round_no + 1}/{rounds}")
    return cells


# --- one size ------------------------------------------------------------------------------------


def run_size(size: int, args: argparse.Namespace, work: Path, oxigraph: str,
             servers: list[Server]) -> dict:
    """Generate, load four ways, measure the queries; the row of numbers for ``size``."""
    here = work / f"n{size}"
    here.mkdir()
    row: dict = {"size": size, "uptime": [os.getloadavg()], "shacl": args.shacl}
    gen = measured([SMARTCITY_KG, "generate", "--triples", str(size), "--out", str(here / "gen"),
                    "--seed", str(args.seed)])
    files = sorted(str(p) for p in (here / "gen").glob("*.nt"))
    row["generated"] = sum(1 for f in files for _ in open(f, "rb"))
    row["generate_s"] = gen.seconds
    say(f"n={size}: generated {row['generated']} triples in {gen.seconds:.1f} s")

    load_args = ["load", "--ttl-dir", str(here / "ttl"), "--shacl", args.shacl, "--no-dumps", *files]
    store = here / "embedded" / "store"
    store.parent.mkdir()
    emb = measured([SMARTCITY_KG, *load_args[:1], "--store", str(store), *load_args[1:]])
    row["total"] = int(emb.output.split()[1])  # "loaded N triples in …"
    row["embedded_load"] = {"s": emb.seconds, "largest_mb": emb.largest_mb, "sum_mb": emb.sum_mb,
                            "disk_mb": disk_mb(store.resolve())}
    say(f"n={size}: embedded load {emb.seconds:.1f} s, {row['total']} triples")

    ox_disk = oxigraph_server("ox-disk", oxigraph, here, here / "oxigraph-served")
    servers.append(ox_disk)
    ox_disk.start()
    ox_disk.wait_ready()
    rem = measured([SMARTCITY_KG, *load_args[:1], "--store", str(here / "remote-record"), *load_args[1:]],
                   env=remote_env(ox_disk))
    row["remote_load"] = {"s": rem.seconds, "largest_mb": rem.largest_mb, "sum_mb": rem.sum_mb,
                          "disk_mb": disk_mb(here / "oxigraph-served"),
                          "engine_mb": peak_rss(_leader(ox_disk)) / 2**20}
    say(f"n={size}: remote load {rem.seconds:.1f} s")

    dataset = here / "all.nq"
    export_dataset(ox_disk, dataset)
    row["quads"] = sum(1 for _ in open(dataset, "rb"))
    peer = measured([oxigraph, "load", "--location", str(here / "oxigraph-peer"), "--file", str(dataset)])
    row["oxigraph_load"] = {"s": peer.seconds, "largest_mb": peer.largest_mb, "sum_mb": peer.sum_mb,
                            "disk_mb": disk_mb(here / "oxigraph-peer")}
    ox_mem = oxigraph_server("ox-mem", oxigraph, here, None)
    servers.append(ox_mem)
    ox_mem.start()
    ox_mem.wait_ready()
    row["ox_mem_post_s"] = post_dataset(ox_mem, dataset)
    if count_quads(ox_mem) != count_quads(ox_disk):
        raise RuntimeError("the in-memory oxigraph serve does not hold what the on-disk one holds")
    say(f"n={size}: oxigraph load {peer.seconds:.1f} s, POST to memory {row['ox_mem_post_s']:.1f} s")
    dataset.unlink()

    embedded = our_server("embedded", here, store, {})
    remote = our_server("remote", here, here / "remote-record", remote_env(ox_disk))
    for server in (embedded, remote):
        servers.append(server)
        server.start()
    for server in (embedded, remote):
        server.wait_ready(timeout=300)
    row["uptime"].append(os.getloadavg())
    requests = canned_requests()
    clients = {"embedded": Client("embedded", embedded), "remote": Client("remote", remote),
               "ox-disk": Client("ox-disk", ox_disk), "ox-mem": Client("ox-mem", ox_mem)}
    try:
        cells = measure_queries(clients, requests, args.rounds, args.warmups, args.cell_budget)
    finally:
        for client in clients.values():
            client.close()
        for server in (embedded, remote, ox_mem, ox_disk):
            server.stop()
    row["uptime"].append(os.getloadavg())
    row["queries"] = {f"{b}|{q}": {"p50": c.percentile(0.5), "p99": c.percentile(0.99), "n": len(c.times),
                                   "failures": c.failures, "failure": c.failure, "rows": sorted(c.rows)}
                      for (b, q), c in cells.items()}
    row["requests"] = [r.url for r in requests]
    if not args.keep:
        _remove(here)
    return row


def _leader(server: Server) -> int:
    """The pid of the server process itself (its command runs under ``nice``, which execs it)."""
    return server.process.pid


def _remove(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


# --- report --------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else (f"{value * 1000:.1f}" if value < 1 else f"{value * 1000:,.0f}")


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if not a or not b else f"{a / b:.1f}×"


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log y over log x (None for fewer than two points)."""
    points = [(math.log(x), math.log(y)) for x, y in points if x and y]
    if len(points) < 2:
        return None
    mx = statistics.fmean(x for x, _ in points)
    my = statistics.fmean(y for _, y in points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else None


def size_table(row: dict, rounds: int) -> str:
    el, rl, ol = row["embedded_load"], row["remote_load"], row["oxigraph_load"]
    lines = [f"### {row['generated']:,} generated triples ({row['total']:,} loaded with the bundled data, "
             f"{row['quads']:,} quads on the engine)\n",
             f"Load average (1/5/15 min) before the loads {_load(row['uptime'][0])}, before the queries "
             f"{_load(row['uptime'][1])}, after {_load(row['uptime'][2])}.\n",
             "| load | wall s | peak MB, sum of processes | peak MB, largest process | disk MB "
             "| wall ÷ `oxigraph load` |",
             "|---|---|---|---|---|---|",
             f"| `smartcity-kg load --shacl {row['shacl']}` (embedded) | {el['s']:.1f} | "
             f"{el['sum_mb']:,.0f} | "
             f"{el['largest_mb']:,.0f} | {el['disk_mb']:,.0f} | {el['s'] / ol['s']:.0f}× |",
             f"| same, `ENGINE=remote` into `oxigraph serve` | {rl['s']:.1f} | {rl['sum_mb']:,.0f} | "
             f"{rl['largest_mb']:,.0f} (engine: {rl['engine_mb']:,.0f}) | {rl['disk_mb']:,.0f} | "
             f"{rl['s'] / ol['s']:.0f}× |",
             f"| `oxigraph load` of the same quads (peer, no validation) | {ol['s']:.1f} | "
             f"{ol['sum_mb']:,.0f} | "
             f"{ol['largest_mb']:,.0f} | {ol['disk_mb']:,.0f} | 1× |",
             f"| POST of the same quads to an in-memory `oxigraph serve` | {row['ox_mem_post_s']:.1f} "
             "| | | | "
             f"{row['ox_mem_post_s'] / ol['s']:.1f}× |",
             "",
             "| query (first example) | " + " | ".join(f"{b} p50 / p99 ms" for b in BACKENDS)
             + " | embedded ÷ ox-mem | remote ÷ ox-disk | rows |",
             "|---|" + "---|" * (len(BACKENDS) + 3)]
    failures = []
    for url in row["requests"]:
        name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[1]
        cells = {b: row["queries"][f"{b}|{name}"] for b in BACKENDS}
        shown = []
        for b in BACKENDS:
            c = cells[b]
            text = f"{_ms(c['p50'])} / {_ms(c['p99'])}"
            if 0 < c["n"] + c["failures"] < rounds:
                text += f" (n={c['n'] + c['failures']})"
            if -1 in c["rows"]:  # the run's JSON from before 200-with-a-cut-body counted as failure
                text += " (**some answers cut**: 200 with a body that is not SPARQL JSON)"
            if c["failures"]:
                text += f" (**{c['failures']} failed**)"
                failures.append(f"- {b}, `{url}`: {c['failures']} of {c['failures'] + c['n']} failed; "
                                f"first: {c['failure']}")
            shown.append(text)
        rows = sorted({n for c in cells.values() for n in c["rows"]})
        lines.append(f"| `{url}` | " + " | ".join(shown)
                     + f" | {_ratio(cells['embedded']['p50'], cells['ox-mem']['p50'])}"
                     + f" | {_ratio(cells['remote']['p50'], cells['ox-disk']['p50'])}"
                     + f" | {', '.join(map(str, rows)) or '—'} |")
    if failures:
        lines += ["", "Failures (status other than 200; not in the percentiles):", "", *failures]
    return "\n".join(lines) + "\n"


def _load(values) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def summary(rows: list[dict]) -> str:
    lines = ["| generated | loaded | embedded load s | remote load s | `oxigraph load` s "
             "| embedded ÷ oxigraph load "
             "| embedded peak MB (sum) | embedded disk MB | engine disk MB | "
             + " | ".join(f"{b} median p50 ms (queries answered)" for b in BACKENDS) + " |",
             "|---" * (9 + len(BACKENDS)) + "|"]
    for row in rows:
        medians = []
        for b in BACKENDS:
            values = [_p50(row, b, _name(u)) for u in row["requests"]]
            answered = [v for v in values if v is not None]
            medians.append(f"{_ms(statistics.median(answered))} ({len(answered)}/{len(values)})"
                           if answered else "—")
        el, rl, ol = row["embedded_load"], row["remote_load"], row["oxigraph_load"]
        lines.append(f"| {row['generated']:,} | {row['total']:,} | {el['s']:.1f} | {rl['s']:.1f} | "
                     f"{ol['s']:.1f} | "
                     f"{el['s'] / ol['s']:.0f}× | {el['sum_mb']:,.0f} | {el['disk_mb']:,.0f} | "
                     f"{rl['disk_mb']:,.0f} | " + " | ".join(medians) + " |")
    return "\n".join(lines) + "\n"


def _name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.rsplit("/", 1)[1]


def slopes(rows: list[dict]) -> tuple[str, dict]:
    """The table of log-log slopes of p50 over loaded triples, and the slopes themselves.

    Each cell is the least-squares slope over all sizes, then the slope between the two largest
    (where the bundled data no longer dominate); a slope needs a p50 at two sizes at least. The
    rows column shows how the answer itself grows (the embedded backend's row count).
    """
    found: dict[tuple[str, str], float | None] = {}
    last: dict[tuple[str, str], float | None] = {}
    names = [_name(u) for u in rows[0]["requests"]]
    for name in names:
        for b in BACKENDS:
            points = [(row["total"], _p50(row, b, name)) for row in rows]
            found[(b, name)] = slope(points)
            last[(b, name)] = slope(points[-2:]) if len(points) > 2 else None
    lines = ["| query | rows at each size | " + " | ".join(BACKENDS) + " |",
             "|---" * (2 + len(BACKENDS)) + "|"]
    for name in names:
        counts = ["/".join(map(str, row["queries"][f"embedded|{name}"]["rows"])) or "—" for row in rows]
        cells = [_fmt(found[(b, name)]) + ("" if last[(b, name)] is None else f" ({_fmt(last[(b, name)])})")
                 for b in BACKENDS]
        lines.append(f"| {name} | {' → '.join(counts)} | " + " | ".join(cells) + " |")
    loads = [f"{label}: {_fmt(slope([(row['total'], row[key]['s']) for row in rows]))}"
             for key, label in (("embedded_load", "`smartcity-kg load` embedded"),
                                ("remote_load", "remote"), ("oxigraph_load", "`oxigraph load`"))]
    lines.append("\nSlopes of the load's wall time over all sizes: " + "; ".join(loads) + ".")
    return "\n".join(lines) + "\n", found


def _p50(row: dict, backend: str, name: str) -> float | None:
    """The p50 of a cell, None where an answer was cut (a 200 whose body was not results)."""
    cell = row["queries"][f"{backend}|{name}"]
    return None if -1 in cell["rows"] else cell["p50"]


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def plot(rows: list[dict], target: Path) -> None:
    """Canned-query p50 against loaded triples per backend (log-log), and load time against size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [_name(u) for u in rows[0]["requests"]]
    sizes = [row["total"] for row in rows]
    figure, axes = plt.subplots(2, 3, figsize=(15, 9))
    for ax, backend in zip(axes.flat, BACKENDS, strict=False):
        for index, name in enumerate(names):  # one colour per query in every panel
            points = [(row["total"], _p50(row, backend, name)) for row in rows]
            points = [(x, y * 1000) for x, y in points if y is not None]
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=name, color=f"C{index}")
        ax.set(xscale="log", yscale="log", title=f"{backend}: canned-query p50", xlabel="triples loaded",
               ylabel="p50 ms")
        ax.grid(True, which="both", alpha=0.3)
    axes.flat[0].legend(fontsize=7)
    ax = axes.flat[4]
    for key, label in (("embedded_load", "smartcity-kg load (embedded)"),
                       ("remote_load", "smartcity-kg load (remote oxigraph)"),
                       ("oxigraph_load", "oxigraph load (peer, no validation)")):
        ax.plot(sizes, [row[key]["s"] for row in rows], marker="o", label=label)
    ax.set(xscale="log", yscale="log", title="load time", xlabel="triples loaded", ylabel="seconds")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    ax = axes.flat[5]
    for backend in BACKENDS:  # over the queries the backend answered at every size
        kept = [n for n in names if all(_p50(row, backend, n) is not None for row in rows)]
        points = [(row["total"], statistics.median(_p50(row, backend, n) for n in kept) * 1000)
                  for row in rows] if kept else []
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=backend)
    ax.set(xscale="log", yscale="log", title="median p50 of the queries answered at every size",
           xlabel="triples loaded",
           ylabel="ms")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(target, dpi=90)
    plt.close(figure)


def report(rows: list[dict], args: argparse.Namespace, command: str, started: datetime) -> str:
    slope_table, _ = slopes(rows)
    parts = [f"Run {started:%Y-%m-%d %H:%M}–{datetime.now(UTC):%H:%M} UTC on {platform.node()} "
             f"({os.cpu_count()} cores), {args.rounds} rounds after {args.warmups} warm-ups, one client "
             f"thread:\n\n    {command}\n",
             "## Summary\n", summary(rows),
             "## Slope of log p50 over log(triples loaded), per query and backend (< 1: sub-linear)\n",
             slope_table, "## Per size\n"]
    parts += [size_table(row, args.rounds) for row in rows]
    return "\n".join(parts)


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="generated triples per size, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--rounds", type=int, default=30, help="measured requests per backend and query")
    parser.add_argument("--warmups", type=int, default=3, help="unmeasured requests first")
    parser.add_argument("--cell-budget", type=float, default=30.0,
                        help="seconds one backend may spend on one query at one size: warm-ups stop at "
                             "half of it, measured requests at all of it once 5 were answered (default 30)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shacl", default="sparql", choices=("pyshacl", "batched", "rudof", "sparql"),
                        help="the loads' SHACL engine")
    parser.add_argument("--work", type=Path, default=None,
                        help="parent of the scratch directory (default /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--oxigraph", default=None, help="the oxigraph binary (default: beside python)")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results-scale.md")
    parser.add_argument("--plot", type=Path, default=None, help="PNG (default scale.png beside --out)")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw numbers here")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


def say(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join(["python", *sys.argv]) if argv is None else shlex.join(["python", __file__, *argv])
    oxigraph = oxigraph_binary(args.oxigraph)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    started = datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=args.work))
    servers: list[Server] = []
    rows = []
    try:
        for size in args.sizes:
            rows.append(run_size(size, args, work, oxigraph, servers))
            if args.json:
                args.json.write_text(json.dumps(rows, indent=1))
    except KeyboardInterrupt as exc:
        say(f"interrupted ({exc}); stopping what was started")
        return 130
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            _remove(work)
    text = report(rows, args, command, started)
    args.out.write_text(text)
    plot(rows, args.plot or args.out.with_name("scale.png"))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
