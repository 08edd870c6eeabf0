"""Editing committee sessions: sessions, agenda items and their slides (saved views).

Every write function takes the acting :class:`Actor` and checks role Fachbereich before it
reads anything, validates with the editing rules of ``sozdash.editing`` (German messages,
:class:`~sozdash.editing.ValidationFailed`), compares the version the form loaded for sessions
and agenda items (:class:`~sozdash.editing.EditConflict`, nothing written), writes audit
entries, bumps the data version and runs in one transaction. Positions stay 1 … n: items and
slides are appended, moved by swapping with a neighbour and closed up after a delete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sozdash import audit, db, fmt
from sozdash.cache import cached_query
from sozdash.editing import (
    FORM,
    EditConflict,
    EntitySpec,
    FieldSpec,
    RecordGone,
    ValidationFailed,
    load,
    unique_key,
    validate,
)
from sozdash.models import AgendaItem, AgendaSlide, Meeting, SavedView
from sozdash.permissions import Actor, require_role
from sozdash.vocab import DATE_PRECISION

EDIT_ROLE = "fachbereich"

MEETING = EntitySpec(
    "meeting", "Sitzung", Meeting,
    fields=(
        FieldSpec("committee", "Gremium", "text", required=True, max_length=300),
        FieldSpec("date", "Datum", "date", required=True),
        FieldSpec("date_precision", "Genauigkeit des Datums", "choice", required=True, choices=DATE_PRECISION),
        FieldSpec("title", "Titel", "text", required=True, max_length=300),
        FieldSpec("source", "Quelle", "longtext", required=True, help="z. B. Niederschrift mit Datum"),
        FieldSpec("note", "Notiz", "longtext"),
    ),
    owner=lambda _session, _values: None,
    describe=lambda _session, m: f"{m.committee} – {fmt.date(m.date, m.date_precision)}",
)  # fmt: skip
ITEM = EntitySpec(
    "agenda_item", "Tagesordnungspunkt", AgendaItem,
    fields=(
        FieldSpec("title", "Titel", "text", required=True, max_length=300),
        FieldSpec("speaker", "Bericht (Vortragende Person)", "text", max_length=200),
        FieldSpec("speaker_notes", "Vortragsnotizen", "longtext"),
        FieldSpec("source", "Quelle", "longtext", required=True),
    ),
    owner=lambda _session, _values: None,
    describe=lambda _session, item: f"TOP {item.position}: {item.title}",
)  # fmt: skip
DUPLICATE = "Der Eintrag kollidiert mit einem gleichzeitig gespeicherten; bitte erneut versuchen."


@dataclass(frozen=True)
class SlideRow:
    id: int
    position: int
    view_id: int
    view_title: str


@dataclass(frozen=True)
class ItemRow:
    """An agenda item as the edit forms need it: values, version and slides."""

    id: int
    position: int
    version: int
    values: dict[str, Any]
    slides: tuple[SlideRow, ...]


# --- Reading for the forms ----------------------------------------------------------------------


def meeting_values(engine: Engine, meeting_id: int) -> tuple[dict[str, Any], int]:
    """A session's editable values and its version (to send back with ``update_meeting``)."""
    return load(engine, MEETING, meeting_id)


@cached_query
def agenda(engine: Engine, meeting_id: int) -> list[ItemRow]:
    """All agenda items of a session in order, including items without slides."""
    with db.session_scope(engine) as session:
        slide_rows = session.execute(
            select(AgendaSlide, SavedView.title)
            .join(SavedView, SavedView.id == AgendaSlide.saved_view_id)
            .join(AgendaItem, AgendaItem.id == AgendaSlide.agenda_item_id)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaSlide.position)
        ).all()
        items = session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
        )
        return [
            ItemRow(
                item.id, item.position, item.version, {name: getattr(item, name) for name in ITEM.names},
                tuple(SlideRow(s.id, s.position, s.saved_view_id, title)
                      for s, title in slide_rows if s.agenda_item_id == item.id),
            )
            for item in items
        ]  # fmt: skip


# --- Shared write steps ---------------------------------------------------------------------------


def _get(session: Session, spec: EntitySpec, record_id: int) -> Any:
    record = session.get(spec.model, record_id)
    if record is None:
        raise RecordGone(spec)
    return record


def _check_version(spec: EntitySpec, record: Any, version: int, mine: Mapping[str, Any]) -> None:
    if record.version != version:
        current = {name: getattr(record, name) for name in spec.names}
        raise EditConflict(spec, dict(mine), current, record.version)


def _audit_all(session: Session, actor: Actor, action: str, table: str, record_id: int,
               values: Mapping[str, Any]) -> None:  # fmt: skip
    for name, value in values.items():
        if value is not None:
            old, new = (value, None) if action == "delete" else (None, value)
            audit.record(session, actor, action, table, record_id, name, old, new)


