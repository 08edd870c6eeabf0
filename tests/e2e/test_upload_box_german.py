"""The Datenimport upload box in German in Chromium: button, limit line and file size."""

import pytest
from playwright.sync_api import Page, expect

from sozdash.access import auth
from sozdash.core.permissions import Actor
from sozdash.store import db
from tests.e2e.conftest import ROOT, wait_idle
from tests.e2e.test_login_browser import _server_database

pytestmark = pytest.mark.e2e
PASSWORD = "Upload-Test-Passwort"
FILE = ROOT / "tests/fixtures/tables/arbeitslose_2018.csv"


def test_upload_box_speaks_german(app_url: str, page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    page.goto(app_url)  # the server has created its database
    wait_idle(page)
    engine = db.get_engine(_server_database(tmp_path_factory))
    auth.create_user(engine, Actor("e2e", "admin"), "e2e-upload", PASSWORD, "admin")
    page.get_by_test_id("stSidebarNav").get_by_text("Anmeldung").first.click()
    wait_idle(page)
    page.get_by_label("Benutzername").fill("e2e-upload")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text("Angemeldet als").first).to_be_visible(timeout=30_000)
    page.get_by_test_id("stSidebarNav").get_by_text("Datenimport").first.click()
    wait_idle(page)
    box = page.get_by_test_id("stFileUploader")
    button = box.get_by_role("button", name="Datei auswählen")  # the accessible name, too
    expect(button).to_be_visible()
    spoken = box.aria_snapshot()  # what a screen reader gets, with the CSS's German texts
    assert "Höchstens 50 MB je Datei" in spoken and "file upload" not in spoken, spoken
    for english in ("Upload", "50MB per file • CSV, TXT, XLSX, GEOJSON, JSON, ZIP, GPKG"):
        expect(box.get_by_text(english, exact=True)).to_be_hidden()
    with page.expect_file_chooser() as chooser:
        button.click()
    assert not chooser.value.is_multiple()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(FILE)
    wait_idle(page)
    expect(page.get_by_text(f"Gewählt: {FILE.name} (231 B)")).to_be_visible()
    expect(box.get_by_text("231.0B", exact=True)).to_be_hidden()
