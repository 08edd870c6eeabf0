"""AppTest per page, against the same-elements floor measured in the same process: warm rerun,
first visit after a write of a project and of an observation (a real write raises the version of
the table, so every cached query that reads it misses), SQL statements and table-version reads per rerun (SQLAlchemy event listener), RSS after all pages;
on the shipped data and (``--large``) on the large database, there also at its 1,000-area level.
Prints figures; asserts nothing. Scripts are compiled once, as in the server (AppTest alone parses
them again on every run). AppTest runs no post-script garbage collection of the real server: that
is measured by ``bench_server``."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from bench.server import ROOT, load_average, rss_mb

WARM_RUNS = 5


def _ms(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def _write(engine: Engine, table: str) -> None:
    """The smallest real write of ``table`` (projects: an edit; observations: as after an import):
    its version goes up, so every cached query that reads it misses."""
    from sqlalchemy import select, update

    from sozdash.store import db
    from sozdash.store.models import Observation, Project

    model = {"projects": Project, "observations": Observation}[table]
    with db.session_scope(engine) as session:
        first = session.scalar(select(model.id).order_by(model.id).limit(1))
        session.execute(update(model).where(model.id == first).values(note=model.note))


def keep_compiled_scripts() -> None:
    """Compile each script once, as the server does: AppTest makes a new ``ScriptCache`` per run and so
    parses app.py and the page again every run (a cost the real server has only on its first run)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment,misc]


def floor_ms(engine: Engine, level: str, folder: Path) -> float:
    """Warm rerun of the floor page with the polygons of ``level``."""
    from streamlit.testing.v1 import AppTest

    from sozdash.store import queries

    data = folder / f"floor-{level}.json"
    data.write_text(json.dumps({"geometries": queries.area_geometries(engine, level)}), encoding="utf-8")
    os.environ["BENCH_FLOOR_DATA"] = str(data)
    at = AppTest.from_file(str(ROOT / "bench" / "floor_page.py"), default_timeout=300)
    at.run()
    return statistics.median(_ms(at.run) for _ in range(WARM_RUNS))


class Statements:
    """SQL statements and data-version reads of ``engine`` since the last ``reset``."""

    def __init__(self, engine: Engine) -> None:
        self.total = self.versions = 0
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.total += 1
        self.versions += "FROM table_versions" in statement and statement.lstrip().upper().startswith("SELECT")

    def reset(self) -> None:
        self.total = self.versions = 0


def pages_bench(label: str, url: str, extra: list[tuple[str, dict[str, str]]], only: list[str]) -> None:
    os.environ["DATABASE_URL"] = url
    from sozdash.core.navigation import PAGES
    from sozdash.core.permissions import Actor
    from sozdash.store import bootstrap, db
    from sozdash.ui import startup
    from tests.apptest import open_page

    engine = db.get_engine(url)
    bootstrap.ensure_database(engine)
    keep_compiled_scripts()
    statements = Statements(engine)
    runs = [(page.file, page.title, {}) for page in PAGES] + [(f, f"{f} {q}", q) for f, q in extra]
    runs = [run for run in runs if not only or Path(run[0]).stem in only]
    with tempfile.TemporaryDirectory() as tmp:
        floors = {"stadtteil": floor_ms(engine, "stadtteil", Path(tmp))}
        if extra:
            floors["statistischer_bezirk"] = floor_ms(engine, "statistischer_bezirk", Path(tmp))
    print(f"\n## {label}  ({load_average()})")
    print("Boden (Karte derselben Flächen + Diagramm + 13-Zeilen-Tabelle), warm: "
          + ", ".join(f"{level} {ms:.0f} ms" for level, ms in floors.items()))  # fmt: skip
    print(
        f"{'Seite':42} {'warm ms':>8} {'/Boden':>7} {'nach Projekt ms':>16} {'nach Wert ms':>13} "
        f"{'SQL/Lauf':>9} {'Version/Lauf':>13}"
    )
    actor = Actor(username="bench", role="admin")
    for file, title, query in runs:
        startup.QUERY_CACHE.clear()
        at = open_page(file, timeout=300, actor=actor, query=query)
        at.run()
        statements.reset()
        warm = statistics.median(_ms(at.run) for _ in range(WARM_RUNS))
        per_run_sql, per_run_versions = statements.total / WARM_RUNS, statements.versions / WARM_RUNS
        after_write = {}
        for table in ("projects", "observations"):
            _write(engine, table)
            after_write[table] = _ms(at.run)
        problem = (
            "  FEHLER auf der Seite" if at.exception or any("Fehler" in e.value for e in at.error) else ""
        )
        floor = floors[
            "statistischer_bezirk" if query.get("ebene") == "statistischer_bezirk" else "stadtteil"
        ]
        print(f"{title[:42]:42} {warm:8.0f} {warm / floor:6.1f}× {after_write['projects']:16.0f} "
              f"{after_write['observations']:13.0f} {per_run_sql:9.1f} {per_run_versions:13.1f}{problem}")  # fmt: skip
    print(f"RSS dieses Prozesses nach allen Seiten: {rss_mb():.0f} MB")


LARGE_EXTRA = [
    ("pages/indikatoren.py", {"ind": "sgb2_quote", "ebene": "statistischer_bezirk"}),
    ("pages/sozialindex.py", {"ebene": "statistischer_bezirk"}),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", choices=["seed", "large", "both"], default="seed")
    parser.add_argument(
        "--pages", nargs="*", default=[], help="only these pages (file stems, e.g. indikatoren)"
    )
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.data in ("seed", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            pages_bench("Mitgelieferte Daten (Seed)", f"sqlite:///{tmp}/seed.sqlite", [], args.pages)
    if args.data in ("large", "both"):
        from bench.bench_db import build

        pages_bench(
            "Große Datenbank (1.000 Gebiete, ~4 Mio. Beobachtungen)",
            f"sqlite:///{build()}",
            LARGE_EXTRA,
            args.pages,
        )


if __name__ == "__main__":
    main()
