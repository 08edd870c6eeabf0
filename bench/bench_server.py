"""The real server (``streamlit run`` with the app's ``.streamlit/config.toml``) driven by
Chromium through Playwright. Parts:

- ``gc``: server CPU per page run (reruns by the ``r`` key, CPU of the server process) with
  Streamlit's default post-script collection, with ``runner.postScriptGC = false`` (the app's
  setting) and with the collection plus ``gc.freeze()`` after the first run; RSS after the reruns.
- ``browser``: sidebar click to idle for every page vs a bare two-page app in the same run, with
  the bytes the server sends per switch (WebSocket frames); server RSS after all pages.
- ``concurrent``: N sessions (Playwright contexts) loading Indikatoren, then Stadtteilprofil:
  p50/p95 to idle, errors.

Prints figures; asserts nothing."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.async_api import async_playwright
from playwright.sync_api import Page, sync_playwright

from bench.server import cpu_seconds, load_average, rss_mb, running

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
ON, OFF = ["--runner.postScriptGC", "true"], ["--runner.postScriptGC", "false"]
GC_VARIANTS = {
    "Streamlit-Standard (gc.collect(2) nach jedem Lauf)": ({}, ON),
    "runner.postScriptGC = false (config.toml)": ({}, OFF),
    "gc.collect(2) + gc.freeze() nach dem 1. Lauf": ({"BENCH_GC_FREEZE": "1"}, ON),
}


def wait_idle(page: Page, timeout: float = 300_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(200)
    page.wait_for_selector(IDLE, timeout=timeout)


@contextmanager
def app(data_dir: Path, args: list[str] | None = None, env: dict[str, str] | None = None,
        script: str | None = None) -> Iterator[tuple[str, int]]:  # fmt: skip
    from sozdash.store import bootstrap, db

    base = {"SOZDASH_DATA_DIR": str(data_dir), "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "")}
    # The database exists before the server starts, as at every start after the first (and in
    # production, which migrates with ``python -m sozdash migrate``): the server loads no migrations.
    engine = db.get_engine(base["DATABASE_URL"] or f"sqlite:///{data_dir / 'sozdash.sqlite'}")
    bootstrap.ensure_database(engine)
    engine.dispose()
    with running({**base, **(env or {})}, args or [], script, log=data_dir / "server.log") as served:
        yield served


class Bytes:
    """Bytes of WebSocket frames the server sent to ``page`` since the last ``take``."""

    def __init__(self, page: Page) -> None:
        self.count = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload: str | bytes) -> None:
        self.count += len(payload)

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def gc_part(data_dir: Path, path: str, reruns: int) -> None:
    print(f"\n## Server-CPU je Seitenlauf, {reruns} Läufe von /{path} ({load_average()})")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        figures = {}
        for label, (env, args) in GC_VARIANTS.items():
            with app(data_dir, args, env) as (url, pid):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/{path}")
                wait_idle(page)
                for _ in range(2):  # warm: caches filled, collector frozen
                    page.keyboard.press("r")
                    wait_idle(page)
                cpu = cpu_seconds(pid)
                started = time.perf_counter()
                for _ in range(reruns):
                    page.locator("body").press("r")
                    wait_idle(page)
                wall = (time.perf_counter() - started) / reruns
                figures[label] = (cpu_seconds(pid) - cpu) / reruns * 1000, wall * 1000, rss_mb(pid)
                page.close()
        browser.close()
    base = next(iter(figures.values()))[0]
    for label, (cpu_ms, wall_ms, rss) in figures.items():
        print(
            f"  {label:48} CPU {cpu_ms:6.0f} ms/Lauf ({cpu_ms / base:4.2f}×)  bis Ruhe {wall_ms:6.0f} ms  RSS {rss:5.0f} MB"
        )


def _titles(page: Page) -> list[str]:
    """The sidebar's page titles (the last line of each link: the icon's name comes first)."""
    texts = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
    return [text.strip().splitlines()[-1].strip() for text in texts if text.strip()]


def _switches(page: Page, titles: list[str], received: Bytes) -> dict[str, tuple[float, int]]:
    out = {}
    for title in titles:
        index = _titles(page).index(title)
        link = page.locator("[data-testid='stSidebarNav'] a").nth(index)
        received.take()
        started = time.perf_counter()
        link.click()
        wait_idle(page)
        out[title] = ((time.perf_counter() - started) * 1000, received.take())
    return out


def _floor(data_dir: Path, gc_args: list[str], page: Page, received: Bytes, env: dict[str, str]) -> tuple[float, int]:
    """Median switch between the two pages of ``bare_app.py`` (ms) and bytes per switch."""
    with app(data_dir, gc_args, env, script=str(Path(__file__).with_name("bare_app.py"))) as (url, _pid):
        page.goto(url)
        wait_idle(page)
        _switches(page, ["Zweite", "Erste"], received)  # first visits
        if page.locator("[data-testid='stException']").count():
            raise RuntimeError(f"Boden-Seite mit Fehler: {page.locator('[data-testid=stException]').first.inner_text()}")
        switches = [_switches(page, [title], received)[title] for title in ["Zweite", "Erste"] * 3]
    return statistics.median(ms for ms, _ in switches), int(statistics.median(b for _, b in switches))


def _floor_data(folder: Path) -> Path:
    """The Stadtteile of the shipped data as the same-elements floor reads them (``BENCH_FLOOR_DATA``)."""
    from sozdash.store import bootstrap, db, queries

    engine = db.get_engine(f"sqlite:///{folder / 'floor.sqlite'}")
    bootstrap.ensure_database(engine)
    data = folder / "floor.json"
    data.write_text(json.dumps({"geometries": queries.area_geometries(engine, "stadtteil")}), encoding="utf-8")
    engine.dispose()
    return data


def browser_part(data_dir: Path, gc_args: list[str]) -> None:
    print(f"\n## Seitenwechsel im Browser: Klick in der Seitenleiste bis Ruhe ({load_average()})")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        received = Bytes(page)
        bare, bare_bytes = _floor(data_dir, gc_args, page, received, {})
        same, same_bytes = _floor(data_dir, gc_args, page, received, {"BENCH_FLOOR_DATA": str(_floor_data(data_dir))})
        print(f"  Boden: leere Zwei-Seiten-App {bare:.0f} ms, {bare_bytes:,} Bytes; Seiten mit denselben Elementen "
              f"(Karte der 13 Stadtteile mit Beschriftung, Diagramm, 13-Zeilen-Tabelle) {same:.0f} ms, {same_bytes:,} Bytes")  # fmt: skip
        with app(data_dir, gc_args) as (url, pid):
            page.goto(url)
            wait_idle(page)
            titles = _titles(page)
            _switches(page, titles, received)  # first visits: caches filled
            page.locator("[data-testid='stSidebarNav'] a").first.click()
            wait_idle(page)
            warm = _switches(page, titles, received)
            print(f"  {'Seite':28} {'ms':>7} {'/Boden':>7} {'/Elemente':>10} {'Bytes':>11}")
            for title, (ms, size) in warm.items():
                print(f"  {title[:28]:28} {ms:7.0f} {ms / bare:6.1f}× {ms / same:9.1f}× {size:11,}")
            print(f"  Server-RSS nach allen Seiten: {rss_mb(pid):.0f} MB")
        browser.close()


async def _session(browser, url: str, paths: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    times = []
    try:
        for path in paths:
            started = time.perf_counter()
            await page.goto(f"{url}/{path}", timeout=600_000)
            await page.wait_for_selector(IDLE, timeout=600_000)
            await page.wait_for_timeout(200)
            await page.wait_for_selector(IDLE, timeout=600_000)
            times.append(time.perf_counter() - started)
    finally:
        await context.close()
    return times


async def _concurrent(url: str, sessions: int, paths: list[str]) -> tuple[list[float], int]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results = await asyncio.gather(
            *(_session(browser, url, paths) for _ in range(sessions)),
            return_exceptions=True,
        )
        await browser.close()
    times = [t for r in results if isinstance(r, list) for t in r]
    return times, sum(isinstance(r, BaseException) for r in results)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


PATHS = ["indikatoren", "stadtteilprofil"]
"""What each concurrent session loads (the floor: both pages of ``bare_app.py``)."""


def concurrent_part(data_dir: Path, sessions: int, gc_args: list[str]) -> None:
    print(f"\n## {sessions} gleichzeitige Sitzungen: Indikatoren, dann Stadtteilprofil ({load_average()})")
    runs = data_dir / "runs.log"
    with app(data_dir, gc_args, script=str(Path(__file__).with_name("bare_app.py"))) as (url, _pid):
        floor, floor_errors = asyncio.run(_concurrent(url, sessions, ["erste", "zweite"]))
    if floor:
        print(f"  Boden: {sessions} Sitzungen mit der leeren Zwei-Seiten-App: p50 {statistics.median(floor):.1f} s, "
              f"p95 {_p95(floor):.1f} s; Fehler {floor_errors}")  # fmt: skip
    with app(data_dir, gc_args, {"BENCH_RUN_LOG": str(runs)}) as (url, pid):
        asyncio.run(_concurrent(url, 1, PATHS))  # caches filled once
        runs.write_text("")
        rss_before, cpu_before = rss_mb(pid), cpu_seconds(pid)
        started = time.perf_counter()
        times, errors = asyncio.run(_concurrent(url, sessions, PATHS))
        total = time.perf_counter() - started
        rss_after, server_cpu = rss_mb(pid), cpu_seconds(pid) - cpu_before
    if times:
        ratio = f", p95 {_p95(times) / _p95(floor):.1f}× Boden" if floor else ""
        print(f"  bis Ruhe je Seite: p50 {statistics.median(times):.1f} s, p95 {_p95(times):.1f} s{ratio}, "
              f"max {max(times):.1f} s; gesamt {total:.0f} s; Fehler {errors}")  # fmt: skip
    else:
        print(f"  keine Sitzung fertig, Fehler {errors}")
    if script_runs := [float(line) for line in runs.read_text().split()]:
        print(f"  davon im Server je Skriptlauf ({len(script_runs)} Läufe): p50 {statistics.median(script_runs):.2f} s, "
              f"p95 {_p95(script_runs):.2f} s, max {max(script_runs):.2f} s")  # fmt: skip
    print(
        f"  Server-RSS {rss_before:.0f} → {rss_after:.0f} MB ({(rss_after - rss_before) / sessions:.1f} MB je Sitzung)"
    )
    print(f"  Server-CPU {server_cpu:.1f} s in {total:.0f} s ({server_cpu / (2 * sessions):.2f} s je Seitenaufruf); "
          "die übrige Zeit rechnen die Browser auf derselben Maschine")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "parts", nargs="*", choices=["gc", "browser", "concurrent"], default=["gc", "browser", "concurrent"]
    )
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--page", default="indikatoren", help="page of the gc part (URL path)")
    parser.add_argument("--reruns", type=int, default=10, help="reruns per variant of the gc part")
    parser.add_argument("--server-args", default="", help="extra streamlit options for browser/concurrent "
                        "(default: the app's config.toml), e.g. '--runner.postScriptGC true'")  # fmt: skip
    args = parser.parse_args(argv)
    server_args = args.server_args.split()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        if "gc" in args.parts:
            gc_part(data_dir, args.page, args.reruns)
        if "browser" in args.parts:
            browser_part(data_dir, server_args)
        if "concurrent" in args.parts:
            concurrent_part(data_dir, args.sessions, server_args)


if __name__ == "__main__":
    main()