def _renumber(session: Session, rows: Sequence[Any]) -> None:
    """Give ``rows`` the positions 1 … n in list order, changing only rows that move (two steps,
    so the unique position constraint never sees two rows on one place)."""
    moving = [(row, n) for n, row in enumerate(rows, start=1) if row.position != n]
    for row, n in moving:
        row.position = -n
    session.flush()
    for row, n in moving:
        row.position = n
    session.flush()


def _moved(rows: list[Any], record: Any, step: int) -> list[Any] | None:
    """``rows`` with ``record`` moved ``step`` places (``None`` if it is already at that end)."""
    index = rows.index(record)
    target = index + step
    if not 0 <= target < len(rows):
        return None
    rows[index], rows[target] = rows[target], rows[index]
    return rows


def _move(session: Session, actor: Actor, table: str, siblings: list[Any], record: Any, step: int) -> bool:
    """Move ``record`` ``step`` places among its ``siblings`` (audited, renumbered); ``False`` if
    it is already at that end."""
    after = _moved(list(siblings), record, step)
    if after is None:
        return False
    _position_moves(session, actor, table, siblings, after)
    _renumber(session, after)
    db.bump_data_version(session)
    return True


def _position_moves(session: Session, actor: Actor, table: str, before: list[Any], after: list[Any]) -> None:
    old = {row.id: n for n, row in enumerate(before, start=1)}
    for n, row in enumerate(after, start=1):
        if old[row.id] != n:
            audit.record(session, actor, "update", table, row.id, "position", old[row.id], n)


# --- Sessions ---------------------------------------------------------------------------------------


def create_meeting(engine: Engine, actor: Actor, values: Mapping[str, Any]) -> str:
    """Create a session; returns its key (slug of date and title, made unique)."""
    require_role(actor, EDIT_ROLE)
    try:
        with db.session_scope(engine) as session:
            clean = validate(MEETING, session, values)
            meeting = Meeting(**clean, key=unique_key(session, Meeting, f"{clean['date']} {clean['title']}"))
            session.add(meeting)
            session.flush()
            _audit_all(session, actor, "create", "meetings", meeting.id, clean)
            db.bump_data_version(session)
            return meeting.key
    except IntegrityError as exc:  # a lost race on a unique key
        raise ValidationFailed({FORM: DUPLICATE}) from exc


def _update(
    engine: Engine, actor: Actor, spec: EntitySpec, record_id: int, version: int, values: Mapping[str, Any]
) -> int:
    """Save a record of ``spec`` loaded at ``version``; returns the number of changed fields."""
    require_role(actor, EDIT_ROLE)
    try:
        with db.session_scope(engine) as session:
            record = _get(session, spec, record_id)
            _check_version(spec, record, version, values)
            clean = validate(spec, session, values)
            before = {name: getattr(record, name) for name in spec.names}
            changed = audit.record_changes(session, actor, spec.model.__tablename__, record_id, before, clean)
            if changed:
                for name, value in clean.items():
                    setattr(record, name, value)
                session.flush()
                db.bump_data_version(session)
            return changed
    except StaleDataError:
        raise EditConflict(spec, dict(values), {}, version) from None


def update_meeting(
    engine: Engine, actor: Actor, meeting_id: int, version: int, values: Mapping[str, Any]
) -> int:
    """Save a session loaded at ``version``; returns the number of changed fields."""
    return _update(engine, actor, MEETING, meeting_id, version, values)


def delete_meeting(engine: Engine, actor: Actor, meeting_id: int, version: int) -> None:
    """Delete a session with its agenda items and slides (the saved views stay)."""
    require_role(actor, EDIT_ROLE)
    with db.session_scope(engine) as session:
        meeting = _get(session, MEETING, meeting_id)
        _check_version(MEETING, meeting, version, {})
        for item in session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)):
            _delete_item(session, actor, item)
        session.flush()
        _audit_all(session, actor, "delete", "meetings", meeting_id,
                   {"key": meeting.key} | {n: getattr(meeting, n) for n in MEETING.names})  # fmt: skip
        session.delete(meeting)
        db.bump_data_version(session)


# --- Agenda items ----------------------------------------------------------------------------------


def _items(session: Session, meeting_id: int) -> list[AgendaItem]:
    statement = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    return list(session.scalars(statement))


def add_item(
    engine: Engine, actor: Actor, meeting_id: int, values: Mapping[str, Any], position: int | None = None
) -> int:
    """Add an agenda item at ``position`` (default: at the end; the place must be free); returns its id."""
    require_role(actor, EDIT_ROLE)
    try:
        with db.session_scope(engine) as session:
            meeting = _get(session, MEETING, meeting_id)
            clean = validate(ITEM, session, values)
            taken = {item.position for item in _items(session, meeting_id)}
            if position is None:
                position = max(taken, default=0) + 1
            elif position < 1 or position in taken:
                raise ValidationFailed(
                    {
                        "position": f"Die Position {position} ist in dieser Sitzung schon vergeben oder ungültig."
                    }
                )
            key = unique_key(session, AgendaItem, f"{meeting.date} {clean['title']}")
            item = AgendaItem(**clean, key=key, meeting_id=meeting_id, position=position)
            session.add(item)
            session.flush()
            _audit_all(session, actor, "create", "agenda_items", item.id,
                       {"meeting_id": meeting_id, "position": position} | clean)  # fmt: skip
            db.bump_data_version(session)
            return item.id
    except IntegrityError as exc:  # a lost race on a unique key
        raise ValidationFailed({FORM: DUPLICATE}) from exc


