"""Sozialbericht-Prozess: Fachkonferenzen → Runder Tisch → Sozialbericht, recommendations, milestones."""

import streamlit as st

from sozdash.core import fmt
from sozdash.programmes import sozialbericht as process
from sozdash.store import queries
from sozdash.ui import downloads, figures, notices, startup, url_state

engine = startup.engine()
as_of = url_state.stichtag()
st.title("Sozialbericht-Prozess")
st.caption(f"Stand zum Stichtag {fmt.date(as_of)} (in der Seitenleiste änderbar).")

st.subheader("So fließen die Ergebnisse in den Bericht")
st.markdown("\n".join(f"- {fmt.plain(line)}" for line in process.flow_lines(engine)))
with st.expander("Konferenzen mit Rechtsgrundlage und Quelle"):
    st.dataframe(process.conferences_table(engine), hide_index=True, key="conferences")

st.subheader("Sitzungen der Fachkonferenzen und des Runden Tisches")
sessions = process.sessions_table(engine, as_of)
if sessions.empty:
    st.info(f"Bis {fmt.date(as_of)} sind keine Sitzungen erfasst.")
else:
    st.dataframe(sessions, hide_index=True, key="sessions")

st.subheader("Handlungsempfehlungen und Handlungsoptionen")
if process.recommendations(engine)["is_demo"].any():
    notices.demo_notice()
    st.caption(
        "Einträge mit „[Beispiel]“ sind erfunden; real belegt sind nur die Einträge mit Beispieldaten = nein."
    )
recommendations = process.recommendations_table(engine)
st.dataframe(recommendations, hide_index=True, key="recommendations")
downloads.download_buttons(recommendations, "handlungsempfehlungen", "recommendations")

st.subheader("Meilensteine des Sozialberichts")
figures.chart(*process.milestones_figure(engine, as_of), key="milestones", basename="meilensteine-sozialbericht")
st.dataframe(process.reports_table(engine, as_of), hide_index=True, key="reports")
st.markdown("**Belegte Fakten zum Sozialbericht**")
st.dataframe(queries.facts(engine, ("Sozialbericht",)), hide_index=True, key="facts")
