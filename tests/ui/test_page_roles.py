"""AppTest of the page refusal: restricted pages run on their own refuse roles below their ``min_role``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from sozdash.core.navigation import PAGES
from sozdash.core.permissions import ANONYMOUS, Actor
from tests.apptest import assert_clean

ROOT = Path(__file__).resolve().parents[2]
REFUSALS = {
    "pages/datenimport.py": (
        "planung", "Die Seite „Datenimport“ ist nur nach Anmeldung mit den Rollen „Planung“ und „Admin“ zugänglich."
    ),
    "pages/bearbeiten.py": (
        "fachbereich",
        "Die Seite „Bearbeiten“ ist nur nach Anmeldung mit den Rollen „Fachbereich“, „Planung“ und „Admin“ zugänglich.",
    ),
    "pages/protokoll.py": (
        "planung",
        "Die Seite „Änderungsprotokoll“ ist nur nach Anmeldung mit den Rollen „Planung“ und „Admin“ zugänglich.",
    ),
    "pages/benutzer.py": ("admin", "Die Seite „Benutzer“ ist nur nach Anmeldung mit der Rolle „Admin“ zugänglich."),
}  # fmt: skip
BELOW = {"fachbereich": Actor("rat-test", "rat"), "planung": Actor("fb-test", "fachbereich", 5),
         "admin": Actor("planung-test", "planung")}  # fmt: skip


def _alone(page: str, actor: Actor) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    at.session_state["actor"] = actor
    return at.run()


def test_the_restricted_pages_are_exactly_those_of_the_navigation() -> None:
    assert {p.file: p.min_role for p in PAGES if p.min_role != "oeffentlich"} == {
        page: role for page, (role, _) in REFUSALS.items()
    }


@pytest.mark.parametrize("page", list(REFUSALS))
def test_restricted_page_alone_refuses_below_its_role(app_env: Engine, page: str) -> None:
    role, message = REFUSALS[page]
    for actor in (ANONYMOUS, BELOW[role]):
        at = _alone(page, actor)
        assert_clean(at)
        assert [e.value for e in at.error] == [message]
        assert not at.get("form") and not at.selectbox and not at.dataframe


@pytest.mark.parametrize("page", list(REFUSALS))
def test_restricted_page_alone_opens_at_its_role(app_env: Engine, page: str) -> None:
    role, message = REFUSALS[page]
    at = _alone(page, Actor(f"{role}-test", role, 5))
    assert_clean(at)
    assert message not in [e.value for e in at.error]
    assert at.title and (at.selectbox or at.dataframe)


def test_pages_name_no_role_of_their_own() -> None:
    """Role requirements of whole pages live in ``navigation.PAGES`` only."""
    literal = re.compile(r"has_role\([^)]*[\"']")
    offenders = [f.name for f in (ROOT / "pages").glob("*.py") if literal.search(f.read_text(encoding="utf-8"))]
    assert offenders == []
