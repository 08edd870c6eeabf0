"""Überblick: headline figures and the way into each section."""

import datetime as dt

import streamlit as st

from sozdash import fmt, queries, ui
from sozdash.navigation import PAGES

engine = ui.engine()
st.title("Sozialdashboard Leverkusen")
st.markdown(
    "Daten der Sozialplanung für den Sozialbericht, Projekte und Förderung, die Wirkungspakete der "
    "Altenhilfe und den Prozess aus Fachkonferenzen und Rundem Tisch – für Rat, Ausschuss und Verwaltung."
)
figures = queries.headline_figures(engine, dt.date.today())
cols = st.columns(4)
cols[0].metric(
    f"Einwohnerinnen und Einwohner ({figures['population_year']})", fmt.number(figures["population"]),
    help=f"Amtliche Einwohnerzahl. Quelle: {figures['population_source']}",
)  # fmt: skip
cols[1].metric("Laufende Projekte (heute)", fmt.number(figures["running_projects"]))
cols[2].metric("Wirkungspakete (aktuelle Periode)", fmt.number(figures["packages"]))
cols[3].metric("Neuestes Datenjahr der Indikatoren", str(figures["newest_year"] or fmt.MISSING))
ui.demo_notice(figures["newest_is_demo"])

st.subheader("Bereiche")
for section in dict.fromkeys(p.section for p in PAGES if p.section != "Überblick"):
    with st.container(border=True):
        st.markdown(f"**{section}**")
        for page in (p for p in PAGES if p.section == section and p.min_role == "oeffentlich"):
            st.page_link(page.file, label=page.title, icon=page.icon)
