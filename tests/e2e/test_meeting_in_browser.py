"""Presenting the 2018 session in Chromium: projector layout and stepping with the arrow keys."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e
PRESENT = "sitzungen?modus=praesentation&sitzung=sozialausschuss-2018&stand=sitzung&folie=1"


def test_present_session_with_arrow_keys(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/{PRESENT}")
    wait_idle(page)
    position = page.get_by_text(re.compile(r"^Folie \d+ von 7"))
    expect(position).to_have_text(re.compile(r"^Folie 1 von 7"))
    expect(page.locator("h1").first).to_have_text(
        "Sozialbericht 2018: Fachkonferenzen, Runder Tisch, Meilensteine"
    )
    assert not page.locator("[data-testid='stSidebar']").is_visible()  # no sidebar or menus
    assert not page.locator("[data-testid='stHeader']").is_visible()
    body_px = page.locator("[data-testid='stMainBlockContainer'] p").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert body_px >= 24

    page.locator("h1").first.click()  # focus the page, as a presenter's first click would
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    expect(position).to_have_text(re.compile(r"^Folie 2 von 7"))
    expect(page.locator("h1").first).to_have_text("SGB-II-Quote nach Stadtteilen")
    expect(page.locator("main").get_by_text("Beispieldaten", exact=True).first).to_be_visible()
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    expect(position).to_have_text(re.compile(r"^Folie 3 von 7"))
    page.keyboard.press("ArrowLeft")
    wait_idle(page)
    expect(position).to_have_text(re.compile(r"^Folie 2 von 7"))
    expect(page.get_by_text("Stand: 16.04.2018").first).to_be_visible()
    assert "folie=2" in page.url
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]


def test_start_button_visible_without_scrolling(app_url: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.goto(f"{app_url}/sitzungen?sitzung=sozialausschuss-2018")
    wait_idle(page)
    box = page.get_by_role("button", name="Präsentation starten").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 900, box
    context.close()
