"""Indicators marked not public are hidden from the public on every indicator page."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, update
from streamlit.testing.v1 import AppTest

from sozdash.core.permissions import Actor
from sozdash.store import db
from sozdash.store.models import Indicator
from tests.apptest import assert_clean, open_page

HIDDEN = "Wohngeldquote"


def _hide(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        session.execute(update(Indicator).where(Indicator.name == HIDDEN).values(is_public=False))


def _visible_text(at: AppTest) -> str:
    options = [str(o) for box in [*at.selectbox, *at.multiselect] for o in box.options]
    tables = [d.value.to_string() for d in at.dataframe]
    return " ".join(options + tables)


@pytest.mark.parametrize("page", ["pages/indikatoren.py", "pages/katalog.py", "pages/vergleich.py"])
def test_public_does_not_see_a_non_public_indicator_but_council_does(app_env: Engine, page: str) -> None:
    _hide(app_env)
    public = open_page(page, query={"lage": "wohnen"})
    assert_clean(public)
    assert HIDDEN not in _visible_text(public)
    council = open_page(page, query={"lage": "wohnen"}, actor=Actor("rat1", "rat"))
    assert_clean(council)
    assert HIDDEN in _visible_text(council)
