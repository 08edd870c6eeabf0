"""axe-core (WCAG 2.1 AA rules) on every page, anonymous and as admin, at 1440×900 and 390×844.

A rule is allowed only if it also fires on a bare two-page ``st.navigation`` app measured in the
same run (the "floor": defects of Streamlit itself), so a Streamlit update cannot hide a
regression. The same run saves a screenshot of every page at both sizes for a person to look at.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sozdash.access import auth
from sozdash.core.navigation import PAGES, pages_for
from sozdash.core.permissions import Actor, role_rank
from sozdash.store import bootstrap, db
from tests.e2e.conftest import ROOT, _free_port, running_app, wait_idle

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"1440x900": (1440, 900), "390x844": (390, 844)}
DESKTOP = "1440x900"
SCREENSHOTS = Path(os.environ.get("SOZDASH_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
ADMIN, PASSWORD = "a11y-admin", "Barrierefrei-Test-Passwort"
TIMEOUT = 120_000  # a first, uncached run of a map page on a busy machine

BARE_APP = """
import streamlit as st

def first():
    st.title("Erste Seite")
    st.write("Ein Absatz Text.")

def second():
    st.title("Zweite Seite")
    st.write("Noch ein Absatz Text.")

# sections and an expanded list, as the app's navigation has
st.navigation(
    {"Erster Teil": [st.Page(first, title="Erste Seite")], "Zweiter Teil": [st.Page(second, title="Zweite Seite")]},
    expanded=True,
).run()
"""

Findings = dict[str, str]
"""Rule id → axe's short help and the first offending elements (CSS selectors)."""


@contextmanager
def _bare_server(folder: Path) -> Iterator[str]:
    """``streamlit run`` of the bare app in ``folder`` (Streamlit's default settings); yields its URL."""
    (folder / "bare.py").write_text(BARE_APP, encoding="utf-8")
    port = _free_port()
    log = (folder / "streamlit.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "bare.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=folder, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        "Bare Streamlit app did not start:\n" + (folder / "streamlit.log").read_text()
                    )
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def start_axe(page: Page) -> None:
    """Start axe-core on the page as shown now (in the page's own renderer; see ``axe_result``)."""
    for frame in page.frames:
        if not frame.evaluate("() => typeof window.axe === 'object'"):
            frame.add_script_tag(path=str(AXE))
    page.evaluate(
        "(tags) => { window.axeResult = axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}); }",
        WCAG_21_AA,
    )


def axe_result(page: Page) -> Findings:
    """The violations found by the run ``start_axe`` started."""
    violations = page.evaluate(
        "async () => (await window.axeResult).violations.map(v => [v.id, v.help, v.nodes.map(n => n.target.join(' '))])"
    )
    return {rule: f"{help_text}: {', '.join(nodes[:4])}" + (" …" if len(nodes) > 4 else "")
            for rule, help_text, nodes in violations}  # fmt: skip


class Visitor:
    """One person (role) in an own browser context and Streamlit session, looking at each page at
    every screen size in turn (the window is resized; the page is not run again)."""

    def __init__(self, browser: Browser, role: str, base_url: str) -> None:
        width, height = SIZES[DESKTOP]
        self.role, self.base_url = role, base_url
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
        self.page = self.context.new_page()
        self.findings: dict[str, dict[str, Findings]] = {size: {} for size in SIZES}

    def shots(self, size: str) -> Path:
        return SCREENSHOTS / size / self.role

    def screenshot(self, size: str, name: str) -> None:
        """Save the viewport as ``<size>/<role>/<name>.png`` in the screenshot folder."""
        self.shots(size).mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=self.shots(size) / f"{name}.png")

    def resize(self, size: str) -> None:
        """Show the page at ``size``; on a phone with the sidebar closed, as a phone first shows it."""
        width, height = SIZES[size]
        page = self.page
        page.set_viewport_size({"width": width, "height": height})
        if width < 600:
            expand = page.get_by_test_id("stExpandSidebarButton")
            try:
                expand.wait_for(state="visible", timeout=2_000)
            except PlaywrightTimeout:
                page.get_by_test_id("stSidebarCollapseButton").click(force=True)
                expand.wait_for(state="visible", timeout=TIMEOUT)
        page.wait_for_timeout(500)  # plotly and deck.gl redraw for the new width

    def click_in_sidebar(self, title: str) -> None:
        """Click ``title`` in the sidebar navigation (opening the sidebar first if it is closed)."""
        expand = self.page.get_by_test_id("stExpandSidebarButton")
        if expand.is_visible():
            expand.click()
        self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()

    def wait_shown(self, path: str) -> None:
        """Wait until the page at ``path`` has run and its charts are drawn."""
        page = self.page
        target = f"{self.base_url}/{path}".rstrip("/")
        try:
            page.wait_for_url(lambda url: url.split("?")[0].rstrip("/") == target, timeout=TIMEOUT)
            wait_idle(page, TIMEOUT)
        except PlaywrightTimeout:
            self.screenshot(DESKTOP, f"TIMEOUT-{path or 'start'}")
            pytest.fail(f"{self.role}: /{path} not shown within {TIMEOUT // 1000} s ({page.url})")
        assert page.locator("h1").first.inner_text().strip(), f"{path}: no heading"
        page.wait_for_timeout(500)  # plotly and deck.gl draw after the run


