"""Stage 2 of the pipeline: turn the checked CSV tables into RDF, one named graph per source.

Every instance gets ``dcterms:source`` (and ``sckg:sourceSection`` where the document is cited)
and is remembered with the file and row it came from, so a SHACL violation can point back at it.

Tables are read in dependency order; each step returns the keys and lookups later steps need,
and :func:`convert` hands them on explicitly.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from .. import search_keys
from ..vocab import Iris
from . import briefing, city_os, curated, figures, history, reference, services
from .common import Build, Context

__all__ = ["Build", "convert"]

_TABLES = 25  # steps below, one per source table, for the progress bar
_T = TypeVar("_T")


def convert(source_dir: Path, iris: Iris) -> Build:
    """Convert every source table; the first problem found stops the run."""
    ctx = Context(source_dir, iris, Build(iris))
    with tqdm(total=_TABLES, desc="converting", unit="table", disable=None, file=sys.stderr) as bar:

        def done(result: _T) -> _T:
            bar.update()
            return result

        ctx = replace(ctx, sources=done(reference.sources(ctx)))
        prefectures = done(reference.prefectures(ctx))
        places = done(reference.municipalities(ctx, prefectures))

        programs = done(briefing.programs(ctx))
        program_by_year = done(briefing.budgets(ctx, programs))
        fields = done(briefing.fields(ctx))
        bodies = done(briefing.implementing_bodies(ctx))
        projects = done(briefing.projects(ctx, places, program_by_year, bodies, fields.ids))
        approaches = done(briefing.sharing_approaches(ctx))
        done(briefing.cost_allocation_methods(ctx))

        city_os_ids = done(city_os.city_os(ctx, places))
        done(city_os.introductions(ctx, places, city_os_ids))
        done(city_os.sharing(ctx, places, city_os_ids, approaches))

        kpis = done(figures.kpis(ctx))
        done(figures.kpi_observations(ctx, kpis))
        work_items = done(figures.survey_work_items(ctx))
        done(figures.survey_figures(ctx, work_items))
        done(figures.status_statements(ctx, programs))
        done(figures.survey(ctx, work_items))
        done(figures.deliverables(ctx, work_items))

        issues = done(curated.regional_issues(ctx))
        done(curated.issue_relations(ctx, issues))
        service_ids = done(services.services(ctx, projects, fields))
        done(curated.service_issues(ctx, service_ids, issues))
        done(history.iri_history(ctx))  # last: it checks the IRIs every other step minted
    # derived, not converted: every label's comparison form, for engines without sckgfn:normalize
    ctx.build.graphs[search_keys.GRAPH] = search_keys.derive(list(ctx.build.graphs.values()), iris)
    return ctx.build
