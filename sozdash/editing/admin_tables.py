"""The admin pages' tables in German: names instead of ids and user names, the field labels of the
record specs, dd.mm.yyyy dates and "–" for a missing value."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sozdash.core import fmt
from sozdash.editing.records import FieldSpec, display, ref_options
from sozdash.editing.specs import AUDIT_FIELDS, AUDIT_TABLES, ENTITIES
from sozdash.meetings.edit import ITEM, MEETING
from sozdash.store.models import Area, AreaLevel, Base, ImportBatch, Indicator, User

SPECS = {spec.model.__tablename__: spec for spec in (*ENTITIES.values(), MEETING, ITEM)}
TABLES = {table: spec.label for table, spec in SPECS.items()} | AUDIT_TABLES
"""German name of each record family the audit log names."""
FIELDS: dict[str, dict[str, FieldSpec]] = {
    table: {f.name: f for f in (*AUDIT_FIELDS[""], *AUDIT_FIELDS.get(table, ()), *getattr(SPECS.get(table), "fields", ()))}
    for table in TABLES
}  # fmt: skip
"""Field specs (German label, kind) by record family and field name; the editable ones from the specs."""
_BY_KEY: dict[str, tuple[type[Base], str]] = {
    "areas": (Area, "code"), "indicators": (Indicator, "key"), "area_levels": (AreaLevel, "key"),
}  # fmt: skip
"""Record families whose audit entries name the record by a code or key instead of its number."""
_NAMES = ("describe", "title", "display_name", "name", "file_name", "key")
LOG_COLUMNS = ["Zeitpunkt", "Benutzer", "Aktion", "Art", "Datensatz", "Feld", "Alter Wert", "Neuer Wert"]


def dashes(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every missing or empty text cell shown as "–"."""
    text = frame.select_dtypes(include=["object", "string", "str"]).columns
    return frame.assign(**{c: [fmt.MISSING if _missing(v) else v for v in frame[c]] for c in text})


def _missing(value: object) -> bool:
    if isinstance(value, str):
        return value == ""
    return (
        value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))
    )


def user_names(engine: Engine) -> dict[str, str]:
    """User name → display name of every account."""
    with engine.connect() as conn:
        return {u: d or u for u, d in conn.execute(select(User.username, User.display_name))}


def person(username: object, names: Mapping[str, str]) -> str:
    """Who did something, as a person reads it: the display name, "Kommandozeile (…)" for the
    command line, "System" for the set-up."""
    name = fmt.text(username)
    if name in names:
        return names[name]
    if name.startswith("cli:"):
        return f"Kommandozeile ({name.removeprefix('cli:')})"
    return "System" if name == "system" else name


def value_text(field: FieldSpec | None, value: object, options: Mapping[int, str] | None = None) -> str:
    """A stored audit value as German text: names for references, labels for choices, ja/nein, German
    dates and numbers; "–" when missing."""
    if _missing(value) or value == "None":
        return fmt.MISSING
    text = str(value)
    if text.startswith("{"):
        try:
            return ", ".join(f"{k}: {v}" for k, v in json.loads(text).items())
        except (ValueError, AttributeError):
            return text
    if text in ("True", "False"):
        return "ja" if text == "True" else "nein"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is not None and len(text) >= 10 and text[4] == "-":
        return fmt.date(moment.date()) + ("" if len(text) == 10 else f", {moment:%H:%M} Uhr")
    if field is None:
        return text
    if field.kind == "ref":
        return display(field, int(text), options) if text.isdigit() else text
    if field.kind in ("float", "decimal", "int"):
        try:
            return display(field, float(text)) if field.kind != "int" else fmt.number(int(text))
        except ValueError:
            return text
    return display(field, text)


