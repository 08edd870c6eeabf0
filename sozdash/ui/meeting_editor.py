"""The "Sitzung bearbeiten" area of the Sitzungen page: forms and buttons for ``sozdash.meetings.edit``.

Writes run in ``on_click`` callbacks, so their result (and the message about it) survives the
rerun; widget keys carry the record version, so after a save the forms show the stored values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from sozdash.core.fmt import plain
from sozdash.core.permissions import Actor, PermissionDenied, has_role
from sozdash.editing.records import (
    EditConflict,
    EntitySpec,
    RecordGone,
    ValidationFailed,
    conflict_table,
    defaults,
)
from sozdash.meetings import edit as meeting_edit
from sozdash.meetings.agenda import MeetingInfo
from sozdash.meetings.saved_views import list_views
from sozdash.ui import record_form

MESSAGE = "sitzung-bearbeiten-meldung"
NEW = "neue-sitzung"
"""Key prefix of the new-session inputs."""
LABELS = {f.name: f.label for spec in (meeting_edit.MEETING, meeting_edit.ITEM) for f in spec.fields}


def _fields(spec: EntitySpec, values: dict[str, Any], prefix: str) -> None:
    for field in spec.fields:
        record_form.field_input(field, values.get(field.name), None, key=f"{prefix}-{field.name}")


def _read(spec: EntitySpec, prefix: str) -> dict[str, Any]:
    return {name: st.session_state.get(f"{prefix}-{name}") for name in spec.names}


def _run(
    engine: Engine, write: Callable[[], Any], done: str, then: Callable[[Any], None] | None = None,
    clear: str | None = None,
) -> None:  # fmt: skip
    """Run one write (then ``then`` with its result, and empty the inputs keyed ``clear…``); keep a
    German message (success, field errors, conflict) for the next run. Failed input stays in the form."""
    try:
        result = write()
    except ValidationFailed as exc:
        problems = [
            f"„{LABELS[name]}“: {text}" if name in LABELS else text for name, text in exc.errors.items()
        ]
        st.session_state[MESSAGE] = ("error", "Nicht gespeichert. " + " ".join(problems), None)
    except EditConflict as exc:
        text = f"{exc} Nichts wurde überschrieben; die Formulare zeigen jetzt den aktuellen Stand."
        st.session_state[MESSAGE] = ("error", text, conflict_table(engine, exc))
    except (RecordGone, PermissionDenied) as exc:
        st.session_state[MESSAGE] = ("error", str(exc), None)
    else:
        st.session_state[MESSAGE] = ("success", done, None)
        for key in [k for k in st.session_state if clear and str(k).startswith(clear)]:
            del st.session_state[key]
        if then is not None:
            then(result)


def _select(key: str | None) -> None:
    """Show session ``key`` next (``None``: the newest)."""
    if key is None:
        st.query_params.pop("sitzung", None)
    else:
        st.query_params["sitzung"] = key


def _message() -> None:
    kind, text, table = st.session_state.pop(MESSAGE, (None, None, None))
    if kind == "success":
        st.success(plain(text), icon=":material/check:")
    elif kind == "error":
        st.error(plain(text), icon=":material/error:")
        if table is not None:
            st.dataframe(table, hide_index=True)


def new_meeting_form(engine: Engine, actor: Actor) -> None:
    """The form for a new session; after saving, the new session is selected."""
    with st.form("sitzung-neu"):
        st.markdown("**Neue Sitzung anlegen**")
        _fields(meeting_edit.MEETING, defaults(meeting_edit.MEETING), NEW)
        create = lambda: meeting_edit.create_meeting(engine, actor, _read(meeting_edit.MEETING, NEW))  # noqa: E731
        st.form_submit_button("Sitzung anlegen", icon=":material/add:", on_click=_run,
                              args=(engine, create, "Sitzung angelegt.", _select, f"{NEW}-"))  # fmt: skip


def first_meeting(engine: Engine, actor: Actor) -> None:
    """While there is no session: the form for the first one (role Fachbereich or higher)."""
    if has_role(actor, meeting_edit.EDIT_ROLE):
        _message()
        new_meeting_form(engine, actor)


def editor(engine: Engine, actor: Actor, info: MeetingInfo) -> None:
    """The edit area for role Fachbereich or higher (nothing for other roles)."""
    if not has_role(actor, meeting_edit.EDIT_ROLE):
        return
    st.header("Sitzung bearbeiten")
    _message()
    values, version = meeting_edit.meeting_values(engine, info.id)
    tab_meeting, tab_agenda, tab_new = st.tabs(["Diese Sitzung", "Tagesordnung und Folien", "Neue Sitzung"])
    with tab_meeting, st.form(f"sitzung-{info.id}"):
        prefix = f"sitzung-{info.id}-{version}"
        _fields(meeting_edit.MEETING, values, prefix)
        save = lambda: meeting_edit.update_meeting(  # noqa: E731
            engine, actor, info.id, version, _read(meeting_edit.MEETING, prefix)
        )
        st.form_submit_button("Änderungen speichern", icon=":material/save:", on_click=_run,
                              args=(engine, save, "Sitzung gespeichert."))  # fmt: skip
    with tab_meeting, st.popover("Sitzung löschen", icon=":material/delete:"):
        st.caption("Löscht die Sitzung mit allen Tagesordnungspunkten und Folien; die Ansichten bleiben.")
        delete = lambda: meeting_edit.delete_meeting(engine, actor, info.id, version)  # noqa: E731
        st.button("Endgültig löschen", key=f"sitzung-loeschen-{info.id}", type="primary", on_click=_run,
                  args=(engine, delete, "Sitzung gelöscht.", lambda _none: _select(None)))  # fmt: skip
    with tab_agenda:
        _agenda(engine, actor, info.id)
    with tab_new:
        new_meeting_form(engine, actor)


def _agenda(engine: Engine, actor: Actor, meeting_id: int) -> None:
    items = meeting_edit.agenda(engine, meeting_id)
    views = list_views(engine)
    view_titles = dict(zip(views["id"], views["Titel"], strict=True))
    for item in items:
        with st.expander(f"TOP {item.position}: {plain(item.values['title'])}"):
            _item(engine, actor, item, len(items), view_titles)
    prefix = f"top-neu-{meeting_id}"
    with st.form(prefix):
        st.markdown("**Neuer Tagesordnungspunkt** (wird angehängt)")
        _fields(meeting_edit.ITEM, {}, prefix)
        add = lambda: meeting_edit.add_item(engine, actor, meeting_id, _read(meeting_edit.ITEM, prefix))  # noqa: E731
        st.form_submit_button("Punkt hinzufügen", icon=":material/add:", on_click=_run,
                              args=(engine, add, "Tagesordnungspunkt hinzugefügt.", None, f"{prefix}-"))  # fmt: skip


def _item(
    engine: Engine, actor: Actor, item: meeting_edit.ItemRow, count: int, views: dict[int, str]
) -> None:
    prefix = f"top-{item.id}-{item.version}"
    with st.form(f"top-{item.id}"):
        _fields(meeting_edit.ITEM, item.values, prefix)
        save = lambda: meeting_edit.update_item(  # noqa: E731
            engine, actor, item.id, item.version, _read(meeting_edit.ITEM, prefix)
        )
        st.form_submit_button("Punkt speichern", icon=":material/save:", on_click=_run,
                              args=(engine, save, "Tagesordnungspunkt gespeichert."))  # fmt: skip
    up, down, delete = st.columns(3)
    for column, label, icon, step, disabled in (
        (up, "Nach oben", ":material/arrow_upward:", -1, item.position == 1),
        (down, "Nach unten", ":material/arrow_downward:", 1, item.position == count),
    ):
        move = lambda n=step: meeting_edit.move_item(engine, actor, item.id, n)  # noqa: E731
        column.button(label, key=f"top-{step}-{item.id}", icon=icon, disabled=disabled, on_click=_run,
                      args=(engine, move, "Tagesordnungspunkt verschoben."))  # fmt: skip
    with delete.popover("Punkt löschen", icon=":material/delete:"):
        st.caption("Löscht den Punkt mit seinen Folien; die Ansichten bleiben, folgende Punkte rücken auf.")
        st.button("Endgültig löschen", key=f"top-loeschen-{item.id}", type="primary", on_click=_run,
                  args=(engine, lambda: meeting_edit.delete_item(engine, actor, item.id, item.version),
                        "Tagesordnungspunkt gelöscht."))  # fmt: skip
    st.markdown("**Folien**")
    for slide in item.slides:
        title, up, down, remove = st.columns([4, 2, 2, 2], vertical_alignment="center")
        title.text(f"{slide.position}. {slide.view_title}")
        for column, label, icon, step, disabled in (
            (up, "Folie nach oben", ":material/arrow_upward:", -1, slide.position == 1),
            (down, "Folie nach unten", ":material/arrow_downward:", 1, slide.position == len(item.slides)),
        ):
            shift = lambda s=slide.id, n=step: meeting_edit.move_slide(engine, actor, s, n)  # noqa: E731
            column.button(label, key=f"folie-{step}-{slide.id}", icon=icon, disabled=disabled, on_click=_run,
                          args=(engine, shift, "Folie verschoben."))  # fmt: skip
        remove.button("Folie entfernen", key=f"folie-weg-{slide.id}", icon=":material/close:", on_click=_run,
                      args=(engine, lambda s=slide.id: meeting_edit.remove_slide(engine, actor, s),
                            "Folie entfernt."))  # fmt: skip
    with st.form(f"folie-neu-{item.id}", clear_on_submit=True):  # a failed choice is worth nothing
        st.selectbox("Gespeicherte Ansicht", list(views), format_func=views.__getitem__, index=None,
                     key=f"folie-neu-{item.id}-ansicht", placeholder="Ansicht wählen")  # fmt: skip
        add = lambda: meeting_edit.add_slide(  # noqa: E731
            engine, actor, item.id, st.session_state.get(f"folie-neu-{item.id}-ansicht")
        )
        st.form_submit_button("Folie hinzufügen", icon=":material/add:", on_click=_run,
                              args=(engine, add, "Folie hinzugefügt."))  # fmt: skip
