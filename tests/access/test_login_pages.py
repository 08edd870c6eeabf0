"""AppTest of login, navigation per role, the editing page, the audit log page and annotations."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from sozdash.access import auth
from sozdash.core.navigation import PAGES
from sozdash.core.permissions import ANONYMOUS, Actor, role_rank
from sozdash.editing import annotations
from sozdash.editing import records as editing
from sozdash.editing.specs import ENTITIES, PROJECT
from sozdash.store.db import session_scope
from sozdash.store.models import Area, AuditEntry, Organisation, Project
from tests.apptest import APP, assert_clean

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Rathaus-Leverkusen-1"
XSS = "<script>alert(1)</script>"
ROLE_ACTORS = {
    "oeffentlich": ANONYMOUS,
    "rat": Actor("rat-test", "rat"),
    "fachbereich": Actor("fb-test", "fachbereich", 5),
    "planung": Actor("planung-test", "planung"),
    "admin": Actor("admin-test", "admin"),
}


def _app(actor: Actor, page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    """The real app with ``actor`` logged in (as the login form would leave the session)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def _biwaq(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(Project.id).where(Project.key == "biwaq-rheindorferleben"))


def _reachable(at: AppTest, page: str) -> bool:
    """Whether the navigation of ``at``'s first run offers ``page``."""
    try:
        at.switch_page(page)
    except ValueError:  # not registered by st.navigation for this session
        return False
    return True


def _refused(at: AppTest, page: str) -> bool:
    """Whether ``page`` run on its own (bypassing app.py and its navigation) with the session of
    ``at`` shows the German refusal: restricted pages check the role themselves."""
    alone = AppTest.from_file(str(Path(APP).parent / page), default_timeout=60)
    for key in ("actor", "login_session"):
        with contextlib.suppress(KeyError):
            alone.session_state[key] = at.session_state[key]
    alone.run()
    assert_clean(alone)
    return any("nur" in e.value and "Rolle" in e.value for e in alone.error) and not alone.get("form")


@pytest.mark.parametrize("role", list(ROLE_ACTORS))
def test_navigation_shows_exactly_the_pages_of_the_role(app_env: Engine, role: str) -> None:
    at = _app(ROLE_ACTORS[role])
    assert_clean(at)
    for spec in PAGES:
        allowed = role_rank(role) >= role_rank(spec.min_role)
        assert _reachable(at, spec.file) == allowed, (role, spec.file)


@pytest.mark.parametrize(
    ("role", "page", "refused"),
    [
        ("oeffentlich", "pages/bearbeiten.py", True), ("rat", "pages/bearbeiten.py", True),
        ("fachbereich", "pages/bearbeiten.py", False), ("fachbereich", "pages/protokoll.py", True),
        ("planung", "pages/protokoll.py", False),
    ],
)  # fmt: skip
def test_restricted_pages_refuse_on_their_own(app_env: Engine, role: str, page: str, refused: bool) -> None:
    assert _refused(_app(ROLE_ACTORS[role]), page) == refused


