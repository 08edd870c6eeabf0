"""Bearbeiten: create, edit, delete and restore records (role Fachbereich or higher)."""

import streamlit as st

from sozdash.core.fmt import plain
from sozdash.core.permissions import PermissionDenied
from sozdash.editing import records as editing
from sozdash.editing.specs import ENTITIES
from sozdash.ui import login, record_form, startup, url_state

NEW = 0
engine = startup.engine()
st.title("Bearbeiten")
actor = login.require_page_role(__file__)
if message := st.session_state.pop("edit-flash", None):
    st.success(plain(message), icon=":material/check_circle:")


def done(message: str, record_id: int | None) -> None:
    """Show ``message`` after a rerun that reloads the record (and its new version)."""
    st.session_state["edit-flash"] = message
    st.session_state.pop("edit-loaded", None)
    st.query_params["nr"] = str(record_id or NEW)
    st.rerun()


kinds = {key: spec.label for key, spec in ENTITIES.items()}
spec = ENTITIES[url_state.url_select("Art des Eintrags", list(kinds), "art", format_func=kinds.get)]
records = editing.records(engine, actor, spec)
labels = {NEW: "– neuer Eintrag –", **dict(zip(records["id"].tolist(), records["label"], strict=True))}
chosen = url_state.url_select("Eintrag", list(labels), "nr", format_func=labels.get)
try:
    values, version = editing.load(engine, spec, chosen) if chosen else (editing.defaults(spec), 0)
except editing.RecordGone as exc:  # deleted by someone else a moment ago
    st.warning(plain(exc), icon=":material/delete:")
    st.stop()
loaded = st.session_state.get("edit-loaded")  # the version this session started editing from
if loaded and loaded[:2] == (spec.key, chosen):
    version = loaded[2]
st.session_state["edit-loaded"] = (spec.key, chosen, version)
options = {f.name: editing.ref_options(engine, f.ref) for f in spec.fields if f.kind == "ref" and f.ref}
form_key = f"{spec.key}-{chosen}-{version}"
st.caption("Mit * markierte Felder sind Pflichtfelder.")
with st.form(form_key):
    entered, slots = {}, {}
    for f in spec.fields:
        entered[f.name] = record_form.field_input(f, values.get(f.name), options.get(f.name), f"{form_key}-{f.name}")
        slots[f.name] = st.empty()
    reason = None
    if spec.status_field and chosen:
        reason = st.text_input(
            "Begründung für einen ungewöhnlichen Statuswechsel",
            help="Nötig z. B. für „abgeschlossen“ → „geplant“; wird im Änderungsprotokoll gespeichert.",
        )
    form_slot = st.empty()
    submitted = st.form_submit_button("Speichern", icon=":material/save:", type="primary")

if submitted:
    try:
        if chosen:
            changed = editing.update(engine, actor, spec, chosen, version, entered, reason)
            done(f"Gespeichert: {changed} Feld(er) geändert." if changed else "Keine Änderung.", chosen)
        else:
            done(f"{spec.label} angelegt.", editing.create(engine, actor, spec, entered))
    except editing.ValidationFailed as exc:
        form_slot.error("Nicht gespeichert – bitte die markierten Felder prüfen.", icon=":material/error:")
        for name, message in exc.errors.items():
            slots.get(name, form_slot).error(plain(message), icon=":material/error:")
    except editing.EditConflict as exc:
        st.error(
            "**Nicht gespeichert: Jemand anderes hat diesen Eintrag inzwischen geändert.** Nichts wurde "
            "überschrieben. Vergleichen Sie Ihre Eingabe mit dem aktuellen Stand, laden Sie den aktuellen "
            "Stand und tragen Sie Ihre Änderung erneut ein.",
            icon=":material/sync_problem:",
        )
        st.dataframe(editing.conflict_table(engine, exc), hide_index=True)
        st.button(
            "Aktuellen Stand laden",
            icon=":material/refresh:",
            on_click=st.session_state.pop,
            args=("edit-loaded",),
        )
    except (PermissionDenied, editing.RecordGone) as exc:
        st.error(plain(exc), icon=":material/block:")

if chosen:
    with st.expander("Eintrag löschen", icon=":material/delete:"):
        st.caption(
            "Der Eintrag wird als gelöscht markiert und lässt sich wiederherstellen."
            if spec.soft_delete
            else "Der Eintrag wird endgültig entfernt; das Änderungsprotokoll behält alle Werte."
        )
        sure = st.checkbox("Ja, diesen Eintrag löschen", key=f"sure-{form_key}")
        if st.button("Löschen", disabled=not sure, key=f"delete-{form_key}"):
            try:
                editing.delete(engine, actor, spec, chosen, version)
                done(f"{spec.label} gelöscht.", None)
            except (PermissionDenied, editing.RecordGone, editing.EditConflict, ValueError) as exc:
                st.error(plain(exc), icon=":material/block:")

gone = editing.records(engine, actor, spec, deleted=True)
if not gone.empty:
    names = dict(zip(gone["id"].tolist(), gone["label"], strict=True))
    with st.expander(f"Gelöschte Einträge ({len(gone)})", icon=":material/restore_from_trash:"):
        back = st.selectbox("Gelöschter Eintrag", list(names), format_func=names.get)
        if st.button("Wiederherstellen", key="restore"):
            editing.restore(engine, actor, spec, back)
            done(f"{spec.label} wiederhergestellt.", back)
