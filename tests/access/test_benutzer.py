"""User administration: page Benutzer (role Admin) and the account functions behind it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from sozdash.access import auth
from sozdash.core.permissions import ANONYMOUS, Actor, PermissionDenied
from sozdash.store.db import session_scope
from sozdash.store.models import AuditEntry, Organisation, User
from tests.access.test_login_pages import _app, _reachable, _refused
from tests.apptest import assert_clean, open_page

PAGE = "pages/benutzer.py"
ADMIN = Actor("admin-test", "admin")
PASSWORD = "Rathaus-Leverkusen-1"
NEW_PASSWORD = "Neues-Passwort-2025"
T0 = dt.datetime(2025, 3, 1, 9, 0, 0)
FB_SOZIALES = "stadt-lev-fb-soziales"


def _with_admin(engine: Engine, *users: tuple[str, str]) -> None:
    """The acting admin's own account plus local accounts ``(username, role)``."""
    auth.create_user(engine, ADMIN, ADMIN.username, PASSWORD, "admin", display_name="Admin Test")
    for username, role in users:
        auth.create_user(engine, ADMIN, username, PASSWORD, role)


def _page(engine: Engine, konto: str | None = None) -> AppTest:
    at = _app(ADMIN, PAGE, {"konto": konto} if konto else None)
    assert_clean(at)
    return at


def _click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert_clean(at)


def _errors(at: AppTest) -> list[str]:
    """The error messages as the user reads them (markdown escapes removed)."""
    return [e.value.replace("\\", "") for e in at.error]


def _row(at: AppTest, username: str) -> dict:
    return at.dataframe[0].value.set_index("Benutzername").loc[username].to_dict()


def _user(engine: Engine, username: str) -> User:
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        session.expunge(user)
        return user


def _lock(engine: Engine, username: str, now: dt.datetime) -> None:
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(engine, username, "falsches-passwort", now=now)


# --- Page --------------------------------------------------------------------------------------


def test_admin_creates_a_user_through_the_form(app_env: Engine) -> None:
    _with_admin(app_env)
    at = _page(app_env)
    at.text_input(key="new-0-user").input("fb50")
    next(t for t in at.text_input if t.label == "Anzeigename").input("Sachbearbeitung FB 50")
    next(t for t in at.text_input if t.label == "E-Mail").input("fb50@stadt.leverkusen.de")
    at.selectbox(key="new-0-role").set_value("fachbereich")
    at.selectbox(key="new-0-org").set_value(FB_SOZIALES)
    at.text_input(key="new-0-pw").input(PASSWORD)
    at.text_input(key="new-0-pw2").input(PASSWORD)
    _click(at, "Benutzer anlegen")
    assert at.success[0].value == "Benutzer „fb50“ angelegt."
    with session_scope(app_env) as session:
        org_name = session.scalar(select(Organisation.name).where(Organisation.key == FB_SOZIALES))
    assert _row(at, "fb50") == {
        "Name": "Sachbearbeitung FB 50", "E-Mail": "fb50@stadt.leverkusen.de", "Rolle": "Fachbereich",
        "Organisationseinheit": org_name, "Aktiv": "ja", "Gesperrt bis": "–", "Anmeldung": "Passwort (lokal)",
    }  # fmt: skip
    shown = at.dataframe[0].value.to_string()
    assert "argon2" not in shown and PASSWORD not in shown
    assert auth.authenticate(app_env, "fb50", PASSWORD).role == "fachbereich"
    assert at.text_input(key="new-1-user").value == ""  # a fresh form: no password left behind


