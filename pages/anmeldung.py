"""Anmeldung: login form, single sign-on, logout and what each role may do."""

import pandas as pd
import streamlit as st

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
        login.log_out(engine)
    st.caption("Abmelden beendet die Anmeldung in allen Tabs dieses Browsers.")
else:
    login.login_box(engine)

st.subheader("Rollen")
st.table(
    pd.DataFrame({"Rolle": list(ROLES.values()), "Darf": [ROLE_RIGHTS[r] for r in ROLES]}).set_index("Rolle")
)
