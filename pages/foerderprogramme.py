"""Förderprogramme: rounds on one timeline, applications and success rate, funding by source."""

import streamlit as st

from sozdash.access import visibility
from sozdash.core import fmt
from sozdash.programmes import funding
from sozdash.store import queries
from sozdash.ui import downloads, figures, login, startup, url_state

engine = startup.engine()
as_of = url_state.stichtag()
public = not visibility.sees_internal(login.current_actor())
st.title("Förderprogramme")
st.caption(f"Stand zum Stichtag {fmt.date(as_of)} (in der Seitenleiste änderbar).")

st.subheader("Förderende in Sicht")
soon = funding.ending_soon(engine, as_of, public)
if soon.empty:
    st.success(
        f"Keine Förderung endet in den 12 Monaten nach dem {fmt.date(as_of)}.", icon=":material/check:"
    )
else:
    st.warning(
        f"⚠ **{len(soon)} Projekt(e) mit Förderende in den nächsten 12 Monaten** – hier muss über eine "
        "Anschlussfinanzierung entschieden werden.", icon=":material/schedule:",
    )  # fmt: skip
    st.dataframe(soon, hide_index=True, key="ending-soon")

st.subheader("Programme und Förderrunden")
figures.chart(*funding.funding_timeline_figure(engine, as_of, public), key="rounds", basename="foerderrunden")
programmes = funding.programmes(engine)
with st.expander("Programme mit Beschreibung und Quelle"):
    st.dataframe(programmes, hide_index=True, key="programmes")

st.subheader("Anträge und Erfolgsquote")
st.markdown(funding.success_text(engine, as_of, public))
apps = funding.applications_table(funding.applications_as_of(engine, as_of, public))
st.dataframe(apps, hide_index=True, key="applications")
downloads.download_buttons(apps, f"antraege-{as_of.isoformat()}", "applications")

st.subheader("Fördermittel nach Quelle")
figures.chart(
    *funding.funding_by_source_figure(engine, as_of, public),
    key="sources",
    basename="foerdermittel-nach-quelle",
)
st.caption("Die Wirkungspakete der Altenhilfe (kommunale Mittel) stehen auf der Seite Wirkungspakete.")
st.markdown("**Belegte Fakten zu den Programmen**")
st.dataframe(queries.facts(engine, ("BIWAQ", "Soziale Stadt")), hide_index=True, key="facts")
