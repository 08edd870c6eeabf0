"""Editing records: one validated save with permission check, optimistic locking and audit.

Each editable record family is described once by an :class:`EntitySpec` (fields with German
labels, date order, status transitions, owning unit; see ``sozdash.editing.specs``). Every write
function here takes the acting :class:`Actor`, checks the role before it reads or writes
anything, checks the record's unit (``require_edit``) before it changes anything, writes one
audit entry per changed field (``db.session_scope`` raises the table versions). Bad input raises
:class:`ValidationFailed` (German message per field) and changes nothing; saving over a
record someone else changed meanwhile raises :class:`EditConflict` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

import pandas as pd
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model
from pydantic import ValidationError as PydanticError
from pydantic_core import PydanticCustomError
from sqlalchemy import Engine, select
from sqlalchemy.engine import ScalarResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sozdash.access import audit
from sozdash.core import fmt
from sozdash.core.permissions import Actor, has_role, require_edit, require_role
from sozdash.store import db
from sozdash.store.models import Base

REQUIRED = "Pflichtfeld – bitte ausfüllen."
FORM = ""
"""Key of messages that concern the whole form, not one field."""


@dataclass(frozen=True)
class FieldSpec:
    """One editable column: name, German label, input kind and constraints."""

    name: str
    label: str
    kind: str
    """``text``, ``longtext``, ``date``, ``int``, ``float``, ``decimal``, ``bool``, ``choice`` or ``ref``."""
    required: bool = False
    choices: Mapping[str, str] | None = None
    ref: type[Base] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    help: str | None = None


@dataclass(frozen=True)
class EntitySpec:
    """An editable record family."""

    key: str
    label: str
    model: type[Base]
    fields: tuple[FieldSpec, ...]
    owner: Callable[[Session, Mapping[str, Any]], int | None] | None
    """The owning organisational unit of a record with these column values (``None`` from it:
    only Planung and Admin may edit). Without ``owner`` the records belong to no unit and every
    Fachbereich may edit them (committee sessions)."""
    describe: Callable[[Session, Any], str]
    """A short German label of a record for choosing it."""
    date_order: tuple[tuple[str, str], ...] = ()
    status_field: str | None = None
    transitions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Status changes allowed without a reason; any other change needs one."""
    check: Callable[[Session, dict[str, Any]], dict[str, str]] | None = None
    """Further checks that need the database (e.g. plausible range); returns field messages."""
    soft_delete: bool = False
    key_text: Callable[[Session, Mapping[str, Any]], str] | None = None
    """What a new record's key is made from, given its column values (default: title or name)."""
    before_delete: Callable[[Session, Actor, Any], None] | None = None
    """Runs before a record is deleted for good: deletes the rows that depend on it (audited)."""
    after_delete: Callable[[Session, Any], None] | None = None
    """Runs after a record was deleted for good (e.g. closes the gap in its siblings' positions)."""

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


