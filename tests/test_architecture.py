"""The layout of docs/architecture.md, held to the code: imports point one way, and each process
imports only what it runs (a load no Flask; the web and query processes no rdflib or pySHACL, and
the query processes no Flask either)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import start_server, stop_server

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACKAGES = ("kg", "loader", "server", "cli")
PROBE = Path(__file__).resolve().parent / "probe"
#: package → our packages it must never import
FORBIDDEN = {"kg": {"loader", "server", "cli"}, "loader": {"server", "cli"}, "server": {"loader", "cli"},
             "cli": set()}


def _imports(path: Path) -> set[str]:
    """Top-level names of the absolute imports in one module (wherever they are: lazy ones count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_one_way(package):
    modules = sorted((PROJECT_DIR / package).rglob("*.py"))
    assert modules
    wrong = {str(p.relative_to(PROJECT_DIR)): sorted(_imports(p) & FORBIDDEN[package]) for p in modules}
    assert not {k: v for k, v in wrong.items() if v}


def test_the_core_imports_no_web_or_rdf_library():
    third_party = set().union(*(_imports(p) for p in (PROJECT_DIR / "kg").rglob("*.py")))
    assert not third_party & {"flask", "werkzeug", "gunicorn", "granian", "rdflib", "pyshacl", "tqdm", "yaml"}


def _probe_env(directory: Path) -> dict:
    path = os.pathsep.join([str(PROBE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {"PYTHONPATH": path, "SMARTCITY_KG_MODULE_PROBE": str(directory)}


def _records(directory: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))]


@pytest.mark.slow
def test_a_running_server_imports_neither_rdflib_nor_pyshacl(kg, kg_root, tmp_path):
    process, base = start_server(kg_root / "store", "--workers", "1", "--query-workers", "1",
                                 "--no-cache", env=_probe_env(tmp_path))
    try:
        with urllib.request.urlopen(base + "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D") as response:
            assert b"true" in response.read()
        with urllib.request.urlopen(base + "/api/kpi-progress") as response:
            assert response.status == 200
        with urllib.request.urlopen(base + "/api/docs") as response:
            assert response.status == 200
        deadline = time.monotonic() + 10
        while True:  # the probe writes every 0.2 s; wait for the query process to have answered
            records = _records(tmp_path)
            query = [r for r in records if r["name"] == "smartcity-kg-query" and "pyoxigraph" in r["modules"]]
            web = [r for r in records if "flask" in r["modules"] and r["pid"] in {q["ppid"] for q in query}]
            if (web and query) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        stop_server(process)
    assert web and query, [(r["name"], r["argv"]) for r in records]
    for record in records:
        assert not {"rdflib", "pyshacl", "loader", "tqdm"} & set(record["modules"]), record["argv"]
    for record in query:  # a query process needs pyoxigraph and our engine, not the web framework
        web_stack = {"flask", "werkzeug", "gunicorn", "granian", "yaml"}
        assert not web_stack & set(record["modules"]), record["modules"]


@pytest.mark.slow
def test_a_load_imports_no_web_framework(tmp_path):
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "cli", "load", "--store", str(tmp_path / "store"), "--ttl-dir",
         str(tmp_path / "ttl"), "--source-dir", str(tmp_path / "missing")],
        capture_output=True, text=True, env={**os.environ, **_probe_env(probe)}, timeout=120)
    assert done.returncode == 1, done.stderr
    modules = set().union(*(set(r["modules"]) for r in _records(probe)))
    assert {"loader", "rdflib", "pyshacl"} <= modules  # the probe saw the loader's imports
    assert not modules & {"flask", "werkzeug", "gunicorn", "granian", "server"}