@pytest.mark.parametrize(
    ("user", "password", "repeat", "role", "key", "message"),
    [
        ("neu", PASSWORD, PASSWORD + "x", "rat", "pw2",
         "Die beiden Passwort-Eingaben stimmen nicht überein."),
        ("neu", "kurz", "kurz", "rat", "pw", "Das Passwort muss mindestens 10 Zeichen lang sein."),
        ("", PASSWORD, PASSWORD, "rat", "user", "Der Benutzername darf nicht leer sein."),
        ("admin-test", PASSWORD, PASSWORD, "rat", "user", "Benutzer „admin-test“ gibt es schon."),
        ("neu", PASSWORD, PASSWORD, "fachbereich", "org",
         "Die Rolle „Fachbereich“ braucht eine Organisationseinheit."),
    ],
)  # fmt: skip
def test_bad_input_shows_a_german_message_at_the_field_and_creates_nothing(
    app_env: Engine, user: str, password: str, repeat: str, role: str, key: str, message: str
) -> None:
    _with_admin(app_env)
    at = _page(app_env)
    at.text_input(key="new-0-user").input(user)
    at.selectbox(key="new-0-role").set_value(role)
    at.text_input(key="new-0-pw").input(password)
    at.text_input(key="new-0-pw2").input(repeat)
    _click(at, "Benutzer anlegen")
    assert _errors(at) == [message]
    assert not at.success
    assert list(auth.list_users(app_env)["username"]) == ["admin-test"]
    # the message sits directly below its field in the form
    form = list(at.get("form")[0])
    field = next(i for i, el in enumerate(form) if getattr(el, "key", None) == f"new-0-{key}")
    assert form[field + 1].value == at.error[0].value


def test_admin_sets_role_and_unit(app_env: Engine) -> None:
    _with_admin(app_env, ("ratsfrau", "rat"))
    at = _page(app_env, "ratsfrau")
    at.selectbox(key="ratsfrau-0-role").set_value("fachbereich")
    at.selectbox(key="ratsfrau-0-org").set_value(FB_SOZIALES)
    _click(at, "Rolle speichern")
    assert at.success[0].value == "Rolle von „ratsfrau“ ist jetzt „Fachbereich“."
    assert _row(at, "ratsfrau")["Rolle"] == "Fachbereich"
    with session_scope(app_env) as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.key == FB_SOZIALES))
    assert (_user(app_env, "ratsfrau").role, _user(app_env, "ratsfrau").org_id) == ("fachbereich", org_id)


def test_reset_password_lets_the_new_password_log_in(app_env: Engine) -> None:
    _with_admin(app_env, ("ratsherr", "rat"))
    at = _page(app_env, "ratsherr")
    at.text_input(key="password-ratsherr-0-pw").input(NEW_PASSWORD)
    at.text_input(key="password-ratsherr-0-pw2").input(NEW_PASSWORD)
    _click(at, "Passwort neu setzen")
    assert at.success[0].value == "Passwort von „ratsherr“ neu gesetzt; eine Sperre ist aufgehoben."
    assert auth.authenticate(app_env, "ratsherr", NEW_PASSWORD).username == "ratsherr"
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(app_env, "ratsherr", PASSWORD)


def test_unlock_after_lockout(app_env: Engine) -> None:
    _with_admin(app_env, ("gesperrt", "rat"))
    _lock(app_env, "gesperrt", dt.datetime.now())
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(app_env, "gesperrt", PASSWORD)
    at = _page(app_env, "gesperrt")
    until = _user(app_env, "gesperrt").locked_until
    assert _row(at, "gesperrt")["Gesperrt bis"] == until.strftime("%d.%m.%Y %H:%M Uhr")
    assert f"Gesperrt bis {until:%d.%m.%Y %H:%M} Uhr." in [t.value for t in at.text]
    _click(at, "Sperre aufheben")
    assert at.success[0].value == "Sperre von „gesperrt“ aufgehoben."
    assert _row(at, "gesperrt")["Gesperrt bis"] == "–"
    assert auth.authenticate(app_env, "gesperrt", PASSWORD).role == "rat"


def test_deactivated_account_cannot_log_in_until_reactivated(app_env: Engine) -> None:
    _with_admin(app_env, ("ausgeschieden", "planung"))
    at = _page(app_env, "ausgeschieden")
    _click(at, "Konto deaktivieren")
    assert at.success[0].value == "Konto „ausgeschieden“ deaktiviert."
    assert _row(at, "ausgeschieden")["Aktiv"] == "nein"
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(app_env, "ausgeschieden", PASSWORD)
    _click(at, "Konto reaktivieren")
    assert _row(at, "ausgeschieden")["Aktiv"] == "ja"
    assert auth.authenticate(app_env, "ausgeschieden", PASSWORD).role == "planung"


