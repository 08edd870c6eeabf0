"""Editing sessions, agenda items and slides: validation, locking, permissions and audit (SQLite + PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from sozdash.core.permissions import Actor, PermissionDenied
from sozdash.editing.records import EditConflict, ValidationFailed
from sozdash.meetings import agenda as meetings
from sozdash.meetings import edit as me
from sozdash.store import db
from sozdash.store.db import session_scope
from sozdash.store.models import AgendaItem, AgendaSlide, AuditEntry, Meeting, SavedView
from tests.editing.races import another_save_slips_in
from tests.versions import raised

EDITOR = Actor(username="fb.sozial", role="fachbereich")
COUNCILLOR = Actor(username="rat.mitglied", role="rat")
SESSION = {
    "committee": "Ausschuss für Soziales, Gesundheit und Senioren", "date": dt.date(2026, 3, 12),
    "date_precision": "day", "title": "Sitzung März 2026", "source": "Einladung vom 20.02.2026", "note": "",
}  # fmt: skip


def _item(title: str) -> dict[str, str]:
    return {
        "title": title,
        "speaker": "Beigeordneter",
        "speaker_notes": f"Notizen {title}",
        "source": "Vorlage",
    }


def _view_ids(engine: Engine) -> list[int]:
    with session_scope(engine) as session:
        return list(session.scalars(select(SavedView.id).order_by(SavedView.id)))


def _counts(engine: Engine) -> tuple[int, int, int, int]:
    with session_scope(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Meeting, AgendaItem, AgendaSlide, AuditEntry)
        )


def _audit(engine: Engine, table: str, action: str) -> list[tuple[str, str | None, str | None]]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(AuditEntry.username, AuditEntry.field, AuditEntry.new_value, AuditEntry.old_value)
            .where(AuditEntry.table_name == table, AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()
    return [tuple(r) for r in rows]


def _build(engine: Engine) -> tuple[int, list[int], list[int]]:
    """A session with two items: item 1 with two slides, item 2 with one."""
    key = me.create_meeting(engine, EDITOR, SESSION)
    info = meetings.meeting(engine, key)
    first = me.add_item(engine, EDITOR, info.id, _item("Sozialbericht 2026"))
    second = me.add_item(engine, EDITOR, info.id, _item("Quartiersarbeit"))
    views = _view_ids(engine)
    me.add_slide(engine, EDITOR, first, views[0])
    me.add_slide(engine, EDITOR, first, views[1])
    me.add_slide(engine, EDITOR, second, views[2])
    return info.id, [first, second], views


def test_created_session_presents_its_slides_in_order(engine: Engine) -> None:
    meeting_id, _items, views = _build(engine)
    info = meetings.meeting(engine, "2026-03-12-sitzung-maerz-2026")
    assert info is not None and info.id == meeting_id
    assert info.label == "Ausschuss für Soziales, Gesundheit und Senioren – 12.03.2026"
    assert info.note is None  # empty note stored as nothing
    refs = meetings.slides(engine, meeting_id)
    # 2 + 1 slides → "Folie n von 3"
    assert [(r.number, r.item_position, r.item_title, r.view.id) for r in refs] == [
        (1, 1, "Sozialbericht 2026", views[0]), (2, 1, "Sozialbericht 2026", views[1]),
        (3, 2, "Quartiersarbeit", views[2]),
    ]  # fmt: skip
    assert refs[2].speaker_notes == "Notizen Quartiersarbeit"


def test_same_title_and_date_get_distinct_keys(engine: Engine) -> None:
    first = me.create_meeting(engine, EDITOR, SESSION)
    second = me.create_meeting(engine, EDITOR, SESSION)
    assert (first, second) == ("2026-03-12-sitzung-maerz-2026", "2026-03-12-sitzung-maerz-2026-2")


def test_missing_fields_and_bad_precision_are_refused_with_german_messages(engine: Engine) -> None:
    before = _counts(engine)
    with pytest.raises(ValidationFailed) as failed:
        me.create_meeting(engine, EDITOR, SESSION | {"title": "  ", "source": "", "date_precision": "week"})
    assert failed.value.errors["title"] == "Pflichtfeld – bitte ausfüllen."
    assert failed.value.errors["source"] == "Pflichtfeld – bitte ausfüllen."
    meeting_id, (first, _), _views = _build(engine)
    after_build = _counts(engine)
    with pytest.raises(ValidationFailed) as failed:
        me.add_item(engine, EDITOR, meeting_id, _item("Doppelt"), position=2)
    assert "Position 2" in failed.value.errors["position"]
    with pytest.raises(ValidationFailed) as failed:
        me.add_slide(engine, EDITOR, first, 987654)
    assert "gespeicherte Ansicht" in failed.value.errors["saved_view_id"]
    assert before != after_build and _counts(engine) == after_build


def test_stale_version_is_a_conflict_and_changes_nothing(engine: Engine) -> None:
    meeting_id, (first, _), _views = _build(engine)
    values, version = me.meeting_values(engine, meeting_id)
    assert me.update_meeting(engine, EDITOR, meeting_id, version, values | {"title": "Sitzung 12. März"}) == 1
    entries, data = _counts(engine)[3], db.table_versions(engine)
    with pytest.raises(EditConflict, match="Sitzung: Der Datensatz wurde inzwischen"):
        me.update_meeting(engine, EDITOR, meeting_id, version, values | {"title": "Veraltet"})
    with pytest.raises(EditConflict):
        me.delete_meeting(engine, EDITOR, meeting_id, version)
    item = me.agenda(engine, meeting_id)[0]
    me.update_item(engine, EDITOR, first, item.version, item.values | {"speaker": "Dezernentin"})
    with pytest.raises(EditConflict, match="Tagesordnungspunkt"):
        me.update_item(engine, EDITOR, first, item.version, item.values | {"speaker": "Veraltet"})
    with pytest.raises(EditConflict):
        me.delete_item(engine, EDITOR, first, item.version)
    assert meetings.meeting(engine, "2026-03-12-sitzung-maerz-2026").title == "Sitzung 12. März"
    assert me.agenda(engine, meeting_id)[0].values["speaker"] == "Dezernentin"
    assert len(me.agenda(engine, meeting_id)) == 2
    assert _counts(engine)[3] == entries + 1  # only the one valid item update was logged
    assert raised(engine, data) == {"agenda_items": 1, "audit_log": 1}  # one commit changed them


def test_a_lost_race_is_a_conflict_with_the_stored_values(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id, (first, _), _views = _build(engine)
    values, version = me.meeting_values(engine, meeting_id)
    item = me.agenda(engine, meeting_id)[0]
    before, data = _counts(engine), db.table_versions(engine)
    another_save_slips_in(monkeypatch, Meeting.__table__, meeting_id)
    with pytest.raises(EditConflict, match="Sitzung: Der Datensatz wurde inzwischen") as lost:
        me.update_meeting(engine, EDITOR, meeting_id, version, values | {"title": "Verloren"})
    assert lost.value.current["title"] == "Sitzung März 2026" and lost.value.mine["title"] == "Verloren"
    assert me.meeting_values(engine, meeting_id) == (lost.value.current, lost.value.version)
    another_save_slips_in(monkeypatch, AgendaItem.__table__, first)
    with pytest.raises(EditConflict, match="Tagesordnungspunkt") as lost:
        me.update_item(engine, EDITOR, first, item.version, item.values | {"speaker": "Verloren"})
    assert lost.value.current["speaker"] == "Beigeordneter" and lost.value.mine["speaker"] == "Verloren"
    assert (lost.value.current, lost.value.version) == (item.values, item.version)
    another_save_slips_in(monkeypatch, AgendaItem.__table__, first)
    with pytest.raises(EditConflict, match="Tagesordnungspunkt") as lost:
        me.delete_item(engine, EDITOR, first, item.version)
    assert lost.value.current == item.values
    assert me.agenda(engine, meeting_id)[0] == item  # with its slides
    assert _counts(engine) == before and not raised(engine, data)


def test_moving_and_deleting_keep_positions_one_to_n(engine: Engine) -> None:
    meeting_id, (first, second), views = _build(engine)
    third = me.add_item(engine, EDITOR, meeting_id, _item("Verschiedenes"))
    assert me.move_item(engine, EDITOR, third, -1)
    assert not me.move_item(engine, EDITOR, first, -1)  # already first
    assert [(i.position, i.id) for i in me.agenda(engine, meeting_id)] == [
        (1, first), (2, third), (3, second)
    ]  # fmt: skip
    slides = me.agenda(engine, meeting_id)[0].slides
    assert me.move_slide(engine, EDITOR, slides[1].id, -1)
    assert [s.view_id for s in me.agenda(engine, meeting_id)[0].slides] == [views[1], views[0]]
    me.remove_slide(engine, EDITOR, me.agenda(engine, meeting_id)[0].slides[0].id)
    assert [(s.position, s.view_id) for s in me.agenda(engine, meeting_id)[0].slides] == [
        (1, views[0])
    ]
    third_version = next(i.version for i in me.agenda(engine, meeting_id) if i.id == third)
    me.delete_item(engine, EDITOR, third, third_version)
    assert [(i.position, i.id) for i in me.agenda(engine, meeting_id)] == [(1, first), (2, second)]
    assert [r.number for r in meetings.slides(engine, meeting_id)] == [1, 2]


def test_audit_entries_for_create_update_move_and_delete(engine: Engine) -> None:
    meeting_id, (_first, second), views = _build(engine)
    created = _audit(engine, "meetings", "create")
    assert ("fb.sozial", "title", "Sitzung März 2026", None) in created
    assert ("fb.sozial", "date", "2026-03-12", None) in created
    assert not any(field == "note" for _u, field, _n, _o in created)  # empty note: no entry
    assert len(_audit(engine, "agenda_slides", "create")) == 3 * 3  # item, position, view per slide
    me.move_item(engine, EDITOR, second, -1)
    assert [(f, n, o) for _u, f, n, o in _audit(engine, "agenda_items", "update")] == [
        ("position", "1", "2"), ("position", "2", "1")
    ]  # fmt: skip
    _values, version = me.meeting_values(engine, meeting_id)
    me.delete_meeting(engine, EDITOR, meeting_id, version)
    assert meetings.meeting(engine, "2026-03-12-sitzung-maerz-2026") is None
    assert {o for _u, f, _n, o in _audit(engine, "agenda_slides", "delete")} == {str(v) for v in views[:3]}
    assert ("fb.sozial", "title", None, "Sitzung März 2026") in _audit(engine, "meetings", "delete")
    assert len(_view_ids(engine)) == len(views)  # saved views stay


def test_councillor_cannot_call_any_write_function(engine: Engine) -> None:
    meeting_id, (first, _), views = _build(engine)
    slide_id = me.agenda(engine, meeting_id)[0].slides[0].id
    before, data = _counts(engine), db.table_versions(engine)
    calls = [
        lambda: me.create_meeting(engine, COUNCILLOR, SESSION),
        lambda: me.update_meeting(engine, COUNCILLOR, meeting_id, 1, SESSION),
        lambda: me.delete_meeting(engine, COUNCILLOR, meeting_id, 1),
        lambda: me.add_item(engine, COUNCILLOR, meeting_id, _item("X")),
        lambda: me.update_item(engine, COUNCILLOR, first, 1, _item("X")),
        lambda: me.delete_item(engine, COUNCILLOR, first, 1),
        lambda: me.move_item(engine, COUNCILLOR, first, 1),
        lambda: me.add_slide(engine, COUNCILLOR, first, views[3]),
        lambda: me.remove_slide(engine, COUNCILLOR, slide_id),
        lambda: me.move_slide(engine, COUNCILLOR, slide_id, 1),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="Keine Berechtigung"):
            call()
    assert _counts(engine) == before and not raised(engine, data)
