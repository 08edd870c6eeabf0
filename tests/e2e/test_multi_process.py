"""Two app servers on one PostgreSQL database (issue 16, the setup of docs/DEPLOYMENT.md): what one
process writes – a project edited in the browser, a table imported on the Datenimport page – the
other process shows at its next rerun, although both have their own data directory and caches."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import Engine, func, select

from sozdash.access import auth, sessions
from sozdash.core.permissions import Actor
from sozdash.editing import records as editing
from sozdash.editing.specs import PROJECT
from sozdash.store.models import ImportBatch
from tests.e2e.conftest import running_app, wait_idle
from tests.e2e.load_helpers import TIMEOUT, assert_no_fault, choose, log_in, people

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
ADMIN = Actor("admin-test", "admin")
PASSWORD = "Richtiges-Passwort-1"
PROJECT_KEY = "biwaq-rheindorferleben"
NEW_TITLE = "RHEINDORFerLEBEN – geändert auf Server A"
SOURCE = "Statistikstelle über Server A"
AREAS = ("Wiesdorf", "Manfort", "Rheindorf", "Hitdorf", "Opladen", "Küppersteg", "Bürrig", "Quettingen",
         "Lützenkirchen", "Bergisch Neukirchen", "Schlebusch", "Steinbüchel", "Alkenrath")  # fmt: skip
"""The 13 Stadtteile of the seed data; the import gives each a value for a year the seed lacks."""
NEW_YEAR = 2025
COLD_START = 2 * TIMEOUT
"""Milliseconds for the first page of both new processes at once (imports, first queries)."""


def _table() -> bytes:
    rows = [f"{name};arbeitslosenquote_bev;{NEW_YEAR};{n + 2},5" for n, name in enumerate(AREAS)]
    return "\n".join(["Gebiet;Indikator;Jahr;Wert", *rows]).encode()


WATCH_RUNS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.sozdashRunSeen = false;
    new MutationObserver((changes, observer) => {
        if (app.getAttribute("data-test-script-state") === "running") {
            window.sozdashRunSeen = true;
            observer.disconnect();
        }
    }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
"""Record in the page whether a script run starts, however short it is (polling can miss it)."""


def _rerun(page: Page) -> None:
    """A rerun of the page's own session (Streamlit's "r" shortcut), no reload; the key is pressed
    again if no run started within five seconds (a key press can arrive before the page listens)."""
    page.evaluate(WATCH_RUNS)
    for _ in range(3):
        page.evaluate("document.activeElement?.blur()")  # a key typed into a widget would not rerun
        page.keyboard.press("r")
        try:
            page.wait_for_function("window.sozdashRunSeen === true", timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        pytest.fail("Drei Mal »r« gedrückt, aber kein neuer Lauf der Seite")
    wait_idle(page, TIMEOUT)


def _session_cookie(page: Page) -> None:
    """Wait until the browser holds the HttpOnly login cookie (fetched right after the login)."""
    for _ in range(150):
        if any(cookie["name"] == sessions.COOKIE for cookie in page.context.cookies()):
            return
        page.wait_for_timeout(200)
    pytest.fail("Kein Anmelde-Cookie nach der Anmeldung")


def _years(page: Page) -> list[str]:
    """The options of the select box "Jahr" (its list opened and closed again)."""
    box = page.get_by_role("combobox", name="Jahr", exact=True)
    box.click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=TIMEOUT)
    texts = [text.strip() for text in options.all_inner_texts()]
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_have_count(0)
    return texts


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_two_servers_on_one_database(engine: Engine, browser: Browser, tmp_path: Path) -> None:
    auth.create_user(engine, ADMIN, "e2e-planung", PASSWORD, "planung")
    projects = editing.records(engine, ADMIN, PROJECT)
    biwaq = projects[projects["label"].str.endswith("RHEINDORFerLEBEN")]
    [(project_id, old_title)] = biwaq.itertuples(index=False)
    database_url, secret = engine.url.render_as_string(hide_password=False), secrets.token_hex(32)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        running_app(tmp_path / "a", database_url, secret) as server_a,
        running_app(tmp_path / "b", database_url, secret) as server_b,
        people(browser, 2) as (writer, reader),
    ):
        reader.goto(f"{server_b}/projekte?projekt={PROJECT_KEY}", wait_until="commit")
        writer.goto(f"{server_a}/anmeldung", wait_until="commit")  # both processes start up at once
        wait_idle(reader, COLD_START)
        expect(reader.locator("h3", has_text=old_title).first).to_be_visible(timeout=TIMEOUT)
        wait_idle(writer, COLD_START)
        log_in([writer], "e2e-planung", PASSWORD)
        choose([writer], "Art des Eintrags", "art", [(PROJECT.key, PROJECT.label)])
        choose([writer], "Eintrag", "nr", [(str(project_id), old_title)])
        writer.get_by_label("Titel *").fill(NEW_TITLE)
        writer.get_by_role("button", name="Speichern").click()
        expect(writer.get_by_text("Gespeichert: 1 Feld(er) geändert.")).to_be_visible(timeout=TIMEOUT)

        _rerun(reader)  # B's cache holds the old title until B reads the new data version
        expect(reader.locator("h3", has_text=NEW_TITLE).first).to_be_visible(timeout=TIMEOUT)
        assert reader.locator("h3", has_text=old_title).count() == 0

        _session_cookie(writer)  # the login from A is valid on B too (e.g. when A fails and nginx moves on)
        moved = writer.context.new_page()
        moved.goto(f"{server_b}/bearbeiten?art={PROJECT.key}&nr={project_id}")
        wait_idle(moved, TIMEOUT)
        expect(moved.get_by_label("Titel *")).to_have_value(NEW_TITLE, timeout=TIMEOUT)  # the form: logged in
        expect(
            moved.get_by_test_id("stSidebar").get_by_text(re.compile("Angemeldet.*e2e-planung"))
        ).to_be_visible()
        moved.close()

        reader.goto(f"{server_b}/indikatoren?ind=arbeitslosenquote_bev")
        wait_idle(reader, TIMEOUT)
        years = _years(reader)
        assert str(NEW_YEAR - 1) in years and str(NEW_YEAR) not in years  # the seed's years end with 2024
        writer.get_by_test_id("stSidebarNav").get_by_text("Datenimport").first.click()
        expect(writer.locator("h1").first).to_have_text("Datenimport", timeout=TIMEOUT)
        wait_idle(writer, TIMEOUT)
        writer.get_by_label("Quelle / Lieferant").fill(SOURCE)
        writer.get_by_label("Quelle / Lieferant").press("Enter")
        wait_idle(writer, TIMEOUT)
        upload: FilePayload = {"name": "alq_2025.csv", "mimeType": "text/csv", "buffer": _table()}
        writer.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(upload)
        commit = writer.get_by_role("button", name="Import speichern")
        expect(commit).to_be_enabled(timeout=TIMEOUT)
        commit.click()
        expect(writer.get_by_text(re.compile(r"Gespeichert als Import \d+"))).to_be_visible(timeout=TIMEOUT)
        with engine.connect() as conn:  # stored once, with the original file in the database
            original = func.max(func.length(ImportBatch.original_file))
            stored = conn.execute(select(func.count(), original).where(ImportBatch.source == SOURCE)).one()
        assert tuple(stored) == (1, len(_table()))

        _rerun(reader)
        assert str(NEW_YEAR) in _years(reader)
        expect(reader.get_by_test_id("stSidebar").get_by_text(SOURCE)).to_be_attached()  # "Datenstand" box
        assert_no_fault([writer, reader])
