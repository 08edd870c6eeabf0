"""Sozialindex: maps of status and dynamics classes, the 4 × 3 matrix and the sub-indices."""

import streamlit as st

from sozdash.core import maps
from sozdash.core.fmt import plain
from sozdash.indicators import explorer
from sozdash.social_index import views
from sozdash.store import queries
from sozdash.ui import downloads, index_forms, notices, startup

engine = startup.engine()
st.title("Sozialindex")
st.info(views.LOCAL_KNOWLEDGE_NOTE, icon=":material/info:")
choice = index_forms.index_choice(engine)
if choice is None:
    st.stop()
result, _label, name = choice
notices.demo_notice(result.is_demo)
st.markdown(f"**Kurz gesagt:** {plain(views.summary(result))}")

geometries = queries.area_geometries(engine, result.config.level)
if geometries:
    notices.schematic_notice(explorer.is_schematic(engine, result.config.level))
    for column, kind, title in zip(
        st.columns(2),
        ("status", "dynamics"),
        ("Status", f"Dynamik {result.base_year}–{result.year}"),
        strict=True,
    ):
        with column:
            st.subheader(title)
            deck = views.class_deck(result, geometries, kind)
            st.pydeck_chart(deck, key=f"index-map-{kind}")
            st.dataframe(views.legend(result, kind), hide_index=True, key=f"index-legend-{kind}")
            st.caption(views.ATTENTION_LEGEND)
            key_table = maps.label_key(deck)
            if not key_table.empty:
                st.dataframe(key_table, hide_index=True, key=f"index-key-{kind}")

st.subheader("Matrix Status × Dynamik")
st.caption(
    "Zeilen: Statusklasse im Bezugsjahr; Spalten: Entwicklung im Vergleich zu den anderen Gebieten. "
    "Besonderer Aufmerksamkeitsbedarf: Status sehr niedrig oder Status niedrig mit negativer Dynamik."
)
st.dataframe(views.matrix_table(result), hide_index=True, key="index-matrix")

st.subheader("Teilindizes je Lebenslage")
st.caption(
    "Alle Werte in Standardabweichungen: positiv = günstiger, negativ = ungünstiger als der Durchschnitt."
)
shown, export = views.overview(result)
st.dataframe(shown, hide_index=True, key="index-table")
downloads.download_buttons(export, f"sozialindex-{result.year}", key="index-download")
st.page_link("pages/methode.py", label="Wie der Index berechnet wird (Methode)", icon=":material/functions:")
index_forms.index_planner(engine, result, name)
