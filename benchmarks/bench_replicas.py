#!/usr/bin/env python
"""Throughput of 1 and 2 replicas behind HAProxy, with the replica reached directly as the reference.

What runs (all on 127.0.0.1, free ports, one store, result cache off so that every request does
its work; each replica is ``smartcity-kg serve --workers 1 --query-workers 1``: one web process
with 8 request threads and one query process):

* ``direct-1``   the client talks to replica A itself (no balancer): the reference;
* ``haproxy-1``  HAProxy (deploy/haproxy, request log off) in front of replica A alone;
* ``haproxy-2``  HAProxy in front of replicas A and B;
* ``direct-2w``  one server with ``--workers 2 --query-workers 1``: as many processes as two
                 replicas, in one server, reached directly (scaling inside one server, for comparison).

Two requests: a cheap canned query (``/api/programs-by-year``) and a page
(``/page/municipality/372013``). The client is ``wrk`` (Debian package ``wrk``: C, little CPU of
its own) with 2 threads and ``--concurrency`` connections; before each measurement one request
checks the status (200) and that the body is the same as on ``direct-1``, and wrk's count of
non-2xx answers and socket errors is reported. Setups alternate in rounds (order rotating) so that
drift hits all alike; the median over rounds is reported. Results go to stdout and
``benchmarks/results-replicas.md``.

Run with the project's virtualenv: ``python benchmarks/bench_replicas.py [--seconds 10] [--rounds 3]
[--concurrency 8] [--store PATH]`` (without ``--store`` a store is built from data/ttl).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sparql import PROJECT_DIR, Server, build_our_store, free_port, turtle_sources  # noqa: E402

sys.path.insert(0, str(PROJECT_DIR / "deploy" / "haproxy"))
import render  # noqa: E402  (deploy/haproxy/render.py: the tested configuration)
import rolling_restart  # noqa: E402  (its show-stat reader)

REQUESTS = {"canned query": "/api/programs-by-year", "page": "/page/municipality/372013"}
SETUPS = ("direct-1", "haproxy-1", "haproxy-2", "direct-2w")
RESULTS = Path(__file__).with_name("results-replicas.md")


@dataclass
class Measure:
    """One wrk run: requests per second, latency percentiles (ms), answers that were not 2xx/3xx."""

    rps: float
    p50: float
    p99: float
    bad: int
    errors: str = ""
    cpu_ms: float = 0.0  # CPU time of the setup's processes (replicas, HAProxy) per request
    total: int = 0  # requests answered


@dataclass
class Cell:
    measures: list[Measure] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(m, attr) for m in self.measures)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Measure:
    """requests/s, p50, p99 and the bad-answer count of ``wrk --latency`` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return Measure(rps, p50, p99, int(bad.group(1)) if bad else 0, errors.group(0) if errors else "",
                   total=total)


def wrk(url: str, seconds: float, concurrency: int) -> Measure:
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds:g}s", "--timeout", "30s", "--latency", url]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read()


def replica(name: str, store: Path, folder: Path, *options: str) -> Server:
    port = free_port()
    script = Path(sys.executable).parent / "smartcity-kg"
    command = [str(script), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store),
               "--no-cache", *options]
    return Server(name, command, "/sparql", folder / f"{name}.log", port=port, ready_path="/healthz")


def haproxy(name: str, folder: Path, replicas: list[Server]) -> Server:
    port = free_port()
    config = folder / f"{name}.cfg"
    config.write_text(render.render(f"127.0.0.1:{port}", [f"127.0.0.1:{r.port}" for r in replicas],
                                    str(folder / f"{name}.sock"), log="none"))
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    return Server(name, [binary, "-f", str(config), "-db"], "/sparql", folder / f"{name}.log", port=port,
                  ready_path="/healthz")


def wait_all_up(server: Server, replicas: int, timeout: float = 30) -> None:
    """Wait until HAProxy's health checks have every replica UP (a request alone does not show it)."""
    socket = str(server.log.with_suffix(".sock"))
    deadline = time.monotonic() + timeout
    while sum(s.status == "UP" for s in rolling_restart.servers(socket)) < replicas:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name}: replicas not UP: {rolling_restart.servers(socket)}")
        time.sleep(0.2)


