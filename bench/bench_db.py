"""Build the large synthetic benchmark database: the seed plus 1,000 statistical areas and
synthetic indicators up to 200, 20 years each (about 4 million observations)."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sozdash.store import bootstrap, db

OUT = Path(__file__).resolve().parent / "out"
N_AREAS, N_INDICATORS, YEARS = 1000, 200, range(2005, 2025)


def build(path: Path = OUT / "bench.sqlite") -> Path:
    """Create the database at ``path`` unless it exists; returns the path."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    engine = db.get_engine(f"sqlite:///{path}")
    bootstrap.ensure_database(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    rng = np.random.default_rng(1)
    stadtteile = [r[0] for r in conn.execute("SELECT id FROM areas WHERE level = 'stadtteil' ORDER BY id")]
    centres = dict(
        conn.execute("SELECT id, centroid_lat || ',' || centroid_lon FROM areas WHERE level='stadtteil'")
    )
    area_rows = []
    for i in range(N_AREAS):
        parent = stadtteile[i % len(stadtteile)]
        lat, lon = (float(x) for x in centres[parent].split(","))
        lat, lon = lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.015, 0.015)
        square = [
            [[lon, lat], [lon + 0.002, lat], [lon + 0.002, lat + 0.0015], [lon, lat + 0.0015], [lon, lat]]
        ]
        geometry = '{"type": "Polygon", "coordinates": ' + str(square) + "}"
        area_rows.append((f"bench-{i:04d}", f"Statistischer Bezirk {i:04d}", "statistischer_bezirk", parent,
                          geometry, geometry, "schematic", "Benchmark (synthetisch)"))  # fmt: skip
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
    areas = [r[0] for r in conn.execute("SELECT id FROM areas")]
    indicators = [r[0] for r in conn.execute("SELECT id FROM indicators")]
    for indicator in indicators:
        denominators = rng.integers(300, 20000, size=(len(areas), len(YEARS))).astype(float)
        numerators = np.floor(denominators * rng.uniform(0.01, 0.4, size=denominators.shape))
        conn.executemany(
            "INSERT INTO observations (area_id, indicator_id, period, value, numerator, denominator, status,"
            " is_demo, batch_id) VALUES (?, ?, ?, ?, ?, ?, 'ok', 1, ?)",
            (
                (area, indicator, year, numerators[a, y] / denominators[a, y] * 100, numerators[a, y],
                 denominators[a, y], batch)
                for a, area in enumerate(areas) for y, year in enumerate(YEARS)
            ),
        )  # fmt: skip
    conn.execute("UPDATE data_version SET version = version + 1")
    conn.commit()
    count = conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
    conn.close()
    print(f"Benchmark-Datenbank: {count:,} Beobachtungen in {time.perf_counter() - started:.0f} s -> {path}")
    return path


if __name__ == "__main__":
    build()
