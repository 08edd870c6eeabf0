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
import pickle
import statistics
import tempfile
import time
from collections import Counter
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


TEXTS = {"title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "html", "text", "latex"}
"""Elements shown by one call with their text."""
VALUED = {"text_input", "text_area", "date_input", "checkbox", "toggle", "number_input"}


def replay_plan(node: Any, skipped: Counter[str]) -> list[tuple[Any, ...]]:
    """What ``node`` of an AppTest tree (the root after a run) showed, for ``replay_page.py``;
    element kinds it cannot show again are counted in ``skipped``."""
    plan: list[tuple[Any, ...]] = []
    for child in node.children.values():
        kind, proto = child.type, getattr(child, "proto", None)
        if kind in ("main", "event"):
            plan.extend(replay_plan(child, skipped))
        elif kind == "sidebar":
            plan.append(("sidebar", replay_plan(child, skipped)))
        elif kind == "flex_container" and all(c.type == "column" for c in child.children.values()):
            plan.append(("columns", [replay_plan(c, skipped) for c in child.children.values()]))
        elif kind in ("flex_container", "column"):
            plan.append(("container", replay_plan(child, skipped)))
        elif kind == "expander":
            plan.append(("expander", proto.label, replay_plan(child, skipped)))
        elif kind == "popover":
            plan.append(("popover", proto.popover.label, replay_plan(child, skipped)))
        elif kind == "form":
            plan.append(("form", replay_plan(child, skipped)))
        elif kind == "tab_container":
            tabs = list(child.children.values())
            plan.append(("tabs", [tab.label for tab in tabs], [replay_plan(tab, skipped) for tab in tabs]))
        elif kind in TEXTS or (kind == "alert" and child.__class__.__name__.lower() in TEXTS):
            plan.append((kind if kind in TEXTS else child.__class__.__name__.lower(), child.value))
        elif kind in ("dataframe", "table"):
            plan.append((kind, child.value))
        elif kind == "metric":
            plan.append(("metric", proto.label, proto.body))
        elif kind in ("page_link", "file_uploader"):
            plan.append((kind, proto.label))
        elif kind == "plotly_chart":
            plan.append(("plotly", proto.spec, proto.config))
        elif kind == "deck_gl_json_chart":
            plan.append(("deck", proto.json, proto.tooltip))
        elif kind in ("selectbox", "radio", "multiselect"):
            plan.append((kind, proto.label, list(proto.options)))
        elif kind in VALUED:
            plan.append((kind, proto.label, child.value))
        elif kind == "button":
            plan.append(("button", proto.label))
        elif kind == "download_button":
            plan.append(("download", proto.label, b"x" * 1000))
        elif kind != "empty":
            skipped[kind] += 1
    return plan


def elements_floor_ms(at: Any, folder: Path, skipped: Counter[str]) -> float:
    """Warm rerun of ``replay_page.py`` showing what ``at`` showed in its last run."""
    from streamlit.testing.v1 import AppTest

    from sozdash.core.navigation import PAGES

    pages: dict[str, list[tuple[int, str, str]]] = {}
    for index, page in enumerate(PAGES):
        pages.setdefault(page.section, []).append((index, page.title, page.icon))
    replay = folder / "replay.pickle"
    replay.write_bytes(pickle.dumps({"plan": replay_plan(at._tree, skipped), "pages": pages}))
    os.environ["BENCH_REPLAY"] = str(replay)
    floor = AppTest.from_file(str(ROOT / "bench" / "replay_page.py"), default_timeout=300)
    floor.run()
    if floor.exception:
        raise RuntimeError(f"Nachbildung fehlgeschlagen: {floor.exception[0].value}")
    return statistics.median(_ms(floor.run) for _ in range(WARM_RUNS))


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
    runs = [(page.file, page.title, {}) for page in PAGES] + [(f, f"{Path(f).stem}, 1.000 Gebiete", q) for f, q in extra]
    runs = [run for run in runs if not only or Path(run[0]).stem in only]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floors = {"stadtteil": floor_ms(engine, "stadtteil", folder)}
        if extra:
            floors["statistischer_bezirk"] = floor_ms(engine, "statistischer_bezirk", folder)
        print(f"\n## {label}  ({load_average()})")
        print("Boden (Karte derselben Flächen mit Beschriftung + Diagramm + 13-Zeilen-Tabelle), warm: "
              + ", ".join(f"{level} {ms:.0f} ms" for level, ms in floors.items()))  # fmt: skip
        print("Elemente: dieselben Texte, Tabellen, Diagramme, Karten und Bedienelemente wie die Seite, "
              "ohne sozdash-Logik gezeigt (bench/replay_page.py)")  # fmt: skip
        print(
            f"{'Seite':42} {'warm ms':>8} {'/Boden':>7} {'Elemente ms':>12} {'/Elemente':>10} "
            f"{'nach Projekt ms':>16} {'nach Wert ms':>13} {'SQL/Lauf':>9} {'Version/Lauf':>13}"
        )
        actor = Actor(username="bench", role="admin")
        skipped: Counter[str] = Counter()
        for file, title, query in runs:
            startup.QUERY_CACHE.clear()
            at = open_page(file, timeout=300, actor=actor, query=query)
            at.run()
            statements.reset()
            warm = statistics.median(_ms(at.run) for _ in range(WARM_RUNS))
            per_run_sql, per_run_versions = statements.total / WARM_RUNS, statements.versions / WARM_RUNS
            level = "statistischer_bezirk" if query.get("ebene") == "statistischer_bezirk" else "stadtteil"
            same = elements_floor_ms(at, folder, skipped)
            after_write = {}
            for table in ("projects", "observations"):
                _write(engine, table)
                after_write[table] = _ms(at.run)
            problem = (
                "  FEHLER auf der Seite" if at.exception or any("Fehler" in e.value for e in at.error) else ""
            )
            print(f"{title[:42]:42} {warm:8.0f} {warm / floors[level]:6.1f}× {same:12.0f} {warm / same:9.1f}× "
                  f"{after_write['projects']:16.0f} {after_write['observations']:13.0f} {per_run_sql:9.1f} "
                  f"{per_run_versions:13.1f}{problem}")  # fmt: skip
    if skipped:
        print("Nicht nachgebildet: " + ", ".join(f"{kind} ×{n}" for kind, n in skipped.most_common()))
    print(f"RSS dieses Prozesses nach allen Seiten: {rss_mb():.0f} MB")


def large_extra(url: str) -> list[tuple[str, dict[str, str]]]:
    """The pages measured again at the 1,000-area level: Indikatoren, and the index pages with the
    benchmark database's index definition on the Statistische Bezirke."""
    from bench.bench_db import INDEX_NAME, LEVEL
    from sozdash.social_index import snapshots
    from sozdash.store import db

    index = {"index": f"d{snapshots.latest_definition_id(db.get_engine(url), INDEX_NAME)}", "ebene": LEVEL}
    return [("pages/indikatoren.py", {"ind": "sgb2_quote", "ebene": LEVEL}),
            *((f"pages/{page}.py", index) for page in ("sozialindex", "handlungsbedarfe", "methode"))]  # fmt: skip


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

        url = f"sqlite:///{build()}"
        pages_bench(
            "Große Datenbank (1.000 Gebiete, ~4 Mio. Beobachtungen)",
            url,
            large_extra(url),
            args.pages,
        )


if __name__ == "__main__":
    main()
