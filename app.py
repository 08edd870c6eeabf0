"""Entry point: page configuration, navigation by role, and the page run."""

import streamlit as st

from sozdash import ui
from sozdash.navigation import pages_for
from sozdash.paths import ROOT

FAVICON = ROOT / "sozdash" / "assets" / "favicon.png"
st.set_page_config(page_title="Sozialdashboard Leverkusen", page_icon=str(FAVICON), layout="wide")

engine = ui.engine()
role = "rat"  # until the login issue: everyone reads, nobody edits
navigation = st.navigation(
    {
        section: [
            st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default) for p in specs
        ]
        for section, specs in pages_for(role).items()
    },
    expanded=True,
)
ui.run_page(navigation.run, engine)
