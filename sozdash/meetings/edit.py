"""Editing committee sessions: sessions, agenda items and their slides (saved views).

Sessions and agenda items are created, saved and deleted through ``sozdash.editing.records``
(the specs ``MEETING`` and ``ITEM``): one path for validation, role check, optimistic locking,
conflicts and audit. What is particular to sessions lives here: an item's place on the agenda,
deleting what depends on a session or an item, moving items, and the slides. Every write
function checks role Fachbereich before it reads anything, writes audit entries and runs in
one transaction. Positions stay 1 … n: items and slides are appended,
moved by swapping with a neighbour and closed up after a delete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sozdash.access import audit
from sozdash.core import fmt
from sozdash.core.permissions import Actor, require_role
from sozdash.core.vocab import DATE_PRECISION
from sozdash.editing import records
from sozdash.editing.records import FORM, EntitySpec, FieldSpec, ValidationFailed
from sozdash.store import db
from sozdash.store.cache import cached_query
from sozdash.store.models import AgendaItem, AgendaSlide, Meeting, SavedView

EDIT_ROLE = "fachbereich"


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


# --- Positions --------------------------------------------------------------------------------------


def _items(session: Session, meeting_id: int) -> list[AgendaItem]:
    statement = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    return list(session.scalars(statement))


def _slides(session: Session, item_id: int) -> list[AgendaSlide]:
    statement = (
        select(AgendaSlide).where(AgendaSlide.agenda_item_id == item_id).order_by(AgendaSlide.position)
    )
    return list(session.scalars(statement))


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
    return True


def _position_moves(session: Session, actor: Actor, table: str, before: list[Any], after: list[Any]) -> None:
    old = {row.id: n for n, row in enumerate(before, start=1)}
    for n, row in enumerate(after, start=1):
        if old[row.id] != n:
            audit.record(session, actor, "update", table, row.id, "position", old[row.id], n)


# --- What deleting a session or an item takes along -------------------------------------------------


def _remove_slides(session: Session, actor: Actor, item: AgendaItem) -> None:
    """Before an item is deleted: its slides (audited) go, and its key and position stay in the log."""
    for slide in _slides(session, item.id):
        audit.record(
            session, actor, "delete", "agenda_slides", slide.id, "saved_view_id", slide.saved_view_id
        )
        session.delete(slide)
    session.flush()
    records.audit_values(
        session, actor, "delete", "agenda_items", item.id, {"key": item.key, "position": item.position}
    )


def _close_gap(session: Session, item: AgendaItem) -> None:
    """After an item is deleted: the following items of its session move up one place."""
    _renumber(session, _items(session, item.meeting_id))


def _remove_agenda(session: Session, actor: Actor, meeting: Meeting) -> None:
    """Before a session is deleted: its agenda items and slides go (audited; the saved views
    stay), and its key stays in the log."""
    for item in _items(session, meeting.id):
        records.remove(session, actor, ITEM, item)
    session.flush()
    audit.record(session, actor, "delete", "meetings", meeting.id, "key", meeting.key)


def _item_key_text(session: Session, values: Mapping[str, Any]) -> str:
    meeting = records.existing(MEETING, session, values["meeting_id"])
    return f"{meeting.date} {values['title']}"


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
    owner=None,
    describe=lambda _session, m: f"{m.committee} – {fmt.date(m.date, m.date_precision)}",
    key_text=lambda _session, values: f"{values['date']} {values['title']}",
    before_delete=_remove_agenda,
)  # fmt: skip
ITEM = EntitySpec(
    "agenda_item", "Tagesordnungspunkt", AgendaItem,
    fields=(
        FieldSpec("title", "Titel", "text", required=True, max_length=300),
        FieldSpec("speaker", "Bericht (Vortragende Person)", "text", max_length=200),
        FieldSpec("speaker_notes", "Vortragsnotizen", "longtext"),
        FieldSpec("source", "Quelle", "longtext", required=True),
    ),
    owner=None,
    describe=lambda _session, item: f"TOP {item.position}: {item.title}",
    key_text=_item_key_text,
    before_delete=_remove_slides,
    after_delete=_close_gap,
)  # fmt: skip


# --- Reading for the forms ----------------------------------------------------------------------


def meeting_values(engine: Engine, meeting_id: int) -> tuple[dict[str, Any], int]:
    """A session's editable values and its version (to send back with ``update_meeting``)."""
    return records.load(engine, MEETING, meeting_id)


