"""Every page of the real app in Chromium: no exception element, no console error."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sozdash.core.navigation import pages_for
from tests.e2e.conftest import running_app, wait_idle

pytestmark = pytest.mark.e2e
PUBLIC_PAGES = [p for specs in pages_for("rat").values() for p in specs]


@pytest.mark.parametrize("spec", PUBLIC_PAGES, ids=lambda p: p.url_path)
def test_page_renders_without_errors(app_url: str, page: Page, spec) -> None:
    page.goto(f"{app_url}/{'' if spec.default else spec.url_path}")
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Fehler in der Anwendung").count() == 0
    assert page.locator("h1").first.inner_text().strip() != ""
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]


def test_start_page_shows_real_population_and_demo_notice(app_url: str, page: Page) -> None:
    page.goto(app_url)
    wait_idle(page)
    assert page.get_by_text("Sozialdashboard Leverkusen").first.is_visible()
    expect(page.get_by_test_id("stMetricValue").filter(has_text="165.748")).to_be_visible()
    assert page.locator("[data-testid='stAlert']", has_text="Beispieldaten").first.is_visible()


def test_first_direct_link_on_a_new_server_still_runs_the_app_shell(page: Page, tmp_path: Path) -> None:
    """A new server's first request for /protokoll must go through app.py (navigation by role),
    not Streamlit's legacy pages/ mode that would run the page file on its own."""
    with running_app(tmp_path) as url:
        page.goto(f"{url}/protokoll")
        wait_idle(page)
        navigation = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Sozialbericht" in navigation and "Überblick" in navigation
        assert "protokoll" not in navigation.lower() and "datenimport" not in navigation.lower()
        # the page above the visitor's role answers with the German login prompt, not the log
        expect(page.get_by_text("Bitte anmelden").first).to_be_visible()
        assert page.locator("[data-testid='stDataFrame']").count() == 0
