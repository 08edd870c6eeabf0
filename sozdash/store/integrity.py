"""The integrity report of ``python -m sozdash check`` and the page Datenstand: every check is an
SQL aggregate (the observations are counted in the database, never loaded, in one pass over their
rows), only area shapes are read; each part is cached until a table it reads changes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Float,
    FromClause,
    Numeric,
    Table,
    case,
    cast,
    func,
    select,
    true,
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


class Findings(NamedTuple):
    """The problems and counts of one part of the report."""

    problems: list[str]
    counts: dict[str, int]


class _Rules(NamedTuple):
    """What one pass over a table's rows tallies: problems (a German text with ``{count}`` and
    ``{first}``, the first row's key, for the rows that meet the condition) and counts."""

    source: FromClause
    problems: dict[str, ColumnElement[bool]]
    counts: dict[str, ColumnElement[bool]]


def check(engine: Engine) -> IntegrityReport:
    """Orphaned references, non-finite numbers, quota consistency, geometry validity, suppressed
    and demo counts, read from the database now."""
    return _report(engine, table_findings, shape_findings)


def _report(
    engine: Engine, tables: Callable[[Engine, str], Findings], shapes: Callable[[Engine], Findings]
) -> IntegrityReport:
    report = IntegrityReport()
    parts = [tables(engine, table.name) for table in Base.metadata.sorted_tables] + [shapes(engine)]
    for part in parts:
        report.problems += part.problems
        report.counts |= part.counts
    return report


def table_findings(engine: Engine, name: str) -> Findings:
    """References of table ``name`` to rows that do not exist (one index scan per reference), and in
    one pass over its rows its non-finite numbers and its own rules (observations: quotas, counts)."""
    table = Base.metadata.tables[name]
    rules = _observation_rules() if table is Observation.__table__ else _Rules(table, {}, {})
    problems = {
        f"{name}.{column.name}: {{count}} nicht endliche Werte (unendlich oder NaN), z. B. Zeile {{first}}": _bad(column)
        for column in table.columns if isinstance(column.type, Float | Numeric)
    } | rules.problems  # fmt: skip
    key = next(iter(table.primary_key.columns))
    conditions = [*problems.values(), *rules.counts.values()]
    with engine.connect() as conn:
        findings = Findings(_orphans(conn, table), {})
        if not conditions:
            return findings
        found = conn.execute(
            select(*(func.count(case((c, 1))) for c in conditions)).select_from(rules.source)
        ).one()
        for (text, condition), count in zip(problems.items(), found, strict=False):
            if count:
                first = conn.execute(
                    select(func.min(key)).select_from(rules.source).where(condition)
                ).scalar()
                findings.problems.append(text.format(count=count, first=first))
    findings.counts.update(zip(rules.counts, found[len(problems) :], strict=True))
    return findings


def _orphans(conn: Connection, table: Table) -> list[str]:
    """Per reference of ``table``: how many rows point to a row that does not exist."""
    problems = []
    for fk in table.foreign_keys:
        target = fk.column.table.alias()
        orphans = conn.execute(
            select(func.count())
            .select_from(table.outerjoin(target, fk.parent == target.c[fk.column.name]))
            .where(fk.parent.is_not(None), target.c[fk.column.name].is_(None))
        ).scalar_one()
        if orphans:
            problems.append(f"{table.name}.{fk.parent.name}: {orphans} verwaiste Verweise")
    return problems


def _bad(column: Column[Any]) -> ColumnElement[bool]:
    """Infinity (and NaN, which PostgreSQL sorts above every number) is the only value whose
    magnitude exceeds the largest finite double; SQLite stores NaN as NULL."""
    return func.abs(column) > sys.float_info.max


def _observation_rules() -> _Rules:
    """Quotas that differ from numerator / denominator (times the indicator's scale); how many
    observations, suppressed and examples. The indicators are joined, so one pass reads the rows."""
    ind = aliased(Indicator)
    quota = cast(Observation.numerator, Float) / Observation.denominator * ind.scale
    wrong = (
        (ind.aggregation == "ratio") & Observation.value.is_not(None) & Observation.numerator.is_not(None)
        & (Observation.denominator > 0) & (func.abs(quota - Observation.value) > QUOTA_TOLERANCE)
    )  # fmt: skip
    return _Rules(
        Observation.__table__.outerjoin(ind, Observation.indicator_id == ind.id),
        {"{count} Quoten weichen von Zähler/Nenner ab (z. B. Beobachtung {first})": wrong},
        {
            "Beobachtungen": true(),
            "davon geheim gehalten": Observation.status == "suppressed",
            "davon Beispieldaten": Observation.is_demo.is_(True),
        },
    )


def shape_findings(engine: Engine) -> Findings:
    """Area shapes that are no valid geometry; how many areas have a schematic shape."""
    problems = []
    with engine.connect() as conn:
        for code, geometry, quality in conn.execute(select(Area.code, Area.geometry, Area.geometry_quality)):
            problem = geometry_problem(geometry) if quality != "none" else None
            if problem:
                problems.append(f"Gebiet {code}: {problem}")
        schematic = conn.execute(
            select(func.count()).select_from(Area).where(Area.geometry_quality == "schematic")
        ).scalar_one()
    return Findings(problems, {"Gebiete mit schematischer Form": schematic})


_CACHED_PARTS = (cached_query(table_findings), cached_query(shape_findings))


@cached_query
def cached_check(engine: Engine) -> IntegrityReport:
    """``check`` for pages, cached until a table it reads changes; each part is cached on its own, so
    after a write only the parts whose tables changed run again (an edited project leaves the checks
    of the observations in place)."""
    return _report(engine, *_CACHED_PARTS)