def versions() -> str:
    def first_line(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except OSError:
            return "missing"
        return (done.stdout or done.stderr).splitlines()[0].strip()

    import granian

    return (f"{first_line(['haproxy', '-v'])}; {first_line(['wrk', '--version'])}; "
            f"granian {granian.__version__}; Python {sys.version.split()[0]}; {os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, setups alternating (default 3)")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    parser.add_argument("--store", type=Path, help="an existing store link (default: built from data/ttl)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"report file (default {RESULTS.name})")
    args = parser.parse_args()
    for tool in ("wrk", "haproxy"):
        if not shutil.which(tool) and not os.access(f"/usr/sbin/{tool}", os.X_OK):
            parser.error(f"{tool} is not installed (apt-get install {tool})")

    folder = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
    store = args.store
    if store is None:
        store = folder / "store"
        build_our_store(store, turtle_sources())
    one = ("--workers", "1", "--query-workers", "1")
    a, b = replica("replica-a", store, folder, *one), replica("replica-b", store, folder, *one)
    w = replica("replica-2w", store, folder, "--workers", "2", "--query-workers", "1")
    lb1, lb2 = haproxy("haproxy-1", folder, [a]), haproxy("haproxy-2", folder, [a, b])
    servers = [a, b, w, lb1, lb2]
    bases = {"direct-1": a, "haproxy-1": lb1, "haproxy-2": lb2, "direct-2w": w}
    involved = {"direct-1": [a], "haproxy-1": [lb1, a], "haproxy-2": [lb2, a, b], "direct-2w": [w]}
    cells = {(setup, what): Cell() for setup in SETUPS for what in REQUESTS}
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        wait_all_up(lb1, 1)
        wait_all_up(lb2, 2)
        reference = {what: fetch(f"http://127.0.0.1:{a.port}{path}") for what, path in REQUESTS.items()}
        for server in bases.values():  # warm-up: every query process has opened the store
            for path in REQUESTS.values():
                wrk(f"http://127.0.0.1:{server.port}{path}", 2, args.concurrency)
        for round_ in range(args.rounds):
            order = SETUPS[round_ % len(SETUPS):] + SETUPS[:round_ % len(SETUPS)]
            for what, path in REQUESTS.items():
                for setup in order:
                    url = f"http://127.0.0.1:{bases[setup].port}{path}"
                    if fetch(url) != reference[what]:
                        raise RuntimeError(f"{setup}: {path} answers differently from direct-1")
                    cpu = sum(s.cpu_seconds() for s in involved[setup])
                    measure = wrk(url, args.seconds, args.concurrency)
                    cpu = sum(s.cpu_seconds() for s in involved[setup]) - cpu
                    measure.cpu_ms = 1000 * cpu / max(1, measure.total)
                    cells[(setup, what)].measures.append(measure)
                    print(f"round {round_ + 1} {what:12} {setup:10} {measure.rps:8.1f} req/s  "
                          f"p50 {measure.p50:7.1f} ms  p99 {measure.p99:7.1f} ms  bad {measure.bad} "
                          f"cpu {measure.cpu_ms:.2f} ms/req {measure.errors}", flush=True)
    finally:
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    report(args, cells, started, load_before, os.getloadavg())
    return 0


def report(args, cells: dict, started: datetime, load_before, load_after) -> None:
    command = " ".join(["python", "benchmarks/bench_replicas.py", *map(shlex.quote, sys.argv[1:])])
    lines = [
        f"# Replicas behind HAProxy ({started:%Y-%m-%d %H:%M} UTC)", "",
        f"`{command}`; {args.rounds} rounds of {args.seconds:g} s per cell, medians over rounds; "
        f"wrk with 2 threads and {args.concurrency} connections; result cache off; each replica "
        "`--workers 1 --query-workers 1` (one web process with 8 threads, one query process).", "",
        f"{versions()}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        "(the machine is shared).", "",
        "| request | setup | requests/s | p50 ms | p99 ms | ÷ direct-1 | CPU ms/request | non-2xx |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for what in REQUESTS:
        reference = cells[("direct-1", what)].median("rps")
        for setup in SETUPS:
            cell = cells[(setup, what)]
            bad = sum(m.bad for m in cell.measures)
            lines.append(f"| {what} | {setup} | {cell.median('rps'):.1f} | {cell.median('p50'):.1f} | "
                         f"{cell.median('p99'):.1f} | {cell.median('rps') / reference:.2f} | "
                         f"{cell.median('cpu_ms'):.2f} | {bad} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output.exists():
        notes = args.output.read_text().split("\n## ", 1)
        if len(notes) == 2:  # keep the hand-written notes below the table
            text += "\n## " + notes[1]
    args.output.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
