"""Überblick: headline figures and status on the Stichtag, and the way into each section."""

import streamlit as st

from sozdash.access import visibility
from sozdash.core import fmt, refdate
from sozdash.core.navigation import PAGES
from sozdash.programmes import altenhilfe, funding, projects
from sozdash.programmes import sozialbericht as process
from sozdash.store import queries
from sozdash.ui import login, notices, startup, url_state

engine = startup.engine()
as_of = url_state.stichtag()
public = not visibility.sees_internal(login.current_actor())
st.title(fmt.plain(f"Sozialdashboard {queries.city(engine).name}"))
st.markdown(
    "Daten der Sozialplanung für den Sozialbericht, Projekte und Förderung, die Wirkungspakete der "
    "Altenhilfe und den Prozess aus Fachkonferenzen und Rundem Tisch – für Rat, Ausschuss und Verwaltung."
)
figures = queries.headline_figures(engine, as_of)
cols = st.columns(2)
cols[0].metric(
    f"Einwohnerinnen und Einwohner ({figures['population_year'] or 'kein Wert zum Stichtag'})",
    fmt.number(figures["population"]), help=f"Amtliche Einwohnerzahl. Quelle: {fmt.plain(figures['population_source'] or '–')}",
)  # fmt: skip
cols[1].metric(
    f"Neuestes Datenjahr der Indikatoren zum {fmt.date(as_of)}", str(figures["newest_year"] or fmt.MISSING)
)
notices.demo_notice(figures["newest_is_demo"])

st.subheader(f"Stand zum Stichtag {fmt.date(as_of)}")
link = {refdate.PARAM: as_of.isoformat()}
portfolio = projects.portfolio(engine, as_of, public)
lights = list(altenhilfe.package_lights(engine, as_of).values())
open_count, open_demo = process.open_recommendations(engine)
cards = [
    ("Laufende Projekte", int((portfolio["status"] == "laufend").sum()), "pages/projekte.py",
     "Projekte mit Status ● laufend am Stichtag.", link | {"status": "laufend"}),
    ("Förderende in Sicht", len(funding.ending_soon(engine, as_of, public)), "pages/foerderprogramme.py",
     "⚠ Förderung endet in den 12 Monaten nach dem Stichtag.", link),
    ("Pakete nicht auf Kurs", lights.count("nicht_auf_kurs"), "pages/altenhilfe.py",
     f"Wirkungspakete ✗ nicht auf Kurs; dazu ! gefährdet: {lights.count('gefaehrdet')}."
     + (" Ampeln aus Beispieldaten." if altenhilfe.lights_demo(engine, as_of) else ""), link),
    ("Offene Empfehlungen", open_count, "pages/sozialbericht.py",
     "Handlungsempfehlungen offen oder in Umsetzung" + (f"; davon Beispieldaten: {open_demo}." if open_demo else "."),
     link),
]  # fmt: skip
for col, (label, value, page, note, params) in zip(st.columns(4), cards, strict=True):
    with col.container(border=True):
        st.metric(label, fmt.number(value), help=note)
        st.caption(note)
        st.page_link(page, label="Zur Seite", icon=":material/arrow_forward:", query_params=params)

st.subheader("Bereiche")
for section in dict.fromkeys(p.section for p in PAGES if p.section != "Überblick"):
    with st.container(border=True):
        st.markdown(f"**{section}**")
        for page in (p for p in PAGES if p.section == section and p.min_role == "oeffentlich"):
            st.page_link(page.file, label=page.title, icon=page.icon)
