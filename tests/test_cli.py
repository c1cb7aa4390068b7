"""The console script: every subcommand answers --help, and query/stats/validate work end to end.

The commands run in this process (``cli.main`` with the output captured), which is what the
installed script calls; one test runs the installed script itself, and one a real ``query``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cli

# The script pip installed beside the interpreter running the tests.
SCRIPT = Path(sys.executable).parent / "smartcity-kg"


def test_the_installed_script_answers_help():
    assert SCRIPT.is_file(), "smartcity-kg is not installed: run pip install -e ."
    result = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "usage: smartcity-kg" in result.stdout


@pytest.mark.parametrize("command", [[], ["load"], ["validate"], ["query"], ["stats"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([*command, "--help"])
    out, err = capsys.readouterr()
    assert exited.value.code == 0, err
    assert "usage: smartcity-kg" in out


def _run(capsys, *args: str) -> subprocess.CompletedProcess:
    """``smartcity-kg ARGS`` in this process: its exit code and output, as a finished process has them."""
    code = cli.main(list(args))
    out, err = (text.replace("\r\n", "\n").replace("\r", "\n")  # as text=True reads a process's output
                for text in capsys.readouterr())
    return subprocess.CompletedProcess(["smartcity-kg", *args], code, out, err)


TAKAMATSU_CODE = ("PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#> "
                  "SELECT ?code { ?p sckg:localGovernmentCode ?code ; "
                  "<http://www.w3.org/2000/01/rdf-schema#label> '高松市'@ja }")


def _check_table(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "code"
    assert "372013" in lines[2]
    assert lines[-1] == "(1 rows)"


def test_query_prints_a_readable_table(kg_root, loaded, capsys):
    _check_table(_run(capsys, "query", "--store", str(kg_root / "store"), TAKAMATSU_CODE))


@pytest.mark.slow
def test_query_as_a_real_process(kg_root, loaded):
    """The same query through ``python -m cli``: a process of its own, its own exit code and stdout."""
    result = subprocess.run([sys.executable, "-m", "cli", "query", "--store", str(kg_root / "store"),
                             TAKAMATSU_CODE], capture_output=True, text=True, timeout=300)
    _check_table(result)


@pytest.mark.parametrize(("fmt", "marker"), [("json", '"bindings"'), ("csv", "n\n28"), ("xml", "<sparql")])
def test_query_other_formats(kg_root, loaded, fmt, marker, capsys):
    result = _run(capsys, "query", "--store", str(kg_root / "store"), "--format", fmt,
                  "SELECT (COUNT(*) AS ?n) { ?s a <https://w3id.org/smartcity-kg/ontology#AdoptedProject> }")
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout
    assert "28" in result.stdout


def test_construct_query_prints_turtle(kg_root, loaded, capsys):
    result = _run(capsys, "query", "--store", str(kg_root / "store"),
                  "CONSTRUCT { ?s ?p ?o } WHERE { "
                  "BIND(<https://w3id.org/smartcity-kg/id/project/H29a> AS ?s) ?s ?p ?o }")
    assert result.returncode == 0, result.stderr
    assert "H29a" in result.stdout


def test_query_syntax_error_is_reported_without_traceback(kg_root, loaded, capsys):
    result = _run(capsys, "query", "--store", str(kg_root / "store"), "SELEC nothing")
    assert result.returncode == 2
    assert "query syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_query_without_store_says_so(tmp_path, capsys):
    result = _run(capsys, "query", "--store", str(tmp_path / "none"), "ASK {}")
    assert result.returncode == 2
    assert "run 'smartcity-kg load' first" in result.stderr


def test_stats_reports_graphs_and_classes(kg_root, loaded, capsys):
    result = _run(capsys, "stats", "--json", "--store", str(kg_root / "store"))
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["graphs"] == loaded.counts
    assert stats["classes"]["https://w3id.org/smartcity-kg/ontology#AdoptedProject"] == 28
    assert stats["triples"] == sum(loaded.counts.values())


def test_validate_accepts_the_bundled_sources(loaded, capsys):
    """(The session's load validated the same data: the SHACL step is not run twice.)"""
    result = _run(capsys, "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("valid:")
