"""Issue 14: every slide of the shipped 2018 session fits a projector screen (no scrolling) and starts at the top."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e
PRESENT = "sitzungen?modus=praesentation&sitzung=sozialausschuss-2018&stand=sitzung&folie=1"
CHARTS = '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]'
MEASURE = """(charts) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  return {inner: innerHeight, doc: document.scrollingElement.scrollHeight, scrollY: window.scrollY,
          main: main.scrollHeight, mainTop: main.scrollTop, block: block.scrollHeight,
          chart: Math.max(0, ...[...document.querySelectorAll(charts)].map(e => e.getBoundingClientRect().height))};
}"""


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
def test_every_slide_fits_the_screen(app_url: str, browser: Browser, size: tuple[int, int]) -> None:
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(f"{app_url}/{PRESENT}")
        wait_idle(page)
        position = page.get_by_text(re.compile(r"^Folie \d+ von \d+"))
        count = int(re.findall(r"\d+", position.inner_text())[1])
        assert count >= 7
        page.locator("h1").first.click()
        for number in range(1, count + 1):
            expect(position).to_have_text(re.compile(rf"^Folie {number} von {count}"))
            visual = page.locator(".st-key-slide-visual")
            if visual.count():  # a title slide of an agenda item without slides has none
                visual.locator(CHARTS).first.wait_for()
            page.wait_for_timeout(300)  # let the chart or map take its height
            m = page.evaluate(MEASURE, CHARTS)
            where = f"Folie {number} bei {width}×{height}: {m}"
            assert m["doc"] <= m["inner"] + 1 and m["main"] <= m["inner"] + 1 and m["block"] <= m["inner"] + 1, where
            assert m["scrollY"] == 0 and m["mainTop"] == 0, where
            if visual.count():
                assert m["chart"] >= 0.5 * height, where  # the chart takes most of the slide
            if number < count:
                page.keyboard.press("ArrowRight")
                wait_idle(page)
    finally:
        context.close()
