"""Methode: formulas and parameters of the social index with a worked example for one district."""

import streamlit as st

from sozdash.access import visibility
from sozdash.core import fmt
from sozdash.indicators import profile, similarity
from sozdash.social_index import views
from sozdash.ui import downloads, index_forms, login, notices, startup, url_state

engine = startup.engine()
st.title("Methode")
st.subheader("Worte und Ränge in Stadtteilprofil und Vergleich")
st.markdown(
    "Die Seiten beschreiben die Lage eines Gebiets in Worten („deutlich über dem städtischen Wert“) und "
    "mit Rängen („Rang 2 von 13“). Dahinter stehen diese Regeln:"
)
st.markdown(f"- **Lage zum Vergleichswert:** {profile.METHOD_NOTE}")
st.markdown(f"- **Ähnliche Gebiete:** {similarity.EXPLANATION}")

st.header("Sozialindex")
choice = index_forms.index_choice(engine)
if choice is None:
    st.stop()
result, label, name, source = choice
notices.demo_notice(result.is_demo)

st.subheader("Formeln")
st.markdown(
    "1. **Standardisierung** je Indikator über alle bewerteten Gebiete derselben Ebene und desselben Jahres "
    "(Mittelwert und Standardabweichung der Gebiete):"
)
st.latex(r"z_{i,a} = \frac{x_{i,a} - \bar{x}_i}{s_i}")
st.markdown(
    "2. **Richtung:** Beitrag = Richtung · z mit +1 für „höher ist besser“ und −1 für „höher ist schlechter“ – "
    "so bedeutet ein höherer Wert immer eine günstigere Lage."
)
st.latex(r"b_{i,a} = r_i \cdot z_{i,a}, \quad r_i \in \{+1, -1\}")
st.markdown(
    "3. **Teilindex je Lebenslage und Statusindex:** gewichtetes Mittel der vorhandenen Beiträge, danach "
    "erneut standardisiert, damit die Schwellen in Standardabweichungen gelten. Geheim gehaltene oder "
    "fehlende Werte fallen für dieses Gebiet heraus; fehlt mehr als der Mindestanteil des Gewichts, "
    "bleibt das Gebiet unbewertet."
)
st.latex(r"S_a = \operatorname{std}\Big(\frac{\sum_i w_i\, b_{i,a}}{\sum_i w_i}\Big)")
st.markdown(
    "4. **Dynamikindex:** dieselben Schritte mit der Veränderung jedes Indikators über den Zeitraum – "
    "positiv heißt: günstiger entwickelt als die anderen Gebiete."
)
st.latex(
    r"D_a = \operatorname{std}\Big(\frac{\sum_i w_i\, r_i\, \operatorname{z}(x_{i,a,t} - x_{i,a,t-k})}{\sum_i w_i}\Big)"
)

parameters = st.container()  # filled below, once the area of the worked example is chosen
st.subheader("Rechenbeispiel")
names = dict(zip(result.areas["area"], result.areas["name"], strict=True))
area = url_state.url_select("Gebiet", sorted(names, key=names.get), "gebiet", format_func=names.get)
panels = views.method_panels(engine, source, area, not visibility.sees_internal(login.current_actor()))
st.markdown(f"**{fmt.plain(names[area])}, Bezugsjahr {result.year}**")
st.dataframe(panels.example, hide_index=True, key="method-example")
st.markdown("\n".join(f"- {fmt.plain(step)}" for step in panels.steps))
downloads.download_buttons(panels.example, f"sozialindex-rechenbeispiel-{area}-{result.year}", key="method-download")
with parameters:
    st.subheader(f"Parameter: {fmt.plain(label)}")
    st.dataframe(panels.parameters, hide_index=True, key="method-parameters")
    st.subheader("Nicht bewertete Gebiete")
    if panels.excluded.empty:
        st.caption("Alle Gebiete sind bewertet.")
    else:
        st.dataframe(panels.excluded, hide_index=True, key="method-excluded")
index_forms.index_planner(engine, result, name)
