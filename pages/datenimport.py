"""Datenimport: upload → options → mapping → preview → commit; list of imports with undo."""

import pandas as pd
import streamlit as st

from sozdash.core import fmt
from sozdash.core.vocab import AREA_LEVELS
from sozdash.importing.undo import batch_list
from sozdash.store import queries
from sozdash.ui import import_flow, login, startup

engine = startup.engine()
st.title("Datenimport")
actor = login.require_page_role(__file__)
st.markdown("Tabellen (CSV, XLSX, GENESIS-ffcsv) und Grenzen (GeoJSON, Shapefile als ZIP, GeoPackage) "
            "einlesen, prüfen, in der Vorschau ansehen und erst dann speichern.")  # fmt: skip

upload = st.file_uploader("Datei", type=import_flow.FILE_TYPES, key="import-file")
left, right = st.columns(2)
source = left.text_input("Quelle / Lieferant", value="Statistikstelle Stadt Leverkusen", key="import-source")
level = right.selectbox(
    "Gebietsebene der Datei",
    [None, *AREA_LEVELS],
    format_func=lambda v: "automatisch" if v is None else AREA_LEVELS[v],
)
indicators = queries.indicators(engine)
indicator = left.selectbox("Indikator (bei einer Spalte je Jahr)", ["", *indicators["key"]],
                           format_func=lambda k: "–" if not k else f"{indicators.set_index('key').at[k, 'name']} ({k})")  # fmt: skip
period = right.text_input("Jahr (bei einer Spalte je Indikator)", key="import-period")
crs = right.text_input("Koordinatensystem, falls die Geodatei keines nennt", placeholder="EPSG:25832")
skip = left.checkbox("Abgelehnte Zeilen auslassen und den Rest speichern")

if upload is None:
    st.info("Bitte eine Datei auswählen.", icon=":material/upload_file:")
else:
    state = import_flow.state(upload.getvalue(), upload.name)
    areas = queries.areas(engine)
    mapping = state.get("mapping", {})
    preview = import_flow.preview(engine, state, source=source, level=level, indicator=indicator, period=period,
                           crs=crs or None, skip=skip, mapping=mapping, progress=st.progress(0.0))  # fmt: skip
    if isinstance(preview, str):
        st.error(preview, icon=":material/error:")
    else:
        counts = preview.counts
        cols = st.columns(4)
        for col, (label, key) in zip(
            cols,
            [
                ("neu", "new"),
                ("geändert", "changed"),
                ("unverändert", "unchanged"),
                ("abgelehnt", "rejected"),
            ],
            strict=True,
        ):
            col.metric(label, fmt.number(counts[key]))
        if not preview.unmatched_areas.empty:
            st.subheader("Zuordnung der Gebietsnamen")
            st.caption(
                "Bitte je Name den Gebietscode wählen; die Zuordnung wird für diese Quelle gespeichert."
            )
            edited = st.data_editor(preview.unmatched_areas, hide_index=True, key="import-mapping", disabled=["Name in der Datei", "Weitere Angabe", "Zeilen", "Mehrdeutig"],
                                    column_config={"Gebietscode": st.column_config.SelectboxColumn(options=list(areas["code"]))})  # fmt: skip
            if st.button("Zuordnung übernehmen", key="import-apply"):
                state["mapping"] = mapping | import_flow.mapping_from_editor(pd.DataFrame(edited))
                st.rerun()
        if not getattr(preview, "unknown_indicators", pd.DataFrame()).empty:
            st.warning("Unbekannte Indikatoren: " + ", ".join(preview.unknown_indicators["Name in der Datei"])
                       + ". Bitte oben einen Indikator wählen oder den Katalog ergänzen.")  # fmt: skip
        if not preview.rejected.empty:
            st.subheader("Abgelehnte Zeilen")
            st.dataframe(preview.rejected, hide_index=True, key="import-rejected")
        for reason in preview.blocking:
            st.warning(reason, icon=":material/warning:")
        if st.button(
            "Import speichern", type="primary", disabled=bool(preview.blocking), key="import-commit"
        ):
            st.success(import_flow.commit(engine, actor, preview, st.progress(0.0)), icon=":material/check:")

st.subheader("Bisherige Importe")
batches = batch_list(engine)
st.dataframe(batches, hide_index=True, key="import-batches")
open_batches = batches.loc[batches["Status"] == "gespeichert", "Import"].tolist()
if open_batches:
    chosen = st.selectbox("Import rückgängig machen", open_batches, key="import-undo-choice")
    if st.button("Rückgängig machen", key="import-undo"):
        st.info(import_flow.undo(engine, actor, int(chosen)))
