"""Datenimport: upload → options → mapping → preview → commit; list of imports with undo."""

import pandas as pd
import streamlit as st

from sozdash.core import fmt
from sozdash.editing import admin_tables
from sozdash.importing.areas import AreaTablePreview
from sozdash.importing.boundaries import BoundaryPreview
from sozdash.importing.new_indicators import NOTE
from sozdash.importing.pipeline import Preview
from sozdash.importing.undo import batch_list
from sozdash.store import queries
from sozdash.ui import import_flow, import_mapping, login, startup, uploader

engine = startup.engine()
st.title("Datenimport")
actor = login.require_page_role(__file__)
st.markdown("Tabellen (CSV, XLSX, GENESIS-ffcsv) und Grenzen (GeoJSON, Shapefile als ZIP, GeoPackage) "
            "einlesen, prüfen, in der Vorschau ansehen und erst dann speichern.")  # fmt: skip

upload = uploader.file_uploader("Datei", import_flow.FILE_TYPES, "import-file")
left, right = st.columns(2)
city = queries.city(engine).name
source = left.text_input("Quelle / Lieferant", value=f"Statistikstelle Stadt {city}", key="import-source")
level_names = queries.area_levels(engine)
level = right.selectbox(
    "Gebietsebene der Datei",
    [None, *level_names, import_flow.NEW_LEVEL],
    format_func=lambda v: "automatisch" if v is None else level_names.get(v, "neue Ebene anlegen …"),
)
new_level = ""
if level == import_flow.NEW_LEVEL:
    new_level = right.text_input("Name der neuen Gebietsebene (die Geodatei legt ihre Gebiete darin an)",
                                 placeholder="z. B. Bezirk", key="import-level-name")  # fmt: skip
indicators = queries.indicators(engine)
indicator_names = dict(zip(indicators["key"], indicators["name"], strict=True))
indicator = left.selectbox("Indikator (bei einer Spalte je Jahr)", ["", *indicator_names],
                           format_func=lambda k: indicator_names.get(k) or "–")  # fmt: skip
period = right.text_input("Jahr (bei einer Spalte je Indikator)", key="import-period")
crs = right.text_input("Koordinatensystem, falls die Geodatei keines nennt", placeholder="EPSG:25832")
skip = left.checkbox("Abgelehnte Zeilen auslassen und den Rest speichern")
create_indicators = left.checkbox(
    "Unbekannte Indikatoren anlegen", key="import-create-indicators",
    help="Legt die Indikatoren der Datei, die der Katalog nicht kennt, mit dem Import an: Einheit, Summenbildung "
    "und Nachkommastellen aus den Daten, Lebenslage nach Stichwort, Polarität neutral – bitte danach prüfen.",
)  # fmt: skip
as_areas = left.checkbox("Gebietstabelle: die Datei legt Gebiete an (Code, Name, übergeordneter Code je Zeile "
                         "oder Schlüsseltabelle mit Spalten je Ebene)", key="import-areas")  # fmt: skip
with st.expander("Spalten für Code, Name und übergeordnetes Gebiet (nur falls nicht erkannt)"):
    c1, c2, c3 = st.columns(3)
    code_column = c1.text_input("Code", key="import-code-column")
    name_column = c2.text_input("Name", key="import-name-column")
    parent_column = c3.text_input("Übergeordneter Code", key="import-parent-column")
template = import_mapping.template_choice(engine)

if upload is None:
    st.info("Bitte eine Datei auswählen.", icon=":material/upload_file:")
