"""Benchmark: set up a new city of 1,000 areas with 50 indicators × 10 years from files, with the
documented commands only (``init --empty``, ``import --areas``, ``import``), next to a raw
``sqlite3`` executemany of the same values into the same table in the same run. Prints only.

Usage: .venv/bin/python bench/bench_city.py [AREAS]
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AREAS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
DISTRICTS, INDICATORS, YEARS = 10, 50, range(2015, 2025)


def write_files(folder: Path) -> tuple[Path, Path, Path, list[tuple[str, str, int, float]]]:
    """A key table (one row per finest area with its district), a catalogue of new indicators and a
    long table of values, as a statistics office would hand them over."""
    finest = AREAS - DISTRICTS - 1
    keys = ["Stadtteil (Nummer);Stadtteil (Name);Bezirk (Nummer);Bezirk (Name)"]
    for i in range(finest):
        district = i % DISTRICTS
        keys.append(f"{district + 1:02d}{i:04d};Stadtteil {i};{district + 1:02d};Bezirk {district + 1}")
    areas = folder / "schluessel.csv"
    areas.write_text("\n".join(keys) + "\n", encoding="utf-8")
    catalogue = folder / "indikatoren.csv"
    catalogue.write_text(
        "key;name;lebenslage;unit;polarity;source\n"
        + "".join(
            f"ind_{k:02d};Indikator {k};bevoelkerung;Anzahl;neutral;Benchmark\n" for k in range(INDICATORS)
        ),
        encoding="utf-8",
    )
    rows = [
        (f"{i % DISTRICTS + 1:02d}{i:04d}", f"ind_{k:02d}", year, float((i * 7 + k * 3 + year) % 500))
        for i in range(finest) for k in range(INDICATORS) for year in YEARS
    ]  # fmt: skip
    values = folder / "werte.csv"
    values.write_text(
        "Gebiet;Indikator;Jahr;Wert\n" + "".join(f"{a};{k};{y};{v:.0f}\n" for a, k, y, v in rows),
        encoding="utf-8",
    )
    return areas, catalogue, values, rows


def run(folder: Path, *args: str) -> float:
    """Wall seconds of one ``python -m sozdash`` command on the benchmark database."""
    env = {**os.environ, "SOZDASH_DATA_DIR": str(folder), "DATABASE_URL": ""}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sozdash", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def raw_insert(database: Path, rows: list[tuple[str, str, int, float]]) -> float:
    """Wall seconds of a plain executemany of the same values into the app's observations table."""
    conn = sqlite3.connect(database)
    area_ids = dict(conn.execute("SELECT code, id FROM areas"))
    indicator_ids = dict(conn.execute("SELECT key, id FROM indicators"))
    conn.execute("CREATE TEMP TABLE copy AS SELECT * FROM observations WHERE 0")
    start = time.perf_counter()
    conn.executemany(
        "INSERT INTO copy (area_id, indicator_id, period, value, status, is_demo, is_computed, batch_id) "
        "VALUES (?, ?, ?, ?, 'ok', 0, 0, 1)",
        ((area_ids[a], indicator_ids[k], y, v) for a, k, y, v in rows),
    )
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        areas, catalogue, values, rows = write_files(folder)
        steps = {
            "init --empty": run(folder, "init", "--empty", "--city", "Benchstadt", "--ags", "09999000"),
            "import --areas (Schlüsseltabelle)": run(
                folder, "import", str(areas), "--areas", "--source", "Bench"
            ),
            "import Werte (mit neuen Indikatoren)": run(
                folder, "import", str(values), "--source", "Bench", "--new-indicators", str(catalogue)
            ),
        }
        floor = raw_insert(folder / "sozdash.sqlite", rows)
        total = sum(steps.values())
        print(
            f"Neue Stadt: {AREAS:,} Gebiete, {INDICATORS} Indikatoren × {len(YEARS)} Jahre = {len(rows):,} Werte"
        )
        for label, seconds in steps.items():
            print(f"  {label:<40} {seconds:6.1f} s")
        print(f"Einrichten gesamt (Befehle der README):    {total:6.1f} s  (Ziel < 60 s)")
        per_100k = steps["import Werte (mit neuen Indikatoren)"] / len(rows) * 100_000
        print(f"Import je 100.000 Werte:                   {per_100k:6.1f} s")
        print(f"sqlite3 executemany derselben Werte:       {floor:6.1f} s  (Untergrenze)")
        print(
            f"Verhältnis Werte-Import / Untergrenze:     {steps['import Werte (mit neuen Indikatoren)'] / floor:6.1f}×"
        )


if __name__ == "__main__":
    main()
