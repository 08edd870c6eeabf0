"""The indicator explorer in Chromium: choose an indicator and an area, open the area's profile."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def test_select_indicator_and_open_district_profile(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/indikatoren")
    wait_idle(page)
    choose(page, "Lebenslage", "Bildung")
    choose(page, "Indikator", "Schulabgänge mit Hochschulreife")
    expect(page).to_have_url(re.compile(r"ind=abiturquote"))
    expect(
        page.get_by_role("heading", name=re.compile("Karte: Schulabgänge mit Hochschulreife"))
    ).to_be_visible()
    expect(page.locator("[data-testid='stDeckGlJsonChart']")).to_be_visible()
    choose(page, "Gebiet auswählen", "Rheindorf")
    page.get_by_role("link", name=re.compile("Profil von Rheindorf öffnen")).click()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"/stadtteilprofil\?.*gebiet=rheindorf"))
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]


def test_clicking_an_area_on_the_map_selects_it(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/indikatoren?ind=sgb2_quote&ebene=stadtteil")
    wait_idle(page)
    expect(page.get_by_role("link", name=re.compile("Profil von"))).to_have_count(0)
    deck = page.locator("[data-testid='stDeckGlJsonChart']").first
    deck.scroll_into_view_if_needed()
    box = deck.bounding_box()
    assert box is not None
    for _ in range(5):  # deck.gl makes the canvas pickable a moment after it is shown
        page.wait_for_timeout(2000)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the city centre
        wait_idle(page)
        if re.search(r"gebiet=[a-z]", page.url):
            break
    expect(page).to_have_url(re.compile(r"gebiet=[a-z-]+"))
    expect(page.get_by_role("link", name=re.compile("Profil von .+ öffnen"))).to_be_visible()
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]


def test_map_and_legend_are_above_the_fold_on_a_laptop(app_url: str, browser: Browser) -> None:
    """At 1440 × 900 the map and its legend are fully visible without scrolling (issue 15)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{app_url}/indikatoren?ind=sgb2_quote")
        wait_idle(page)
        deck = page.locator("[data-testid='stDeckGlJsonChart']").first
        expect(deck).to_be_visible()
        legend = page.locator(".st-key-legende-block")
        expect(legend).to_be_visible()
        assert page.evaluate("window.scrollY") == 0
        for element in (deck, legend):
            box = element.bounding_box()
            assert box is not None and box["height"] > 100
            assert box["y"] >= 0 and box["y"] + box["height"] <= 900, box
    finally:
        context.close()
