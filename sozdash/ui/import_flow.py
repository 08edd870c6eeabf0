"""The Datenimport page's flow without widgets: per-file session state, preview, commit and undo with German messages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import streamlit as st
from pydantic import ValidationError
from sqlalchemy import Engine

from sozdash.core.messages import validation_message
from sozdash.core.permissions import Actor, PermissionDenied
from sozdash.importing.areas import AreaTablePreview, commit_areas, prepare_areas
from sozdash.importing.boundaries import (
    BoundaryPreview,
    commit_boundaries,
    is_boundary_file,
    prepare_boundaries,
)
from sozdash.importing.commit import commit_import
from sozdash.importing.hierarchy import level_key
from sozdash.importing.layout import LayoutChoice, TableLayout
from sozdash.importing.layout_options import MappingStep, confirmed_choice
from sozdash.importing.pipeline import Preview
from sozdash.importing.pipeline import prepare as prepare_table
from sozdash.importing.problems import ImportProblem
from sozdash.importing.templates import save_template, stored_templates, template_name
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions

FILE_TYPES = ["csv", "txt", "xlsx", "geojson", "json", "zip", "gpkg"]
NEW_LEVEL = "__neue_ebene__"
"""The level choice "create a new level" (its name is asked for)."""
AnyPreview = Preview | BoundaryPreview | AreaTablePreview


@dataclass(frozen=True)
class AreaInputs:
    """What the page's area widgets say: the file is an area table, the name of a new level, the
    names of the levels an area table creates, columns, and what to do with combined areas."""

    table: bool = False
    new_level_name: str = ""
    level_names: tuple[str, ...] = ()
    code_column: str = ""
    name_column: str = ""
    parent_column: str = ""
    combine: Literal["ask", "create", "leave_out"] = "ask"


def state(data: bytes, file_name: str) -> dict[str, Any]:
    """Per-file session state (the mapping the user completed), reset for a new file."""
    key = hashlib.sha256(data).hexdigest() + file_name
    current = st.session_state.get("import-state")
    if not current or current["key"] != key:
        current = {"key": key, "data": data, "file_name": file_name, "mapping": {}}
        st.session_state["import-state"] = current
    return current


def outside_key(state: dict[str, Any]) -> str:
    """Widget key of the confirmation that shapes reaching beyond the city lie right (new per file)."""
    return f"import-outside-{state['key']}"


def confirm_key(state: dict[str, Any]) -> str:
    """Widget key of the confirmation that names go to areas of another name: new for each file
    and each mapping, so that a confirmation never carries over to pairs not yet seen."""
    mapping = sorted(state.get("mapping", {}).items())
    return "import-confirm-" + hashlib.sha256(repr((state["key"], mapping)).encode()).hexdigest()[:16]


def mapping_from_editor(edited: pd.DataFrame) -> dict[str, str]:
    """Raw name → area code from the completed mapping table (rows without a code are left out)."""
    codes = edited["Gebietscode"].fillna("").astype(str)
    return {str(n): c for n, c in zip(edited["Name in der Datei"], codes, strict=True) if c}


def preview(
    engine: Engine, state: dict[str, Any], *, source: str, level: str | None, indicator: str, period: str,
    crs: str | None, skip: bool, mapping: dict[str, str], progress: Any, confirm: bool = False,
    areas: AreaInputs = AreaInputs(), layout: LayoutChoice | None = None, template: str = "",
    create_indicators: bool = False, confirm_outside: bool = False,
) -> AnyPreview | str:  # fmt: skip
    """The preview of the uploaded file, or a German message why there is none; ``confirm``: the
    user confirmed that names of the mapping go to areas of another name; ``confirm_outside``: that
    shapes reaching beyond the city lie right; ``level`` may be
    ``NEW_LEVEL`` (named by ``areas.new_level_name``); ``layout``: the confirmed mapping step,
    ``template``: the chosen template ('' = the one that fits); ``create_indicators``: create the
    file's unknown indicators from its data."""

    def report(fraction: float, text: str) -> None:
        progress.progress(min(1.0, fraction), text=text)

    level_names = list(areas.level_names)
    if level == NEW_LEVEL:
        if not areas.new_level_name.strip():
            return "Bitte den Namen der neuen Gebietsebene angeben (z. B. „Bezirk“)."
        level, level_names = level_key(areas.new_level_name), [areas.new_level_name.strip()]
    boundary = is_boundary_file(state["file_name"])
    if areas.table and boundary:
        return "Eine Geodatei legt ihre Gebiete über die Gebietsebene an; „Gebietstabelle“ gilt für CSV und XLSX."
    try:
        options = ImportOptions(source=source, level=level, indicator=indicator, period=period,
                                skip_rejected=skip, area_mapping=mapping, confirm_mapping=confirm,
                                confirm_outside=confirm_outside, create_indicators=create_indicators,
                                level_names=level_names, code_column=areas.code_column, name_column=areas.name_column,
                                parent_column=areas.parent_column, combine=areas.combine,
                                layout=layout or LayoutChoice(), template=template)  # fmt: skip
        if areas.table:
            return prepare_areas(engine, state["data"], state["file_name"], options, report)
        if boundary:
            return prepare_boundaries(engine, state["data"], state["file_name"], options, crs, report)
        return prepare_table(engine, state["data"], state["file_name"], options, report)
    except ValidationError as exc:
        return validation_message(exc)
    except ImportProblem as exc:
        return str(exc)


