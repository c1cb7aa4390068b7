#!/usr/bin/env python
"""Names reconciled per second by ``/reconcile``: one batch of 1,000 queries, and batches of 10.

A real server (``smartcity-kg serve``: granian, default settings) over a store built from
``data/ttl`` answers names as a spreadsheet holds them: the Japanese label, the kana reading or
the English label of a municipality or prefecture, drawn at random (seeded) from the store, a
quarter of them with a prefecture column. Every request is checked (200, one result per query)
and the top candidate's accuracy is reported beside the speed (the names module's sheet measures
accuracy properly; this is a sanity check that the fast answers are answers).

Modes, each repeated for ``--rounds`` (the order rotates):

* ``1 × 1000``: all names in one request (0.2 form POST ``queries=``, and 1.0-draft JSON POST);
* ``100 × 10``: batches of 10 (OpenRefine's default), one client after another on one keep-alive
  connection, and ``--concurrency`` clients at once.

Run with the project's virtualenv: ``python benchmarks/bench_reconcile.py [--rounds 3]``.
Results go to stdout and ``benchmarks/results-reconcile.md``.
"""

from __future__ import annotations

import argparse
import http.client
import json
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
    PROJECT_DIR,
    Server,
    build_our_store,
    free_port,
    percentile,
    say,
    turtle_sources,
)

RESULTS = PROJECT_DIR / "benchmarks" / "results-reconcile.md"
SCKG = "https://w3id.org/smartcity-kg/ontology#"
NAMES = f"""SELECT ?s ?label ?pref WHERE {{
  ?s a ?class ; <http://www.w3.org/2000/01/rdf-schema#label> ?label .
  VALUES ?class {{ <{SCKG}Municipality> <{SCKG}Prefecture> }}
  OPTIONAL {{ ?s <{SCKG}prefecture> ?p . ?p <http://www.w3.org/2000/01/rdf-schema#label> ?pref
             FILTER(lang(?pref) = "ja") }}
}}"""


def spreadsheet(store_link: Path, n: int, seed: int) -> list[tuple[dict, str]]:
    """``n`` (0.2 query, expected IRI) pairs: labels in every language, some with a prefecture."""
    from kg.store import KnowledgeGraph

    kg = KnowledgeGraph.open(store_link)
    rows = [(r["s"].value, r["label"].value, r["pref"].value if r["pref"] else None)
            for r in kg.store.query(NAMES, use_default_graph_as_union=True)]
    rng = random.Random(seed)
    picked = []
    for iri, label, pref in rng.sample(rows, n):
        query: dict = {"query": label}
        if pref and rng.random() < 0.25:
            query["properties"] = [{"pid": "prefecture", "v": pref}]
        picked.append((query, iri))
    return picked


