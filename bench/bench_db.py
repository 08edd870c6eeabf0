"""The large synthetic benchmark database: the seed plus 1,000 Statistische Bezirke and synthetic
indicators up to 200, 20 years each (about 4 million observations), with realistic populations
(800–30,000 inhabitants per area, so the social index rates every area) and quotas whose
numerators and denominators come from those populations; an index definition on the
Statistische Bezirke (``INDEX_NAME``), so the index pages are measured at 1,000 areas too.

Usage: .venv/bin/python -m bench.bench_db  (writes bench/out/bench.sqlite once)"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from pathlib import Path

import numpy as np

from sozdash.core.permissions import Actor
from sozdash.social_index import snapshots
from sozdash.store import bootstrap, db

OUT = Path(__file__).resolve().parent / "out"
N_AREAS, N_INDICATORS, YEARS = 1000, 200, range(2005, 2025)
LEVEL = "statistischer_bezirk"
INDEX_NAME = "Benchmark-Index der Statistischen Bezirke"
VERSION = "4"
"""Bump when the generated data change: an older file is rebuilt."""
COUNT_SHARES = {"bevoelkerung_65plus": 0.21, "bevoelkerung_u18": 0.17, "sgb2_bedarfsgemeinschaften": 0.05,
                "haushalte": 0.5}  # fmt: skip
"""Head counts other than the population, as a share of it (the rest of the ``sum`` indicators equal it)."""


def populations(rng: np.random.Generator, areas: int, years: int) -> np.ndarray:
    """Inhabitants [area, year]: log-normal around 5,000 (800–30,000), a slow trend per area."""
    base = np.clip(rng.lognormal(np.log(5000), 0.7, areas), 800, 30_000)
    trend = 1 + rng.normal(0, 0.005, areas)[:, None] * np.arange(years)[None, :]
    return np.round(base[:, None] * trend)


def build(path: Path = OUT / "bench.sqlite") -> Path:
    """Create the database at ``path`` unless it exists in this ``VERSION``; returns the path."""
    marker = path.with_suffix(".version")
    if path.exists() and marker.exists() and marker.read_text() == VERSION:
        return path
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    engine = db.get_engine(f"sqlite:///{path}")
    bootstrap.ensure_database(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    rng = np.random.default_rng(1)
    parents = conn.execute(
        "SELECT id, centroid_lat, centroid_lon FROM areas WHERE level = 'stadtteil' ORDER BY id"
    ).fetchall()
    area_rows = []
    for i in range(N_AREAS):
        parent, lat, lon = parents[i % len(parents)]
        lat, lon = lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.015, 0.015)
        square = [
            [[lon, lat], [lon + 0.002, lat], [lon + 0.002, lat + 0.0015], [lon, lat + 0.0015], [lon, lat]]
        ]
        geometry = '{"type": "Polygon", "coordinates": ' + str(square) + "}"
        area_rows.append((f"bench-{i:04d}", f"Statistischer Bezirk {i:04d}", LEVEL, parent, geometry, geometry,
                          "schematic", "Benchmark (synthetisch)"))  # fmt: skip
    conn.executemany(
        "INSERT INTO areas (code, name, level, parent_id, geometry, display_geometry, geometry_quality, source,"
        " centroid_verified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
        area_rows,
    )
    existing = conn.execute("SELECT COUNT(*) FROM indicators").fetchone()[0]
    lebenslagen = ["einkommen", "arbeit", "bildung", "gesundheit", "pflege_alter", "wohnen", "integration"]
    conn.executemany(
        "INSERT INTO indicators (key, name, lebenslage, unit, scale, definition, source, polarity, aggregation,"
        " decimals, is_public) VALUES (?, ?, ?, '%', 100, 'synthetisch', 'Benchmark', ?, 'ratio', 1, 1)",
        [(f"bench_{i:03d}", f"Benchmark-Indikator {i:03d}", lebenslagen[i % 7], "higher_worse")
         for i in range(N_INDICATORS - existing)],
    )  # fmt: skip
    batch = conn.execute(
        "INSERT INTO import_batches (kind, source, created_by, created_at, is_demo, status, rows_total, rows_new,"
        " rows_changed, rows_unchanged, rows_rejected) VALUES ('demo', 'Benchmark (synthetisch)', 'bench',"
        " '2026-01-01 00:00:00', 1, 'committed', 0, 0, 0, 0, 0)"
    ).lastrowid
    conn.execute("DELETE FROM observations")
    areas = [r[0] for r in conn.execute("SELECT id FROM areas ORDER BY id")]
    people = populations(rng, len(areas), len(YEARS))
    for indicator, key, aggregation in conn.execute("SELECT id, key, aggregation FROM indicators").fetchall():
        if aggregation == "sum":
            counts = np.round(people * COUNT_SHARES.get(key, 1.0))
            rows = (
                (a, indicator, y, counts[i, j], None, None)
                for i, a in enumerate(areas)
                for j, y in enumerate(YEARS)
            )
        elif aggregation == "ratio":
            denominators = np.round(people * rng.uniform(0.1, 0.9, (len(areas), 1)))
            rate = np.clip(rng.uniform(0.02, 0.3) * rng.lognormal(0, 0.4, (len(areas), 1)), 0, 1)
            numerators = np.floor(denominators * np.clip(rate + rng.normal(0, 0.01, people.shape), 0, 1))
            values = numerators / denominators * 100
            rows = ((a, indicator, y, values[i, j], numerators[i, j], denominators[i, j])
                    for i, a in enumerate(areas) for j, y in enumerate(YEARS))  # fmt: skip
        else:
            means = rng.normal(44, 3, (len(areas), len(YEARS)))
            rows = (
                (a, indicator, y, means[i, j], None, None)
                for i, a in enumerate(areas)
                for j, y in enumerate(YEARS)
            )
        conn.executemany(
            "INSERT INTO observations (area_id, indicator_id, period, value, numerator, denominator, status,"
            f" is_demo, batch_id) VALUES (?, ?, ?, ?, ?, ?, 'ok', 1, {batch})",
            rows,
        )
    conn.execute("UPDATE table_versions SET version = version + 1")
    conn.commit()
    count = conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
    conn.close()
    engine = db.get_engine(f"sqlite:///{path}")
    shipped = snapshots.definition_config(engine, int(snapshots.definitions(engine)["id"].iloc[-1]))
    config = dataclasses.replace(shipped, level=LEVEL, reference_year=YEARS[-1])
    snapshots.create_definition(engine, Actor(username="bench", role="admin"), INDEX_NAME, config, "Benchmark")
    engine.dispose()
    marker.write_text(VERSION)
    print(f"Benchmark-Datenbank: {count:,} Beobachtungen in {time.perf_counter() - started:.0f} s -> {path}")
    return path


if __name__ == "__main__":
    build()
