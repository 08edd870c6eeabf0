"""Datenstand: where the data comes from, what is demo, the integrity report and (role Admin)
removing the example data."""

import streamlit as st

from sozdash.core import fmt
from sozdash.core.permissions import PermissionDenied, has_role
from sozdash.demo import removal
from sozdash.exports.all_data import DOWNLOADS, export_file
from sozdash.store import queries
from sozdash.store.integrity import cached_check
from sozdash.ui import login, notices, startup

engine = startup.engine()
st.title("Datenstand")
st.markdown("Woher die Daten stammen, was Beispieldaten sind und ob die Datenbank in sich stimmig ist.")

status = queries.data_status(engine)
table = status.assign(
    Art=status["is_demo"].map({True: "Beispieldaten (erfunden)", False: "Daten mit Quelle"}),
    Stand=status["created_at"].map(lambda t: fmt.date(t.date())),
    Zeilen=status["rows"].map(fmt.number),
)[["Art", "source", "Stand", "Zeilen"]].rename(columns={"source": "Quelle"})
st.dataframe(table, hide_index=True)
notices.demo_notice(bool(status["is_demo"].any()))

st.subheader("Integritätsprüfung")
report = cached_check(engine)
st.table({"Prüfpunkt": list(report.counts), "Anzahl": [fmt.number(v) for v in report.counts.values()]})
if report.ok:
    st.success("Keine Probleme gefunden: keine verwaisten Verweise, Quoten stimmen, Geometrien gültig.")
for problem in report.problems:
    st.error(fmt.plain(problem))

st.subheader("Export aller Daten")
st.markdown(
    "Gebiete (mit Grenzen), Indikatoren und alle Werte mit Kennzeichen und Herkunft (Import). "
    "Geheim gehaltene oder fehlende Werte stehen als Zeichen (z. B. „*“) in der Spalte Wert, nie als Zahl."
)
for column, name in zip(st.columns(len(DOWNLOADS)), DOWNLOADS, strict=True):
    column.download_button(
        name, lambda n=name: export_file(engine, n), name, key=f"export-{name}", icon=":material/download:"
    )

actor = login.current_actor()
if has_role(actor, removal.REMOVE_ROLE):
    st.subheader("Beispieldaten entfernen")
    st.markdown(
        "Entfernt alle erfundenen Werte und Datensätze (Kennzeichen Beispieldaten) und die schematischen "
        "Gebietsformen in einem Schritt; Daten mit Quelle bleiben. Der Schritt wird protokolliert."
    )

    def bullets(counts: dict[str, int]) -> str:
        return "\n".join(f"- {line}" for line in removal.report_lines(counts))

    def remove_demo() -> None:
        """Remove the example data in the button's callback; keep the outcome for the next run."""
        try:
            counts = removal.remove_demo(engine, actor)
            text = f"**Entfernt:**\n\n{bullets(counts)}" if any(counts.values()) else removal.NOTHING
            st.session_state["demo-outcome"] = ("success", text)
        except PermissionDenied as exc:
            st.session_state["demo-outcome"] = ("error", fmt.plain(exc))
        st.session_state["demo-confirm"] = False

    if outcome := st.session_state.pop("demo-outcome", None):
        (st.success if outcome[0] == "success" else st.error)(outcome[1])
    pending = removal.pending(engine)
    if any(pending.values()):
        st.markdown(f"**Es würden entfernt:**\n\n{bullets(pending)}")
        st.caption(removal.DUMP_HINT)
        confirm = st.checkbox("Ja, alle Beispieldaten endgültig entfernen", key="demo-confirm")
        st.button("Beispieldaten entfernen", icon=":material/delete_forever:", type="primary",
                  disabled=not confirm, on_click=remove_demo, key="demo-remove")  # fmt: skip
    else:
        st.caption("Keine Beispieldaten vorhanden.")
