"""Datenstand: where the data comes from, what is demo, and the integrity report."""

import streamlit as st

from sozdash.core import fmt
from sozdash.exports.all_data import DOWNLOADS, export_file
from sozdash.store import queries
from sozdash.store.integrity import cached_check
from sozdash.ui import notices, startup

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
    st.error(problem)

st.subheader("Export aller Daten")
st.markdown(
    "Gebiete (mit Grenzen), Indikatoren und alle Werte mit Kennzeichen und Herkunft (Import). "
    "Geheim gehaltene oder fehlende Werte stehen als Zeichen (z. B. „*“) in der Spalte Wert, nie als Zahl."
)
for column, name in zip(st.columns(len(DOWNLOADS)), DOWNLOADS, strict=True):
    column.download_button(
        name, lambda n=name: export_file(engine, n), name, key=f"export-{name}", icon=":material/download:"
    )
