"""The Streamlit script: page configuration, the session's actor, navigation by role, the page run.

Served by ``serve.py`` (``streamlit run serve.py``), which adds the session-cookie routes."""

import streamlit as st

from sozdash.core.paths import ROOT
from sozdash.store import queries
from sozdash.store.db import script_run
from sozdash.ui import login, startup, theme

FAVICON = ROOT / "sozdash" / "assets" / "favicon.png"

startup.enter_app()
engine = startup.engine()
with script_run(engine):  # the data version is read once for this run
    city = queries.city(engine).name
    st.set_page_config(page_title=f"Sozialdashboard {city}", page_icon=str(FAVICON), layout="wide")
    theme.apply()  # German page language and accessible names
    actor = login.session_actor(engine)  # from the login only, never from URL parameters
    navigation = st.navigation(login.navigation_pages(actor, engine), expanded=True)
    startup.run_page(navigation.run, engine, url_path=navigation.url_path)
