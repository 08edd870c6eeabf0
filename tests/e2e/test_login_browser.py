"""Log in through the form in Chromium and see the editing page appear in the navigation."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sozdash.access import auth
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