def level_names_from_editor(edited: pd.DataFrame) -> tuple[str, ...]:
    """The level names the user entered in an area table's level list (coarse → fine)."""
    return tuple(str(n).strip() for n in edited["Name"].fillna("").replace("(fehlt)", ""))


def template_names(engine: Engine) -> list[str]:
    """The names of the stored import templates, sorted."""
    with engine.connect() as conn:
        return sorted(stored_templates(conn))


def forget_layout() -> None:
    """Drop the current file's confirmed mapping step (the reader guesses again, or follows a template)."""
    current = st.session_state.get("import-state")
    if current:
        current.pop("layout", None)


def apply_mapping(state: dict[str, Any], layout: TableLayout, step: MappingStep) -> str:
    """Keep the mapping step's choice for the next previews of this file; '' or a German message why not."""
    try:
        state["layout"] = confirmed_choice(layout, step)
    except ValidationError as exc:
        return validation_message(exc)
    except ImportProblem as exc:
        return str(exc)
    return ""


def commit(engine: Engine, actor: Actor, preview: AnyPreview, progress: Any, save_as: str = "") -> str:
    """Store the preview and, when ``save_as`` names one, its table layout as template; a German
    result message. A wrong template name stops before anything is stored."""
    layout = preview.table_layout if isinstance(preview, Preview) else None
    try:
        name = template_name(save_as) if save_as.strip() else ""
        if name and layout is None:
            return "Vorlagen gibt es nur für Tabellen mit Werten in Spalten (Breitformat)."
        if isinstance(preview, AreaTablePreview):
            batch = commit_areas(engine, actor, preview)
        elif isinstance(preview, BoundaryPreview):
            batch = commit_boundaries(engine, actor, preview)
        else:
            batch = commit_import(engine, actor, preview, lambda f, t: progress.progress(min(1.0, f), text=t))
        if name and layout is not None:
            save_template(engine, actor, name, layout)
    except (ImportProblem, PermissionDenied) as exc:
        return str(exc)
    saved = f" Aufbau als Vorlage „{name}“ gespeichert." if name else ""
    if batch is None:
        return "Keine Änderungen – die Daten sind bereits so gespeichert." + saved
    return f"Gespeichert als Import {batch}. Alle Ansichten zeigen die neuen Daten." + saved


def undo(engine: Engine, actor: Actor, batch_id: int) -> str:
    """Undo a batch; a German result message."""
    try:
        counts = undo_batch(engine, actor, batch_id)
    except (ImportProblem, PermissionDenied) as exc:
        return str(exc)
    return f"Import {batch_id} rückgängig gemacht: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "."


def written_values(preview: Preview, names: dict[str, str]) -> pd.DataFrame:
    """The file's values a commit writes, counted per indicator (``names``: key → name, the
    indicators the import creates added) and year."""
    names = names | {spec.key: spec.name for spec in preview.derived.specs}
    rows = preview.classified[~preview.classified["is_computed"].astype(bool)]
    kinds = {"new": "neu", "changed": "geändert", "unchanged": "unverändert"}
    if rows.empty:
        return pd.DataFrame(columns=["Indikator", "Jahr", *kinds.values()])
    counts = pd.crosstab([rows["indicator_key"], rows["period"]], rows["kind"])
    counts = counts.reindex(columns=list(kinds), fill_value=0).rename(columns=kinds).reset_index()
    indicator = [f"{names.get(k, k)} ({k})" for k in counts["indicator_key"]]
    return (
        counts.drop(columns="indicator_key")
        .rename(columns={"period": "Jahr"})
        .assign(Indikator=indicator)[["Indikator", "Jahr", *kinds.values()]]
    )