class ValidationFailed(ValueError):
    """Input that cannot be saved; ``errors`` maps field names (``FORM`` for the whole form) to
    German messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class RecordGone(ValueError):
    """The record no longer exists (deleted by someone else)."""

    def __init__(self, spec: EntitySpec) -> None:
        super().__init__(f"{spec.label}: Der Datensatz existiert nicht mehr (inzwischen gelöscht).")


class EditConflict(Exception):
    """Someone else saved the record after it was loaded; nothing was overwritten."""

    def __init__(self, spec: EntitySpec, mine: dict[str, Any], current: dict[str, Any], version: int) -> None:
        super().__init__(f"{spec.label}: Der Datensatz wurde inzwischen von jemand anderem geändert.")
        self.spec, self.mine, self.current, self.version = spec, mine, current, version


# --- Validation -----------------------------------------------------------------------------

_TYPES: dict[str, type] = {
    "text": str, "longtext": str, "date": dt.date, "int": int, "float": float, "decimal": Decimal,
    "bool": bool, "choice": str, "ref": int,
}  # fmt: skip
_MESSAGES = {
    "greater_than_equal": "Der Wert darf nicht kleiner als {ge} sein.",
    "less_than_equal": "Der Wert darf nicht größer als {le} sein.",
    "string_too_long": "Höchstens {max_length} Zeichen.",
    "decimal_max_places": "Höchstens {decimal_places} Nachkommastellen.",
    "decimal_max_digits": "Der Betrag ist zu groß.",
    "decimal_whole_digits": "Der Betrag ist zu groß.",
    "bool_parsing": "Bitte ja oder nein angeben.",
    "bool_type": "Bitte ja oder nein angeben.",
}
_KIND_MESSAGES = {
    "date": "Bitte ein gültiges Datum angeben (TT.MM.JJJJ).",
    "int": "Bitte eine ganze Zahl angeben.",
    "float": "Bitte eine Zahl angeben.",
    "decimal": "Bitte einen Betrag angeben (z. B. 1234,50).",
    "ref": "Bitte einen Eintrag aus der Liste wählen.",
    "text": "Bitte einen Text angeben.",
    "longtext": "Bitte einen Text angeben.",
}


def _one_of(choices: Mapping[str, str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise PydanticCustomError("choice", "Bitte einen der vorgegebenen Werte wählen.")
        return value

    return check


def _pydantic_model(spec: EntitySpec) -> type[BaseModel]:
    columns: dict[str, Any] = {}
    for f in spec.fields:
        constraints: dict[str, Any] = {}
        if f.max_length:
            constraints["max_length"] = f.max_length
        if f.min is not None:
            constraints["ge"] = f.min
        if f.max is not None:
            constraints["le"] = f.max
        if f.kind == "decimal":
            constraints |= {"max_digits": 14, "decimal_places": 2}
        extra = [AfterValidator(_one_of(f.choices))] if f.kind == "choice" and f.choices else []
        columns[f.name] = (Annotated[_TYPES[f.kind] | None, Field(**constraints), *extra], None)
    return create_model(
        f"{spec.key}_form", __config__=ConfigDict(extra="forbid", allow_inf_nan=False), **columns
    )


def _german(spec: EntitySpec, error: Mapping[str, Any]) -> str:
    ctx = {k: fmt.number(float(v), 2).removesuffix(",00") if isinstance(v, (int, float, Decimal)) else v
           for k, v in (error.get("ctx") or {}).items()}  # fmt: skip
    if error["type"] == "greater_than_equal" and ctx.get("ge") == "0":
        return "Der Wert darf nicht negativ sein."
    if error["type"] == "choice":
        return error["msg"]
    if error["type"] in _MESSAGES:
        return _MESSAGES[error["type"]].format(**ctx)
    name = str(error["loc"][0]) if error.get("loc") else ""
    kind = spec.field(name).kind if name in spec.names else "text"
    return _KIND_MESSAGES.get(kind, "Ungültige Eingabe.")


def _normalise(spec: EntitySpec, values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in spec.fields:
        value = values.get(f.name)
        if isinstance(value, str):
            value = value.strip() or None
        if f.kind == "bool":
            value = bool(value)
        if f.kind in ("float", "decimal") and isinstance(value, str):
            value = value.replace(".", "").replace(",", ".") if "," in value else value
        out[f.name] = value
    return out


def validate(
    spec: EntitySpec, session: Session, values: Mapping[str, Any], old_status: str | None = None,
    reason: str | None = None, record_id: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Checked, typed column values; raises :class:`ValidationFailed` with all field messages."""
    unknown = set(values) - set(spec.names)
    if unknown:
        raise ValidationFailed({FORM: f"Unbekannte Felder: {', '.join(sorted(unknown))}."})
    raw = _normalise(spec, values)
    errors = {f.name: REQUIRED for f in spec.fields if f.required and raw[f.name] is None}
    try:
        clean = _pydantic_model(spec).model_validate(raw).model_dump()
    except PydanticError as exc:
        for error in exc.errors():
            errors.setdefault(str(error["loc"][0]), _german(spec, error))
        raise ValidationFailed(errors) from None
    if errors:
        raise ValidationFailed(errors)
    for first, last in spec.date_order:
        if clean[first] is not None and clean[last] is not None and clean[last] < clean[first]:
            errors[last] = f"„{spec.field(last).label}“ darf nicht vor „{spec.field(first).label}“ liegen."
    for f in spec.fields:
        value = clean[f.name]
        if f.kind != "ref" or f.ref is None or value is None:
            continue
        if session.get(f.ref, value) is None:
            errors[f.name] = _KIND_MESSAGES["ref"]
        elif f.ref is spec.model and value == record_id:
            errors[f.name] = "Ein Eintrag kann nicht auf sich selbst verweisen."
    if spec.status_field and old_status is not None:
        new = clean[spec.status_field]
        if new != old_status and new not in spec.transitions.get(old_status, frozenset()) and not reason:
            choices = spec.field(spec.status_field).choices or {}
            errors[spec.status_field] = (
                f"Der Wechsel von „{choices.get(old_status, old_status)}“ zu „{choices.get(new, new)}“ ist "
                "ungewöhnlich – bitte eine Begründung angeben."
            )
    if spec.check and not errors:
        errors |= spec.check(session, clean)
    if errors:
        raise ValidationFailed(errors)
    return clean