def test_url_parameters_never_grant_identity_or_role(app_env: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    for key in ("actor", "role", "rolle", "user"):
        at.query_params[key] = "admin"
    at.run()
    assert at.session_state["actor"] == ANONYMOUS
    assert not _reachable(at, "pages/bearbeiten.py")
    at.switch_page("pages/anmeldung.py")
    at.run()
    assert [t.label for t in at.main.text_input] == ["Benutzername", "Passwort"]


def _login(at: AppTest, username: str, password: str) -> None:
    at.main.text_input[0].input(username)
    at.main.text_input[1].input(password)
    at.button[0].click()
    at.run()


def test_login_form_opens_the_editing_page_and_logout_closes_it(app_env: Engine) -> None:
    auth.create_user(app_env, ROLE_ACTORS["admin"], "sachbearbeitung", PASSWORD, "fachbereich",
                     display_name="Sachbearbeitung FB 50", org_key="stadt-lev-fb-soziales")  # fmt: skip
    at = _app(ANONYMOUS, "pages/anmeldung.py")
    _login(at, "sachbearbeitung", PASSWORD)
    assert_clean(at)
    assert "Sachbearbeitung FB 50" in at.success[0].value and "Fachbereich" in at.success[0].value
    assert at.session_state["actor"].role == "fachbereich"
    assert not _refused(at, "pages/bearbeiten.py")
    at.switch_page("pages/bearbeiten.py")
    at.run()
    assert at.selectbox[0].label == "Art des Eintrags"
    assert _refused(at, "pages/protokoll.py")
    at.switch_page("pages/anmeldung.py")
    at.run()
    next(b for b in at.button if b.label == "Abmelden").click()
    at.run()
    assert at.session_state["actor"] == ANONYMOUS
    assert _refused(at, "pages/bearbeiten.py")


def test_wrong_password_and_lockout_show_one_german_message(app_env: Engine) -> None:
    auth.create_user(app_env, ROLE_ACTORS["admin"], "ratsherr", PASSWORD, "rat")
    at = _app(ANONYMOUS, "pages/anmeldung.py")
    for _ in range(5):
        _login(at, "ratsherr", "falsches-passwort")
        assert at.error[0].value == auth.LOGIN_FAILED
    _login(at, "ratsherr", PASSWORD)  # locked now
    assert at.error[0].value == auth.LOGIN_FAILED
    assert at.session_state["actor"] == ANONYMOUS


def test_idle_session_is_logged_out_with_a_notice(app_env: Engine) -> None:
    auth.create_user(app_env, ROLE_ACTORS["admin"], "planerin", PASSWORD, "planung")
    state: dict = {}
    auth.login(app_env, state, auth.authenticate(app_env, "planerin", PASSWORD),
               now=dt.datetime.now() - dt.timedelta(minutes=61))  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"], at.session_state["login_session"] = state["actor"], state["login_session"]
    at.run()
    assert at.session_state["actor"] == ANONYMOUS
    assert any("60 Minuten ohne Aktivität" in i.value for i in at.info)
    assert not _reachable(at, "pages/bearbeiten.py")
    assert _refused(at, "pages/bearbeiten.py")


def test_logout_in_one_tab_ends_the_login_in_another(app_env: Engine) -> None:
    auth.create_user(app_env, ROLE_ACTORS["admin"], "planerin", PASSWORD, "planung")
    first = _app(ANONYMOUS, "pages/anmeldung.py")
    _login(first, "planerin", PASSWORD)
    second = AppTest.from_file(APP, default_timeout=60)  # the same login, as the cookie restores it
    for key in ("actor", "login_session"):
        second.session_state[key] = first.session_state[key]
    second.run()
    assert _reachable(second, "pages/bearbeiten.py")
    next(b for b in first.button if b.label == "Abmelden").click()
    first.run()
    second.switch_page("pages/anmeldung.py")
    second.run()
    assert second.session_state["actor"] == ANONYMOUS
    assert [t.label for t in second.main.text_input] == ["Benutzername", "Passwort"]


def _field(at: AppTest, label: str):
    return next(w for w in [*at.text_input, *at.text_area] if w.label.removesuffix(" *") == label)


def _save(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Speichern").click()
    at.run()


def test_edit_in_the_form_writes_the_audit_log_shown_on_the_log_page(app_env: Engine) -> None:
    project = _biwaq(app_env)
    at = _app(ROLE_ACTORS["planung"], "pages/bearbeiten.py", {"art": "project", "nr": str(project)})
    assert_clean(at)
    _field(at, "Motto").input("Miteinander in Rheindorf")
    _save(at)
    assert_clean(at)
    assert at.success[0].value == "Gespeichert: 1 Feld(er) geändert."
    with session_scope(app_env) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.table_name == "projects"))
        assert (entry.username, entry.field, entry.old_value, entry.new_value) == (
            "planung-test", "motto", "RHEINDORFerLEBEN", "Miteinander in Rheindorf",
        )  # fmt: skip
    log = _app(ROLE_ACTORS["planung"], "pages/protokoll.py", {"benutzer": "planung-test"})
    assert_clean(log)
    table = log.dataframe[0].value
    assert list(table["Feld"]) == ["Motto"] and list(table["Neuer Wert"]) == ["Miteinander in Rheindorf"]
    assert list(table["Art"]) == ["Projekt"]


