"""AppTest of the app shell: start page figures, data status page, navigation, error page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from sozdash.core.navigation import PAGES, pages_for
from tests.apptest import APP, assert_clean, open_page


def test_start_page_shows_real_population_with_source_and_demo_notice(app_env: Engine) -> None:
    at = open_page("pages/ueberblick.py")
    assert_clean(at)
    assert at.title[0].value == "Sozialdashboard Leverkusen"
    population = next(m for m in at.metric if m.label.startswith("Einwohnerinnen"))
    assert population.value == "165.748"
    assert "2022" in population.label
    assert any("Beispieldaten" in w.value for w in at.warning)


def test_data_status_page_lists_demo_and_sourced_data(app_env: Engine) -> None:
    at = open_page("pages/datenstand.py")
    assert_clean(at)
    kinds = set(at.dataframe[0].value["Art"])
    assert kinds == {"Beispieldaten (erfunden)", "Daten mit Quelle"}
    assert at.success, "integrity check should pass on the seed"


@pytest.mark.parametrize(
    "spec", [p for specs in pages_for("rat").values() for p in specs], ids=lambda p: p.url_path
)
def test_every_page_renders_with_a_title(app_env: Engine, spec) -> None:
    at = open_page(spec.file)
    assert_clean(at)
    assert at.title, f"{spec.file} has no title"


def test_editing_pages_are_hidden_from_readers() -> None:
    visible = {p.url_path for specs in pages_for("rat").values() for p in specs}
    assert "datenimport" not in visible and "bearbeiten" not in visible
    admin = {p.url_path for specs in pages_for("admin").values() for p in specs}
    assert admin == {p.url_path for p in PAGES}


def test_corrupt_database_shows_german_page_without_trace(tmp_path: Path, monkeypatch) -> None:
    broken = tmp_path / "kaputt.sqlite"
    broken.write_bytes(b"not a database" * 200)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{broken}")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "beschädigt" in at.error[0].value
