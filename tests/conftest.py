"""Shared fixtures: one full load of the bundled data into a temporary store per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loader import pipeline
from loader.store import KnowledgeGraph
from loader.vocab import DEFAULT_BASE_IRI

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE = DEFAULT_BASE_IRI


@pytest.fixture(scope="session")
def kg_root(tmp_path_factory) -> Path:
    """Directory of the session's store (``store``) and generated Turtle (``ttl/``)."""
    return tmp_path_factory.mktemp("kg")


@pytest.fixture(scope="session")
def loaded(kg_root) -> pipeline.LoadReport:
    """The report of a full load (with SHACL validation) of the bundled sources."""
    return pipeline.load(kg_root / "store", ttl_dir=kg_root / "ttl")


@pytest.fixture(scope="session")
def kg(loaded, kg_root) -> KnowledgeGraph:
    """The loaded store, opened read-only as the server opens it."""
    return KnowledgeGraph.open(kg_root / "store")


@pytest.fixture()
def source_copy(tmp_path) -> Path:
    """A private copy of ``data/source`` that a test may break."""
    target = tmp_path / "source"
    shutil.copytree(PROJECT_DIR / "data" / "source", target)
    return target


def select(kg: KnowledgeGraph, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT as dicts of plain strings (prefixes sckg, rdfs, skos, dcterms predeclared)."""
    prefixes = (
        "PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    )
    result = kg.query(prefixes + sparql)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]