def check_sizes(visitors: list[Visitor], name: str) -> None:
    """axe and a screenshot of the page every visitor shows now, at every size in turn (visitors in step)."""
    for size in SIZES:
        for visitor in visitors:
            visitor.resize(size)
            visitor.screenshot(size, name)
            start_axe(visitor.page)
        for visitor in visitors:
            visitor.findings[size][name] = axe_result(visitor.page)


@pytest.fixture(scope="module")
def floor(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The rules a bare two-page ``st.navigation`` app already violates, at both sizes."""
    with _bare_server(tmp_path_factory.mktemp("bare-app")) as url:
        visitor = Visitor(browser, "bare", url)
        visitor.page.goto(url)
        for path, title in (("", None), ("second", "Zweite Seite")):
            if title:
                visitor.click_in_sidebar(title)
            visitor.wait_shown(path)
            check_sizes([visitor], path or "first")
            visitor.resize(DESKTOP)
        rules = {
            rule for findings in visitor.findings.values() for page in findings.values() for rule in page
        }
        visitor.context.close()
    print(f"\naxe floor (bare Streamlit app, both sizes): {sorted(rules)}")
    return rules


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on its own demo database with an admin account."""
    data_dir = tmp_path_factory.mktemp("a11y-data")
    engine = db.get_engine(f"sqlite:///{data_dir / 'sozdash.sqlite'}")
    bootstrap.ensure_database(engine)
    auth.create_user(engine, Actor("e2e", "admin"), ADMIN, PASSWORD, "admin", display_name="Barrierefreiheit")
    engine.dispose()
    with running_app(data_dir) as url:
        yield url


def _log_in(visitors: list[Visitor]) -> None:
    for visitor in visitors:
        visitor.page.get_by_label("Benutzername").fill(ADMIN)
        visitor.page.get_by_label("Passwort", exact=True).fill(PASSWORD)
        visitor.page.get_by_role("button", name="Anmelden").click()
    for visitor in visitors:
        expect(visitor.page.get_by_text("Angemeldet als").first).to_be_visible(timeout=TIMEOUT)
        wait_idle(visitor.page, TIMEOUT)


def test_no_axe_violation_beyond_bare_streamlit(browser: Browser, server: str, floor: set[str]) -> None:
    """Every page for every role at every size (one server, one session per role, in step)."""
    visitors = [Visitor(browser, role, server) for role in ("oeffentlich", "admin")]
    untranslated: set[str] = set()  # axe accepts any valid lang; the pages are German (WCAG 3.1.1)
    try:
        for visitor in visitors:
            visitor.page.goto(server if visitor.role == "oeffentlich" else f"{server}/anmeldung")
        for visitor in visitors:
            wait_idle(visitor.page, TIMEOUT)
        _log_in([v for v in visitors if v.role == "admin"])
        for spec in [spec for section in pages_for("admin").values() for spec in section]:
            path = "" if spec.default else spec.url_path
            here = [v for v in visitors if role_rank(v.role) >= role_rank(spec.min_role)]
            for visitor in here:
                visitor.resize(DESKTOP)
                visitor.click_in_sidebar(spec.title)
            for visitor in here:
                visitor.wait_shown(path)
                if visitor.page.evaluate("() => document.documentElement.lang") != "de":
                    untranslated.add(spec.url_path)
            check_sizes(here, spec.url_path)
    finally:
        for visitor in visitors:
            visitor.context.close()
    beyond: list[str] = []
    for visitor in visitors:
        for size, pages in visitor.findings.items():
            print(f"\naxe {visitor.role} {size} (screenshots in {visitor.shots(size)}):")
            for url_path, findings in pages.items():
                print(f"  {url_path}: {', '.join(sorted(findings)) or 'keine'}")
                beyond += [
                    f"{visitor.role} {size} {url_path}: {rule} – {nodes}"
                    for rule, nodes in sorted(findings.items())
                    if rule not in floor
                ]
    assert len(visitors[0].findings["390x844"]) + len(visitors[1].findings["390x844"]) > len(PAGES)
    assert not beyond, f"axe rules beyond the bare-Streamlit floor {sorted(floor)}:\n" + "\n".join(beyond)
    assert not untranslated, f"pages not declared German (<html lang>): {untranslated}"
