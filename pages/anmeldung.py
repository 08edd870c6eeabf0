"""Anmeldung: login form, single sign-on, logout and what each role may do."""

import pandas as pd
import streamlit as st

from sozdash.access import auth
from sozdash.core import fmt
from sozdash.core.permissions import ANONYMOUS
from sozdash.core.vocab import ROLES
from sozdash.ui import login, startup

ROLE_RIGHTS = {
    "oeffentlich": "sieht veröffentlichte Indikatoren, Projekte und öffentliche Notizen (ohne Anmeldung)",
    "rat": "sieht alles; schreibt Notizen zu Gebieten, Indikatoren und Projekten",
    "fachbereich": "bearbeitet die Datensätze der eigenen Organisationseinheit",
    "planung": "bearbeitet alle Datensätze, Indexdefinitionen und Importe; sieht das Änderungsprotokoll",
    "admin": "verwaltet zusätzlich Benutzer und Rollen",
}

engine = startup.engine()
actor = login.current_actor()
st.title("Anmeldung")

if actor != ANONYMOUS:
    st.success(
        f"Angemeldet als **{fmt.plain(actor.display_name or actor.username)}** "
        f"({fmt.plain(actor.username)}) – Rolle **{ROLES[actor.role]}**.",
        icon=":material/verified_user:",
    )
    if st.button("Abmelden", icon=":material/logout:"):
        auth.logout(st.session_state)
        if st.session_state.pop("sso", False):
            st.logout()
        st.rerun()
else:
    with st.form("login"):
        username = st.text_input("Benutzername", autocomplete="username")
        password = st.text_input("Passwort", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Anmelden", icon=":material/login:", type="primary")
    if submitted:
        try:
            auth.login(st.session_state, auth.authenticate(engine, username, password))
        except auth.LoginFailed as exc:
            st.error(fmt.plain(exc), icon=":material/error:")
        else:
            st.rerun()
    if login.sso_mapping() is not None:
        st.button(
            "Mit dem städtischen Konto anmelden (Single Sign-on)", on_click=st.login, icon=":material/key:"
        )
        if st.session_state.get("sso_denied"):
            st.warning(
                "Ihr städtisches Konto ist für das Sozialdashboard nicht freigeschaltet. "
                "Bitte wenden Sie sich an die Sozialplanung.",
                icon=":material/block:",
            )
    st.caption(
        f"Nach {auth.MAX_FAILED_ATTEMPTS} Fehlversuchen ist das Konto {auth.LOCKOUT.seconds // 60} Minuten "
        f"gesperrt. Nach {auth.SESSION_TIMEOUT.seconds // 60} Minuten ohne Aktivität endet die Anmeldung."
    )

st.subheader("Rollen")
st.table(
    pd.DataFrame({"Rolle": list(ROLES.values()), "Darf": [ROLE_RIGHTS[r] for r in ROLES]}).set_index("Rolle")
)
