"""AppTest: the "Beispieldaten" and "Schematische Karte" notices follow the data shown (present on
the seed, gone after removal), and the admin button on page Datenstand with its confirmation."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from sozdash.core.permissions import Actor
from sozdash.demo import removal
from sozdash.store.models import AuditEntry, KeyFigure, Observation
from tests.apptest import assert_clean, open_page

ADMIN = Actor("admin.test", "admin", display_name="Admin")
PLANNER = Actor("planerin", "planung", display_name="Planerin")
NOTICES = ("Beispieldaten", "Schematische Karte", "[Beispiel]")
PAGES = {
    "ueberblick": ("pages/ueberblick.py", {}),
    "indikatoren": ("pages/indikatoren.py", {"ind": "sgb2_quote", "lage": "einkommen", "ebene": "stadtteil"}),
    "altenhilfe": ("pages/altenhilfe.py", {"stichtag": "2024-06-01", "paket": "wp-awo-seniorenarbeit-hitdorf"}),
    "sozialbericht": ("pages/sozialbericht.py", {}),
    "sitzung-karte": ("pages/sitzungen.py", {"modus": "praesentation", "sitzung": "sozialausschuss-2018",
                                             "stand": "heute", "folie": "2"}),
    "sitzung-altenhilfe": ("pages/sitzungen.py", {"modus": "praesentation", "sitzung": "sozialausschuss-2018",
                                                  "stand": "heute", "folie": "6"}),
}  # fmt: skip
"""Pages that show example data on the seed; Sitzungen slide 2 is the SGB-II map, 6 the Wirkungspakete."""


def _texts(at: AppTest) -> list[str]:
    """Every text a reader sees outside tables and charts (notices, markdown, captions, metric help)."""
    elements = [*at.warning, *at.info, *at.success, *at.error, *at.markdown, *at.caption]
    return [e.value for e in elements] + [m.proto.help for m in at.metric]


def _open(name: str, actor: Actor | None = None) -> AppTest:
    page, query = PAGES[name]
    at = open_page(page, query=query, actor=actor)
    assert_clean(at)
    return at


def _notices(at: AppTest) -> list[str]:
    return [t for t in _texts(at) if any(word in t for word in NOTICES)]


@pytest.mark.parametrize("name", list(PAGES))
def test_notices_appear_on_the_seed_and_not_after_removal(app_env: Engine, name: str) -> None:
    at = _open(name, ADMIN)
    assert any("Beispieldaten" in w.value for w in at.warning), _texts(at)
    removal.remove_demo(app_env, ADMIN)
    assert _notices(_open(name, ADMIN)) == []


def test_seed_notices_name_what_is_invented(app_env: Engine) -> None:
    overview = _open("ueberblick")
    assert any("Ampeln aus Beispieldaten" in c.value for c in overview.caption)
    assert any("davon Beispieldaten: 2" in c.value for c in overview.caption)
    assert any("Schematische Karte" in i.value for i in _open("indikatoren").info)
    assert any("Schematische Karte" in w.value for w in _open("sitzung-karte").warning)  # one projector line
    process = _open("sozialbericht")
    assert any("„[Beispiel]“" in c.value for c in process.caption)
    packages = _open("altenhilfe")
    assert sum("Beispieldaten" in w.value for w in packages.warning) == 3  # key figures, coverage, planning
    tables = [df.value for df in packages.dataframe]
    assert any("Ampel (Beispieldaten)" in t.columns for t in tables)
    removal.remove_demo(app_env, ADMIN)
    tables = [df.value for df in _open("altenhilfe").dataframe]
    assert any("Ampel" in t.columns for t in tables) and not any("Ampel (Beispieldaten)" in t.columns for t in tables)


def _count(engine: Engine, *where: object) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Observation).where(*where)).scalar_one()


def test_admin_sees_the_counts_confirms_and_removes(app_env: Engine) -> None:
    at = open_page("pages/datenstand.py", actor=ADMIN)
    assert_clean(at)
    assert "Beispieldaten entfernen" in [s.value for s in at.subheader]
    plan = next(m.value for m in at.markdown if m.value.startswith("**Es würden entfernt:**"))
    assert "- Beispielwerte der Indikatoren: 7.241" in plan and "- Kennzahlen der Wirkungspakete: 6" in plan
    assert any("python -m sozdash dump" in c.value for c in at.caption)
    assert at.button(key="demo-remove").disabled  # no click before the confirmation

    at.checkbox(key="demo-confirm").check().run()
    assert not at.button(key="demo-remove").disabled
    at.button(key="demo-remove").click().run()
    assert_clean(at)
    done = next(s.value for s in at.success if s.value.startswith("**Entfernt:**"))
    assert "- Beispielwerte der Indikatoren: 7.241" in done and "- Schematische Gebietsformen" in done
    assert _count(app_env, Observation.is_demo.is_(True)) == 0
    with app_env.connect() as conn:
        assert conn.execute(select(func.count()).select_from(KeyFigure)).scalar_one() == 0
        logged = conn.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.username == ADMIN.username)
        ).scalar_one()  # fmt: skip
    assert logged > 0
    assert any(c.value == "Keine Beispieldaten vorhanden." for c in at.caption)
    assert not any(key == "demo-remove" for key in (b.key for b in at.button))
    assert not any("Beispieldaten" in w.value for w in at.warning)  # the page's own notice follows the data


def test_only_admins_see_the_removal(app_env: Engine) -> None:
    for actor in (PLANNER, None):
        at = open_page("pages/datenstand.py", actor=actor)
        assert_clean(at)
        assert "Beispieldaten entfernen" not in [s.value for s in at.subheader]
        assert not any(b.key == "demo-remove" for b in at.button)
