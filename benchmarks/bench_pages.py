#!/usr/bin/env python
"""Pages per second for a municipality's page, beside the SPARQL point lookup of the same resource.

A resource page (``/page/municipality/<code>``) runs a few queries and renders HTML; the point
lookup (``SELECT ?p ?o { <iri> ?p ?o }``) is what a linked-data client would ask instead. Both are
measured on our server (granian + query workers, result cache off, so every request does the
work) and the lookup also on ``oxigraph serve`` in memory, on the same data, in the same run.

Servers alternate in rounds so drift hits all of them alike; each request's status is checked
(200) and the codes are drawn at random from every municipality in the store. Results go to
stdout and ``benchmarks/results-pages.md``.

Run with the project's virtualenv (``pip install -e '.[bench]'`` for the oxigraph binary):
``python benchmarks/bench_pages.py [--seconds 10] [--concurrency 1 4] [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import http.client
import random
import shlex
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sparql import (  # noqa: E402  (the SPARQL benchmark's server and data helpers)
    BASE,
    PROJECT_DIR,
    Server,
    build_our_store,
    free_port,
    load_in_memory_oxigraph,
    oxigraph_binary,
    percentile,
    say,
    turtle_sources,
)

RESULTS = PROJECT_DIR / "benchmarks" / "results-pages.md"
LOOKUP = "SELECT ?p ?o WHERE { <%s> ?p ?o }"


def municipality_codes(store_link: Path) -> list[str]:
    """Every municipality's code, to draw the requested resources from."""
    from kg.store import KnowledgeGraph

    kg = KnowledgeGraph.open(store_link)
    rows = kg.store.query(
        "SELECT ?code WHERE { ?m a <https://w3id.org/smartcity-kg/ontology#Municipality> ; "
        "<https://w3id.org/smartcity-kg/ontology#localGovernmentCode> ?code }",
        use_default_graph_as_union=True)
    return sorted(row["code"].value for row in rows)


def request_path(kind: str, server: Server, code: str) -> str:
    iri = f"{BASE}/id/municipality/{code}"
    if kind == "page":
        return f"/page/municipality/{code}"
    return server.path + "?" + urllib.parse.urlencode({"query": LOOKUP % iri})


def run_segment(server: Server, kind: str, codes: list[str], concurrency: int,
                seconds: float, seed: int) -> tuple[int, list[float]]:
    """Requests done and their latencies, ``concurrency`` keep-alive clients for ``seconds``."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    errors: list[str] = []
    accept = "text/html" if kind == "page" else "application/sparql-results+json"

    def client(index: int) -> None:
        rng = random.Random(seed + index)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        mine = []
        try:
            while time.monotonic() < deadline:
                path = request_path(kind, server, rng.choice(codes))
                started = time.perf_counter()
                conn.request("GET", path, headers={"Accept": accept})
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                if response.status != 200:
                    errors.append(f"{server.name} {path}: {response.status}")
                    return
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return len(latencies), latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per segment (default 10)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--oxigraph", help="path of the oxigraph server binary")
    args = parser.parse_args(argv)
    oxigraph = oxigraph_binary(args.oxigraph)
    ours = Path(sys.executable).parent / "smartcity-kg"
    tmp = Path(tempfile.mkdtemp(prefix="smartcity-kg-bench-pages-"))
    sources = turtle_sources()
    store_link = tmp / "ours" / "store"
    store_link.parent.mkdir()
    build_our_store(store_link, sources)
    codes = municipality_codes(store_link)
    say(f"{len(codes)} municipalities; work dir {tmp}")
    port_ours, port_ox = free_port(), free_port()
    servers = {
        "ours": Server("ours", [str(ours), "serve", "--host", "127.0.0.1", "--port", str(port_ours),
                                "--store", str(store_link), "--no-cache"],
                       "/sparql", tmp / "ours.log", port_ours, ready_path="/healthz"),
        "ox-mem": Server("ox-mem", [oxigraph, "serve", "--bind", f"127.0.0.1:{port_ox}",
                                    "--union-default-graph"], "/query", tmp / "ox.log", port_ox),
    }
    # what is measured: (label, server, kind)
    cells = [("ours: municipality page", "ours", "page"),
             ("ours: SPARQL point lookup", "ours", "lookup"),
             ("oxigraph serve (memory): SPARQL point lookup", "ox-mem", "lookup")]
    done: dict[tuple[str, int], list[float]] = {}
    counts: dict[tuple[str, int], int] = {}
    try:
        for server in servers.values():
            server.start()
        for server in servers.values():
            server.wait_ready()
        load_in_memory_oxigraph(servers["ox-mem"], sources)
        for _label, name, kind in cells:  # warm-up: every worker, every code path
            run_segment(servers[name], kind, codes, 2, 2.0, seed=0)
        for round_no in range(args.rounds):
            order = cells[round_no % len(cells):] + cells[:round_no % len(cells)]
            for concurrency in args.concurrency:
                for label, name, kind in order:
                    n, latencies = run_segment(servers[name], kind, codes, concurrency, args.seconds,
                                               seed=round_no * 100 + concurrency)
                    counts[(label, concurrency)] = counts.get((label, concurrency), 0) + n
                    done.setdefault((label, concurrency), []).extend(latencies)
                    say(f"round {round_no + 1} c={concurrency} {label}: {n / args.seconds:.0f}/s")
    finally:
        for server in servers.values():
            server.stop()
    seconds = args.seconds * args.rounds
    lines = [f"# Pages against point lookups ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
             f"`{shlex.join([sys.executable, *sys.argv])}`; {len(codes)} municipalities drawn at "
             "random; our result cache off; every answer 200.", "",
             "| concurrency | what | requests/s | p50 ms | p99 ms | ÷ oxigraph lookup |",
             "|---|---|---|---|---|---|"]
    for concurrency in args.concurrency:
        ox_rate = counts[(cells[2][0], concurrency)] / seconds
        for label, _, _ in cells:
            rate = counts[(label, concurrency)] / seconds
            lat = done[(label, concurrency)]
            lines.append(f"| {concurrency} | {label} | {rate:.0f} | {percentile(lat, 50) * 1000:.1f} | "
                         f"{percentile(lat, 99) * 1000:.1f} | {rate / ox_rate:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
