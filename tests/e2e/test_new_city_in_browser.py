"""Hamburg, set up with the README's commands, in Chromium: the Indikatoren page draws its
Stadtteile (the deck's 104 shapes are counted in tests/importing/test_new_city_hamburg.py), speaks of
Hamburg only and shows no example-data notice."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from sozdash.store import db
from tests.e2e.conftest import running_app, wait_idle

pytestmark = pytest.mark.e2e


def test_indicator_map_of_a_new_city(hamburg_sqlite: Path, tmp_path: Path, page: Page) -> None:
    shutil.copy(hamburg_sqlite, tmp_path / "sozdash.sqlite")
    with db.get_engine(f"sqlite:///{tmp_path / 'sozdash.sqlite'}").connect() as conn:
        key = conn.execute(text("SELECT key FROM indicators WHERE name = 'Bevölkerung'")).scalar_one()
    with running_app(tmp_path) as url:
        page.goto(f"{url}/indikatoren?ind={key}&ebene=stadtteil&jahr=2013")
        wait_idle(page)
        expect(page.locator("[data-testid='stDeckGlJsonChart']").first).to_be_visible()
        body = page.locator("[data-testid='stApp']").inner_text()
        expect(page).to_have_title("Sozialdashboard Hamburg")  # the city's name from its own record
        assert "Leverkusen" not in body
        assert "Beispieldaten" not in body and "Schematische Karte" not in body
        # the summary beside the map names the largest Stadtteil of the file (Rahlstedt, 87.783)
        assert re.search(r"höchsten Wert hat Rahlstedt mit 87\.783", body)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]
