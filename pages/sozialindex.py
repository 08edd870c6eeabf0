"""Sozialindex: maps of status and dynamics classes first, then the 4 × 3 matrix and the Lebenslagen
in words and ranks; the exact figures under „Wie berechnet?“."""

import streamlit as st

from sozdash.core.fmt import plain
from sozdash.indicators import explorer
from sozdash.social_index import views
from sozdash.ui import downloads, index_forms, notices, startup

engine = startup.engine()
st.title("Sozialindex")
choice = index_forms.index_choice(engine)
if choice is None:
    st.stop()
result, name = choice.result, choice.name
panels = views.index_panels(engine, choice.source)
st.info(views.LOCAL_KNOWLEDGE_SHORT, icon=":material/info:")
notices.data_notices(bool(result.is_demo), bool(panels.maps) and explorer.is_schematic(engine, result.config.level))
st.markdown(f"**Kurz gesagt:** {plain(panels.summary)}")

titles = {"status": "Status", "dynamics": f"Dynamik {result.base_year}–{result.year}"}
columns = st.columns(2) if panels.maps else []
for column, (kind, (deck, key_table)) in zip(columns, panels.maps.items(), strict=True):
    with column:
        st.markdown(f"**{titles[kind]}**")
        st.pydeck_chart(deck, height=views.INDEX_FRAME_PX[1], key=f"index-map-{kind}")
        st.dataframe(views.legend(result, kind), hide_index=True, key=f"index-legend-{kind}")
        st.caption(views.ATTENTION_LEGEND)
        if not key_table.empty:
            st.dataframe(key_table, hide_index=True, key=f"index-key-{kind}")

st.subheader("Matrix Status × Dynamik")
st.caption(
    "Zeilen: Statusklasse im Bezugsjahr; Spalten: Entwicklung im Vergleich zu den anderen Gebieten. "
    "Besonderer Aufmerksamkeitsbedarf: Status sehr niedrig oder Status niedrig mit negativer Dynamik."
)
st.dataframe(panels.matrix, hide_index=True, key="index-matrix")

st.subheader("Lebenslagen je Gebiet")
st.caption(
    "Lage jedes Gebiets im Vergleich zum Durchschnitt der bewerteten Gebiete; Rang 1 ist die günstigste Lage."
)
shown, exact, export = panels.overview
st.dataframe(shown, hide_index=True, key="index-table", column_config=notices.glossary_columns(shown))
downloads.download_buttons(export, f"sozialindex-{result.year}", key="index-download")
notices.how_computed(f"{views.LOCAL_KNOWLEDGE_NOTE}\n\n{views.cut_offs(result.config)}", exact, key="index-figures")
st.page_link("pages/methode.py", label="Die Methode Schritt für Schritt", icon=":material/functions:")
index_forms.index_planner(engine, result, name)
