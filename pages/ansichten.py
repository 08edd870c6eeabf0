"""Gespeicherte Ansichten: list, open exactly as saved, rename and delete (Fachbereich or higher)."""

import streamlit as st

from sozdash.core import fmt
from sozdash.core.permissions import PermissionDenied, has_role
from sozdash.editing import admin_tables
from sozdash.meetings import saved_views
from sozdash.ui import downloads, login, startup

engine = startup.engine()
actor = login.current_actor()
st.title("Gespeicherte Ansichten")
st.caption(
    "Eine Ansicht merkt sich Seite und Auswahl (wie der Link in der Adresszeile). Speichern über "
    "„Ansicht speichern“ in der Seitenleiste jeder Auswertungsseite; Ansichten sind Folien der Sitzungen."
)
views = saved_views.list_views(engine)
if views.empty:
    st.info("Noch keine Ansichten gespeichert.", icon=":material/bookmarks:")
    st.stop()

people = admin_tables.user_names(engine)
shown = admin_tables.dashes(views.assign(
    **{"Erstellt von": views["Erstellt von"].map(lambda u: admin_tables.person(u, people))}
)[["Titel", "Seite", "Folien", "Erstellt am", "Erstellt von", "Notiz"]])  # fmt: skip
st.dataframe(shown, hide_index=True, key="views-table",
             column_config={"Erstellt am": st.column_config.DatetimeColumn(format="DD.MM.YYYY, HH:mm")})  # fmt: skip
downloads.download_buttons(shown, "gespeicherte-ansichten", key="views")

titles = dict(zip(views["id"], views["Titel"] + " · " + views["Seite"], strict=True))
view_id = st.selectbox("Ansicht", list(titles), format_func=titles.get, key="view-choice")
view = saved_views.get_view(engine, view_id)
st.page_link(saved_views.page_file(view.page), label=f"„{fmt.plain(view.title)}“ öffnen", icon=":material/open_in_new:",
             query_params=view.params)  # fmt: skip
st.markdown(f"**Link zum Weitergeben:** `{saved_views.deep_link(view.page, view.params)}`")

if not has_role(actor, saved_views.EDIT_ROLE):
    st.caption("Umbenennen und Löschen: angemeldet ab der Rolle „Fachbereich“.")
    st.stop()


def change(action, *args: object) -> None:
    """Run a write (rename/delete) in a callback and keep its outcome for the next run."""
    try:
        action(engine, actor, *args)
        st.session_state["views-outcome"] = ("success", "Gespeichert.")
    except (saved_views.ViewError, PermissionDenied) as exc:
        st.session_state["views-outcome"] = ("error", str(exc))


if outcome := st.session_state.pop("views-outcome", None):
    (st.success if outcome[0] == "success" else st.error)(fmt.plain(outcome[1]))
with st.form(f"rename-{view.id}"):
    st.subheader("Umbenennen")
    st.text_input("Titel", value=view.title, max_chars=saved_views.MAX_TITLE, key=f"title-{view.id}")
    st.text_area("Notiz", value=view.note or "", key=f"note-{view.id}")
    st.form_submit_button("Änderungen speichern", icon=":material/save:", on_click=lambda: change(
        saved_views.rename_view, view.id, st.session_state[f"title-{view.id}"], st.session_state[f"note-{view.id}"]))  # fmt: skip

confirm = st.checkbox(f"Ja, „{fmt.plain(view.title)}“ löschen", key=f"confirm-{view.id}")
st.button("Löschen", icon=":material/delete:", disabled=not confirm, on_click=change,
          args=(saved_views.delete_view, view.id))  # fmt: skip
