"""Run one ``FuzzCase`` through the import as the page and the CLI do (preview, then commit when
the preview allows it) and collect every German text the user would read."""

from __future__ import annotations

from sqlalchemy import Engine

from sozdash.core.permissions import Actor
from sozdash.importing.areas import commit_areas, prepare_areas
from sozdash.importing.boundaries import commit_boundaries, prepare_boundaries
from sozdash.importing.commit import commit_import
from sozdash.importing.pipeline import prepare
from sozdash.importing.problems import ImportProblem
from sozdash.importing.validate import ImportOptions, rejection_lines
from tests.fuzz.case import FuzzCase

PLANNER = Actor("planerin", "planung")


def outcome(engine: Engine, case: FuzzCase, options: ImportOptions | None = None) -> tuple[str, bool]:
    """The texts shown for ``case`` (refusal, blocking reasons, rejections, notes) and whether a
    commit ran."""
    options = options or ImportOptions(source="Fuzz-Korpus")
    data = case.make()
    try:
        if case.kind == "table":
            table = prepare(engine, data, case.file_name, options)
            texts = [*table.blocking, *rejection_lines(table.rejected), *table.notes]
            committed = not table.blocking and commit_import(engine, PLANNER, table) is not None
        elif case.kind == "boundaries":
            shapes = prepare_boundaries(engine, data, case.file_name, options)
            texts = [*shapes.blocking, *shapes.rejected["Grund"].astype(str)]
            committed = not shapes.blocking and commit_boundaries(engine, PLANNER, shapes) is not None
        else:
            areas = prepare_areas(engine, data, case.file_name, options)
            texts = [*areas.blocking, *areas.rejected.astype(str).agg(" ".join, axis=1)]
            committed = not areas.blocking and commit_areas(engine, PLANNER, areas) is not None
    except ImportProblem as problem:
        return str(problem), False
    return "\n".join(texts), committed
