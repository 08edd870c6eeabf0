"""The integrity report of ``python -m sozdash check`` and the page Datenstand: every check is an
SQL aggregate (the observations are counted in the database, never loaded), only area shapes are
read; each part is cached until a table it reads changes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Float,
    Numeric,
    Table,
    case,
    cast,
    func,
    select,
)
from sqlalchemy.orm import aliased

from sozdash.core.geometry import geometry_problem
from sozdash.store.cache import cached_query
from sozdash.store.models import Area, Base, Indicator, Observation

QUOTA_TOLERANCE = 1e-6


@dataclass
class IntegrityReport:
    """Findings (problems) and counts (information) in German."""

    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _non_finite(conn: Connection, table: Table) -> list[tuple[str, int, object]]:
    """Per number column of ``table`` with infinite or NaN values: its name, how many, and the
    key of the first, counted for all columns in one pass.

    Infinity (and NaN, which PostgreSQL sorts above every number) is the only value whose
    magnitude exceeds the largest finite double; SQLite stores NaN as NULL.
    """
    columns = [column for column in table.columns if isinstance(column.type, Float | Numeric)]
    if not columns:
        return []
    key = next(iter(table.primary_key.columns))
    counts = conn.execute(
        select(*(func.count(case((_bad(column), 1))) for column in columns)).select_from(table)
    ).one()
    return [
        (column.name, count, conn.execute(select(func.min(key)).where(_bad(column))).scalar())
        for column, count in zip(columns, counts, strict=True) if count
    ]  # fmt: skip


def _bad(column: Column[Any]) -> ColumnElement[bool]:
    return func.abs(column) > sys.float_info.max


def check(engine: Engine) -> IntegrityReport:
    """Orphaned references, non-finite numbers, quota consistency, geometry validity, suppressed
    and demo counts, read from the database now."""
    return _report(engine, table_problems, quota_problems, geometry_problems, counts)


def _report(
    engine: Engine,
    tables: Callable[[Engine, str], list[str]],
    quotas: Callable[[Engine], list[str]],
    shapes: Callable[[Engine], list[str]],
    counted: Callable[[Engine], dict[str, int]],
) -> IntegrityReport:
    report = IntegrityReport()
    for table in Base.metadata.sorted_tables:
        report.problems += tables(engine, table.name)
    report.problems += quotas(engine) + shapes(engine)
    report.counts = counted(engine)
    return report


def table_problems(engine: Engine, name: str) -> list[str]:
    """References of table ``name`` to rows that do not exist, and its non-finite numbers."""
    table = Base.metadata.tables[name]
    problems = []
    with engine.connect() as conn:
        for fk in table.foreign_keys:
            target = fk.column.table.alias()
            orphans = conn.execute(
                select(func.count())
                .select_from(table.outerjoin(target, fk.parent == target.c[fk.column.name]))
                .where(fk.parent.is_not(None), target.c[fk.column.name].is_(None))
            ).scalar_one()
            if orphans:
                problems.append(f"{table.name}.{fk.parent.name}: {orphans} verwaiste Verweise")
        for column, count, first in _non_finite(conn, table):
            problems.append(
                f"{table.name}.{column}: {count} nicht endliche Werte (unendlich oder NaN), z. B. Zeile {first}"
            )
    return problems


def quota_problems(engine: Engine) -> list[str]:
    """Quotas that differ from numerator / denominator (times the indicator's scale)."""
    ind = aliased(Indicator)
    quota = cast(Observation.numerator, Float) / Observation.denominator * ind.scale
    with engine.connect() as conn:
        wrong, first_wrong = conn.execute(
            select(func.count(), func.min(Observation.id))
            .select_from(Observation)
            .join(ind, Observation.indicator_id == ind.id)
            .where(ind.aggregation == "ratio", Observation.value.is_not(None))
            .where(Observation.numerator.is_not(None), Observation.denominator > 0)
            .where(func.abs(quota - Observation.value) > QUOTA_TOLERANCE)
        ).one()
    return [f"{wrong} Quoten weichen von Zähler/Nenner ab (z. B. Beobachtung {first_wrong})"] if wrong else []


def geometry_problems(engine: Engine) -> list[str]:
    """Area shapes that are no valid geometry."""
    problems = []
    with engine.connect() as conn:
        for code, geometry, quality in conn.execute(select(Area.code, Area.geometry, Area.geometry_quality)):
            problem = geometry_problem(geometry) if quality != "none" else None
            if problem:
                problems.append(f"Gebiet {code}: {problem}")
    return problems


def counts(engine: Engine) -> dict[str, int]:
    """Observations, of them suppressed and examples, and areas with a schematic shape."""
    with engine.connect() as conn:
        observations, suppressed, demo = conn.execute(
            select(
                func.count(),
                func.count(case((Observation.status == "suppressed", 1))),
                func.count(case((Observation.is_demo.is_(True), 1))),
            ).select_from(Observation)
        ).one()
        schematic = conn.execute(
            select(func.count()).select_from(Area).where(Area.geometry_quality == "schematic")
        ).scalar_one()
    return {
        "Beobachtungen": observations,
        "davon geheim gehalten": suppressed,
        "davon Beispieldaten": demo,
        "Gebiete mit schematischer Form": schematic,
    }


_CACHED_PARTS = (
    cached_query(table_problems), cached_query(quota_problems), cached_query(geometry_problems), cached_query(counts)
)  # fmt: skip


@cached_query
def cached_check(engine: Engine) -> IntegrityReport:
    """``check`` for pages, cached until a table it reads changes; each part is cached on its own, so
    after a write only the parts whose tables changed run again (an edited project leaves the checks
    of the observations in place)."""
    return _report(engine, *_CACHED_PARTS)
