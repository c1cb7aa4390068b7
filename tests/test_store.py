"""The store and the generated Turtle: deterministic output, atomic swaps, survival of a killed load."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.errors import StoreError
from kg.normalize import normalize
from kg.store import KnowledgeGraph
from loader import pipeline
from loader.turtle import to_turtle

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXTRA = """@prefix sckg: <https://w3id.org/smartcity-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/note/1> rdfs:label "extra note"@en .
"""


def test_load_writes_the_committed_turtle(loaded, kg_root):
    """The session's load produced byte-for-byte the Turtle committed in data/ttl/."""
    for name in pipeline.GENERATED:
        generated = (kg_root / "ttl" / f"{name}.ttl").read_bytes()
        committed = (PROJECT_DIR / "data" / "ttl" / f"{name}.ttl").read_bytes()
        assert generated == committed, f"data/ttl/{name}.ttl is stale: run 'smartcity-kg load'"


def test_compiling_twice_gives_identical_turtle():
    first, second = pipeline.compile_sources(), pipeline.compile_sources()
    for name in pipeline.GENERATED:
        assert to_turtle(first.graphs[name]) == to_turtle(second.graphs[name])


def test_second_load_changes_no_turtle(loaded, kg_root, tmp_path):
    report = pipeline.load(tmp_path / "store", ttl_dir=kg_root / "ttl")
    assert report.changed_ttl == []
    assert report.counts == loaded.counts


def test_store_counts_match_the_void_description(kg):
    rows = kg.query(
        "PREFIX void: <http://rdfs.org/ns/void#> PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#> "
        "SELECT ?g ?n { GRAPH ?vg { ?d sckg:namedGraph ?g ; void:triples ?n } }"
    )
    described = {row["g"].value: int(row["n"].value) for row in rows}
    assert described == kg.triple_counts()


def test_extra_rdf_file_is_loaded_into_its_own_graph(tmp_path, loaded):
    extra = tmp_path / "notes.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    report = pipeline.load(tmp_path / "store", extras=[extra], ttl_dir=None)
    graph = "https://w3id.org/smartcity-kg/graph/extra/notes"
    assert report.counts[graph] == 1
    # its label's search key, in a graph of its own (the bundled search-keys graph is unchanged)
    keys = "https://w3id.org/smartcity-kg/graph/extra/search-keys"
    assert report.counts[keys] == 2
    assert sum(report.counts.values()) == sum(loaded.counts.values()) + 1 + 2
    store = KnowledgeGraph.open(tmp_path / "store")
    found = store.query(f'SELECT ?key {{ GRAPH <{keys}> {{ ?n ?f "extra note"@en ; '
                        '<https://w3id.org/smartcity-kg/ontology#nameKey> ?key } }')
    assert [row["key"].value for row in found] == [normalize("extra note")] == ["extranote"]


def test_streamed_extras_get_their_search_keys(tmp_path, loaded):
    """N-Triples extras streamed to the batched validator get keys too, without being parsed whole."""
    extra = tmp_path / "names.nt"
    extra.write_text('<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "ｶﾝｵﾝｼﾞ"@ja .\n',
                     encoding="utf-8")
    compiled = pipeline.compile_sources(extras=[extra], stream=True)
    keys = compiled.streamed[pipeline.EXTRA_KEYS].read_text(encoding="utf-8")
    assert '"kanonzi"' in keys and "ｶﾝｵﾝｼﾞ" in keys


def test_opening_a_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store here"):
        KnowledgeGraph.open(tmp_path / "nothing")


#: ``smartcity-kg load`` (``cli.main``) with the SHACL step left out. The child is killed while it
#: builds the store, which comes after validation; this test is about that build, and the same data
#: (bundled sources and notes.ttl) is validated by the load that follows in this process.
LOAD_WITHOUT_SHACL = (
    "import sys, cli\n"
    "from loader import pipeline\n"
    "pipeline.validate = lambda compiled: None\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def _copy_store(source: Path, target_dir: Path) -> Path:
    """Copy a store link and its versions directory, keeping the link relative."""
    versions = source.with_name(source.name + ".versions")
    shutil.copytree(versions, target_dir / versions.name, symlinks=True)
    os.symlink(os.readlink(source), target_dir / source.name)
    return target_dir / source.name


@pytest.mark.slow
def test_killed_load_leaves_the_old_store_serving(kg_root, loaded, tmp_path):
    store = _copy_store(kg_root / "store", tmp_path)
    old = KnowledgeGraph.open(store)
    old_version, old_count = old.version, len(old)
    del old
    extra = tmp_path / "notes.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    versions = store.with_name("store.versions")
    before = set(versions.iterdir())
    process = subprocess.Popen(
        [sys.executable, "-c", LOAD_WITHOUT_SHACL, "load", "--store", str(store), "--ttl-dir",
         str(tmp_path / "ttl"), str(extra)],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not (set(versions.iterdir()) - before):  # the new version is being built
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "the load never started building"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    survivor = KnowledgeGraph.open(store)
    assert survivor.version == old_version
    assert len(survivor) == old_count
    assert bool(survivor.query("ASK { ?s ?p ?o }"))

    # The next load succeeds, switches version and clears the killed load's leftovers.
    report = pipeline.load(store, extras=[extra], ttl_dir=None)
    assert report.version != old_version
    assert KnowledgeGraph.open(store).version == report.version
    leftovers = {p.name for p in versions.iterdir() if not p.name.endswith((".json", ".dumps"))}
    assert leftovers == {old_version, report.version}
    dumps = {p.name.removesuffix(".dumps") for p in versions.glob("*.dumps")}  # kg/dumps.py
    assert report.version in dumps and dumps <= leftovers


def test_store_path_that_is_a_directory_is_refused(tmp_path):
    (tmp_path / "store").mkdir()
    with pytest.raises(StoreError, match="not a store link"):
        pipeline.load(tmp_path / "store", ttl_dir=None)