# --- Writing ---------------------------------------------------------------------------------


def _values(spec: EntitySpec, record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in spec.names}


def slug(text: str) -> str:
    """ASCII key from a title (``Café Süd`` → ``cafe-sued``)."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50] or "eintrag"


def unique_key(session: Session, model: type[Base], title: str) -> str:
    base, n, columns = slug(title), 1, model.__table__.c
    key = base
    while session.scalar(select(columns.id).where(columns.key == key)) is not None:
        n += 1
        key = f"{base}-{n}"
    return key


def existing(spec: EntitySpec, session: Session, record_id: int) -> Any:
    """The record ``record_id``; :class:`RecordGone` if it no longer exists (or is soft-deleted)."""
    record: Any = session.get(spec.model, record_id)  # columns differ per model; read by name
    if record is None or (spec.soft_delete and record.deleted_at is not None):
        raise RecordGone(spec)
    return record


def _integrity_message(exc: IntegrityError) -> ValidationFailed:
    return ValidationFailed(
        {FORM: "Der Eintrag verletzt eine Regel der Datenbank: Es gibt ihn schon (z. B. gleiche Kennzahl am "
               "gleichen Tag), oder er wird noch von anderen Einträgen verwendet."}
    )  # fmt: skip


def _require_edit(actor: Actor, spec: EntitySpec, session: Session, values: Mapping[str, Any]) -> None:
    """The unit check of ``require_edit`` for records owned by a unit."""
    if spec.owner is not None:
        require_edit(actor, spec.owner(session, values))


def audit_values(
    session: Session, actor: Actor, action: str, table: str, record_id: int, values: Mapping[str, Any]
) -> None:
    """One audit entry per value that is not ``None``: new values on ``create``, old ones on ``delete``."""
    for name, value in values.items():
        if value is not None:
            old, new = (value, None) if action == "delete" else (None, value)
            audit.record(session, actor, action, table, record_id, name, old, new)


def create(
    engine: Engine, actor: Actor, spec: EntitySpec, values: Mapping[str, Any],
    columns: Callable[[Session], Mapping[str, Any]] | None = None,
) -> int:  # fmt: skip
    """Create a record; returns its id.

    ``columns`` gives, in the same transaction, further columns that are no form fields (an
    agenda item's session and position); they are stored and audited like the form's values.
    """
    require_role(actor, "fachbereich")
    try:
        with db.session_scope(engine) as session:
            clean = validate(spec, session, values)
            _require_edit(actor, spec, session, clean)
            stored = clean | dict(columns(session) if columns else {})
            record: Any = spec.model(**stored)
            if "key" in spec.model.__table__.c:
                text = spec.key_text(session, stored) if spec.key_text else None
                record.key = unique_key(
                    session, spec.model, text or clean.get("title") or clean.get("name") or spec.key
                )
            session.add(record)
            session.flush()
            audit_values(session, actor, "create", spec.model.__tablename__, record.id, stored)
            return record.id
    except IntegrityError as exc:
        raise _integrity_message(exc) from None


def _load_for_change(
    spec: EntitySpec, session: Session, actor: Actor, record_id: int, version: int,
    values: Mapping[str, Any] | None,
) -> tuple[Any, dict[str, Any]]:  # fmt: skip
    """The record and its current values, after the unit check and the version check (a stale
    ``version`` raises ``EditConflict`` with ``values`` — or the stored ones — and the current ones)."""
    record = existing(spec, session, record_id)
    before = _values(spec, record)
    _require_edit(actor, spec, session, before)
    if record.version != version:
        raise EditConflict(spec, dict(values) if values is not None else before, before, record.version)
    return record, before


def update(
    engine: Engine, actor: Actor, spec: EntitySpec, record_id: int, version: int, values: Mapping[str, Any],
    reason: str | None = None,
) -> int:  # fmt: skip
    """Save ``values`` over the record loaded at ``version``; returns the number of changed fields.

    A status change outside ``spec.transitions`` needs ``reason`` (kept in the audit log).
    """
    require_role(actor, "fachbereich")
    table = spec.model.__tablename__
    try:
        with db.session_scope(engine) as session:
            record, before = _load_for_change(spec, session, actor, record_id, version, values)
            old_status = before[spec.status_field] if spec.status_field else None
            clean = validate(spec, session, values, old_status, (reason or "").strip() or None, record_id)
            _require_edit(actor, spec, session, clean)
            changed = audit.record_changes(session, actor, table, record_id, before, clean)
            if not changed:
                return 0
            for name, value in clean.items():
                setattr(record, name, value)
            if spec.status_field and clean[spec.status_field] != old_status and reason:
                audit.record(session, actor, "update", table, record_id, "begruendung", None, reason.strip())
            session.flush()
            return changed
    except StaleDataError:
        raise _race_lost(engine, spec, record_id, values) from None
    except IntegrityError as exc:
        raise _integrity_message(exc) from None


def _race_lost(
    engine: Engine, spec: EntitySpec, record_id: int, mine: Mapping[str, Any] | None
) -> EditConflict:
    """The conflict when someone else saved the record between our version check and our write
    (the database refused the stale write): with ``mine`` (or the stored values) and the
    values stored now."""
    with db.read_session(engine) as session:
        record = existing(spec, session, record_id)
        current = _values(spec, record)
        return EditConflict(spec, dict(mine) if mine is not None else current, current, record.version)


def remove(session: Session, actor: Actor, spec: EntitySpec, record: Any) -> None:
    """Delete ``record`` for good inside the caller's write: the rows that depend on it first
    (``spec.before_delete``), then the record with one audit entry per old value."""
    if spec.before_delete is not None:
        spec.before_delete(session, actor, record)
    audit_values(session, actor, "delete", spec.model.__tablename__, record.id, _values(spec, record))
    session.delete(record)


def delete(engine: Engine, actor: Actor, spec: EntitySpec, record_id: int, version: int) -> None:
    """Delete a record: soft (restorable) for projects and packages, otherwise for good (the
    audit log keeps every old value; see ``remove``)."""
    require_role(actor, "fachbereich")
    table = spec.model.__tablename__
    try:
        with db.session_scope(engine) as session:
            record = _load_for_change(spec, session, actor, record_id, version, None)[0]
            if spec.soft_delete:
                record.deleted_at = dt.datetime.now().replace(microsecond=0)
                audit.record(
                    session, actor, "delete", table, record_id, "deleted_at", None, record.deleted_at
                )
            else:
                remove(session, actor, spec, record)
            session.flush()
            if spec.after_delete is not None:
                spec.after_delete(session, record)
    except StaleDataError:
        raise _race_lost(engine, spec, record_id, None) from None
    except IntegrityError as exc:
        raise _integrity_message(exc) from None


def restore(engine: Engine, actor: Actor, spec: EntitySpec, record_id: int) -> None:
    """Bring back a soft-deleted project or package."""
    require_role(actor, "fachbereich")
    if not spec.soft_delete:
        raise ValueError(f"{spec.label}: Gelöschte Einträge dieser Art lassen sich nicht wiederherstellen.")
    with db.session_scope(engine) as session:
        record: Any = session.get(spec.model, record_id)  # a soft-deletable model (has deleted_at)
        if record is None or record.deleted_at is None:
            raise RecordGone(spec)
        _require_edit(actor, spec, session, _values(spec, record))
        audit.record(
            session,
            actor,
            "restore",
            spec.model.__tablename__,
            record_id,
            "deleted_at",
            record.deleted_at,
            None,
        )
        record.deleted_at = None


# --- Reading for the forms ----------------------------------------------------------------------


def load(engine: Engine, spec: EntitySpec, record_id: int) -> tuple[dict[str, Any], int]:
    """A record's editable values and its version (the version to send back with ``update``)."""
    with db.read_session(engine) as session:
        record = existing(spec, session, record_id)
        return _values(spec, record), record.version


def defaults(spec: EntitySpec) -> dict[str, Any]:
    """Start values of a new record: the columns' scalar defaults (e.g. public, precision day)."""
    columns = spec.model.__table__.c
    return {
        name: columns[name].default.arg
        for name in spec.names
        if columns[name].default is not None and columns[name].default.is_scalar
    }


def _owned(spec: EntitySpec, session: Session, record: Any, actor: Actor) -> bool:
    if spec.owner is None:
        return True
    owner = spec.owner(session, _values(spec, record))
    return owner is not None and owner == actor.org_id


def records(engine: Engine, actor: Actor, spec: EntitySpec, deleted: bool = False) -> pd.DataFrame:
    """Records ``actor`` may edit (``id``, ``label``), or the soft-deleted ones with ``deleted``."""
    with db.read_session(engine) as session:
        columns = spec.model.__table__.c
        statement = select(spec.model).order_by(columns.id)
        if spec.soft_delete:
            gone = columns.deleted_at
            statement = statement.where(gone.is_not(None) if deleted else gone.is_(None))
        elif deleted:
            return pd.DataFrame(columns=["id", "label"])
        found: ScalarResult[Any] = session.scalars(statement)  # columns differ per model; read by name
        rows = [
            (record.id, spec.describe(session, record))
            for record in found
            if has_role(actor, "planung") or _owned(spec, session, record, actor)
        ]
    return pd.DataFrame(rows, columns=["id", "label"])


def ref_options(engine: Engine, model: type[Base]) -> dict[int, str]:
    """Choices for a reference field: id → title or name."""
    columns = model.__table__.c
    column = columns.title if "title" in columns else columns.name
    statement = select(columns.id, column).order_by(column)
    if "deleted_at" in columns:
        statement = statement.where(columns.deleted_at.is_(None))
    with engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(statement)}


def display(f: FieldSpec, value: Any, options: Mapping[int, str] | None = None) -> str:
    """A value as German text for the conflict view and the audit log."""
    if value is None or value == "":
        return fmt.MISSING
    if f.kind == "bool":
        return "ja" if value else "nein"
    if f.kind == "choice" and f.choices:
        return f.choices.get(value, str(value))
    if f.kind == "ref":
        return (options or {}).get(value, f"Nr. {value}")
    if f.kind == "date":
        return fmt.date(value)
    if f.kind in ("float", "decimal"):
        return fmt.number(float(value), 2).removesuffix(",00")
    return str(value)


def conflict_table(engine: Engine, conflict: EditConflict) -> pd.DataFrame:
    """Field by field: your input against the current stored value, with a difference marker."""
    rows = []
    for f in conflict.spec.fields:
        options = ref_options(engine, f.ref) if f.kind == "ref" and f.ref else None
        mine = display(f, conflict.mine.get(f.name), options)
        current = display(f, conflict.current.get(f.name), options)
        rows.append({"Feld": f.label, "Ihre Eingabe": mine, "Aktueller Stand": current,
                     "Unterschied": "≠ abweichend" if mine != current else ""})  # fmt: skip
    return pd.DataFrame(rows)
