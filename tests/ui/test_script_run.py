"""A page run reads the data version from the database once, however many cached queries it makes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event

from sozdash.core.permissions import Actor
from sozdash.store import db
from tests.apptest import assert_clean, open_page

PLANUNG = Actor(username="planer", role="planung")


@pytest.fixture
def statements(app_env: Engine) -> Iterator[list[str]]:
    """SQL statements the app sends to this test's database (the app's engine is ``db.get_engine``'s)."""
    seen: list[str] = []
    engine = db.get_engine(app_env.url.render_as_string(hide_password=False))

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _version_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM table_versions" in s)


@pytest.mark.parametrize("page", ["pages/projekte.py", "pages/indikatoren.py", "pages/stadtteilprofil.py"])
def test_warm_rerun_reads_the_data_version_once(statements: list[str], page: str) -> None:
    at = open_page(page, actor=PLANUNG)
    assert_clean(at)
    statements.clear()
    at.run()
    assert_clean(at)
    assert _version_reads(statements) == 1

