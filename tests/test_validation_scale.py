"""Validation that scales (issue 12) gives what one pySHACL run over everything gives.

The reference is ``loader.validate.violations``: one pySHACL run over the bundled data plus
generated data with planted faults of every kind. The batched validator (set-level constraints once
with Oxigraph's SPARQL, node shapes in batches, with pySHACL or screened by rudof) must report the
same violations, message for message; rudof alone must reach the same verdicts (focus nodes,
paths, constraint components); the faults found must be exactly those planted; and the skip of
unchanged data must skip exactly when nothing changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from kg import store as kgstore
from kg.errors import ValidationFailed
from loader import pipeline, validate_batches, validate_cache, validate_sparql, validate_store
from loader import validate as shacl
from loader.generate import generate
from loader.generate_faults import KINDS
from loader.validate_sets import split

pytestmark = pytest.mark.slow

PLANTED = 2 * len(KINDS)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """~4,000 generated triples with two faults of every kind (files and manifest.json)."""
    root = tmp_path_factory.mktemp("planted")
    generate(4_000, root, violations=PLANTED, seed=11)
    return root


@pytest.fixture(scope="module")
def world(planted) -> tuple[pipeline.Compiled, dict]:
    """The bundled data plus the planted files, compiled as ``smartcity-kg load FILES`` does."""
    compiled = pipeline.compile_sources(extras=sorted(planted.glob("*.nt")))
    return compiled, json.loads((planted / "manifest.json").read_text())


@pytest.fixture(scope="module")
def origins(world):
    compiled, _ = world
    found = dict(compiled.origins)
    for name, graph in compiled.extras.items():
        for subject in set(graph.subjects()):
            found.setdefault(subject, (f"extra file {name}", 0))
    return found


@pytest.fixture(scope="module")
def reference(world, origins) -> list[shacl.Violation]:
    """One pySHACL run over everything, as ``smartcity-kg load`` runs it by default."""
    compiled, _ = world
    data = Graph()
    for name, graph in compiled.all_graphs().items():
        if name != "ontology":
            data += graph
    return shacl.violations(data, origins)


def payload(compiled: pipeline.Compiled) -> dict:
    return compiled.payload()


def test_reference_finds_exactly_the_planted_faults(world, reference):
    _, manifest = world
    assert len(reference) == PLANTED
    expected = sorted((p["focus"], p["path"], p["component"], p["value"]) for p in manifest["violations"])
    found = sorted((v.focus, v.path, v.component, v.value.strip("<>")) for v in reference)
    assert found == expected


@pytest.mark.parametrize("engine", ["pyshacl", "rudof", "sparql"])
def test_batched_validation_reports_what_one_pyshacl_run_reports(world, origins, reference, engine):
    compiled, _ = world
    if engine == "rudof":
        pytest.importorskip("pyrudof")
    found = validate_store.violations(payload(compiled), origins, engine=engine, batch_size=300)
    assert found == reference


@pytest.mark.parametrize("engine", ["pyshacl", "rudof", "sparql"])
def test_validating_the_new_store_version_reports_what_one_pyshacl_run_reports(world, origins, reference,
                                                                             engine, tmp_path):
    """What ``smartcity-kg load`` does with a batched engine: validate the version being built
    (one bulk load, no scratch store) before the switch; a failure leaves nothing behind."""
    compiled, _ = world
    if engine == "rudof":
        pytest.importorskip("pyrudof")
    found = []

    def check(directory: Path) -> None:
        found.extend(validate_store.store_violations(directory, origins, engine=engine, batch_size=500))
        raise ValidationFailed("planted faults")

    store = tmp_path / "store"
    with pytest.raises(ValidationFailed):
        kgstore.build(store, payload(compiled), check=check)
    assert found == reference
    assert not store.exists() and not list(store.with_name("store.versions").iterdir())


def test_shapes_the_sparql_screen_leaves_to_rudof_are_still_judged(world, origins, reference, monkeypatch):
    """A shape the screen cannot translate has its targets screened by rudof: with the shapes of the
    planted faults taken from the screen, the report is still one pySHACL run's."""
    pytest.importorskip("pyrudof")
    compiled, _ = world
    compile_screen = validate_sparql.compile_screen
    left = ("SmartCityServiceShape", "SmartCityServiceClosedShape", "KPIObservationShape", "CityOSShape")

    def partial(store):
        screen, compiler = compile_screen(store), validate_sparql.compiler_for(store)
        kept = tuple(q for q in screen.queries if not q[0].endswith(left))
        moved = tuple((shape, "moved by the test",
                       validate_sparql.targets_query(compiler.targets(URIRef(shape))))
                      for shape in sorted({shape for shape, _ in screen.queries if shape.endswith(left)}))
        assert len(moved) == len(left)
        return validate_sparql.Screen(kept, moved)

    monkeypatch.setattr(validate_sparql, "compile_screen", partial)
    found = validate_store.violations(payload(compiled), origins, engine="sparql", batch_size=300)
    assert found == reference


