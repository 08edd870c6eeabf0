"""Sozialindex and Methode in Chromium: maps drawn, class words visible, URL state kept."""

import pytest
from playwright.sync_api import Browser, Page, expect

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


def test_sozialindex_maps_with_area_names_fit_a_laptop_screen(app_url: str, browser: Browser) -> None:
    """At 1440 × 900 both maps, area names included, end above the fold, and the notices take one line."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(f"{app_url}/sozialindex")
        wait_idle(page)
        maps = page.locator("[data-testid='stDeckGlJsonChart']")
        expect(maps).to_have_count(2, timeout=30_000)
        expect(maps.first.locator("canvas").first).to_be_visible(timeout=30_000)
        for index in range(2):
            box = maps.nth(index).bounding_box()
            assert box is not None and box["height"] >= 300, box
            assert box["y"] + box["height"] <= 900, box
        main = page.locator("[data-testid='stMain']")
        notice = main.locator("[data-testid='stAlert']").filter(has_text="Schematische Karte")
        box = notice.bounding_box()
        assert box is not None and box["height"] < 70, box  # one line (two lines are > 80 px)
        assert main.get_by_text("Voronoi").count() == 0 and main.get_by_text("sozdash.demo").count() == 0
    finally:
        context.close()


def test_methode_opens_the_worked_example_from_the_link(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/methode?gebiet=rheindorf")
    wait_idle(page)
    assert page.get_by_text("Rechenbeispiel").first.is_visible()
    assert page.get_by_text("Rheindorf, Bezugsjahr 2024").first.is_visible()
    assert page.get_by_text("Statusindex: gewichtetes Mittel").first.is_visible()