def _record_names(session: Session, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The German name of each (record family, record) that still exists."""
    models = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}
    names: dict[tuple[str, str], str] = {}
    for table, record in wanted:
        model = models.get(table)
        if model is None:
            continue
        if table in _BY_KEY:
            keyed, column = _BY_KEY[table]
            found = session.scalar(select(keyed).where(getattr(keyed, column) == record))
        else:
            found = session.get(model, int(record)) if record.isdigit() else None
        if found is None:
            continue
        if table in SPECS:
            names[table, record] = SPECS[table].describe(session, found)
        elif isinstance(found, ImportBatch):
            names[table, record] = f"Import {found.id} ({fmt.text(found.file_name, found.source)})"
        else:
            name = next((getattr(found, a) for a in _NAMES if getattr(found, a, None)), None)
            if name is not None:
                names[table, record] = str(name)
    return names


def audit_log(engine: Engine, log: pd.DataFrame) -> pd.DataFrame:
    """The audit entries of ``sozdash.access.audit.entries`` in German: the user's display name, the
    record family and the record by name (a record deleted since: by the title the log kept), the
    field's label and old and new values as text (names for references)."""
    pairs = list(zip(log["Tabelle"].astype(str), log["Datensatz"].astype(str), strict=True))
    with Session(engine) as session:
        names = _record_names(session, set(pairs))
    kept = log[log["Feld"].isin(_NAMES[1:])]
    for table, record, old, new in zip(kept["Tabelle"], kept["Datensatz"], kept["Alter Wert"], kept["Neuer Wert"], strict=True):  # fmt: skip
        names.setdefault((str(table), str(record)), fmt.text(new, fmt.text(old)))
    options: dict[type[Base], dict[int, str]] = {}
    for field in {f for fields in FIELDS.values() for f in fields.values() if f.kind == "ref" and f.ref}:
        if field.ref is not None and field.ref not in options and any(log["Feld"] == field.name):
            options[field.ref] = ref_options(engine, field.ref)
    people = user_names(engine)

    def values(column: str) -> list[str]:
        out = []
        for table, name, value in zip(log["Tabelle"], log["Feld"], log[column], strict=True):
            field = FIELDS.get(table, {}).get(name)
            refs = options.get(field.ref) if field is not None and field.ref is not None else None
            out.append(value_text(field, value, refs))
        return out

    def record_name(table: str, record: str) -> str:
        return names.get((table, record)) or f"{TABLES.get(table, table)} Nr. {record}"

    return pd.DataFrame(
        {
            "Zeitpunkt": log["Zeitpunkt"],
            "Benutzer": [person(u, people) for u in log["Benutzer"]],
            "Aktion": log["Aktion"],
            "Art": [TABLES.get(t, t) for t in log["Tabelle"]],
            "Datensatz": [record_name(t, r) for t, r in pairs],
            "Feld": [field_label(t, f) for t, f in zip(log["Tabelle"], log["Feld"], strict=True)],
            "Alter Wert": values("Alter Wert"),
            "Neuer Wert": values("Neuer Wert"),
        },
        columns=LOG_COLUMNS,
    )


def field_label(table: str, name: object) -> str:
    """The German label of a field of a record family ("–" for an entry about the whole record)."""
    text = fmt.text(name)
    field = FIELDS.get(table, {}).get(text)
    return field.label if field is not None else text


def import_list(engine: Engine, batches: pd.DataFrame) -> pd.DataFrame:
    """The list of imports (``sozdash.importing.undo.batch_list``) with the importing person's name,
    the file first and "–" for a missing value."""
    people = user_names(engine)
    shown = batches.assign(Von=batches["Von"].map(lambda u: person(u, people)))
    return dashes(shown[["Datei", "Zeitpunkt", "Status", "neu", "geändert", "Quelle", "Von", "Import"]])


def user_table(overview: pd.DataFrame) -> pd.DataFrame:
    """The account overview (``sozdash.access.auth.user_overview``) with name and role first and "–"
    for what is missing."""
    first = ["Name", "Benutzername", "Rolle", "Organisationseinheit", "Aktiv", "Gesperrt bis"]
    return dashes(overview[[*first, *(c for c in overview.columns if c not in first)]])
