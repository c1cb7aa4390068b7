"""Malformed sources are refused with ``file:row:column: message`` and touch nothing on disk.

Most cases run the command in this process (``cli.main``, what the installed script calls, with its
exit code and stderr); a few run it as a real process, which is what a user sees. The two real
commands that get as far as a full SHACL validation (10-15 s each) are started when this module
starts and run beside its other tests (``_start_early``); their tests wait for them.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from kg.codes import check_digit

CLI = [sys.executable, "-m", "cli"]
PROJECT_SOURCE = Path(__file__).resolve().parent.parent / "data" / "source"


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _drop_column(path: Path, column: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    index = lines[0].split(",").index(column)
    path.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != index)
                              for line in lines) + "\n", encoding="utf-8")


def _duplicate_row(path: Path, row: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(lines[row - 1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


UNKNOWN_CODE = "99999" + check_digit("99999")

CASES = {
    "missing column": (
        lambda d: _drop_column(d / "projects.csv", "fields"),
        "data/source/projects.csv:1:8: missing column 'fields'",
    ),
    "wrong check digit": (
        lambda d: _replace(d / "projects.csv", "H29f,2017,372013", "H29f,2017,372014"),
        "data/source/projects.csv:7:3: local-government code '372014' has a wrong check digit "
        "(expected 372013)",
    ),
    "unknown municipality": (
        lambda d: _replace(d / "city-os-introductions.csv", "372056,2019", f"{UNKNOWN_CODE},2019"),
        f"data/source/city-os-introductions.csv:11:1: unknown municipality '{UNKNOWN_CODE}'",
    ),
    "unknown region of a project": (
        lambda d: _replace(d / "projects.csv", "R3h,2021,420000", f"R3h,2021,{UNKNOWN_CODE}"),
        f"data/source/projects.csv:28:3: unknown municipality or prefecture '{UNKNOWN_CODE}'",
    ),
    "duplicate key": (
        lambda d: _duplicate_row(d / "projects.csv", 2),
        "data/source/projects.csv:30:1: duplicate key 'H29a' (first on row 2)",
    ),
    "bytes that are not UTF-8": (
        lambda d: (d / "fields.csv").write_bytes(
            (d / "fields.csv").read_bytes().replace("交通".encode(), "交通".encode("shift_jis"))),
        "data/source/fields.csv:2:11: bytes are not UTF-8",
    ),
    "empty file": (
        lambda d: (d / "kpis.csv").write_bytes(b""),
        "data/source/kpis.csv:1:1: the file is empty; a header row is required",
    ),
    "fiscal year out of range": (
        lambda d: _replace(d / "program-budgets.csv", "2018,data-utilization", "1899,data-utilization"),
        "data/source/program-budgets.csv:3:1: fiscal year '1899' is out of range (2000–2100, Western year)",
    ),
    "fiscal year that does not match the project code": (
        lambda d: _replace(d / "projects.csv", "R1a,2019", "R1a,2020"),
        "data/source/projects.csv:11:2: 2020 does not match project code R1a (FY2019)",
    ),
    "unknown field": (
        lambda d: _replace(d / "projects.csv", "regional-economy,briefing", "economy,briefing"),
        "data/source/projects.csv:14:6: unknown field 'economy'",
    ),
    "row with too many cells": (
        lambda d: _replace(d / "kpis.csv", "地域,100,2025,", "地域,100,2025,,"),
        "data/source/kpis.csv:2:10: 10 cells where the header has 9",
    ),
    "missing source file": (
        lambda d: (d / "sharing-approaches.csv").unlink(),
        "data/source/sharing-approaches.csv: source file not found",
    ),
}


def _snapshot(root: Path) -> dict[str, str]:
    """Hash of every file under ``root`` and the target of every link, to prove nothing changed."""
    state = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            state[str(path)] = "-> " + str(path.readlink())
        elif path.is_file():
            state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def _in_process(capsys, *args: str) -> subprocess.CompletedProcess:
    """``smartcity-kg ARGS`` run by ``cli.main`` in this process: exit code, stdout and stderr."""
    code = cli.main(list(args))
    out, err = (text.replace("\r\n", "\n").replace("\r", "\n")  # as text=True reads a process's output
                for text in capsys.readouterr())
    return subprocess.CompletedProcess(["smartcity-kg", *args], code, out, err)


def _refused_without_change(case: str, source_copy: Path, kg_root: Path, run) -> None:
    break_it, expected = CASES[case]
    break_it(source_copy)
    before = _snapshot(kg_root)
    result = run("load", "--source-dir", str(source_copy), "--store", str(kg_root / "store"),
                 "--ttl-dir", str(kg_root / "ttl"))
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr.replace(str(source_copy), "data/source")
    assert "Traceback" not in result.stderr
    assert _snapshot(kg_root) == before


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_source_is_refused_and_changes_nothing(case, source_copy, kg_root, loaded, capsys):
    _refused_without_change(case, source_copy, kg_root, lambda *args: _in_process(capsys, *args))


@pytest.mark.slow
@pytest.mark.parametrize("case", ["wrong check digit", "bytes that are not UTF-8", "missing source file"])
def test_bad_source_is_refused_by_the_real_command(case, source_copy, kg_root, loaded):
    """The same as a separate ``python -m cli load`` process: its exit code and stderr."""
    _refused_without_change(case, source_copy, kg_root, lambda *args: subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=120))


def test_validate_command_reports_the_same_error(source_copy):
    _replace(source_copy / "projects.csv", "H29f,2017,372013", "H29f,2017,372014")
    result = subprocess.run([*CLI, "validate", "--source-dir", str(source_copy)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "projects.csv:7:3: local-government code '372014' has a wrong check digit" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.ttl", "<http://a> <http://b> .", "not valid turtle"),
        ("broken.nt", "<http://a> <http://b> \"x .\n", "not valid nt"),
        ("broken.jsonld", "{not json", "not valid json-ld"),
        ("broken.rdf", "<rdf:RDF", "not valid xml"),
        ("data.csv", "a,b\n", "unknown RDF format"),
        ("empty.ttl", "", "holds no triples"),
    ],
)
def test_bad_extra_rdf_file_is_refused(tmp_path, name, content, message, capsys):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = _in_process(capsys, "validate", str(path))
    assert result.returncode in (1, 2), result.stderr
    assert message in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr


class Command:
    """A real ``python -m cli ARGS`` process, started now and checked later (``result``)."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.out, self.err = folder / "stdout", folder / "stderr"
        with self.out.open("wb") as out, self.err.open("wb") as err:  # files: a full pipe would block it
            self.process = subprocess.Popen([*CLI, *args], stdout=out, stderr=err)
        self.args = args

    def result(self, timeout: float = 300) -> subprocess.CompletedProcess:
        code = self.process.wait(timeout=timeout)
        return subprocess.CompletedProcess([*CLI, *self.args], code, self.out.read_text(encoding="utf-8"),
                                           self.err.read_text(encoding="utf-8"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def shacl_violation_load(tmp_path_factory):
    """``load`` of sources with a latitude the CSV reader accepts and a shape refuses."""
    folder = tmp_path_factory.mktemp("shacl-violation")
    source = folder / "source"
    shutil.copytree(PROJECT_SOURCE, source)
    _replace(source / "municipalities.csv", "34.34277778,134.0466667", "10.5,134.0466667")
    command = Command(folder, "load", "--source-dir", str(source), "--store", str(folder / "store"),
                      "--ttl-dir", str(folder / "ttl"))
    command.source, command.folder = source, folder
    yield command
    command.stop()


@pytest.fixture(scope="module")
def violating_extra_validation(tmp_path_factory):
    """``validate`` of the bundled sources and an extra file with a municipality whose code is wrong."""
    folder = tmp_path_factory.mktemp("violating-extra")
    extra = folder / "bad.ttl"
    extra.write_text(
        "@prefix sckg: <https://w3id.org/smartcity-kg/ontology#> .\n"
        "<https://example.org/m> a sckg:Municipality ;\n"
        "  <http://www.w3.org/2000/01/rdf-schema#label> \"架空町\"@ja ;\n"
        "  sckg:localGovernmentCode \"372014\" .\n", encoding="utf-8")
    command = Command(folder, "validate", str(extra))
    yield command
    command.stop()


@pytest.fixture(scope="module", autouse=True)
def _start_early(request):
    """Start the slow real commands of the selected tests of this module when the module starts."""
    wanted = {name for item in request.session.items if getattr(item, "module", None) is request.module
              for name in item.fixturenames}
    for name in ("shacl_violation_load", "violating_extra_validation"):
        if name in wanted:
            request.getfixturevalue(name)


@pytest.mark.slow
def test_shacl_violation_names_the_source_row(shacl_violation_load):
    """A value the CSV reader accepts but a shape refuses is reported with file and row."""
    result = shacl_violation_load.result()
    assert result.returncode == 1, result.stderr
    report = result.stderr.replace(str(shacl_violation_load.source), "data/source")
    assert "SHACL validation failed: 1 violation(s)" in report
    line = next(line for line in report.splitlines() if "id/municipality/372013" in line)
    source_lines = (PROJECT_SOURCE / "municipalities.csv").read_text(encoding="utf-8").splitlines()
    row = 1 + next(i for i, text in enumerate(source_lines) if ",372013" in text)
    assert line.strip().startswith(f"data/source/municipalities.csv:{row}:")
    assert "geo:lat" in line and "10.5" in line
    folder = shacl_violation_load.folder
    assert not (folder / "store").exists() and not (folder / "ttl").exists()


@pytest.mark.slow
def test_extra_file_violating_a_shape_is_refused(violating_extra_validation):
    result = violating_extra_validation.result()
    assert result.returncode == 1, result.stderr
    assert "extra file bad" in result.stderr
    assert "<https://example.org/m>" in result.stderr
    assert "check digit" in result.stderr
