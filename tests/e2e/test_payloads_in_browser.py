"""No user or imported text becomes an image, a link or a formula in the real browser, and no
request leaves for a foreign address (issue 13): every page, anonymous and as admin, on a database
whose every free text carries markdown, HTML, KaTeX and URL payloads."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request

from sozdash.core.accessibility import ARBITRATION_BODY
from sozdash.core.fmt import WORD_JOINER
from sozdash.core.navigation import PAGES, PageSpec, pages_for
from sozdash.store import bootstrap, db
from tests.e2e.conftest import running_app, wait_idle
from tests.payloads import ADMIN, FOREIGN, PASSWORD, PAYLOAD, seed_payloads

pytestmark = pytest.mark.e2e
LIVE_FROM_PAYLOADS = """() => {
  const found = [];
  for (const img of document.querySelectorAll("img")) {
    const src = img.getAttribute("src") || "";
    if (src.includes("evil") || src === "x") found.push("img " + src);
  }
  for (const a of document.querySelectorAll("a")) {  // the app's own links may carry user text as label
    const href = a.getAttribute("href") || a.getAttribute("xlink:href") || "";  // plotly: SVG links
    const target = new URL(href, location.href);
    if (href.startsWith("#") && !(a.textContent || "").trim()) continue;  // a heading's own anchor
    const foreign = target.origin !== location.origin || !/^https?:$/.test(target.protocol);
    if (foreign || href.includes("evil") || (href === "#" && (a.textContent || "").includes("klick")))
      found.push("a " + href + " " + (a.textContent || "").slice(0, 60));
  }
  for (const k of document.querySelectorAll(".katex")) {
    if ((k.textContent || "").includes("frac{1}{2}")) found.push("katex " + k.textContent.slice(0, 60));
  }
  return found;
}"""


@pytest.fixture(scope="module")
def payload_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("payload-data")
    engine = db.get_engine(f"sqlite:///{data_dir / 'sozdash.sqlite'}")
    bootstrap.ensure_database(engine)
    seed_payloads(engine)
    engine.dispose()
    with running_app(data_dir) as url:
        yield url


@pytest.fixture(scope="module")
def payload_page(payload_url: str, browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """One page for the whole walk (clicks in the navigation keep the login) and the foreign requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    foreign: list[str] = []

    def record(request: Request) -> None:
        if not request.url.startswith((payload_url, "data:", "blob:", "about:")):
            foreign.append(request.url)

    page = context.new_page()
    page.on("request", record)
    yield page, foreign
    context.close()


def _open(page: Page, base: str, spec: PageSpec) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=spec.title, exact=True).click()
    path = "/" if spec.default else f"/{spec.url_path}"
    page.wait_for_url(lambda url: urlsplit(url).path == path, wait_until="commit", timeout=30_000)
    wait_idle(page)


def _walk(page: Page, base: str, role: str) -> dict[str, list[str]]:
    problems = {}
    for spec in (p for specs in pages_for(role).values() for p in specs):
        _open(page, base, spec)
        assert page.locator("[data-testid='stException']").count() == 0, spec.file
        assert page.get_by_text("Fehler in der Anwendung").count() == 0, spec.file
        own = f"a {ARBITRATION_BODY[2]} "  # the statement's fixed link to the Schlichtungsstelle
        if live := [found for found in page.evaluate(LIVE_FROM_PAYLOADS) if not found.startswith(own)]:
            problems[spec.file] = live
    return problems


def test_payloads_stay_text_for_visitors_and_admins(
    payload_url: str, payload_page: tuple[Page, list[str]]
) -> None:
    page, foreign = payload_page
    page.goto(payload_url)
    wait_idle(page)
    assert _walk(page, payload_url, "oeffentlich") == {}

    page.goto(f"{payload_url}/anmeldung")  # the walk ends on the help pages, after Anmeldung
    wait_idle(page)
    page.get_by_label("Benutzername").fill(ADMIN)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Angemeldet als").first.wait_for(timeout=30_000)
    assert _walk(page, payload_url, "admin") == {}

    _open(page, payload_url, next(p for p in PAGES if p.url_path == "sitzungen"))
    title = page.locator("h1").first.inner_text()
    assert PAYLOAD in title.replace(WORD_JOINER, "")  # the payload reads (and copies) as typed
    page.get_by_role("button", name="Präsentation starten").click()
    wait_idle(page)
    slides = []
    while True:
        slides.append(page.locator("h1").first.inner_text())
        assert page.evaluate(LIVE_FROM_PAYLOADS) == [], slides[-1]
        forward = page.get_by_role("button", name="Weiter")
        if forward.is_disabled():
            break
        forward.click()
        page.wait_for_timeout(300)
        wait_idle(page)
    assert len(slides) > 1 and all(PAYLOAD in s.replace(WORD_JOINER, "") for s in slides)
    assert [u for u in foreign if FOREIGN in u] == [] and foreign == []
