"""Login on a database that takes no writes (issue 13): a clear German message instead of the
generic application error, the same for every account, and nothing counted or changed."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Engine, event, text, update
from streamlit.testing.v1 import AppTest

from sozdash.access import auth
from sozdash.core.permissions import Actor
from sozdash.store import db
from sozdash.store.models import City
from tests.apptest import APP, assert_clean

PASSWORD = "Richtiges-Passwort-1"
READ_ONLY = "schreibgeschützt"


def _make_read_only(engine: Engine) -> None:
    """From now on ``engine`` cannot write: ``PRAGMA query_only`` on SQLite, a read-only
    default transaction on PostgreSQL (as on a standby)."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda conn, _record: conn.execute("PRAGMA query_only=ON"))
    else:
        with engine.begin() as conn:
            name = conn.execute(text("SELECT current_database()")).scalar_one()
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    engine.dispose()


@pytest.fixture
def read_only(engine: Engine) -> Engine:
    auth.create_user(engine, Actor("admin-test", "admin"), "ratsherr", PASSWORD, "rat")
    _make_read_only(engine)
    return engine


@pytest.mark.parametrize(
    ("username", "password"),
    [("ratsherr", "falsches-passwort"), ("niemand", "falsches-passwort"), ("ratsherr", PASSWORD)],
    ids=["wrong-password", "unknown-user", "right-password"],
)
def test_login_on_a_read_only_database_says_so(read_only: Engine, username: str, password: str) -> None:
    """Every attempt must be recorded (counted or reset); when it cannot be, no one logs in and
    the message names the cause, the same whether the account exists or not."""
    with pytest.raises(auth.LoginUnavailable) as info:
        auth.authenticate(read_only, username, password)
    assert READ_ONLY in str(info.value) and str(info.value).startswith("Anmeldung nicht möglich")


def test_other_writes_on_a_read_only_database_are_refused_in_german(read_only: Engine) -> None:
    with pytest.raises(db.WriteRefused, match=READ_ONLY), db.session_scope(read_only) as session:
        session.execute(update(City).values(name=City.name + " "))


def test_wrong_login_on_a_read_only_sqlite_file(sqlite_engine: Engine) -> None:
    """The file opened read-only, as SQLite does when its permissions allow no writing."""
    auth.create_user(sqlite_engine, Actor("admin-test", "admin"), "ratsherr", PASSWORD, "rat")
    path = sqlite_engine.url.database
    event.listen(
        sqlite_engine,
        "do_connect",
        lambda *_: sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False),
    )
    sqlite_engine.dispose()
    with pytest.raises(auth.LoginUnavailable, match=READ_ONLY):
        auth.authenticate(sqlite_engine, "ratsherr", "falsches-passwort")
    with sqlite_engine.connect() as conn:  # reading still works
        assert (
            conn.execute(text("SELECT failed_attempts FROM users WHERE username = 'ratsherr'")).scalar_one()
            == 0
        )


def test_anmeldung_page_shows_the_read_only_message(app_env: Engine) -> None:
    auth.create_user(app_env, Actor("admin-test", "admin"), "ratsherr", PASSWORD, "rat")
    _make_read_only(app_env)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/anmeldung.py")
    at.run()
    at.text_input[0].input("ratsherr")
    at.text_input[1].input("falsches-passwort")
    at.button[0].click()
    at.run()
    assert_clean(at)  # not "Fehler in der Anwendung"
    assert [e.value for e in at.error if READ_ONLY in e.value and "Anmeldung nicht möglich" in e.value]
    assert at.session_state["actor"].role == "oeffentlich"
