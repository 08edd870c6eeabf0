"""The integrity report computed in SQL gives what a row-by-row check in Python gives, on a
database with planted problems (wrong quotas, an orphan, an invalid shape, demo and suppressed rows)."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
from sqlalchemy import Engine, text

from sozdash.core.geometry import geometry_problem
from sozdash.store.integrity import QUOTA_TOLERANCE, check

BOWTIE = '{"type": "Polygon", "coordinates": [[[7.0, 51.0], [7.01, 51.01], [7.01, 51.0], [7.0, 51.01], [7.0, 51.0]]]}'


def _plant(engine: Engine) -> list[int]:
    """Two wrong quotas, one orphaned observation, one self-intersecting shape; returns the ids of
    the wrong quotas."""
    with engine.begin() as conn:
        ids = (
            conn.execute(
                text(
                    "SELECT o.id FROM observations o JOIN indicators i ON i.id = o.indicator_id WHERE i.aggregation = "
                    "'ratio' AND o.value IS NOT NULL AND o.numerator IS NOT NULL AND o.denominator > 0 ORDER BY o.id DESC "
                    "LIMIT 2"
                )
            )
            .scalars()
            .all()
        )
        for observation in ids:
            conn.execute(
                text("UPDATE observations SET value = value + 0.5 WHERE id = :id"), {"id": observation}
            )
        conn.execute(text("UPDATE areas SET geometry = :g WHERE code = 'hitdorf'"), {"g": BOWTIE})
    raw = sqlite3.connect(str(engine.url.database))  # foreign keys are off by default here
    with raw:
        raw.execute("UPDATE observations SET area_id = 999999 WHERE id = (SELECT MIN(id) FROM observations)")
    raw.close()
    return list(ids)


def test_sql_report_equals_a_row_by_row_check(sqlite_engine: Engine) -> None:
    wrong = _plant(sqlite_engine)
    report = check(sqlite_engine)
    with sqlite_engine.connect() as conn:
        obs = pd.read_sql("SELECT * FROM observations", conn)
        indicators = pd.read_sql("SELECT id AS indicator_id, scale, aggregation FROM indicators", conn)
        schematic = conn.execute(
            text("SELECT COUNT(*) FROM areas WHERE geometry_quality = 'schematic'")
        ).scalar()
    rows = obs.merge(indicators, on="indicator_id")
    rows = rows[(rows["aggregation"] == "ratio") & rows["value"].notna() & rows["numerator"].notna()]
    rows = rows[rows["denominator"] > 0]
    off = rows[
        (rows["numerator"] / rows["denominator"] * rows["scale"] - rows["value"]).abs() > QUOTA_TOLERANCE
    ]
    assert sorted(off["id"]) == sorted(wrong)  # the oracle sees exactly the planted quotas
    assert sorted(report.problems) == sorted([
        "observations.area_id: 1 verwaiste Verweise",
        f"2 Quoten weichen von Zähler/Nenner ab (z. B. Beobachtung {min(wrong)})",
        f"Gebiet hitdorf: {geometry_problem(json.loads(BOWTIE))}",
    ])  # fmt: skip
    assert geometry_problem(json.loads(BOWTIE))
    assert report.counts == {
        "Beobachtungen": len(obs),
        "davon geheim gehalten": int((obs["status"] == "suppressed").sum()),
        "davon Beispieldaten": int(obs["is_demo"].astype(bool).sum()),
        "Gebiete mit schematischer Form": schematic,
    }
    assert report.counts["davon geheim gehalten"] > 0 and report.counts["davon Beispieldaten"] > 0
