"""Load and validation at 10^4 … 10^7 generated triples (issue 12), against ``oxigraph load``.

For each size: ``smartcity-kg generate`` (time), then ``smartcity-kg load --shacl ENGINE --no-dumps``
of the bundled data plus the generated files into a fresh store (wall time, peak memory of the
largest process, store size on disk), then ``oxigraph load`` of the same generated files into
another fresh store (wall time), the reference for a bulk load without validation. Writes a
Markdown table (``--out``, default benchmarks/results-load.md). A script, not a test.

    .venv/bin/python benchmarks/bench_load.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
PROJECT = Path(__file__).resolve().parent.parent


def timed(command: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS of the largest process in KB, standard output) of ``command``.

    The peak comes from wait4 (``/usr/bin/time -f %M``), which covers the command's waited-for
    children (the validation workers) one by one, not their sum.
    """
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = result.stderr.strip().splitlines()
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return seconds, int(lines[-1]), result.stdout


def disk_usage(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_size(size: int, engine: str, work: Path, seed: int) -> dict:
    out = work / f"gen-{size}"
    started = time.perf_counter()
    subprocess.run([str(VENV_BIN / "smartcity-kg"), "generate", "--triples", str(size), "--out", str(out),
                    "--seed", str(seed)], check=True, capture_output=True)
    generated = time.perf_counter() - started
    files = sorted(out.glob("*.nt"))
    store = work / f"store-{size}" / "store"
    load_s, peak_kb, said = timed([str(VENV_BIN / "smartcity-kg"), "load", "--store", str(store),
                                   "--ttl-dir", str(work / "ttl"), "--shacl", engine, "--no-dumps",
                                   *map(str, files)])
    loaded = int(said.split()[1])  # "loaded N triples in …"
    store_bytes = disk_usage(store.resolve())
    ox_dir = work / f"oxigraph-{size}"
    ox_s, ox_kb, _ = timed([str(VENV_BIN / "oxigraph"), "load", "--location", str(ox_dir),
                            "--file", *map(str, files)])
    row = {"size": size, "generated": sum(1 for f in files for _ in open(f, "rb")), "total": loaded,
           "generate_s": generated, "load_s": load_s, "peak_mb": peak_kb / 1024,
           "store_mb": store_bytes / 2**20, "oxigraph_s": ox_s, "oxigraph_mb": ox_kb / 1024,
           "oxigraph_store_mb": disk_usage(ox_dir) / 2**20}
    shutil.rmtree(out)
    shutil.rmtree(store.parent)
    shutil.rmtree(ox_dir)
    print(row, file=sys.stderr, flush=True)
    return row


def table(rows: list[dict], engine: str) -> str:
    head = ("| generated triples | total loaded (with bundled) | generate | load + validate "
            f"(`--shacl {engine}`) | peak RSS (largest process) | store on disk | `oxigraph load` "
            "(same generated files) | its peak RSS | its store |\n"
            "|---|---|---|---|---|---|---|---|---|\n")
    return head + "".join(
        f"| {r['generated']:,} | {r['total']:,} | {r['generate_s']:.1f} s | {r['load_s']:.1f} s | "
        f"{r['peak_mb']:,.0f} MB | {r['store_mb']:,.0f} MB | {r['oxigraph_s']:.1f} s | "
        f"{r['oxigraph_mb']:,.0f} MB | {r['oxigraph_store_mb']:,.0f} MB |\n" for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--engine", choices=("pyshacl", "batched", "rudof"), default="rudof")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: /tmp)")
    parser.add_argument("--out", type=Path, default=PROJECT / "benchmarks" / "results-load.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-load-", dir=args.work))
    try:
        rows = [run_size(size, args.engine, work, args.seed) for size in args.sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    text = (f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores, "
            f"load average {load[0]:.1f} at the end), `{' '.join(sys.argv[1:]) or 'defaults'}`:\n\n"
            + table(rows, args.engine))
    print(text)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
