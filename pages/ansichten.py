"""Gespeicherte Ansichten: list, open exactly as saved, rename and delete (Fachbereich or higher)."""

import streamlit as st

from sozdash import fmt, saved_views, ui
from sozdash.permissions import PermissionDenied, has_role

engine = ui.engine()
actor = ui.current_actor()
st.title("Gespeicherte Ansichten")
st.caption(
    "Eine Ansicht merkt sich Seite und Auswahl (wie der Link in der Adresszeile). Speichern über "
    "„Ansicht speichern“ in der Seitenleiste jeder Auswertungsseite; Ansichten sind Folien der Sitzungen."
)
views = saved_views.list_views(engine)
if views.empty:
    st.info("Noch keine Ansichten gespeichert.", icon=":material/bookmarks:")
    st.stop()

shown = views.drop(columns=["id", "page", "params"]).assign(
    **{"Erstellt am": views["Erstellt am"].map(fmt.date)}
)
st.dataframe(shown, hide_index=True, key="views-table")
ui.download_buttons(shown, "gespeicherte-ansichten", key="views")

titles = dict(zip(views["id"], views["Titel"] + " · " + views["Seite"], strict=True))
view_id = st.selectbox("Ansicht", list(titles), format_func=titles.get, key="view-choice")
view = saved_views.get_view(engine, view_id)
st.markdown(f"**Link:** `{saved_views.deep_link(view.page, view.params)}`")
if st.button("Ansicht öffnen", type="primary", icon=":material/open_in_new:"):
    st.switch_page(saved_views.page_file(view.page), query_params=view.params)

if not has_role(actor, saved_views.EDIT_ROLE):
    st.caption("Umbenennen und Löschen: angemeldet ab der Rolle „Fachbereich“.")
    st.stop()

with st.form(f"rename-{view.id}"):
    st.subheader("Umbenennen")
    title = st.text_input("Titel", value=view.title, max_chars=saved_views.MAX_TITLE)
    note = st.text_area("Notiz", value=view.note or "")
    if st.form_submit_button("Änderungen speichern", icon=":material/save:"):
        try:
            saved_views.rename_view(engine, actor, view.id, title, note)
            st.toast("Gespeichert.", icon=":material/check:")
            st.rerun()
        except (saved_views.ViewError, PermissionDenied) as exc:
            st.error(str(exc), icon=":material/error:")

confirm = st.checkbox(f"Ja, „{view.title}“ löschen", key=f"confirm-{view.id}")
if st.button("Löschen", icon=":material/delete:", disabled=not confirm):
    try:
        saved_views.delete_view(engine, actor, view.id)
        st.rerun()
    except (saved_views.ViewError, PermissionDenied) as exc:
        st.error(str(exc), icon=":material/error:")
