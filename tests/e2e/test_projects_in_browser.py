"""The BIWAQ project in the real app in Chromium: runtime, partners and the 2018 events."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e


def test_biwaq_project_as_of_the_2018_session(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/projekte?projekt=biwaq-rheindorferleben&stichtag=2018-05-01")
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    heading = page.locator("h3", has_text="RHEINDORFerLEBEN").first
    assert heading.inner_text().strip().endswith("● laufend")
    runtime = page.locator("[data-testid='stMarkdownContainer']", has_text="01.04.2014–31.12.2018").first
    assert runtime.is_visible()
    for partner in (
        "Suchthilfe Leverkusen gGmbH",
        "Hochschule Niederrhein",
        "JOB Service Beschäftigungsförderung",
    ):
        expect(page.locator("td[role='gridcell']", has_text=partner).first).to_be_attached(timeout=30_000)
    timeline = page.locator("[data-testid='stExpander']", has_text="Datentabelle").nth(1)
    timeline.get_by_text("Datentabelle").click()
    wait_idle(page)
    cells = timeline.locator("td[role='gridcell']")
    cells.first.wait_for(state="attached")  # glide's accessible table: present, visually hidden
    texts = " | ".join(cells.all_text_contents())
    assert "12.04.2018" in texts and "Besuch von Arndt Kohn" in texts
    assert "16.04.2018" in texts and "BBSR" in texts
    assert "Februar 2018" in texts  # the decision to apply, known only to the month
    assert "31.12.2018" not in texts  # the end lies after the Stichtag
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]
