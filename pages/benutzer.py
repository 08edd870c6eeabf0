"""Benutzer: accounts, roles, units, passwords, lockouts and deactivation (role Admin)."""

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from sozdash.access import auth
from sozdash.core import fmt
from sozdash.core.permissions import PermissionDenied
from sozdash.core.vocab import ROLES
from sozdash.editing import admin_tables
from sozdash.ui import login, startup, url_state

engine = startup.engine()
st.title("Benutzer")
actor = login.require_page_role(__file__)
if message := st.session_state.pop("users-flash", None):
    st.success(message, icon=":material/check_circle:")
done = st.session_state.setdefault("users-done", 0)  # part of the form keys: new forms after a change


Slots = dict[str | None, DeltaGenerator]


def attempt(
    action: Callable[[], None], message: str, slots: Slots, passwords: tuple[str, str] = ("", "")
) -> None:
    """Run ``action``; on success reload with ``message``, else show the German message at its field
    (as literal text: it may quote what the user typed)."""
    try:
        if passwords[0] != passwords[1]:
            raise auth.AccountError("Die beiden Passwort-Eingaben stimmen nicht überein.", field="repeat")
        action()
    except (auth.AccountError, PermissionDenied) as exc:
        slots.get(getattr(exc, "field", None), slots[None]).error(fmt.plain(exc), icon=":material/error:")
    else:
        st.session_state["users-flash"], st.session_state["users-done"] = message, done + 1
        st.rerun()


def password_pair(key: str) -> tuple[str, str, Slots]:
    """Two password inputs with message slots (``password``, ``repeat``)."""
    first = st.text_input("Passwort *", type="password", key=f"{key}-pw", autocomplete="new-password",
                          help=f"mindestens {auth.MIN_PASSWORD_LENGTH} Zeichen")  # fmt: skip
    slots: Slots = {"password": st.empty()}
    second = st.text_input(
        "Passwort wiederholen *", type="password", key=f"{key}-pw2", autocomplete="new-password"
    )
    slots["repeat"] = st.empty()
    return first, second, slots


overview, raw, orgs = (
    auth.user_overview(engine),
    auth.list_users(engine).set_index("username"),
    auth.org_choices(engine),
)
st.caption(
    "Konten mit Rolle und Organisationseinheit. Passwörter werden nur in unlesbarer Form gespeichert und nie angezeigt."
)
st.dataframe(admin_tables.user_table(overview), hide_index=True)
org_options = ["", *orgs]

with st.expander("Neuen Benutzer anlegen", icon=":material/person_add:"), st.form(f"new-{done}"):
    username = st.text_input("Benutzername *", key=f"new-{done}-user")
    slots: Slots = {"username": st.empty()}
    display_name = st.text_input("Anzeigename", help="leer = Benutzername")
    email = st.text_input("E-Mail")
    slots["email"] = st.empty()
    role = st.selectbox("Rolle *", list(ROLES), index=1, format_func=ROLES.get, key=f"new-{done}-role")
    slots["role"] = st.empty()
    org = st.selectbox("Organisationseinheit", org_options, format_func=lambda k: orgs.get(k, "– keine –"),
                       key=f"new-{done}-org")  # fmt: skip
    slots["org"] = st.empty()
    first, second, more = password_pair(f"new-{done}")
    slots |= more | {None: st.empty()}
    if st.form_submit_button("Benutzer anlegen", icon=":material/person_add:", type="primary"):
        attempt(lambda: auth.create_user(
            engine, actor, username, first, role, display_name=display_name.strip() or None,
            email=email.strip() or None, org_key=org or None,
        ), f"Benutzer „{fmt.plain(username.strip())}“ angelegt.", slots, (first, second))  # fmt: skip

if raw.empty:
    st.stop()
st.subheader("Konto bearbeiten")
names = admin_tables.user_names(engine)
chosen = url_state.url_select(
    "Konto", list(raw.index), "konto", format_func=lambda u: u if names.get(u, u) == u else f"{names[u]} ({u})"
)
user, key, who = raw.loc[chosen], f"{chosen}-{done}", fmt.plain(chosen)
if not user["local_password"]:
    st.caption("Anmeldung per Single Sign-on: Rolle und Einheit werden bei jeder Anmeldung neu zugeordnet.")
role_tab, password_tab, lock_tab, active_tab = st.tabs(["Rolle und Einheit", "Passwort", "Sperre", "Aktiv"])
with role_tab, st.form(f"role-{key}"):
    new_role = st.selectbox("Rolle", list(ROLES), index=list(ROLES).index(user["role"]),
                            format_func=ROLES.get, key=f"{key}-role")  # fmt: skip
    slots = {"role": st.empty()}
    current_org = org_options.index(fmt.text(user["org"], ""))
    new_org = st.selectbox("Organisationseinheit", org_options, index=current_org,
                           format_func=lambda k: orgs.get(k, "– keine –"), key=f"{key}-org")  # fmt: skip
    slots |= {"org": st.empty(), None: st.empty()}
    if st.form_submit_button("Rolle speichern", icon=":material/save:"):
        attempt(lambda: auth.set_role(engine, actor, chosen, new_role, new_org or None),
                f"Rolle von „{who}“ ist jetzt „{ROLES[new_role]}“.", slots)  # fmt: skip
with password_tab:
    if not user["local_password"]:
        st.info("Dieses Konto hat kein Passwort (Anmeldung per Single Sign-on).")
    else:
        with st.form(f"password-{key}"):
            first, second, slots = password_pair(f"password-{key}")
            slots[None] = st.empty()
            if st.form_submit_button("Passwort neu setzen", icon=":material/password:"):
                attempt(lambda: auth.reset_password(engine, actor, chosen, first),
                        f"Passwort von „{who}“ neu gesetzt; eine Sperre ist aufgehoben.", slots,
                        (first, second))  # fmt: skip
with lock_tab, st.form(f"lock-{key}"):
    locked = overview.set_index("Benutzername").loc[chosen, "Gesperrt bis"]
    st.text(f"Gesperrt bis {locked}." if locked else "Nicht gesperrt.")
    slots = {None: st.empty()}
    if st.form_submit_button(
        "Sperre aufheben", icon=":material/lock_open:", help="setzt auch die Fehlversuche zurück"
    ):
        attempt(lambda: auth.unlock_user(engine, actor, chosen), f"Sperre von „{who}“ aufgehoben.", slots)
with active_tab, st.form(f"active-{key}"):
    active = bool(user["is_active"])
    st.text("Das Konto ist aktiv." if active else "Das Konto ist deaktiviert: keine Anmeldung möglich.")
    slots = {None: st.empty()}
    if st.form_submit_button(
        "Konto deaktivieren" if active else "Konto reaktivieren", icon=":material/person_off:"
    ):
        attempt(lambda: auth.set_active(engine, actor, chosen, not active),
                f"Konto „{who}“ {'deaktiviert' if active else 'reaktiviert'}.", slots)  # fmt: skip
