"""The synthetic data generator (loader/generate.py, issue 12): size, determinism, marking, faults.

Validity against the shapes and the planted faults being found exactly are in
tests/test_validation_scale.py (they need a validation run).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cli import main
from loader.generate import BLOCK_TRIPLES, FILES, generate, reference_bodies
from loader.generate_faults import KINDS

DCT_SOURCE = "<http://purl.org/dc/terms/source>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SCKG = "https://w3id.org/smartcity-kg/ontology#"


def lines(out: Path) -> list[str]:
    return [line for name in FILES for line in (out / f"{name}.nt").read_text().splitlines()]


def subjects(out: Path) -> set[str]:
    return {line.split(" ", 1)[0] for line in lines(out)}


@pytest.mark.parametrize("triples", [1_000, 10_000])
def test_writes_about_the_triples_asked_for(tmp_path, triples):
    manifest = generate(triples, tmp_path)
    written = lines(tmp_path)
    assert manifest["triples"] == len(written) == len(set(written))
    assert triples <= len(written) <= triples + BLOCK_TRIPLES
    assert manifest["graphs"] == {f"{n}.nt": len((tmp_path / f"{n}.nt").read_text().splitlines())
                                  for n in FILES}


def test_same_seed_same_files_other_seed_other_data(tmp_path):
    generate(3_000, tmp_path / "a", seed=7)
    generate(3_000, tmp_path / "b", seed=7)
    generate(3_000, tmp_path / "c", seed=8)
    for name in FILES:
        assert (tmp_path / "a" / f"{name}.nt").read_bytes() == (tmp_path / "b" / f"{name}.nt").read_bytes()
    assert lines(tmp_path / "a") != lines(tmp_path / "c")


def test_everything_minted_is_marked_synthetic(tmp_path):
    manifest = generate(3_000, tmp_path, seed=5)
    namespace = manifest["namespace"]
    assert namespace.endswith("/id/synthetic/s5/")
    assert all(s.startswith(f"<{namespace}") for s in subjects(tmp_path))
    doc = f"<{namespace}source/generator>"
    typed = {line.split(" ", 1)[0] for line in lines(tmp_path) if f" {RDF_TYPE} " in line}
    cites = {line.split(" ", 1)[0] for line in lines(tmp_path) if line.endswith(f"{DCT_SOURCE} {doc} .")}
    assert typed - {doc} == cites
    assert "not facts" in (tmp_path / "synthetic-programme.nt").read_text()


def test_refers_to_the_real_municipalities(tmp_path):
    generate(3_000, tmp_path)
    codes = {b.code for b in reference_bodies()}
    links = {f"<{SCKG}{p}>" for p in ("municipality", "owner", "user", "region")}
    referred = [line.split(" ")[2] for line in lines(tmp_path) if line.split(" ")[1] in links]
    assert referred
    assert {r.rsplit("/", 1)[1].rstrip(">") for r in referred} <= codes
    assert all("/id/municipality/" in r for r in referred)


@pytest.mark.parametrize("wanted", [1, len(KINDS), 19])
def test_plants_exactly_the_faults_asked_for_on_distinct_resources(tmp_path, wanted):
    manifest = generate(2_000, tmp_path, violations=wanted)
    planted = manifest["violations"]
    assert len(planted) == wanted
    assert len({(p["focus"], p["value"]) for p in planted}) == wanted
    kinds = Counter(p["kind"] for p in planted)
    assert len(kinds) == min(wanted, len(KINDS))
    assert json.loads((tmp_path / "manifest.json").read_text())["violations"] == planted


def test_faulty_data_differs_from_clean_data_only_where_planted(tmp_path):
    generate(2_000, tmp_path / "clean", seed=3)
    manifest = generate(2_000, tmp_path / "faulty", seed=3, violations=len(KINDS))
    changed = set(lines(tmp_path / "clean")) ^ set(lines(tmp_path / "faulty"))
    touched = {line.split(" ", 1)[0].strip("<>") for line in changed}
    planted = {p["value"] if p["kind"] == "shared-use-not-marked" else p["focus"]
               for p in manifest["violations"]}
    assert touched == planted


def test_cli_generate(tmp_path, capsys):
    assert main(["generate", "--triples", "1500", "--out", str(tmp_path), "--violations", "3",
                 "--seed", "2"]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 2 and len(manifest["violations"]) == 3
    assert f"wrote {manifest['triples']} triples" in capsys.readouterr().out
