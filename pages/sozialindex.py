"""Sozialindex: maps of status and dynamics classes first, then the 4 × 3 matrix and the Lebenslagen
in words and ranks; the exact figures under „Wie berechnet?“."""

import streamlit as st

from sozdash.core import maps
from sozdash.core.fmt import plain
from sozdash.indicators import explorer
from sozdash.social_index import views
from sozdash.store import queries
from sozdash.ui import downloads, index_forms, notices, startup

engine = startup.engine()
st.title("Sozialindex")
choice = index_forms.index_choice(engine)
if choice is None:
    st.stop()
result, _label, name = choice
geometries = queries.area_geometries(engine, result.config.level)
st.info(views.LOCAL_KNOWLEDGE_SHORT, icon=":material/info:")
notices.data_notices(bool(result.is_demo), bool(geometries) and explorer.is_schematic(engine, result.config.level))
st.markdown(f"**Kurz gesagt:** {plain(views.summary(result))}")

if geometries:
    for column, kind, title in zip(
        st.columns(2),
        ("status", "dynamics"),
        ("Status", f"Dynamik {result.base_year}–{result.year}"),
        strict=True,
    ):
        with column:
            st.markdown(f"**{title}**")
            deck = views.class_deck(result, geometries, kind)
            st.pydeck_chart(deck, height=views.INDEX_FRAME_PX[1], key=f"index-map-{kind}")
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

st.subheader("Lebenslagen je Gebiet")
st.caption(
    "Lage jedes Gebiets im Vergleich zum Durchschnitt der bewerteten Gebiete; Rang 1 ist die günstigste Lage."
)
shown, exact, export = views.overview(result)
st.dataframe(shown, hide_index=True, key="index-table", column_config=notices.glossary_columns(shown))
downloads.download_buttons(export, f"sozialindex-{result.year}", key="index-download")
notices.how_computed(f"{views.LOCAL_KNOWLEDGE_NOTE}\n\n{views.cut_offs(result.config)}", exact, key="index-figures")
st.page_link("pages/methode.py", label="Die Methode Schritt für Schritt", icon=":material/functions:")
index_forms.index_planner(engine, result, name)
