"""Log in through the form in Chromium: the editing page appears, the login survives a reload and a
bookmark (HttpOnly cookie), logout ends it in every tab, a deep link asks for the login and returns."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sozdash.access import auth, sessions
from sozdash.core.permissions import Actor
from sozdash.store import db
from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e
PASSWORD = "Browser-Test-Passwort"


def _server_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The SQLite file of the session's app server (``app_url`` keeps it in ``e2e-data*``)."""
    base = Path(tmp_path_factory.getbasetemp())
    [data_dir] = [p for p in base.glob("e2e-data*") if not p.is_symlink() and (p / "streamlit.log").exists()]
    return f"sqlite:///{data_dir / 'sozdash.sqlite'}"


def test_login_form_shows_bearbeiten_in_the_navigation(
    app_url: str, page: Page, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page.goto(app_url)  # app.py runs (st.navigation) and the server creates its database
    wait_idle(page)
    engine = db.get_engine(_server_database(tmp_path_factory))
    auth.create_user(
        engine, Actor("e2e", "admin"), "e2e-planung", PASSWORD, "planung", display_name="E2E Planung"
    )
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_text("Anmeldung").first.click()
    wait_idle(page)
    assert nav.get_by_text("Bearbeiten").count() == 0, nav.inner_text()

    page.get_by_label("Benutzername").fill("e2e-planung")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    wait_idle(page)
    expect(page.get_by_text("Angemeldet als").first).to_be_visible(timeout=30_000)
    expect(nav.get_by_text("Bearbeiten").first).to_be_visible(timeout=30_000)
    expect(nav.get_by_text("Änderungsprotokoll").first).to_be_visible()

    nav.get_by_text("Bearbeiten").first.click()
    wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Bearbeiten", timeout=30_000)
    expect(page.get_by_text("Art des Eintrags").first).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]


def test_direct_url_of_a_restricted_page_does_not_open_it_for_the_public(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/protokoll")
    wait_idle(page)
    assert page.get_by_test_id("stDataFrame").count() == 0
    assert page.get_by_text("Zeitraum").count() == 0


def _session_cookie(page: Page) -> dict:
    """The session cookie of the page's context, once the browser has fetched it after the login."""
    for _ in range(50):
        found = [c for c in page.context.cookies() if c["name"] == sessions.COOKIE]
        if found:
            return dict(found[0])
        page.wait_for_timeout(200)
    raise AssertionError(page.context.cookies())


def test_deep_link_asks_for_login_returns_there_and_the_login_lasts_until_logout(
    app_url: str, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    page = context.new_page()
    page.goto(f"{app_url}/bearbeiten?art=project")
    wait_idle(page)
    engine = db.get_engine(_server_database(tmp_path_factory))
    auth.create_user(engine, Actor("e2e", "admin"), "e2e-fb", PASSWORD, "planung", display_name="E2E Dauer")
    expect(page.locator("h1").first).to_have_text("Bitte anmelden")
    assert page.get_by_text("Page not found").count() == 0
    page.get_by_label("Benutzername").fill("e2e-fb")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Bearbeiten", timeout=30_000)
    assert page.url.startswith(f"{app_url}/bearbeiten?art=project"), page.url  # the page may add its own
    cookie = _session_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find(sessions.COOKIE) == -1  # not readable by scripts

    page.reload()
    wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Bearbeiten", timeout=30_000)
    bookmark = context.new_page()  # a second tab from a bookmark
    bookmark.goto(f"{app_url}/protokoll")
    wait_idle(bookmark)
    expect(bookmark.get_by_text("Angemeldet: E2E Dauer").first).to_be_visible(timeout=30_000)
    assert bookmark.locator("h1").first.inner_text() != "Bitte anmelden"

    page.get_by_test_id("stSidebarNav").get_by_text("Anmeldung").first.click()
    wait_idle(page)
    page.get_by_role("button", name="Abmelden").click()
    wait_idle(page)
    expect(page.get_by_label("Benutzername")).to_be_visible(timeout=30_000)
    bookmark.get_by_test_id("stSidebarNav").get_by_text("Datenstand", exact=True).click()  # its next run
    wait_idle(bookmark)
    assert bookmark.get_by_text("Angemeldet:").count() == 0
    for tab in (page, bookmark):
        tab.goto(f"{app_url}/bearbeiten?art=project")
        wait_idle(tab)
        expect(tab.locator("h1").first).to_have_text("Bitte anmelden")
    context.close()
