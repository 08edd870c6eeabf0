"""Download buttons: a table as CSV and Excel, and built files (PDF, PowerPoint, Excel) with a progress bar."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from sozdash.core.fmt import plain
from sozdash.exports.render import RenderError
from sozdash.exports.tables import to_csv_bytes, to_xlsx_bytes

MIME_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download_buttons(frame: pd.DataFrame, basename: str, key: str) -> None:
    """CSV and XLSX downloads of ``frame`` (formula-safe), built only when clicked."""
    left, right = st.columns(2)
    left.download_button(
        "CSV herunterladen", lambda: to_csv_bytes(frame), f"{basename}.csv", "text/csv", key=f"{key}-csv",
        icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        "Excel herunterladen", lambda: to_xlsx_bytes(frame), f"{basename}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}-xlsx",
        icon=":material/download:",
    )  # fmt: skip


def file_export(
    label: str, build: Callable[[Callable[[float, str], None]], dict[str, bytes]], key: str
) -> None:
    """A button that builds files (name → bytes) with a progress bar, then offers each for download.
    ``key`` should name what is exported (e.g. session and Stichtag), so a changed choice starts afresh."""
    if st.button(label, key=key, icon=":material/description:"):
        bar = st.progress(0.0, "Wird erstellt …")

        def progress(share: float, text: str) -> None:
            bar.progress(share, text)

        try:
            st.session_state[f"{key}-files"] = build(progress)
        except RenderError as exc:
            st.error(plain(exc), icon=":material/error:")
    files = st.session_state.get(f"{key}-files") or {}
    for column, (name, data) in zip(st.columns(max(len(files), 1)), files.items(), strict=False):
        column.download_button(f"{plain(name)} herunterladen", data, name, MIME_TYPES[name.rsplit(".", 1)[-1]],
                               key=f"{key}-{name}", icon=":material/download:")  # fmt: skip