def test_admin_cannot_demote_or_deactivate_themselves_on_the_page(app_env: Engine) -> None:
    _with_admin(app_env)
    at = _page(app_env, ADMIN.username)
    at.selectbox(key="admin-test-0-role").set_value("planung")
    _click(at, "Rolle speichern")
    assert _errors(at) == ["Die eigene Admin-Rolle können Sie nicht entfernen."]
    _click(at, "Konto deaktivieren")
    assert _errors(at) == ["Ihr eigenes Konto können Sie nicht deaktivieren."]
    user = _user(app_env, ADMIN.username)
    assert (user.role, user.is_active) == ("admin", True)


def test_user_text_in_messages_and_table_is_inert(app_env: Engine) -> None:
    _with_admin(app_env)
    at = _page(app_env)
    at.text_input(key="new-0-user").input("<b>x</b>")
    next(t for t in at.text_input if t.label == "Anzeigename").input("<script>alert(1)</script>")
    at.text_input(key="new-0-pw").input(PASSWORD)
    at.text_input(key="new-0-pw2").input(PASSWORD)
    _click(at, "Benutzer anlegen")
    assert at.success[0].value == "Benutzer „\\<b\\>x\\</b\\>“ angelegt."  # escaped: shown literally
    assert _row(at, "<b>x</b>")["Name"] == "<script>alert(1)</script>"  # dataframe cell: plain text
    at.text_input(key="new-1-user").input("<b>x</b>")
    at.text_input(key="new-1-pw").input(PASSWORD)
    at.text_input(key="new-1-pw2").input(PASSWORD)
    _click(at, "Benutzer anlegen")
    assert at.error[0].value == "Benutzer „\\<b\\>x\\</b\\>“ gibt es schon."


def test_sso_account_has_no_password_form(app_env: Engine) -> None:
    _with_admin(app_env)
    auth.create_user(app_env, ADMIN, "sso@stadt.leverkusen.de", None, "rat")
    at = _page(app_env, "sso@stadt.leverkusen.de")
    assert _row(at, "sso@stadt.leverkusen.de")["Anmeldung"] == "Single Sign-on"
    assert "Passwort neu setzen" not in [b.label for b in at.button]
    assert "Dieses Konto hat kein Passwort (Anmeldung per Single Sign-on)." in [i.value for i in at.info]


@pytest.mark.parametrize("role", ["rat", "fachbereich", "planung"])
def test_page_is_hidden_and_refused_below_admin(app_env: Engine, role: str) -> None:
    _with_admin(app_env, ("opfer", "rat"))
    at = _app(Actor(f"{role}-test", role, 5), None)
    assert_clean(at)
    assert not _reachable(at, PAGE)
    assert _refused(at, PAGE)
    assert _reachable(_app(ADMIN, None), PAGE)


# --- Account functions (SQLite and PostgreSQL) --------------------------------------------------


