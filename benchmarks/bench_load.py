"""Load and validation at 10^4 … 10^7 generated triples (issue 12), against ``oxigraph load``.

For each size: ``smartcity-kg generate`` (time), then ``smartcity-kg load --shacl ENGINE --no-dumps``
of the bundled data plus the generated files into a fresh store (wall time, peak memory of the
largest process, store size on disk, and the load's own stage times), optionally the same load by
another checkout of the code (``--before DIR``, run with the same interpreter: the before/after
ratio in one run), then ``oxigraph load`` of the same generated files into another fresh store, the
reference for a bulk load without validation: on a shared machine compare ratios to it, not
seconds. ``--today`` adds the loads of the bundled data alone, in every mode. Writes a Markdown
report (``--out``, default benchmarks/results-load-run.md). A script, not a test.

    nice -n 10 .venv/bin/python benchmarks/bench_load.py --sizes 10000 100000 1000000 --today
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
PROJECT = Path(__file__).resolve().parent.parent
STAGE = re.compile(r"^\[\s*([0-9.]+) s\] (.*)$")


def cli(checkout: Path | None) -> list[str]:
    """The command line of ``smartcity-kg`` from this checkout, or from another one."""
    if checkout is None:
        return [str(VENV_BIN / "smartcity-kg")]
    return [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); from cli import main; "
            "sys.exit(main(sys.argv[1:]))", str(checkout)]


def timed(command: list[str]) -> tuple[float, int, str, str, float]:
    """(wall seconds, peak RSS of the largest process in KB, standard output, standard error,
    CPU seconds of the command and its waited-for children).

    The peak comes from wait4 (``/usr/bin/time``), which covers the command's waited-for children
    (the validation workers) one by one, not their sum. The CPU time is their sum: on a shared
    machine it moves less than the wall time.
    """
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *command], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = result.stderr.strip().splitlines()
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    peak, user, system = lines[-1].split()
    return seconds, int(peak), result.stdout, "\n".join(lines[:-1]), float(user) + float(system)


def stages(stderr: str) -> str:
    """The load's ``[t s] stage`` lines, as ``t s stage; …`` (where its time went)."""
    found = [STAGE.match(line) for line in stderr.splitlines()]
    return "; ".join(f"{m[1]} s {m[2].split(' (')[0].rstrip(' …')}" for m in found if m)