def post(conn: http.client.HTTPConnection, batch: list[tuple[dict, str]], protocol: str) -> tuple[int, int]:
    """One request for ``batch``; (queries answered, top-1 candidates that are the expected IRI)."""
    if protocol == "0.2":
        body = urllib.parse.urlencode({"queries": json.dumps({f"q{i}": q for i, (q, _) in enumerate(batch)})})
        conn.request("POST", "/reconcile", body=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        queries = [{"conditions": [{"matchType": "name", "propertyValue": q["query"]}]
                    + [{"matchType": "property", "propertyId": p["pid"], "propertyValue": p["v"]}
                       for p in q.get("properties", [])]} for q, _ in batch]
        conn.request("POST", "/reconcile/match", body=json.dumps({"queries": queries}),
                     headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {data[:300]!r}")
    answer = json.loads(data)
    results = ([answer[f"q{i}"]["result"] for i in range(len(batch))] if protocol == "0.2"
               else [r["candidates"] for r in answer["results"]])
    if len(results) != len(batch):
        raise RuntimeError(f"{len(results)} results for {len(batch)} queries")
    right = sum(1 for (_, iri), cands in zip(batch, results, strict=True) if cands and cands[0]["id"] == iri)
    return len(results), right


def run(port: int, names: list, size: int, protocol: str, concurrency: int) -> tuple[float, list[float], int]:
    """``names`` in batches of ``size`` by ``concurrency`` clients: (seconds, latencies, right)."""
    batches = [names[i:i + size] for i in range(0, len(names), size)]
    latencies: list[float] = []
    right = [0]
    lock = threading.Lock()
    errors: list[str] = []

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            for batch in batches[index::concurrency]:
                started = time.perf_counter()
                _, ok = post(conn, batch, protocol)
                with lock:
                    latencies.append(time.perf_counter() - started)
                    right[0] += ok
        except Exception as error:  # noqa: BLE001  (reported after the threads end)
            errors.append(str(error))
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return time.perf_counter() - started, latencies, right[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--names", type=int, default=1000, help="names per run (default 1000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4, help="clients for the parallel batches of 10")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    ours = Path(sys.executable).parent / "smartcity-kg"
    tmp = Path(tempfile.mkdtemp(prefix="smartcity-kg-bench-reconcile-"))
    store_link = tmp / "store"
    build_our_store(store_link, turtle_sources())
    port = free_port()
    server = Server("ours", [str(ours), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--store", str(store_link)], "/reconcile", tmp / "ours.log", port,
                    ready_path="/healthz")
    modes = [(f"1 × {args.names}", "0.2", args.names, 1), (f"1 × {args.names}", "1.0-draft", args.names, 1),
             (f"{args.names // 10} × 10", "0.2", 10, 1), (f"{args.names // 10} × 10", "1.0-draft", 10, 1),
             (f"{args.names // 10} × 10", "0.2", 10, args.concurrency)]
    totals: dict[int, list] = {i: [0.0, [], 0, 0] for i in range(len(modes))}
    try:
        server.start()
        server.wait_ready()
        names = spreadsheet(store_link, args.names, args.seed)
        cold, _, _ = run(port, names[:1], 1, "0.2", 1)  # builds the gazetteer of the store version
        say(f"first query (gazetteer built): {cold * 1000:.0f} ms; work dir {tmp}")
        for mode in range(len(modes)):  # warm-up: every web process, every code path
            run(port, names[:200], modes[mode][2], modes[mode][1], 4)
        for round_no in range(args.rounds):
            shift = round_no % len(modes)
            order = list(range(shift, len(modes))) + list(range(shift))
            for mode in order:
                label, protocol, size, concurrency = modes[mode]
                seconds, latencies, right = run(port, names, size, protocol, concurrency)
                cell = totals[mode]
                cell[0] += seconds
                cell[1].extend(latencies)
                cell[2] += right
                cell[3] += len(names)
                say(f"round {round_no + 1} {label} {protocol} c={concurrency}: "
                    f"{len(names) / seconds:.0f} names/s")
    finally:
        server.stop()
    lines = [f"# Reconciliation: names per second ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
             f"`{shlex.join([sys.executable, *sys.argv])}`; {args.names} names drawn from the store "
             f"(ja, kana and English labels of municipalities and prefectures, a quarter with a prefecture "
             f"column), {args.rounds} rounds; server `smartcity-kg serve` (granian, 2 web processes × "
             f"8 threads); first query after start (builds the gazetteer): {cold * 1000:.0f} ms.", "",
             "| requests × queries | protocol | clients | names/s | p50 ms/request | p99 ms/request "
             "| top-1 is the named body |", "|---|---|---|---|---|---|---|"]
    for mode, (label, protocol, _size, concurrency) in enumerate(modes):
        seconds, latencies, right, count = totals[mode]
        lines.append(f"| {label} | {protocol} | {concurrency} | {count / seconds:.0f} | "
                     f"{percentile(latencies, 50) * 1000:.1f} | {percentile(latencies, 99) * 1000:.1f} | "
                     f"{right / count:.1%} |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
