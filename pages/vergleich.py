"""Vergleich: 2–4 areas side by side over chosen indicators, and the areas most similar to one."""

import streamlit as st

from sozdash.access import visibility
from sozdash.core.fmt import plain
from sozdash.indicators import comparison, profile, similarity
from sozdash.indicators import explorer as iv
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
units = dict(zip(catalogue["key"], catalogue["unit"], strict=True))

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
chosen_labels = {key: labels[key] for key in keys}

if len(chosen) < 2:
    st.info("Bitte mindestens zwei Gebiete wählen, um sie zu vergleichen.")
else:
    data = comparison.comparison_data(engine, tuple(chosen), tuple(keys))
    notices.demo_notice(bool(data["is_demo"].any()))
    st.subheader(f"Gegenüberstellung {year}")
    counts = comparison.count_keys(engine, keys)  # head counts: the city is their sum, not a comparison
    table = comparison.comparison_table(data, chosen, chosen_labels, year, iv.city_code(engine), counts)
    st.dataframe(table, hide_index=True, key="comparison-table")
    downloads.download_buttons(table, f"vergleich-{year}", key="comparison")
    st.subheader("Entwicklung über die Jahre")
    figures.chart(
        comparison.small_multiples(data, chosen, chosen_labels, units, iv.city_code(engine), counts),
        comparison.comparison_summary(data, chosen, chosen_labels, year),
        comparison.series_table(data, chosen_labels), key="multiples", basename="vergleich-zeitreihen",
    )  # fmt: skip

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
