"""Streamlit's file upload box in German: its English button, drop hint, limit line and file size
are hidden by a small CSS scoped to the one widget, and German text is shown instead."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from sozdash.core import fmt
from sozdash.importing.problems import MAX_FILE_BYTES

BUTTON = "Datei auswählen"
DROP = "Datei hier ablegen"
TYPE_NAMES = {
    "csv": "CSV", "txt": "TXT", "xlsx": "Excel (XLSX)", "geojson": "GeoJSON", "json": "JSON",
    "zip": "Shapefile als ZIP", "gpkg": "GeoPackage",
}  # fmt: skip


def limit_text(types: list[str]) -> str:
    """``Höchstens 50 MB je Datei: CSV, …`` – the real limit (``MAX_FILE_BYTES``) and the file types."""
    names = ", ".join(TYPE_NAMES.get(t, t.upper()) for t in types)
    return f"Höchstens {fmt.file_size(MAX_FILE_BYTES)} je Datei: {names}"


def _css(key: str, limit: str) -> str:
    """CSS for the upload box with ``key``: German texts as generated content (the German accessible
    names of button and file input are set by ``ui.theme``)."""
    box = f'.st-key-{key} [data-testid="stFileUploaderDropzone"]'
    quoted = limit.replace("\\", "\\\\").replace('"', '\\"')
    return f"""<style>
{box} button [data-testid="stMarkdownContainer"] p {{ display: none; }}
{box} button [data-testid="stMarkdownContainer"]::after {{ content: "{BUTTON}"; }}
{box} [data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
{box} [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: "{quoted}"; }}
{box} > div:not([data-testid]) > span {{ font-size: 0; }}
{box} > div:not([data-testid]) > span::after {{ content: "{DROP}"; font-size: 1rem; }}
{box} [data-testid="stFileChipName"] + div {{ display: none; }}
</style>"""


def file_uploader(label: str, types: list[str], key: str) -> UploadedFile | None:
    """A single-file upload box with German texts, and below it the chosen file with its German size."""
    st.html(_css(key, limit_text(types)))
    upload = st.file_uploader(label, type=types, key=key)
    if upload is not None:
        st.caption(fmt.plain(f"Gewählt: {upload.name} ({fmt.file_size(upload.size)})"))
    return upload
