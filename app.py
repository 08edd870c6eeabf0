"""Entry point: page configuration, navigation by role, and the page run."""

import streamlit as st

from sozdash.core.navigation import pages_for
from sozdash.core.paths import ROOT
from sozdash.store import queries
from sozdash.store.db import script_run
from sozdash.ui import login, startup

FAVICON = ROOT / "sozdash" / "assets" / "favicon.png"

startup.enter_app()
engine = startup.engine()
with script_run(engine):  # the data version is read once for this run
    city = queries.city(engine).name
    st.set_page_config(page_title=f"Sozialdashboard {city}", page_icon=str(FAVICON), layout="wide")
    actor = login.session_actor(engine)  # from the login only, never from URL parameters
    navigation = st.navigation(
        {
            section: [
                st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default)
                for p in specs
            ]
            for section, specs in pages_for(actor.role).items()
        },
        expanded=True,
    )
    startup.run_page(navigation.run, engine, url_path=navigation.url_path)