def test_field_messages_appear_and_nothing_is_saved(app_env: Engine) -> None:
    project = _biwaq(app_env)
    at = _app(ROLE_ACTORS["admin"], "pages/bearbeiten.py", {"art": "project", "nr": str(project)})
    _field(at, "Titel").input("")
    _field(at, "Quelle").input("")
    _save(at)
    messages = [e.value for e in at.error]
    assert messages.count("Pflichtfeld – bitte ausfüllen.") == 2
    assert "Nicht gespeichert – bitte die markierten Felder prüfen." in messages
    assert editing.load(app_env, PROJECT, project)[1] == 1


def test_two_sessions_on_the_same_record_show_a_conflict(app_env: Engine) -> None:
    project = _biwaq(app_env)
    query = {"art": "project", "nr": str(project)}
    first = _app(ROLE_ACTORS["planung"], "pages/bearbeiten.py", query)
    second = _app(ROLE_ACTORS["admin"], "pages/bearbeiten.py", query)
    _field(first, "Motto").input("Motto von Sitzung A")
    _save(first)
    _field(second, "Motto").input("Motto von Sitzung B")
    _save(second)
    assert_clean(second)
    assert any("Nicht gespeichert: Jemand anderes hat diesen Eintrag" in e.value for e in second.error)
    conflict = second.dataframe[0].value.set_index("Feld")
    assert conflict.loc["Motto", "Ihre Eingabe"] == "Motto von Sitzung B"
    assert conflict.loc["Motto", "Aktueller Stand"] == "Motto von Sitzung A"
    assert editing.load(app_env, PROJECT, project)[0]["motto"] == "Motto von Sitzung A"
    next(b for b in second.button if b.label == "Aktuellen Stand laden").click()
    second.run()
    assert _field(second, "Motto").value == "Motto von Sitzung A"
    _field(second, "Motto").input("Motto von Sitzung B")
    _save(second)
    assert second.success[0].value == "Gespeichert: 1 Feld(er) geändert."
    values, version = editing.load(app_env, PROJECT, project)
    assert (values["motto"], version) == ("Motto von Sitzung B", 3)


def test_fachbereich_sees_only_records_of_its_unit(app_env: Engine) -> None:
    with session_scope(app_env) as session:
        fb = session.scalar(select(Organisation.id).where(Organisation.key == "stadt-lev-fb-soziales"))
    at = _app(Actor("fb", "fachbereich", fb), "pages/bearbeiten.py", {"art": "project"})
    options = at.selectbox[1].options
    assert "BIWAQ Rheindorf-Nord – RHEINDORFerLEBEN" in options
    assert "Soziale Stadt Rheindorf-Nord" not in options


def test_user_text_is_shown_inert(app_env: Engine) -> None:
    admin = ROLE_ACTORS["admin"]
    auth.create_user(app_env, admin, "rat-xss", None, "rat", display_name=XSS)
    project = _biwaq(app_env)
    values, version = editing.load(app_env, PROJECT, project)
    editing.update(app_env, admin, PROJECT, project, version, values | {"title": XSS})
    with session_scope(app_env) as session:
        area = session.scalar(select(Area.id).where(Area.code == "rheindorf"))
    annotations.add(app_env, Actor("rat-xss", "rat"), "area", area, XSS, "oeffentlich")
    at = AppTest.from_string(f"from sozdash.ui import notes\nnotes.annotations_block('area', {area})\n")
    at.run()
    assert_clean(at)
    assert [t.value for t in at.text] == [XSS]  # plain text element, literally
    assert "\\<script\\>" in at.caption[0].value  # author name escaped in the markdown caption
    page = _app(admin, "pages/bearbeiten.py", {"art": "project", "nr": str(project)})
    assert _field(page, "Titel").value == XSS
    assert XSS in page.selectbox[1].options


def test_no_html_rendering_of_user_text_anywhere_in_the_code() -> None:
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "sozdash").rglob("*.py")]
    offenders = [str(f) for f in files if "unsafe_allow_html" in f.read_text(encoding="utf-8")]
    assert len(files) > 30 and offenders == []