def test_a_batch_holds_each_subject_once_with_its_neighbourhood(world, tmp_path):
    """Every subject of the union is in exactly one batch; a batch's data holds its subjects'
    triples in every graph and every triple of the nodes they point at."""
    compiled, _ = world
    directory = tmp_path / "scratch"
    validate_store.scratch_store(str(directory), payload(compiled))
    store = ox.Store.read_only(str(directory))
    batches = list(validate_batches.subject_batches(store, 700))
    subjects = [s for batch in batches for s in batch]
    everything = {str(row[0]) for row in store.query("SELECT DISTINCT ?s { ?s ?p ?o }",
                                                     use_default_graph_as_union=True)}
    assert len(subjects) == len(set(subjects)) and set(subjects) == everything
    assert any(s.startswith("_:") for s in subjects)  # the ontology's blank nodes, by lookups
    kept = set(validate_batches.neighbour_predicates())
    for batch in batches[:3] + batches[-2:]:
        data, owned = validate_batches.batch_data(store, batch)
        got = {q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
        for text in batch:
            node = validate_batches._term(text)
            own = {q.triple for q in store.quads_for_pattern(node, None, None)}
            assert own <= got
            for t in own:
                if not isinstance(t.object, ox.Literal):
                    assert {q.triple for q in store.quads_for_pattern(t.object, None, None)
                            if q.predicate in kept} <= got
        assert owned == {validate_batches._term(t).value for t in batch}


def test_a_batched_load_bulk_loads_the_data_once(planted, tmp_path, monkeypatch):
    """``load --shacl rudof`` validates the new version itself: no scratch store is built."""
    pytest.importorskip("pyrudof")
    clean = tmp_path / "clean"
    generate(3_000, clean, seed=12)
    monkeypatch.setattr(validate_store, "scratch_store", lambda *a: pytest.fail("scratch store built"))
    store = tmp_path / "store"
    report = pipeline.load(store, extras=sorted(clean.glob("*.nt")), ttl_dir=tmp_path / "ttl",
                           engine="rudof", dumps=False)
    assert kgstore.KnowledgeGraph.open(store).version == report.version
    assert sum(report.counts.values()) > 3_000 and (tmp_path / "ttl" / "curated.ttl").is_file()
    with pytest.raises(ValidationFailed, match=f"{PLANTED} violation"):
        pipeline.load(store, extras=sorted(planted.glob("*.nt")), ttl_dir=tmp_path / "ttl",
                      engine="rudof", dumps=False)
    assert kgstore.KnowledgeGraph.open(store).version == report.version  # still the valid one
    versions = [p for p in store.with_name("store.versions").iterdir() if not p.name.endswith(".json")]
    assert [p.name for p in versions] == [report.version]


def test_changed_graphs_revalidate_what_they_reach_with_one_pyshacl_runs_report(world, origins, reference,
                                                                                tmp_path):
    """Validating only the subjects the changed graphs can reach (``--skip-unchanged`` with a
    batched engine) over a conforming previous version reports what one pySHACL run reports."""
    pytest.importorskip("pyrudof")
    compiled, _ = world
    clean = tmp_path / "clean"
    generate(4_000, clean, seed=11)  # the planted data without its faults
    previous = payload(pipeline.compile_sources(extras=sorted(clean.glob("*.nt"))))
    store = tmp_path / "store"
    old = kgstore.build(store, previous).path.resolve()
    assert validate_store.store_violations(old, engine="rudof") == []
    now = payload(compiled)
    changed = {iri for iri in now if validate_cache.digests({iri: now[iri]}) !=
               validate_cache.digests({iri: previous.get(iri, b"")})}
    assert changed and all("/extra/" in iri for iri in changed)
    found, reached = [], []

    def check(directory: Path) -> None:
        reached.extend(validate_store.changed_subjects(old, directory, sorted(changed)))
        found.extend(validate_store.store_violations(directory, origins, engine="rudof", subjects=reached))

    kgstore.build(store, now, check=check)
    assert found == reference
    every = len(validate_batches.all_subjects(ox.Store.read_only(str(store.resolve()))))
    assert 0 < len(reached) < every / 10  # the faults' neighbourhoods, not the data


def test_skip_unchanged_load_judges_only_changed_subjects_and_refuses_planted_faults(planted, tmp_path,
                                                                                     capsys):
    pytest.importorskip("pyrudof")
    clean = tmp_path / "clean"
    generate(4_000, clean, seed=11)
    store = tmp_path / "store"
    options = dict(ttl_dir=None, engine="rudof", skip_unchanged=True, dumps=False)
    first = pipeline.load(store, extras=sorted(clean.glob("*.nt")), **options)
    assert "validating the new store version with SHACL (rudof, in batches; every subject)" in \
        capsys.readouterr().err
    with pytest.raises(ValidationFailed) as failure:
        pipeline.load(store, extras=sorted(planted.glob("*.nt")), **options)
    assert str(failure.value).splitlines()[0] == f"SHACL validation failed: {PLANTED} violation(s)"
    assert "subjects that 3 changed graph(s) can reach" in capsys.readouterr().err
    assert kgstore.KnowledgeGraph.open(store).version == first.version


def test_small_batches_and_one_worker_change_nothing(world, origins, reference):
    compiled, _ = world
    found = validate_store.violations(payload(compiled), origins, engine="pyshacl", workers=1,
                                      batch_size=4000)
    assert found == reference


def test_rudof_reaches_pyshacl_verdicts_on_the_node_shapes(world, reference, tmp_path):
    """Without the pySHACL re-check: rudof's own results (focus, path, component) over everything."""
    pyrudof = pytest.importorskip("pyrudof")
    compiled, _ = world
    nt = b"".join(d.read_bytes() if isinstance(d, Path) else d for d in payload(compiled).values())
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(nt.decode(), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(split()[0].serialize(format="turtle"))
    short = {"https://w3id.org/smartcity-kg/ontology#": "sckg:",
             "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:", "http://www.w3.org/ns/shacl#": "sh:",
             "(": "", ")": "", " / ": "/"}

    def shorten(text: str) -> str:
        for long, prefix in short.items():
            text = text.replace(long, prefix)
        return text

    verdicts = sorted((v.focus_node, shorten(v.path or ""), shorten(v.constraint_component))
                      for v in rudof.validate_shacl().violations)
    node_level = sorted((v.focus, v.path, v.component) for v in reference
                        if v.component != "sh:SPARQLConstraintComponent")
    assert verdicts == node_level


def test_streamed_files_are_named_with_their_lines(planted, tmp_path):
    """A violation in a streamed N-Triples file names file:line (the loader's source terms)."""
    streamed = pipeline.compile_sources(extras=sorted(planted.glob("*.nt")), stream=True)
    assert streamed.streamed and not streamed.extras
    with pytest.raises(shacl.ValidationFailed) as failure:
        pipeline.validate(streamed, engine="batched", workdir=tmp_path)
    report = str(failure.value).splitlines()
    assert report[0] == f"SHACL validation failed: {PLANTED} violation(s)"
    for line in report[1:]:
        file, number = line.strip().split(":", 2)[:2]
        assert file.endswith(".nt") and int(number) > 0
        text = Path(file).read_text().splitlines()[int(number) - 1]
        assert text.split(" ", 1)[0] in line


def test_inverse_paths_come_from_the_shapes():
    names = {p.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for p in validate_batches.inverse_predicates()}
    assert names == {"parentMunicipality", "amount", "observation", "figure", "deliverable"}


def test_neighbours_keep_what_the_shapes_look_at():
    """Of a neighbour, a batch keeps its type, what a *Reference shape requires, and the second
    step of a sequence path (``sckg:cityOS/sckg:owner``); not, say, its labels in other scripts."""
    names = {p.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for p in validate_batches.neighbour_predicates()}
    assert {"type", "prefecture", "localGovernmentCode", "owner", "program", "fiscalYear"} <= names
    assert not names & {"altLabel", "homepage", "description", "municipality"}


def test_cache_key_changes_with_any_triple_and_not_with_order():
    a = b"<http://a> <http://p> \"1\" .\n<http://b> <http://p> \"2\" .\n"
    b = b"<http://b> <http://p> \"2\" .\n<http://a> <http://p> \"1\" .\n"
    c = b"<http://a> <http://p> \"1\" .\n<http://b> <http://p> \"3\" .\n"
    assert validate_cache.key({"g": a}) == validate_cache.key({"g": b})
    assert validate_cache.key({"g": a}) != validate_cache.key({"g": c})
    assert validate_cache.key({"g": a}) != validate_cache.key({"h": a})


def test_unchanged_data_is_not_validated_again_and_changed_data_is(tmp_path, source_copy, monkeypatch):
    calls = []
    monkeypatch.setattr(pipeline, "_validate_version", lambda *args, **kw: calls.append(1))
    store = tmp_path / "store"
    options = dict(source_dir=source_copy, ttl_dir=None, engine="rudof", skip_unchanged=True, dumps=False)
    pipeline.load(store, **options)
    pipeline.load(store, **options)
    assert len(calls) == 1
    kpis = source_copy / "kpis.csv"
    kpis.write_text(kpis.read_text().replace(",100,2025,", ",101,2025,", 1))
    pipeline.load(store, **options)
    assert len(calls) == 2


def test_cli_validate_and_load_refuse_planted_faults_in_source_terms(planted, tmp_path, capsys):
    from cli import main

    pytest.importorskip("pyrudof")
    files = [str(p) for p in sorted(planted.glob("*.nt"))]
    assert main(["validate", "--shacl", "rudof", *files]) == 1
    err = capsys.readouterr().err
    assert f"SHACL validation failed: {PLANTED} violation(s)" in err
    assert err.count(".nt:") >= PLANTED - 2  # the set-level ones name their value's line too
    store = tmp_path / "store"
    assert main(["load", "--store", str(store), "--ttl-dir", str(tmp_path / "ttl"), "--shacl", "rudof",
                 "--no-dumps", *files]) == 1
    assert not store.exists() and not (tmp_path / "ttl").exists()  # nothing written, nothing served
