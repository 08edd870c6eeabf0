"""Indikatoren: one indicator by Lebenslage, year and area level as map, ranking and time series."""

import streamlit as st

from sozdash.access import visibility
from sozdash.core import maps, vocab
from sozdash.core.fmt import plain
from sozdash.indicators import charts, classify
from sozdash.indicators import explorer as iv
from sozdash.store import queries
from sozdash.ui import downloads, figures, login, notices, startup, url_state

engine = startup.engine()
st.title("Indikatoren")
catalogue = visibility.indicators(engine, login.current_actor())
notices.require_indicators(engine, catalogue)
level_names = queries.area_levels(engine)
by_key = catalogue.set_index("key")
wanted = st.query_params.get("ind")
lagen = [lage for lage in vocab.LEBENSLAGEN if lage in set(catalogue["lebenslage"])]

c1, c2, c3, c4 = st.columns([2, 3, 1, 2])
with c1:
    lage = url_state.url_select("Lebenslage", lagen, "lage", format_func=vocab.LEBENSLAGEN.get,
                                default=by_key["lebenslage"].get(wanted))  # fmt: skip
with c2:
    keys = list(catalogue.loc[catalogue["lebenslage"].eq(lage), "key"])
    key = url_state.url_select("Indikator", keys, "ind", format_func=lambda k: by_key.loc[k, "name"])
meta = iv.indicator_row(engine, key)
levels = iv.levels(engine, key)
if not levels:
    st.info("Für diesen Indikator liegen keine Werte unterhalb der Gesamtstadt vor.", icon=":material/info:")
    st.stop()
with c4:
    level = url_state.url_select(
        "Gebietsebene", levels, "ebene", default=iv.default_level(engine, key), format_func=level_names.get
    )
with c3:
    year = url_state.url_select("Jahr", iv.years(engine, key, level)[::-1], "jahr")
view = charts.compared(iv.level_view(engine, key, year, level), meta)  # counts: against the areas' mean
names = dict(zip(view["area"], view["name"], strict=True))
selected = url_state.url_select("Gebiet auswählen (oder in der Karte anklicken)", ["", *names], "gebiet",
                                format_func=lambda c: names.get(c, "– keines –"))  # fmt: skip

notices.demo_notice(bool(view["is_demo"].any()))
with st.sidebar.expander("Über den Indikator", icon=":material/info:", expanded=True):
    batch_ids = [int(b) for b in view["batch_id"].dropna().unique()]
    st.markdown(charts.metadata_markdown(meta, year, iv.provenance(engine, batch_ids)))

st.subheader(f"Karte: {plain(meta['name'])} {year} nach {plain(level_names[level])}")
geometries = queries.area_geometries(engine, level)
o1, o2, o3 = st.columns(3)
with o1:
    mode = url_state.url_select(
        "Darstellung", list(charts.MODES), "darstellung", widget="radio",
        format_func=charts.mode_labels(view, meta).get,
    )
with o2:
    method = url_state.url_select(
        "Klassifizierung", list(classify.METHODS), "methode", format_func=classify.METHODS.get
    )
with o3:
    k = url_state.url_select("Anzahl Klassen", classify.CLASS_COUNTS, "klassen", default=5)
classes, legend = charts.map_classes(view, meta, method, k, mode == "abweichung")
if geometries:
    notices.schematic_notice(iv.is_schematic(engine, level))
    left, right = st.columns([3, 2])
    deck = charts.map_deck(view, geometries, meta, classes, mode == "abweichung", selected or None)
    event = left.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key="karte", height=520
    )
    clicked = charts.clicked_area(event)
    if clicked and clicked != st.session_state.get("karte-seen"):
        st.session_state["karte-seen"] = clicked
        st.query_params["gebiet"] = clicked
        st.rerun()
    with right:
        st.markdown("**Legende**")
        st.dataframe(charts.legend_styler(legend), hide_index=True, key="legende")
        key_table = maps.label_key(deck)
        if not key_table.empty:
            st.markdown("**Nummern in der Karte**")
            st.dataframe(key_table, hide_index=True, key="kartenschluessel")
else:
    st.info("Für diese Gebietsebene liegen keine Kartenformen vor; Rangfolge und Tabellen zeigen alle Werte.")
st.markdown(f"**Kurz gesagt:** {plain(charts.map_summary(view, meta, legend, mode == 'abweichung'))}")
figures.data_table(charts.ranking_table(view, meta), f"{key}_{year}_{level}", "karte")
if selected:
    st.page_link("pages/stadtteilprofil.py", label=f"Profil von {plain(names[selected])} öffnen",
                 icon=":material/location_city:", query_params={"gebiet": selected, "jahr": str(year)})  # fmt: skip

st.subheader("Rangfolge")
figures.chart(charts.ranking_figure(view, meta, selected or None), charts.ranking_summary(view, meta),
              charts.ranking_table(view, meta), key="rangfolge", basename=f"{key}_{year}_rangfolge")  # fmt: skip

st.subheader("Zeitverlauf")
series = iv.series(engine, key, level)
city = iv.city_code(engine)
default = [selected] if selected else charts.extreme_areas(view)
chosen = url_state.url_multiselect("Gebiete im Zeitverlauf (verglichen mit der Stadt)", list(names), "verlauf",
                                   default=default, format_func=names.get, max_selections=6)  # fmt: skip
figures.chart(charts.series_figure(series, meta, chosen, city), charts.series_summary(series, chosen, city),
              charts.series_table(series, chosen, city), key="verlauf", basename=f"{key}_{level}_zeitverlauf")  # fmt: skip
st.markdown(f"**Veränderung bis {year}** – {charts.CHANGE_NOTE}")
changes = iv.change_rows(series, [*chosen, city], year, meta)
st.dataframe(changes, hide_index=True, key="veraenderung")
downloads.download_buttons(changes, f"{key}_{year}_veraenderung", "veraenderung")
