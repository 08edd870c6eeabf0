"""Handlungsbedarfe: districts that need action per Lebenslage, with active measures."""

import streamlit as st

from sozdash.core import fmt
from sozdash.core.vocab import LEBENSLAGEN
from sozdash.social_index import needs, views
from sozdash.ui import downloads, index_forms, notices, startup

engine = startup.engine()
st.title("Handlungsbedarfe")
choice = index_forms.index_choice(engine)
if choice is None:
    st.stop()
result = choice.result
st.info(views.LOCAL_KNOWLEDGE_SHORT, icon=":material/info:")
notices.demo_notice(result.is_demo)
found, table = needs.needs_view(engine, choice.source)

st.subheader("Bedarf und Maßnahmen je Gebiet")
st.caption(
    f"Aktive Maßnahmen am 31.12.{result.year}: Projekte mit Status laufend oder bewilligt und "
    "Wirkungspakete der Periode, jeweils dem Gebiet zugeordnet."
)
for category in (needs.NEED_WITHOUT_MEASURE, needs.MEASURE_WITHOUT_NEED):
    names = table.loc[table["Einordnung"] == category, "Gebiet"]
    st.markdown(f"**{category}:** {fmt.plain(', '.join(names)) if len(names) else 'keine'}")
st.dataframe(table, hide_index=True, key="needs-table")
downloads.download_buttons(table, f"handlungsbedarfe-{result.year}", key="needs-download")

st.subheader("Bedarfe je Lebenslage")
st.caption(
    "Ein Bedarf ist ausgewiesen, wenn ein Gebiet in einer Lebenslage deutlich ungünstiger dasteht als der "
    "Durchschnitt der bewerteten Gebiete. Rang 1 ist die günstigste Lage."
)
notices.how_computed(
    f"{views.LOCAL_KNOWLEDGE_NOTE}\n\n„Deutlich ungünstiger“ heißt: der Teilindex der Lebenslage liegt unter "
    f"{fmt.signed(result.config.status_low, 1)} Standardabweichungen vom Durchschnitt der Gebiete. "
    + views.cut_offs(result.config),
    key="needs-figures",
)
st.page_link("pages/methode.py", label="Die Methode Schritt für Schritt", icon=":material/functions:")
sentences: dict[str, list[str]] = {}
for lage, sentence in zip(found["lebenslage"], found["sentence"], strict=True):
    sentences.setdefault(lage, []).append(sentence)
for lage in dict.fromkeys(result.lebenslagen["lebenslage"]):
    st.markdown(f"**{LEBENSLAGEN[lage]}**")
    if lage not in sentences:
        st.caption("Kein Gebiet deutlich unter dem Durchschnitt.")
    for sentence in sentences.get(lage, []):
        st.markdown(f"- {fmt.plain(sentence)}")
