"""The Datenimport page's flow without widgets: per-file session state, preview, commit and undo with German messages."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError
from sqlalchemy import Engine

from sozdash.core.permissions import Actor, PermissionDenied
from sozdash.importing.boundaries import (
    BoundaryPreview,
    commit_boundaries,
    is_boundary_file,
    prepare_boundaries,
)
from sozdash.importing.commit import commit_import
from sozdash.importing.pipeline import Preview
from sozdash.importing.pipeline import prepare as prepare_table
from sozdash.importing.problems import ImportProblem
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions

FILE_TYPES = ["csv", "txt", "xlsx", "geojson", "json", "zip", "gpkg"]


def state(data: bytes, file_name: str) -> dict[str, Any]:
    """Per-file session state (the mapping the user completed), reset for a new file."""
    key = hashlib.sha256(data).hexdigest() + file_name
    current = st.session_state.get("import-state")
    if not current or current["key"] != key:
        current = {"key": key, "data": data, "file_name": file_name, "mapping": {}}
        st.session_state["import-state"] = current
    return current


def mapping_from_editor(edited: pd.DataFrame) -> dict[str, str]:
    """Raw name → area code from the completed mapping table (rows without a code are left out)."""
    codes = edited["Gebietscode"].fillna("").astype(str)
    return {str(n): c for n, c in zip(edited["Name in der Datei"], codes, strict=True) if c}


def preview(
    engine: Engine, state: dict[str, Any], *, source: str, level: str | None, indicator: str, period: str,
    crs: str | None, skip: bool, mapping: dict[str, str], progress: Any,
) -> Preview | BoundaryPreview | str:  # fmt: skip
    """The preview of the uploaded file, or a German message why there is none."""

    def report(fraction: float, text: str) -> None:
        progress.progress(min(1.0, fraction), text=text)

    try:
        options = ImportOptions(source=source, level=level, indicator=indicator, period=period,
                                skip_rejected=skip, area_mapping=mapping)  # fmt: skip
        if is_boundary_file(state["file_name"]):
            return prepare_boundaries(engine, state["data"], state["file_name"], options, crs, report)
        return prepare_table(engine, state["data"], state["file_name"], options, report)
    except ValidationError as exc:
        return "Ungültige Angabe: " + "; ".join(e["msg"] for e in exc.errors())
    except ImportProblem as exc:
        return str(exc)


def commit(engine: Engine, actor: Actor, preview: Preview | BoundaryPreview, progress: Any) -> str:
    """Store the preview; a German result message."""
    try:
        if isinstance(preview, BoundaryPreview):
            batch = commit_boundaries(engine, actor, preview)
        else:
            batch = commit_import(engine, actor, preview, lambda f, t: progress.progress(min(1.0, f), text=t))
    except (ImportProblem, PermissionDenied) as exc:
        return str(exc)
    if batch is None:
        return "Keine Änderungen – die Daten sind bereits so gespeichert."
    return f"Gespeichert als Import {batch}. Alle Ansichten zeigen die neuen Daten."


def undo(engine: Engine, actor: Actor, batch_id: int) -> str:
    """Undo a batch; a German result message."""
    try:
        counts = undo_batch(engine, actor, batch_id)
    except (ImportProblem, PermissionDenied) as exc:
        return str(exc)
    return f"Import {batch_id} rückgängig gemacht: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "."
