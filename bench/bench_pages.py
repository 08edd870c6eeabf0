"""Per page: cold and warm AppTest run time on the default data and on the large benchmark
database, next to an empty page (the floor) measured in the same run, and peak memory.
Prints figures; asserts nothing. Usage: .venv/bin/python bench/bench_pages.py [--skip-large]"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.bench_db import build  # noqa: E402
from sozdash.core.navigation import PAGES  # noqa: E402
from sozdash.core.permissions import Actor  # noqa: E402
from sozdash.store import bootstrap, db  # noqa: E402
from tests.apptest import open_page  # noqa: E402

WARM_RUNS = 5
ADMIN = Actor(username="bench", role="admin")


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def _page_times(page_file: str) -> tuple[float, float, str]:
    st.cache_data.clear()
    holder: dict[str, AppTest] = {}
    cold = _timed(lambda: holder.setdefault("at", open_page(page_file, timeout=300, actor=ADMIN)))
    at = holder["at"]
    warm = statistics.median(_timed(lambda: at.run(timeout=300)) for _ in range(WARM_RUNS))
    problem = "  FEHLER auf der Seite" if at.exception or any("Fehler" in e.value for e in at.error) else ""
    return cold, warm, problem


def _floor() -> tuple[float, float]:
    at = AppTest.from_file(str(ROOT / "bench" / "empty_page.py"))
    cold = _timed(at.run)
    warm = statistics.median(_timed(at.run) for _ in range(WARM_RUNS))
    return cold, warm


def bench(label: str, url: str) -> None:
    os.environ["DATABASE_URL"] = url
    bootstrap.ensure_database(db.get_engine(url))
    floor_cold, floor_warm = _floor()
    print(f"\n## {label}  (Boden: leere Seite kalt {floor_cold:.0f} ms, warm {floor_warm:.0f} ms)")
    print(f"{'Seite':28} {'kalt ms':>9} {'warm ms':>9} {'warm/Boden':>11}")
    for page in PAGES:
        cold, warm, problem = _page_times(page.file)
        print(f"{page.title:28} {cold:9.0f} {warm:9.0f} {warm / floor_warm:10.1f}x{problem}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Spitzenspeicher des Prozesses: {peak:.0f} MiB")


if __name__ == "__main__":
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        bench("Standarddaten (Seed)", f"sqlite:///{tmp}/seed.sqlite")
    if "--skip-large" not in sys.argv:
        bench("Benchmark-Datenbank (~4 Mio. Beobachtungen)", f"sqlite:///{build()}")
