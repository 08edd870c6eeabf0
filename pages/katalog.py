"""Indikatorenkatalog: every indicator with definition, formula, source, years and coverage."""

import streamlit as st

from sozdash.access import visibility
from sozdash.core.fmt import plain
from sozdash.indicators import explorer as iv
from sozdash.ui import downloads, login, notices, startup

engine = startup.engine()
st.title("Indikatorenkatalog")
st.markdown(
    "Alle Indikatoren des Sozialberichts: oben die Übersicht, darunter Definition, Formel (Zähler / Nenner) "
    "und Quelle jedes Indikators. **Abdeckung:** Anteil der Gebiete (auf den Ebenen mit Daten) mit "
    "veröffentlichtem Wert im neuesten Jahr; geheim gehaltene Werte zählen nicht."
)
visible_rows = visibility.indicators(engine, login.current_actor())
notices.require_indicators(engine, visible_rows)
visible = set(visible_rows["key"])
catalogue = iv.catalogue(engine).query("Schlüssel in @visible")
notices.demo_notice(bool(catalogue["Beispieldaten"].eq("ja").any()))
text = st.text_input("Suchen", placeholder="z. B. Quote, Bildung, Bundesagentur", key="katalog-suche")
found = iv.search(catalogue, text)
if found.empty:
    st.info(
        f"Kein Indikator passt zu „{plain(text)}“. Bitte einen anderen Suchbegriff versuchen.",
        icon=":material/search:",
    )
else:
    st.caption(f"{len(found)} von {len(catalogue)} Indikatoren")
    st.dataframe(found, hide_index=True, key="katalog-tabelle", column_order=iv.CATALOGUE_OVERVIEW,
                 column_config=notices.glossary_columns(found))  # fmt: skip
    downloads.download_buttons(found, "indikatorenkatalog", "katalog")
    st.subheader("Definitionen, Formeln und Quellen")
    for entry in iv.catalogue_entries(found):
        st.markdown(entry)
