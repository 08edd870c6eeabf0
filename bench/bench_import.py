"""Benchmark: one million long-format rows validated and committed into SQLite, next to a raw
``sqlite3`` executemany insert of the same rows in the same run; peak memory. Prints only.

Wall-clock and CPU seconds are both printed: on a machine shared with other work the CPU figures
(this process only) are the steadier comparison. ``python bench/bench_import.py 200000`` runs a
smaller size (e.g. for profiling).
"""

from __future__ import annotations

import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sozdash.core.permissions import Actor
from sozdash.importing.commit import commit_import
from sozdash.importing.pipeline import prepare
from sozdash.importing.validate import ImportOptions
from sozdash.store import bootstrap, db

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
AREAS = ["wiesdorf", "manfort", "rheindorf", "hitdorf", "opladen", "kueppersteg", "buerrig", "quettingen",
         "bergisch-neukirchen", "schlebusch", "steinbuechel", "luetzenkirchen", "alkenrath"]  # fmt: skip
INDICATORS = ["sgb2_quote", "abiturquote", "wohngeldquote", "nichtdeutsche_anteil", "arbeitslosenquote_bev",
              "alleinerziehende_anteil", "betreuungsquote_u3", "ohne_schulabschluss"]  # fmt: skip


def rows() -> list[tuple[str, str, int, str]]:
    """Unique (area, indicator, period) keys with German decimal values."""
    out = []
    for i in range(ROWS):
        area, rest = AREAS[i % 13], i // 13
        indicator, year = INDICATORS[rest % 8], 1900 + (rest // 8) % 301
        out.append(
            (
                area,
                f"{indicator}_{rest // (8 * 301)}" if rest >= 8 * 301 else indicator,
                year,
                f"{i % 97},{i % 10}",
            )
        )
    return out


def raw_insert(
    path: str, ddl: list[str], data_rows: list[tuple[str, str, int, str]], keys: list[str]
) -> tuple[float, float]:
    """Wall and CPU seconds of one plain ``sqlite3`` executemany of the rows into a table made by ``ddl``."""
    area_ids = {a: i for i, a in enumerate(AREAS)}
    indicator_ids = {k: i for i, k in enumerate(keys)}
    raw = sqlite3.connect(path)
    for statement in ddl:
        raw.execute(statement)
    start, start_cpu = time.perf_counter(), time.process_time()
    raw.executemany(
        "INSERT INTO observations (area_id, indicator_id, period, value, status, is_demo, batch_id, source) "
        "VALUES (?, ?, ?, ?, 'ok', 0, 1, 'Benchmark')",
        ((area_ids[a], indicator_ids[k], y, float(v.replace(",", "."))) for a, k, y, v in data_rows),
    )
    raw.commit()
    raw.close()
    return time.perf_counter() - start, time.process_time() - start_cpu


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_rows = rows()
        keys = sorted({r[1] for r in data_rows})
        text = "Gebiet;Indikator;Jahr;Wert\n" + "\n".join(f"{a};{k};{y};{v}" for a, k, y, v in data_rows)
        data = text.encode()
        engine = db.get_engine(f"sqlite:///{tmp}/bench.sqlite")
        bootstrap.ensure_database(engine)
        with engine.begin() as conn:  # the extra indicators the rows refer to
            template = (
                conn.exec_driver_sql("SELECT * FROM indicators WHERE key = 'sgb2_quote'").mappings().one()
            )
            for key in keys:
                if key not in INDICATORS:
                    values = {**template, "key": key, "aggregation": "none", "unit": "Anzahl"}
                    values.pop("id")
                    conn.exec_driver_sql(
                        f"INSERT INTO indicators ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                        tuple(values.values()),
                    )
        begin, begin_cpu = time.perf_counter(), time.process_time()
        preview = prepare(engine, data, "bench.csv", ImportOptions(source="Benchmark", decimal=","))
        validated, validated_cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
        batch = commit_import(engine, Actor("bench", "admin"), preview)
        pipeline, pipeline_cpu = time.perf_counter() - begin, time.process_time() - begin_cpu

        minimal = [
            "CREATE TABLE observations (id INTEGER PRIMARY KEY, area_id INT, indicator_id INT, period INT, value REAL, "
            "numerator REAL, denominator REAL, status TEXT, symbol TEXT, is_demo INT, batch_id INT, source TEXT, "
            "note TEXT, UNIQUE (area_id, indicator_id, period))"
        ]
        with engine.connect() as conn:  # the app's table: its indexes and CHECKs (foreign keys not enforced)
            real = (
                conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = 'observations' AND sql IS NOT NULL"
                )
                .scalars()
                .all()
            )
        floor, floor_cpu = raw_insert(f"{tmp}/raw.sqlite", minimal, data_rows, keys)
        schema, schema_cpu = raw_insert(f"{tmp}/schema.sqlite", real, data_rows, keys)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"Zeilen: {ROWS:,}  neu: {preview.counts['new']:,}  abgelehnt: {preview.counts['rejected']:,}  Import {batch}"
        )
        print(f"Lesen+Prüfen (Vorschau):                    {validated:6.1f} s  (CPU {validated_cpu:6.1f} s)")
        print(
            f"Pipeline gesamt (lesen, prüfen, speichern): {pipeline:6.1f} s  (CPU {pipeline_cpu:6.1f} s)  (Ziel ≤ 30 s)"
        )
        print(f"sqlite3 executemany (Untergrenze):          {floor:6.1f} s  (CPU {floor_cpu:6.1f} s)")
        print(
            f"sqlite3 executemany in die App-Tabelle:     {schema:6.1f} s  (CPU {schema_cpu:6.1f} s)  (zum Vergleich)"
        )
        print(f"Verhältnis: {pipeline / floor:4.1f}×  (CPU {pipeline_cpu / floor_cpu:4.1f}×)  (Ziel ≤ 5×)")
        print(f"Spitzenspeicher: {peak:,.0f} MB  (Ziel ≤ 2.048 MB)")


if __name__ == "__main__":
    main()
