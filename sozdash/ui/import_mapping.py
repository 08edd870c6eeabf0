"""The Datenimport page's mapping step: how a table with values in columns is read, prefilled with
the reader's guess (column names, area column, rows not read, value columns with indicator and
year, levels of the rows), the reader's doubts, and the import templates."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from sozdash.core import fmt
from sozdash.importing.layout import column_label, describe, row_list
from sozdash.importing.layout_options import MAPPING_COLUMNS, MappingStep, mapping_table, row_levels_text
from sozdash.importing.pipeline import Preview
from sozdash.ui import import_flow

VALUES_KEY = "import-layout-values"
"""Key prefix of the value columns' editor (the rest of the key changes with the layout)."""


def template_choice(engine: Engine) -> str:
    """The stored template the user picks ('' = the one that fits the file, if any); no select box
    while there is none. Another pick drops the mapping step's choices of the file."""
    names = import_flow.template_names(engine)
    if not names:
        return ""
    chosen: str = st.selectbox(
        "Vorlage für den Aufbau (Tabellen mit Werten in Spalten)", ["", *names], key="import-template",
        format_func=lambda n: n or "automatisch: die zur Datei passende Vorlage", on_change=import_flow.forget_layout,
    )  # fmt: skip
    return chosen


def mapping_step(state: dict[str, Any], preview: Preview, level_names: dict[str, str]) -> None:
    """The layout the reader found, its notes and the form that changes it (re-reads the file)."""
    layout = preview.table_layout
    if layout is None:
        return
    st.subheader("Aufbau der Tabelle")
    if preview.template:
        st.info(fmt.plain(f"Vorlage „{preview.template}“ passt zu dieser Datei und wird verwendet."),
                icon=":material/bookmark:")  # fmt: skip
    for line in describe(layout):
        st.text(line)
    for note in preview.notes:
        st.text(note)
    suffix = hashlib.sha256((state["key"] + layout.model_dump_json()).encode()).hexdigest()[:12]
    levels = ", ".join(f"{key} ({name})" for key, name in level_names.items())
    with st.form(f"import-layout-{suffix}"):
        left, right = st.columns(2)
        header_row = left.number_input("Zeile der Spaltennamen (0 = die Datei hat keine)", min_value=0, step=1,
                                       value=layout.header_row)  # fmt: skip
        columns = list(range(1, len(layout.headers) + 1))
        area_column = right.selectbox("Gebietsspalte", columns, index=layout.area_column - 1,
                                      format_func=lambda c: column_label(c, layout.headers[c - 1]))  # fmt: skip
        skip_rows = left.text_input(
            "Zeilen, die nicht gelesen werden (z. B. 1-3, 120)", value=row_list(layout.skipped_rows),
            help="Fußnoten, Leerzeilen und wiederholte Spaltennamen liest der Import ohnehin nicht.",
        )  # fmt: skip
        row_levels = right.text_input(
            "Ebenen der Zeilen (ZEILEN=EBENE, leer = erkennen)", value=row_levels_text(layout.levels),
            help=fmt.plain(f"Ebene: 1 = feinste der Datei, 2 = nächstgröbere … oder eine Gebietsebene: {levels}."),
        )  # fmt: skip
        st.caption("Wertespalten: Indikator (Name oder Schlüssel) und Jahr ändern, Spalten ab- oder zuwählen. "
                   "Leeres Feld = wie erkannt.")  # fmt: skip
        edited = st.data_editor(
            mapping_table(layout), key=f"{VALUES_KEY}-{suffix}", hide_index=True,
            disabled=[c for c in MAPPING_COLUMNS if c not in ("Indikator", "Jahr", "Übernehmen")],
            column_config={
                "Jahr": st.column_config.NumberColumn(min_value=1900, max_value=2200, step=1, format="%d"),
                "Übernehmen": st.column_config.CheckboxColumn(),
            },
        )  # fmt: skip
        if st.form_submit_button("Aufbau übernehmen und neu lesen"):
            step = MappingStep(header_row=int(header_row), area_column=int(area_column), skip_rows=skip_rows,
                               row_levels=row_levels, values=pd.DataFrame(edited))  # fmt: skip
            problem = import_flow.apply_mapping(state, layout, step)
            if not problem:
                st.rerun()
            st.error(fmt.plain(problem), icon=":material/error:")
