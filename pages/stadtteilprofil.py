"""Stadtteilprofil: all indicators of one Stadtteil or Bezirk against the city, with notes and projects."""

from collections.abc import Callable

import streamlit as st

from sozdash.access.visibility import sees_internal
from sozdash.core import fmt
from sozdash.core.vocab import LEBENSLAGEN
from sozdash.indicators import profile
from sozdash.store import queries
from sozdash.ui import downloads, figures, login, notes, notices, startup, url_state

engine = startup.engine()
st.title("Stadtteilprofil")

names = profile.area_choices(engine)
if not names:
    notices.missing(notices.NO_AREAS)
left, right = st.columns([3, 1])
with left:
    area = url_state.url_select("Gebiet", list(names), "gebiet", format_func=names.get)
years = profile.area_years(engine, area)
if not years:
    st.info("Für dieses Gebiet liegen noch keine Indikatorwerte vor.")
    st.stop()
with right:
    year = url_state.url_select("Jahr", years, "jahr", default=years[0])
links_title, links_note, links = profile.linked_areas(engine, area)
with st.expander(links_title):
    if links_note:
        st.caption(fmt.plain(links_note))
    for code, label in links.items():
        st.page_link("pages/stadtteilprofil.py", label=fmt.plain(label), query_params={"gebiet": code})

areas = queries.areas(engine).set_index("code")
name = areas.loc[area, "name"]
public_only = not sees_internal(login.current_actor())
panels = profile.profile_panels(engine, area, year, public_only)
if panels is None:
    st.info(f"Für {fmt.plain(name)} liegen im Jahr {year} keine Indikatorwerte vor.")
    st.stop()
notices.demo_notice(panels.is_demo)


def _profile_pdf(progress: Callable[[float, str], None]) -> dict[str, bytes]:
    from sozdash.exports import pdf as pdf_export  # fpdf2 is loaded only when a report is built

    report = pdf_export.profile_pdf(engine, area, year, login.current_actor(), progress=progress)
    return {f"stadtteilprofil-{area}-{year}.pdf": report}


downloads.file_export("Profil als PDF-Bericht", _profile_pdf, key=f"profil-pdf-{area}-{year}")
st.subheader(f"{fmt.plain(name)} – Auf einen Blick ({year})")
for sentence in panels.highlights:
    st.markdown(f"- {fmt.plain(sentence)}")
notices.how_computed(profile.METHOD_NOTE, panels.method, key="profil-methode")

st.subheader("Alle Indikatoren im Überblick")
figures.chart(
    panels.spine_figure, panels.spine_summary, panels.spine_table, key="spine", basename=f"profil-{area}-{year}"
)
for key, table, sentences in panels.lebenslagen:
    st.subheader(LEBENSLAGEN[key])
    st.dataframe(table, hide_index=True, key=f"tab-{key}", column_config=notices.glossary_columns(table))
    with st.expander("Sätze zu allen Indikatoren"):
        for sentence in sentences:
            st.markdown(f"- {fmt.plain(sentence)}")

notes.annotations_block("area", int(areas.loc[area, "id"]))

st.subheader("Projekte und Wirkungspakete im Gebiet")
activities = profile.area_activities(engine, area, year, public_only)
if activities.empty:
    st.caption("Für dieses Gebiet sind keine Projekte oder Wirkungspakete erfasst.")
else:
    st.dataframe(activities, hide_index=True, key="activities")
