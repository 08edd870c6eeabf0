"""Helpers of the load-and-fault browser test: the app on a test's own database and many people
using it at once (one browser context each, all in one browser)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from tests.apptest import APP_ERROR
from tests.e2e.conftest import ConsoleErrors, running_app, wait_idle

TIMEOUT = 90_000
"""Milliseconds to wait for one step while ten sessions share the server (never asserted on)."""


@contextmanager
def app_on(engine: Engine, data_dir: Path) -> Iterator[str]:
    """The app server on ``engine``'s database: the SQLite file ``data_dir/sozdash.sqlite`` (as
    the ``engine`` fixture places it) or the PostgreSQL database; yields the base URL."""
    if engine.dialect.name == "sqlite":
        assert Path(str(engine.url.database)) == data_dir / "sozdash.sqlite"
        database_url = None
    else:
        database_url = engine.url.render_as_string(hide_password=False)
    with running_app(data_dir, database_url) as url:
        yield url


@contextmanager
def people(browser: Browser, count: int) -> Iterator[list[Page]]:
    """``count`` independent browser sessions (own cookies and Streamlit session each)."""
    contexts = [
        browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE") for _ in range(count)
    ]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.console_errors = ConsoleErrors()  # type: ignore[attr-defined]
            page.on("console", page.console_errors.record)  # type: ignore[attr-defined]
        yield pages
    finally:
        for context in contexts:
            context.close()


def open_everywhere(pages: list[Page], url: str) -> None:
    """Load ``url`` in every page (the loads run at the same time)."""
    for page in pages:
        page.goto(url, wait_until="commit")
    for page in pages:
        wait_idle(page, TIMEOUT)


def run_finished(page: Page) -> None:
    """Wait for the end of a script run known to have started (``wait_idle`` without its pause)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=TIMEOUT)


def fill_login(page: Page, username: str, password: str) -> None:
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort", exact=True).fill(password)


def click_everywhere(pages: list[Page], button: str) -> None:
    """Press ``button`` in every page, one right after the other, without waiting for the app:
    the server handles the clicks at the same time."""
    buttons = [page.get_by_role("button", name=button, exact=True) for page in pages]
    for locator in buttons:
        locator.wait_for(timeout=TIMEOUT)
    for locator in buttons:
        locator.click(no_wait_after=True)


def choose(pages: list[Page], label: str, param: str, choices: list[tuple[str, str]]) -> None:
    """In every page pick its choice in the select box ``label`` (``choices``: per page the value
    the URL parameter ``param`` takes and the option's text), typing to filter the list as a
    person would; returns when every page's URL holds its value (the app has taken it)."""
    for page, (_, option) in zip(pages, choices, strict=True):
        box = page.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.fill(option)
        page.get_by_role("option", name=option, exact=True).click()
    for page, (value, _) in zip(pages, choices, strict=True):
        page.wait_for_url(
            lambda url, value=value: parse_qs(urlsplit(url).query).get(param) == [value], timeout=TIMEOUT
        )
        run_finished(page)


def log_in(pages: list[Page], username: str, password: str) -> None:
    """Log every page (at the login form) in as ``username`` and open Bearbeiten through the navigation."""
    for page in pages:
        fill_login(page, username, password)
    click_everywhere(pages, "Anmelden")
    for page in pages:
        expect(page.get_by_text("Angemeldet als").first).to_be_visible(timeout=TIMEOUT)
        page.get_by_test_id("stSidebarNav").get_by_text("Bearbeiten").first.click()
    for page in pages:
        expect(page.locator("h1").first).to_have_text("Bearbeiten", timeout=TIMEOUT)
        run_finished(page)


def outcome(page: Page, *texts: str) -> str:
    """Which of ``texts`` (or the generic error) the page shows once the app has answered."""
    candidates = [*texts, APP_ERROR]
    any_of = page.get_by_text(candidates[0])
    for text in candidates[1:]:
        any_of = any_of.or_(page.get_by_text(text))
    expect(any_of.first).to_be_visible(timeout=TIMEOUT)
    return next(text for text in candidates if page.get_by_text(text).count())


def assert_no_fault(pages: list[Page]) -> None:
    """No page shows the generic error, a Python exception or a browser console error."""
    for page in pages:
        assert page.get_by_text(APP_ERROR).count() == 0
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]
