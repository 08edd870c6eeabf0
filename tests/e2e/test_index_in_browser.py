"""Sozialindex and Methode in Chromium: maps drawn, class words visible, URL state kept."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e


def test_sozialindex_draws_both_maps_with_words_and_keeps_the_year(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/sozialindex?jahr=2019")
    wait_idle(page)
    expect(page.locator("[data-testid='stDeckGlJsonChart']")).to_have_count(2, timeout=30_000)
    assert page.get_by_text("Ein Index ersetzt keine Ortskenntnis").first.is_visible()
    assert page.get_by_text("Bezugsjahr 2019, Dynamik 2017–2019").first.is_visible()
    assert "jahr=2019" in page.url
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]


def test_methode_opens_the_worked_example_from_the_link(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/methode?gebiet=rheindorf")
    wait_idle(page)
    assert page.get_by_text("Rechenbeispiel").first.is_visible()
    assert page.get_by_text("Rheindorf, Bezugsjahr 2024").first.is_visible()
    assert page.get_by_text("Statusindex: gewichtetes Mittel").first.is_visible()
