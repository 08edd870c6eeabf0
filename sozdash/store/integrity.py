"""The integrity report of ``python -m sozdash check``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from sqlalchemy import Column, Connection, Engine, Float, Numeric, func, select
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


def _non_finite(conn: Connection, column: Column[float]) -> tuple[int, object]:
    """How many values of the number ``column`` are infinite or NaN, and the key of the first.

    Infinity (and NaN, which PostgreSQL sorts above every number) is the only value whose
    magnitude exceeds the largest finite double; SQLite stores NaN as NULL.
    """
    table = column.table
    key = next(iter(table.primary_key.columns))
    bad = func.abs(column) > sys.float_info.max
    count = conn.execute(select(func.count()).select_from(table).where(bad)).scalar_one()
    first = conn.execute(select(key).where(bad).order_by(key).limit(1)).scalar() if count else None
    return count, first


def check(engine: Engine) -> IntegrityReport:
    """Orphaned references, non-finite numbers, quota consistency, geometry validity, suppressed
    and demo counts."""
    report = IntegrityReport()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                target = fk.column.table.alias()
                orphans = conn.execute(
                    select(func.count())
                    .select_from(table.outerjoin(target, fk.parent == target.c[fk.column.name]))
                    .where(fk.parent.is_not(None), target.c[fk.column.name].is_(None))
                ).scalar_one()
                if orphans:
                    report.problems.append(f"{table.name}.{fk.parent.name}: {orphans} verwaiste Verweise")
            for column in table.columns:
                if isinstance(column.type, Float | Numeric):
                    count, first = _non_finite(conn, column)
                    if count:
                        report.problems.append(
                            f"{table.name}.{column.name}: {count} nicht endliche Werte (unendlich oder NaN), "
                            f"z. B. Zeile {first}"
                        )
        ind = aliased(Indicator)
        quota_rows = conn.execute(
            select(
                Observation.id, Observation.value, Observation.numerator, Observation.denominator, ind.scale
            )
            .join(ind, Observation.indicator_id == ind.id)
            .where(ind.aggregation == "ratio", Observation.value.is_not(None))
            .where(Observation.numerator.is_not(None), Observation.denominator > 0)
        ).all()
        wrong = [
            r.id for r in quota_rows if abs(r.numerator / r.denominator * r.scale - r.value) > QUOTA_TOLERANCE
        ]
        if wrong:
            report.problems.append(
                f"{len(wrong)} Quoten weichen von Zähler/Nenner ab (z. B. Beobachtung {wrong[0]})"
            )
        for code, geometry, quality in conn.execute(select(Area.code, Area.geometry, Area.geometry_quality)):
            problem = geometry_problem(geometry) if quality != "none" else None
            if problem:
                report.problems.append(f"Gebiet {code}: {problem}")
        report.counts = {
            "Beobachtungen": conn.execute(select(func.count()).select_from(Observation)).scalar_one(),
            "davon geheim gehalten": conn.execute(
                select(func.count()).select_from(Observation).where(Observation.status == "suppressed")
            ).scalar_one(),
            "davon Beispieldaten": conn.execute(
                select(func.count()).select_from(Observation).where(Observation.is_demo.is_(True))
            ).scalar_one(),
            "Gebiete mit schematischer Form": conn.execute(
                select(func.count()).select_from(Area).where(Area.geometry_quality == "schematic")
            ).scalar_one(),
        }
    return report


cached_check = cached_query(check)
"""``check`` cached by data version, for pages."""