@pytest.mark.parametrize(
    "actor", [ANONYMOUS, Actor("r", "rat"), Actor("f", "fachbereich", 5), Actor("p", "planung")]
)
def test_new_account_functions_refuse_non_admins(engine: Engine, actor: Actor) -> None:
    _with_admin(engine, ("ziel", "rat"))
    _lock(engine, "ziel", T0)
    with pytest.raises(PermissionDenied):
        auth.unlock_user(engine, actor, "ziel")
    with pytest.raises(PermissionDenied):
        auth.set_active(engine, actor, "ziel", False)
    user = _user(engine, "ziel")
    assert (user.locked_until, user.is_active) == (T0 + dt.timedelta(minutes=15), True)
    with session_scope(engine) as session:
        assert (
            session.scalars(select(AuditEntry.action).where(AuditEntry.username == actor.username)).all()
            == []
        )


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(engine: Engine) -> None:
    _with_admin(engine, ("zweite-admin", "admin"))
    with pytest.raises(auth.AccountError, match="eigene Admin-Rolle"):
        auth.set_role(engine, ADMIN, ADMIN.username, "planung")
    with pytest.raises(auth.AccountError, match="eigenes Konto"):
        auth.set_active(engine, ADMIN, ADMIN.username, False)
    auth.set_role(engine, ADMIN, ADMIN.username, "admin", "stadt-lev-fb-soziales")  # unit only: allowed
    assert (_user(engine, ADMIN.username).role, _user(engine, ADMIN.username).is_active) == ("admin", True)
    auth.set_role(engine, ADMIN, "zweite-admin", "planung")  # another admin: allowed
    assert _user(engine, "zweite-admin").role == "planung"


def test_unlock_and_deactivation_are_audited_without_secrets(engine: Engine) -> None:
    _with_admin(engine, ("konto", "rat"))
    _lock(engine, "konto", T0)  # locked until 09:15
    auth.unlock_user(engine, ADMIN, "konto")
    auth.set_active(engine, ADMIN, "konto", False)
    auth.set_active(engine, ADMIN, "konto", True)
    auth.reset_password(engine, ADMIN, "konto", NEW_PASSWORD)
    konto = _user(engine, "konto")
    assert (konto.failed_attempts, konto.locked_until, konto.is_active) == (0, None, True)
    with session_scope(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.record_id == str(konto.id)).order_by(AuditEntry.id)
        ).all()
        rows = [(e.username, e.action, e.field, e.old_value, e.new_value) for e in entries]
        stored_hash = konto.password_hash
    assert rows[-4:] == [
        ("admin-test", "update", "locked_until", "2025-03-01 09:15:00", None),
        ("admin-test", "update", "is_active", "True", "False"),
        ("admin-test", "update", "is_active", "False", "True"),
        ("admin-test", "update", "password", None, "(neu gesetzt)"),
    ]
    values = [str(v) for row in rows for v in row]
    assert not any(PASSWORD in v or NEW_PASSWORD in v or "argon2" in v or stored_hash in v for v in values)


def test_overview_shows_only_a_lock_in_force_and_never_a_hash(engine: Engine) -> None:
    _with_admin(engine, ("konto", "rat"))
    _lock(engine, "konto", T0)  # locked until 01.03.2025 09:15
    at_nine = auth.user_overview(engine, now=T0).set_index("Benutzername")
    assert at_nine.loc["konto", "Gesperrt bis"] == "01.03.2025 09:15 Uhr"
    assert at_nine.loc["admin-test", "Gesperrt bis"] == ""
    later = auth.user_overview(engine, now=T0 + dt.timedelta(minutes=15)).set_index("Benutzername")
    assert later.loc["konto", "Gesperrt bis"] == ""
    assert list(later.columns) == [
        "Name", "E-Mail", "Rolle", "Organisationseinheit", "Aktiv", "Gesperrt bis", "Anmeldung",
    ]  # fmt: skip
    assert later.loc["admin-test", "Rolle"] == "Admin"


def test_deactivation_and_role_change_reach_an_open_session_at_once(app_env: Engine) -> None:
    """An open session must not keep rights its account no longer has."""
    admin = Actor("chefin", "admin")
    auth.create_user(app_env, admin, "kollege", "ein-sicheres-passwort", "planung")
    session = open_page(
        "pages/ueberblick.py", actor=auth.authenticate(app_env, "kollege", "ein-sicheres-passwort")
    )
    assert session.session_state["actor"].role == "planung"
    auth.set_role(app_env, admin, "kollege", "rat")
    session.run()
    assert session.session_state["actor"].role == "rat"
    auth.set_active(app_env, admin, "kollege", False)
    session.run()
    assert session.session_state["actor"] == ANONYMOUS
    assert any("deaktiviert" in w.value for w in session.warning)