@cached_query
def agenda(engine: Engine, meeting_id: int) -> list[ItemRow]:
    """All agenda items of a session in order, including items without slides."""
    with db.read_session(engine) as session:
        slide_rows = session.execute(
            select(AgendaSlide, SavedView.title)
            .join(SavedView, SavedView.id == AgendaSlide.saved_view_id)
            .join(AgendaItem, AgendaItem.id == AgendaSlide.agenda_item_id)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaSlide.position)
        ).all()
        return [
            ItemRow(
                item.id, item.position, item.version, {name: getattr(item, name) for name in ITEM.names},
                tuple(SlideRow(s.id, s.position, s.saved_view_id, title)
                      for s, title in slide_rows if s.agenda_item_id == item.id),
            )
            for item in _items(session, meeting_id)
        ]  # fmt: skip


# --- Sessions ---------------------------------------------------------------------------------------


def create_meeting(engine: Engine, actor: Actor, values: Mapping[str, Any]) -> str:
    """Create a session; returns its key (slug of date and title, made unique)."""
    meeting_id = records.create(engine, actor, MEETING, values)
    with engine.connect() as conn:
        return conn.execute(select(Meeting.key).where(Meeting.id == meeting_id)).scalar_one()


def update_meeting(
    engine: Engine, actor: Actor, meeting_id: int, version: int, values: Mapping[str, Any]
) -> int:
    """Save a session loaded at ``version``; returns the number of changed fields."""
    return records.update(engine, actor, MEETING, meeting_id, version, values)


def delete_meeting(engine: Engine, actor: Actor, meeting_id: int, version: int) -> None:
    """Delete a session with its agenda items and slides (the saved views stay)."""
    records.delete(engine, actor, MEETING, meeting_id, version)


# --- Agenda items ----------------------------------------------------------------------------------


def add_item(
    engine: Engine, actor: Actor, meeting_id: int, values: Mapping[str, Any], position: int | None = None
) -> int:
    """Add an agenda item at ``position`` (default: at the end; the place must be free); returns its id."""

    def place(session: Session) -> dict[str, Any]:
        records.existing(MEETING, session, meeting_id)
        taken = {item.position for item in _items(session, meeting_id)}
        if position is not None and (position < 1 or position in taken):
            raise ValidationFailed(
                {"position": f"Die Position {position} ist in dieser Sitzung schon vergeben oder ungültig."}
            )
        return {
            "meeting_id": meeting_id,
            "position": max(taken, default=0) + 1 if position is None else position,
        }

    return records.create(engine, actor, ITEM, values, place)


def update_item(engine: Engine, actor: Actor, item_id: int, version: int, values: Mapping[str, Any]) -> int:
    """Save an agenda item loaded at ``version``; returns the number of changed fields."""
    return records.update(engine, actor, ITEM, item_id, version, values)


def delete_item(engine: Engine, actor: Actor, item_id: int, version: int) -> None:
    """Delete an agenda item with its slides; the following items move up one place."""
    records.delete(engine, actor, ITEM, item_id, version)


def move_item(engine: Engine, actor: Actor, item_id: int, step: int) -> bool:
    """Move an agenda item ``step`` places (-1 up, +1 down); ``False`` if it is already at that end."""
    require_role(actor, EDIT_ROLE)
    with db.session_scope(engine) as session:
        item = records.existing(ITEM, session, item_id)
        return _move(session, actor, "agenda_items", _items(session, item.meeting_id), item, step)


# --- Slides ----------------------------------------------------------------------------------------


def add_slide(engine: Engine, actor: Actor, item_id: int, saved_view_id: int | None) -> int:
    """Append a saved view as the item's last slide; returns the slide id."""
    require_role(actor, EDIT_ROLE)
    with db.session_scope(engine) as session:
        records.existing(ITEM, session, item_id)
        if saved_view_id is None or session.get(SavedView, saved_view_id) is None:
            raise ValidationFailed(
                {"saved_view_id": "Bitte eine vorhandene gespeicherte Ansicht wählen (inzwischen gelöscht?)."}
            )
        last = session.scalar(
            select(func.max(AgendaSlide.position)).where(AgendaSlide.agenda_item_id == item_id)
        )
        slide = AgendaSlide(agenda_item_id=item_id, position=(last or 0) + 1, saved_view_id=saved_view_id)
        session.add(slide)
        session.flush()
        records.audit_values(session, actor, "create", "agenda_slides", slide.id,
                             {"agenda_item_id": item_id, "position": slide.position, "saved_view_id": saved_view_id})  # fmt: skip
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


def move_slide(engine: Engine, actor: Actor, slide_id: int, step: int) -> bool:
    """Move a slide ``step`` places within its item; ``False`` if it is already at that end."""
    require_role(actor, EDIT_ROLE)
    with db.session_scope(engine) as session:
        slide = _slide(session, slide_id)
        return _move(session, actor, "agenda_slides", _slides(session, slide.agenda_item_id), slide, step)