def update_item(engine: Engine, actor: Actor, item_id: int, version: int, values: Mapping[str, Any]) -> int:
    """Save an agenda item loaded at ``version``; returns the number of changed fields."""
    return _update(engine, actor, ITEM, item_id, version, values)


def _delete_item(session: Session, actor: Actor, item: AgendaItem) -> None:
    for slide in session.scalars(select(AgendaSlide).where(AgendaSlide.agenda_item_id == item.id)):
        audit.record(
            session, actor, "delete", "agenda_slides", slide.id, "saved_view_id", slide.saved_view_id
        )
        session.delete(slide)
    session.flush()
    _audit_all(session, actor, "delete", "agenda_items", item.id,
               {"key": item.key, "position": item.position} | {n: getattr(item, n) for n in ITEM.names})  # fmt: skip
    session.delete(item)


def delete_item(engine: Engine, actor: Actor, item_id: int, version: int) -> None:
    """Delete an agenda item with its slides; the following items move up one place."""
    require_role(actor, EDIT_ROLE)
    with db.session_scope(engine) as session:
        item = _get(session, ITEM, item_id)
        _check_version(ITEM, item, version, {})
        meeting_id = item.meeting_id
        _delete_item(session, actor, item)
        session.flush()
        _renumber(session, _items(session, meeting_id))
        db.bump_data_version(session)


def move_item(engine: Engine, actor: Actor, item_id: int, step: int) -> bool:
    """Move an agenda item ``step`` places (-1 up, +1 down); ``False`` if it is already at that end."""
    require_role(actor, EDIT_ROLE)
    with db.session_scope(engine) as session:
        item = _get(session, ITEM, item_id)
        return _move(session, actor, "agenda_items", _items(session, item.meeting_id), item, step)


# --- Slides ----------------------------------------------------------------------------------------


def _slides(session: Session, item_id: int) -> list[AgendaSlide]:
    statement = (
        select(AgendaSlide).where(AgendaSlide.agenda_item_id == item_id).order_by(AgendaSlide.position)
    )
    return list(session.scalars(statement))


def add_slide(engine: Engine, actor: Actor, item_id: int, saved_view_id: int | None) -> int:
    """Append a saved view as the item's last slide; returns the slide id."""
    require_role(actor, EDIT_ROLE)
    with db.session_scope(engine) as session:
        _get(session, ITEM, item_id)
        if saved_view_id is None or session.get(SavedView, saved_view_id) is None:
            raise ValidationFailed(
                {"saved_view_id": "Bitte eine vorhandene gespeicherte Ansicht wählen (inzwischen gelöscht?)."}
            )
        position = session.scalar(
            select(func.coalesce(func.max(AgendaSlide.position), 0)).where(
                AgendaSlide.agenda_item_id == item_id
            )
        )
        slide = AgendaSlide(agenda_item_id=item_id, position=position + 1, saved_view_id=saved_view_id)
        session.add(slide)
        session.flush()
        _audit_all(session, actor, "create", "agenda_slides", slide.id,
                   {"agenda_item_id": item_id, "position": slide.position, "saved_view_id": saved_view_id})  # fmt: skip
        db.bump_data_version(session)
        return slide.id


def _slide(session: Session, slide_id: int) -> AgendaSlide:
    slide = session.get(AgendaSlide, slide_id)
    if slide is None:
        raise ValidationFailed({FORM: "Diese Folie gibt es nicht mehr (inzwischen entfernt?)."})
    return slide


def remove_slide(engine: Engine, actor: Actor, slide_id: int) -> None:
    """Remove a slide from its agenda item (the saved view stays); later slides move up."""
    require_role(actor, EDIT_ROLE)
    with db.session_scope(engine) as session:
        slide = _slide(session, slide_id)
        item_id = slide.agenda_item_id
        audit.record(
            session, actor, "delete", "agenda_slides", slide_id, "saved_view_id", slide.saved_view_id
        )
        session.delete(slide)
        session.flush()
        _renumber(session, _slides(session, item_id))
        db.bump_data_version(session)


def move_slide(engine: Engine, actor: Actor, slide_id: int, step: int) -> bool:
    """Move a slide ``step`` places within its item; ``False`` if it is already at that end."""
    require_role(actor, EDIT_ROLE)
    with db.session_scope(engine) as session:
        slide = _slide(session, slide_id)
        return _move(session, actor, "agenda_slides", _slides(session, slide.agenda_item_id), slide, step)