def disk_usage(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def load(checkout: Path | None, engine: str, work: Path, files: list[Path], *flags: str,
         store: Path | None = None) -> dict:
    """One ``smartcity-kg load`` into a fresh store (or ``store``); its figures."""
    fresh = store is None
    store = store or Path(tempfile.mkdtemp(dir=work)) / "store"
    seconds, peak_kb, said, err, cpu = timed([*cli(checkout), "load", "--store", str(store), "--ttl-dir",
                                         str(store.parent / "ttl"), "--shacl", engine, *flags,
                                         *map(str, files)])
    row = {"load_s": seconds, "cpu_s": cpu, "peak_mb": peak_kb / 1024, "total": int(said.split()[1]),
           "store_mb": disk_usage(store.resolve()) / 2**20, "stages": stages(err)}
    if fresh:
        shutil.rmtree(store.parent)
    return row


def run_size(size: int, engine: str, work: Path, seed: int, before: Path | None,
             compare: str | None = None) -> dict:
    out = work / f"gen-{size}"
    started = time.perf_counter()
    subprocess.run([*cli(None), "generate", "--triples", str(size), "--out", str(out), "--seed", str(seed)],
                   check=True, capture_output=True)
    generated = time.perf_counter() - started
    files = sorted(out.glob("*.nt"))
    row = {"size": size, "generated": sum(1 for f in files for _ in open(f, "rb")), "generate_s": generated,
           **load(None, engine, work, files, "--no-dumps")}
    if before is not None:
        row["before"] = load(before, engine, work, files, "--no-dumps")
    if compare is not None:
        row["compare"] = load(None, compare, work, files, "--no-dumps")
    ox_dir = work / f"oxigraph-{size}"
    ox_s, ox_kb, _, _, _ = timed([str(VENV_BIN / "oxigraph"), "load", "--location", str(ox_dir),
                               "--file", *map(str, files)])
    row.update(oxigraph_s=ox_s, oxigraph_mb=ox_kb / 1024, oxigraph_store_mb=disk_usage(ox_dir) / 2**20)
    shutil.rmtree(out)
    shutil.rmtree(ox_dir)
    print(row, file=sys.stderr, flush=True)
    return row


def run_today(work: Path, before: Path | None, engine: str = "rudof") -> list[tuple[str, dict]]:
    """The bundled data alone: each engine on a fresh store, and the reloads of unchanged data."""
    rows = []
    for label, checkout in (("", None), ("before: ", before)):
        if label and checkout is None:
            continue
        # the code before has no SPARQL screen
        engines = ("pyshacl", "rudof", "sparql") if checkout is None else ("pyshacl", "rudof")
        for each in engines:
            rows.append((f"{label}`load --shacl {each}` (fresh store, dumps written)",
                         load(checkout, each, work, [])))
        reload = engine if checkout is None else "rudof"
        store = Path(tempfile.mkdtemp(dir=work)) / "store"
        sources = store.parent / "source"
        shutil.copytree(PROJECT / "data" / "source", sources)
        at = ("--source-dir", str(sources))
        load(checkout, reload, work, [], *at, "--skip-unchanged", "--no-dumps", store=store)
        rows.append((f"{label}`load --shacl {reload} --skip-unchanged` again (unchanged data: no validation)",
                     load(checkout, reload, work, [], *at, "--skip-unchanged", store=store)))
        rows.append((f"{label}same with `--no-dumps` (no validation, no dumps)",
                     load(checkout, reload, work, [], *at, "--skip-unchanged", "--no-dumps", store=store)))
        kpis = sources / "kpis.csv"  # one cell changed: one graph changes
        text = kpis.read_text(encoding="utf-8")
        kpis.write_text(text.replace(",100,2025,", ",101,2025,", 1), encoding="utf-8")
        rows.append((f"{label}one cell of `kpis.csv` changed, `--skip-unchanged --no-dumps`",
                     load(checkout, reload, work, [], *at, "--skip-unchanged", "--no-dumps", store=store)))
        shutil.rmtree(store.parent)
    started = time.perf_counter()
    subprocess.run([*cli(None), "--help"], check=True, capture_output=True)
    rows.append(("`smartcity-kg --help` (interpreter and imports only)",
                 {"load_s": time.perf_counter() - started, "cpu_s": 0, "peak_mb": 0, "total": 0,
                  "store_mb": 0, "stages": ""}))
    print(rows, file=sys.stderr, flush=True)
    return rows


def cpu(row: dict) -> str:
    return f" ({row['cpu_s']:.0f} s CPU)" if row.get("cpu_s") else ""


def table(rows: list[dict], engine: str, before: bool, compare: str | None = None) -> str:
    extra = " | before (same run) | after/before" if before else ""
    extra += f" | `--shacl {compare}` (same run) | ratio" if compare else ""
    head = ("| generated triples | total loaded (with bundled) | generate | load + validate "
            f"(`--shacl {engine}`){extra} | peak RSS (largest process) | store on disk | `oxigraph load` "
            "(same generated files) | load / `oxigraph load` | its peak RSS | its store |\n"
            "|---|---|---|---|" + ("---|---|" if before else "") + ("---|---|" if compare else "")
            + "---|---|---|---|---|---|\n")
    body = ""
    for r in rows:
        cells = (f"| {r['generated']:,} | {r['total']:,} | {r['generate_s']:.1f} s | "
                 f"{r['load_s']:.1f} s{cpu(r)} |")
        if before:
            b = r["before"]
            cells += (f" {b['load_s']:.1f} s{cpu(b)}, {b['peak_mb']:,.0f} MB | "
                      f"{r['load_s'] / b['load_s']:.2f} |")
        if compare:
            c = r["compare"]
            cells += (f" {c['load_s']:.1f} s{cpu(c)}, {c['peak_mb']:,.0f} MB | "
                      f"{r['load_s'] / c['load_s']:.2f} |")
        body += (cells + f" {r['peak_mb']:,.0f} MB | {r['store_mb']:,.0f} MB | {r['oxigraph_s']:.1f} s | "
                 f"{r['load_s'] / r['oxigraph_s']:.0f}x | {r['oxigraph_mb']:,.0f} MB | "
                 f"{r['oxigraph_store_mb']:,.0f} MB |\n")
    body += "\nWhere each load's time went (its `[t s] stage` lines: the time each stage started):\n\n"
    for r in rows:
        body += f"- {r['generated']:,}: {r['stages']}\n"
        if before:
            body += f"  - before: {r['before']['stages']}\n"
        if compare:
            body += f"  - `--shacl {compare}`: {r['compare']['stages']}\n"
    return head + body


def today_table(rows: list[tuple[str, dict]]) -> str:
    head = "| bundled data alone | wall | CPU | peak RSS | stages |\n|---|---|---|---|---|\n"
    return head + "".join(f"| {label} | {r['load_s']:.1f} s | {r.get('cpu_s', 0):.1f} s | "
                          f"{r['peak_mb']:,.0f} MB | {r['stages']} |\n" for label, r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--engine", choices=("pyshacl", "batched", "rudof", "sparql"), default="sparql")
    parser.add_argument("--compare", choices=("pyshacl", "batched", "rudof", "sparql"), default=None,
                        help="also load each size with this engine, in the same run")
    parser.add_argument("--today", action="store_true", help="also load the bundled data alone, every mode")
    parser.add_argument("--before", type=Path, default=None,
                        help="a checkout of the code to compare with (e.g. a git worktree of main)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: /tmp)")
    parser.add_argument("--out", type=Path, default=PROJECT / "benchmarks" / "results-load-run.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-load-", dir=args.work))
    started = datetime.now(UTC)
    try:
        rows = [run_size(size, args.engine, work, args.seed, args.before, args.compare)
                for size in args.sizes]
        today = run_today(work, args.before, args.engine) if args.today else []
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_avg = os.getloadavg()
    text = (f"Run {started:%Y-%m-%d %H:%M}–{datetime.now(UTC):%H:%M} UTC on {platform.node()} "
            f"({os.cpu_count()} cores, load average {load_avg[0]:.1f} at the end), "
            f"`{' '.join(sys.argv[1:]) or 'defaults'}`:\n\n")
    if rows:
        text += table(rows, args.engine, args.before is not None, args.compare) + "\n"
    if today:
        text += today_table(today)
    print(text)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