else:
    state = import_flow.state(upload.getvalue(), upload.name)
    areas = queries.areas(engine)
    mapping = state.get("mapping", {})
    confirm_key = import_flow.confirm_key(state)
    preview = import_flow.preview(engine, state, source=source, level=level, indicator=indicator, period=period,
                           crs=crs or None, skip=skip, mapping=mapping, progress=st.progress(0.0),
                           confirm=bool(st.session_state.get(confirm_key, False)),
                           confirm_outside=bool(st.session_state.get(import_flow.outside_key(state), False)),
                           areas=import_flow.AreaInputs(table=as_areas, new_level_name=new_level,
                                                        level_names=tuple(state.get("level_names", ())),
                                                        code_column=code_column, name_column=name_column,
                                                        parent_column=parent_column,
                                                        combine=st.session_state.get("import-combine", "ask")),
                           layout=state.get("layout"), template=template,
                           create_indicators=create_indicators)  # fmt: skip
    if isinstance(preview, str):
        st.error(fmt.plain(preview), icon=":material/error:")
        if state.get("layout") and st.button(
            "Eigene Angaben zum Aufbau verwerfen", key="import-layout-reset"
        ):
            import_flow.forget_layout()
            st.rerun()
    else:
        if isinstance(preview, Preview):
            import_mapping.mapping_step(state, preview, level_names)
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
        if isinstance(preview, Preview) and not preview.classified.empty:
            with st.expander("Werte je Indikator und Jahr"):
                st.dataframe(import_flow.written_values(preview, dict(zip(indicators["key"], indicators["name"], strict=True))),
                             hide_index=True, key="import-written")  # fmt: skip
        if isinstance(preview, BoundaryPreview):
            st.caption(fmt.plain(
                "Verwendete Eigenschaften: " + ", ".join(f"{r} = {c}" for r, c in preview.columns.items())
                + (f". Ebene: {preview.level.name}{' (wird angelegt)' if preview.level.is_new else ''}. "
                   f"Übergeordnetes Gebiet neuer Gebiete: {preview.parent_rule}." if preview.level else ".")
            ))  # fmt: skip
            for note in preview.notes:
                st.warning(fmt.plain(note), icon=":material/info:")
            if preview.beyond:
                st.checkbox("Ich habe die Lage geprüft: Die Flächen, die über das bisherige Stadtgebiet "
                            "hinausreichen, liegen richtig.", key=import_flow.outside_key(state))  # fmt: skip
        if isinstance(preview, AreaTablePreview):
            st.subheader("Gefundene Gebietsebenen (grob → fein)")
            st.caption(fmt.plain(f"{preview.shape_label}. Bitte die Namen der Ebenen prüfen oder eintragen."))
            edited_levels = st.data_editor(preview.level_table, hide_index=True, key="import-levels",
                                           disabled=[c for c in preview.level_table.columns if c != "Name"])  # fmt: skip
            if st.button("Namen der Ebenen übernehmen", key="import-levels-apply"):
                state["level_names"] = import_flow.level_names_from_editor(pd.DataFrame(edited_levels))
                st.rerun()
            st.dataframe(admin_tables.dashes(preview.areas.drop(columns=["area_id"])), hide_index=True, key="import-new-areas")
        if isinstance(preview, Preview) and not preview.combined_table.empty:
            st.subheader("Zusammengefasste Gebiete")
            st.caption("Diese Namen passen zu keinem Gebiet, ihre Teile aber zu Gebieten einer Ebene. Ein "
                       "zusammengefasstes Gebiet erhält die Fläche seiner Teile; die Teile bleiben erhalten.")  # fmt: skip
            st.dataframe(admin_tables.dashes(preview.combined_table), hide_index=True, key="import-combined")
            st.radio("Was geschieht mit diesen Zeilen?", ["ask", "create", "leave_out"], key="import-combine",
                     format_func={"ask": "noch offen", "create": "zusammengefasste Gebiete anlegen",
                                  "leave_out": "Zeilen auslassen (im Bericht aufgeführt)"}.get)  # fmt: skip
        if not getattr(preview, "unmatched_areas", pd.DataFrame()).empty:
            st.subheader("Zuordnung der Gebietsnamen")
            st.caption(
                "Bitte je Name den Gebietscode wählen; die Zuordnung wird für diese Quelle gespeichert."
            )
            edited = st.data_editor(preview.unmatched_areas, hide_index=True, key="import-mapping", disabled=["Name in der Datei", "Weitere Angabe", "Zeilen", "Mehrdeutig"],
                                    column_config={"Gebietscode": st.column_config.SelectboxColumn(options=list(areas["code"]))})  # fmt: skip
            if st.button("Zuordnung übernehmen", key="import-apply"):
                state["mapping"] = mapping | import_flow.mapping_from_editor(pd.DataFrame(edited))
                st.rerun()
        if isinstance(preview, Preview) and not preview.renamed.empty:
            st.subheader("Namen, die auf Gebiete anderen Namens gehen")
            st.caption("Diese Namen der Datei stimmen nicht wörtlich mit dem Namen des Gebiets überein, dem ihre "
                       "Zeilen zugeordnet werden. Bitte prüfen.")  # fmt: skip
            st.dataframe(admin_tables.dashes(preview.renamed), hide_index=True, key="import-renamed")
            if preview.renamed["Bestätigung nötig"].any():
                st.checkbox("Ich bestätige: Die Namen mit „Bestätigung nötig“ gehen auf die genannten Gebiete "
                            "anderen Namens.", key=confirm_key)  # fmt: skip
        if isinstance(preview, Preview) and preview.city.summary:
            st.subheader("Stadtwerte")
            st.markdown(fmt.plain(preview.city.summary))
            if not preview.city.checks.empty:
                st.dataframe(admin_tables.dashes(preview.city.checks), hide_index=True, key="import-city-checks")
            if not preview.city.not_computed.empty:
                st.dataframe(admin_tables.dashes(preview.city.not_computed), hide_index=True, key="import-city-missing")
        if isinstance(preview, Preview) and preview.derived.specs:
            st.subheader("Neu anzulegende Indikatoren")
            st.caption(fmt.plain(f"{fmt.number(len(preview.derived.specs))} Indikatoren der Datei werden mit dem "
                                 f"Import angelegt, abgeleitet aus der Datei. {NOTE}"))  # fmt: skip
            st.dataframe(admin_tables.dashes(preview.derived.table), hide_index=True, key="import-new-indicators")
        if not getattr(preview, "unknown_indicators", pd.DataFrame()).empty:
            st.warning(fmt.plain("Unbekannte Indikatoren: " + ", ".join(preview.unknown_indicators["Name in der Datei"])
                                 + ". Bitte oben einen Indikator wählen, den Katalog ergänzen oder „Unbekannte "
                                 "Indikatoren anlegen“ ankreuzen."))  # fmt: skip
        if not preview.rejected.empty:
            st.subheader("Abgelehnte Zeilen")
            st.dataframe(admin_tables.dashes(preview.rejected), hide_index=True, key="import-rejected")
        for reason in preview.blocking:
            st.warning(fmt.plain(reason), icon=":material/warning:")
        save_as = ""
        if isinstance(preview, Preview) and preview.table_layout is not None:
            save_as = st.text_input("Als Vorlage speichern unter … (leer = keine Vorlage)", key="import-save-template",
                                    help="Speichert den bestätigten Aufbau mit dem Import; die nächste Datei "
                                    "derselben Form wird dann ebenso gelesen.")  # fmt: skip
        if st.button(
            "Import speichern", type="primary", disabled=bool(preview.blocking), key="import-commit"
        ):
            st.success(fmt.plain(import_flow.commit(engine, actor, preview, st.progress(0.0), save_as=save_as)),
                       icon=":material/check:")  # fmt: skip

st.subheader("Bisherige Importe")
batches = admin_tables.import_list(engine, batch_list(engine))
st.dataframe(
    batches, hide_index=True, key="import-batches",
    column_config={"Zeitpunkt": st.column_config.DatetimeColumn(format="DD.MM.YYYY, HH:mm"),
                   "Import": st.column_config.NumberColumn("Nr.", format="%d")},
)  # fmt: skip
open_batches = batches[batches["Status"] == "gespeichert"]
if not open_batches.empty:
    names = {int(b.Import): f"Nr. {b.Import}: {b.Datei} vom {fmt.date(b.Zeitpunkt.date())}" for b in open_batches.itertuples()}
    chosen = st.selectbox("Import rückgängig machen", list(names), format_func=names.get, key="import-undo-choice")
    if st.button("Rückgängig machen", key="import-undo"):
        st.info(fmt.plain(import_flow.undo(engine, actor, int(chosen))))
