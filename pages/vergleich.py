"""Vergleich: 2–4 areas side by side over chosen indicators, and the areas most similar to one."""

import streamlit as st

from sozdash.access import visibility
from sozdash.core.fmt import plain
from sozdash.indicators import comparison, profile, similarity
from sozdash.ui import downloads, figures, login, notices, startup, url_state

DEFAULT_INDICATORS = ["sgb2_quote", "arbeitslosenquote_bev", "kinderarmut_sgb2_u15", "beschaeftigungsquote"]

engine = startup.engine()
st.title("Vergleich")
names = profile.area_choices(engine)
catalogue = visibility.indicators(engine, login.current_actor())
notices.require_indicators(engine, catalogue)
if not names:
    notices.missing(notices.NO_AREAS)
years = profile.area_years(engine)
if not years:
    notices.missing(notices.NO_VALUES)
labels = dict(zip(catalogue["key"], catalogue["name"], strict=True))

chosen = url_state.url_multiselect(
    "Gebiete (zwei bis vier)", list(names), "gebiete", default=list(names)[:2], format_func=names.get, max_selections=4
)  # fmt: skip
default_keys = [k for k in DEFAULT_INDICATORS if k in labels] or list(labels)[:4]
keys = url_state.url_multiselect(
    "Indikatoren", list(labels), "ind", default=default_keys, format_func=labels.get, max_selections=8
)  # fmt: skip
year = url_state.url_select("Jahr für Tabelle und ähnliche Gebiete", years, "jahr", default=years[0])
if not keys:
    st.info("Bitte mindestens einen Indikator wählen.")
    st.stop()

if len(chosen) < 2:
    st.info("Bitte mindestens zwei Gebiete wählen, um sie zu vergleichen.")
else:
    panels = comparison.comparison_panels(engine, tuple(chosen), tuple(keys), year)
    notices.demo_notice(panels.is_demo)
    st.subheader(f"Gegenüberstellung {year}")
    st.dataframe(panels.table, hide_index=True, key="comparison-table")
    downloads.download_buttons(panels.table, f"vergleich-{year}", key="comparison")
    st.subheader("Entwicklung über die Jahre")
    figures.chart(panels.figure, panels.summary, panels.series, key="multiples", basename="vergleich-zeitreihen")

st.subheader("Ähnliche Gebiete")
reference = url_state.url_select(
    "Referenzgebiet", list(names), "referenz", default=chosen[0] if chosen else None, format_func=names.get
)  # fmt: skip
similar = similarity.similar_areas(engine, reference, tuple(keys), year)
if len(similar) < 2:
    st.info(
        "Für das Referenzgebiet fehlen veröffentlichte Werte zu einem gewählten Indikator; kein Vergleich möglich."
    )
else:
    st.markdown(plain(similarity.SUMMARY.format(k=len(keys), year=year, name=names[reference])))
    shown = [column for column in similar.columns if column != "Abstand"]
    st.dataframe(similar, hide_index=True, key="similar-table", column_order=shown)
    notices.how_computed(similarity.EXPLANATION, similar[["Gebiet", "Ähnlichkeit", "Abstand"]],
                         key="similar-method")  # fmt: skip
    downloads.download_buttons(similar, f"aehnliche-gebiete-{reference}-{year}", key="similar")
