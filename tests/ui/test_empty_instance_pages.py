"""Every page on an empty instance of another city (``init --empty --city Hamburg``), as admin:
no error, a German notice of what is missing, the city's name in the titles, no Leverkusen."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from sozdash.core.navigation import PAGES
from sozdash.core.permissions import Actor
from sozdash.store import bootstrap, db
from sozdash.store.models import Area
from tests.apptest import assert_clean, open_page

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor(username="admin-test", role="admin")
MISSING = {  # page → the notice that says what is missing
    "pages/indikatoren.py": "Noch keine Indikatoren – bitte Daten importieren (Seite Datenimport).",
    "pages/katalog.py": "Noch keine Indikatoren – bitte Daten importieren (Seite Datenimport).",
    "pages/vergleich.py": "Noch keine Indikatoren – bitte Daten importieren (Seite Datenimport).",
    "pages/stadtteilprofil.py": "Noch keine Gebiete unterhalb der Stadt – bitte Grenzen oder eine "
    "Gebietstabelle importieren (Seite Datenimport).",
    "pages/projekte.py": "Noch keine Projekte erfasst – Projekte legt die Seite Bearbeiten an.",
    "pages/altenhilfe.py": "Noch keine Perioden der Wirkungspakete erfasst",
    "pages/sozialindex.py": "Es gibt noch keine Indexdefinition.",
    "pages/handlungsbedarfe.py": "Es gibt noch keine Indexdefinition.",
    "pages/methode.py": "Es gibt noch keine Indexdefinition.",
    "pages/sozialbericht.py": "keine Sitzungen erfasst",
    "pages/sitzungen.py": "Noch keine Sitzung angelegt.",
    "pages/ansichten.py": "Noch keine Ansichten gespeichert.",
    "pages/datenimport.py": "Bitte eine Datei auswählen.",
}


@pytest.fixture(scope="session")
def hamburg_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty instance of Hamburg, made once per test session."""
    path = tmp_path_factory.mktemp("hamburg") / "sozdash.sqlite"
    engine = db.get_engine(f"sqlite:///{path}")
    bootstrap.ensure_database(engine, bootstrap.EmptyCity("Hamburg", "02000000"))
    engine.dispose()
    return path


@pytest.fixture
def hamburg_env(hamburg_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Point the app at this test's own copy of the empty Hamburg instance."""
    path = tmp_path / "sozdash.sqlite"
    shutil.copy(hamburg_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(ROOT)
    return db.get_engine(url)


@pytest.fixture
def page_configs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The arguments of every ``st.set_page_config`` call while a test runs."""
    calls: list[dict[str, Any]] = []
    real = st.set_page_config

    def record(**kwargs: Any) -> None:
        calls.append(kwargs)
        real(**kwargs)

    monkeypatch.setattr(st, "set_page_config", record)
    yield calls


def _text(at: AppTest) -> str:
    """Everything the page sent (every element's message, charts and tables included)."""

    def walk(node: Any) -> Iterator[str]:
        if hasattr(node, "proto"):
            yield str(node.proto)
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return "\n".join(walk(at._tree))


@pytest.mark.parametrize("page", [p.file for p in PAGES])
def test_page_works_on_an_empty_instance(
    hamburg_env: Engine, page_configs: list[dict[str, Any]], page: str
) -> None:
    at = open_page(page, actor=ADMIN)
    assert_clean(at)
    assert not [e.value for e in at.error], [e.value for e in at.error]
    assert page_configs and {c["page_title"] for c in page_configs} == {"Sozialdashboard Hamburg"}
    assert "Leverkusen" not in _text(at)
    if page in MISSING:
        notices = [e.value for e in (*at.info, *at.warning)]
        assert any(MISSING[page] in n for n in notices), notices
    with hamburg_env.connect() as conn:  # the first start did not fill in the Leverkusen default
        assert conn.execute(select(Area.code, Area.level)).all() == [("02000000", "stadt")]


@pytest.mark.usefixtures("hamburg_env")
def test_start_page_names_the_city() -> None:
    at = open_page("pages/ueberblick.py", actor=ADMIN)
    assert [t.value for t in at.title] == ["Sozialdashboard Hamburg"]


@pytest.mark.usefixtures("hamburg_env")
def test_import_page_offers_the_city_source_and_its_levels() -> None:
    at = open_page("pages/datenimport.py", actor=ADMIN)
    assert at.text_input(key="import-source").value == "Statistikstelle Stadt Hamburg"
    (level,) = [s for s in at.selectbox if s.label == "Gebietsebene der Datei"]
    assert level.options[:2] == ["automatisch", "Stadt"]  # the city's one level, nothing of Leverkusen
    assert not {"Stadtbezirk", "Stadtteil", "Sozialraum"} & set(level.options)