def test_annotation_form_only_for_rat_and_higher(app_env: Engine) -> None:
    auth.create_user(app_env, ROLE_ACTORS["admin"], "rat-test", None, "rat")
    with session_scope(app_env) as session:
        area = session.scalar(select(Area.id).where(Area.code == "wiesdorf"))
    script = f"from sozdash.ui import notes\nnotes.annotations_block('area', {area})\n"
    public = AppTest.from_string(script)
    public.run()
    assert not public.text_area and public.caption[0].value == "Noch keine Notizen."
    rat = AppTest.from_string(script)
    rat.session_state["actor"] = ROLE_ACTORS["rat"]
    rat.run()
    rat.text_area[0].input("Neue Kita eröffnet im Herbst")
    rat.button[0].click()
    rat.run()
    assert_clean(rat)
    assert [t.value for t in rat.text] == ["Neue Kita eröffnet im Herbst"]
    assert "intern" in rat.caption[0].value


SSO_SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test", "client_id": "x",
             "client_secret": "y", "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration"},
    "sozdash_sso": {"rules": [{"group": "SD-FB50", "role": "fachbereich", "org": "stadt-lev-fb-soziales"}]},
}  # fmt: skip


def test_single_sign_on_maps_the_provider_claims_to_the_session_actor(app_env: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets = SSO_SECRETS
    at.user = {
        "is_logged_in": True,
        "email": "fb50@stadt.leverkusen.de",
        "name": "FB 50",
        "groups": ["SD-FB50"],
    }
    at.run()
    assert_clean(at)
    actor = at.session_state["actor"]
    assert (actor.username, actor.role, actor.display_name) == (
        "fb50@stadt.leverkusen.de",
        "fachbereich",
        "FB 50",
    )
    assert _reachable(at, "pages/bearbeiten.py") and not _reachable(at, "pages/protokoll.py")


def test_single_sign_on_without_matching_rule_gives_no_access(app_env: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": "gast@example.org", "groups": []}
    at.run()
    assert at.session_state["actor"] == ANONYMOUS
    at.switch_page("pages/anmeldung.py")
    at.run()
    assert any("nicht freigeschaltet" in w.value for w in at.warning)


def test_login_page_offers_single_sign_on_only_when_configured(app_env: Engine) -> None:
    label = "Mit dem städtischen Konto anmelden (Single Sign-on)"
    plain = _app(ANONYMOUS, "pages/anmeldung.py")
    assert label not in [b.label for b in plain.button]
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": False}
    at.run()
    at.switch_page("pages/anmeldung.py")
    at.run()
    assert_clean(at)
    assert label in [b.label for b in at.button]


@pytest.mark.parametrize("key", list(ENTITIES))
def test_editing_page_renders_every_record_family(app_env: Engine, key: str) -> None:
    new = _app(ROLE_ACTORS["admin"], "pages/bearbeiten.py", {"art": key})
    assert_clean(new)
    assert new.selectbox[1].value == 0  # "Neuer Eintrag"
    labels = {w.label for w in [*new.text_input, *new.text_area, *new.selectbox, *new.date_input]}
    assert f"{ENTITIES[key].field('source').label} *" in labels
    first = int(editing.records(app_env, ROLE_ACTORS["admin"], ENTITIES[key])["id"].iloc[0])
    existing = _app(ROLE_ACTORS["admin"], "pages/bearbeiten.py", {"art": key, "nr": str(first)})
    assert_clean(existing)
    assert _field(existing, "Quelle").value == editing.load(app_env, ENTITIES[key], first)[0]["source"]


def test_new_record_through_the_form(app_env: Engine) -> None:
    at = _app(ROLE_ACTORS["planung"], "pages/bearbeiten.py", {"art": "recommendation"})
    _field(at, "Titel").input("Quartierstreff stärken")
    _field(at, "Quelle").input("Runder Tisch 2025")
    next(s for s in at.selectbox if s.label == "Lebenslage *").set_value("wohnen")
    next(s for s in at.selectbox if s.label == "Status *").set_value("offen")
    _save(at)
    assert_clean(at)
    assert at.success[0].value == "Handlungsempfehlung angelegt."
    assert at.selectbox[1].value != 0 and _field(at, "Titel").value == "Quartierstreff stärken"
