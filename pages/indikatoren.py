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

MAP_HEIGHT = 460  # px: with the one row of choices and the one-line notices, map and legend fit 1440 × 900

c1, c2, c3, c4, c5 = st.columns([2, 3, 1, 2, 2])
with c1:
    lage = url_state.url_select("Lebenslage", lagen, "lage", format_func=vocab.LEBENSLAGEN.get,
                                default=by_key["lebenslage"].get(wanted))  # fmt: skip
with c2:
    keys = list(catalogue.loc[catalogue["lebenslage"].eq(lage), "key"])
    key = url_state.url_select("Indikator", keys, "ind", format_func=by_key["name"].__getitem__,
                               help=vocab.glossary_help(*by_key.loc[keys, "name"]))  # fmt: skip
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
view = charts.compared_view(engine, key, year, level)  # counts: against the areas' mean
names = dict(zip(view["area"], view["name"], strict=True))
with c5:
    selected = url_state.url_select("Gebiet auswählen", ["", *names], "gebiet", format_func=lambda c: names.get(c, "– keines –"),
                                    help="Oder ein Gebiet in der Karte anklicken.")  # fmt: skip
geometries = queries.area_geometries(engine, level)
notices.data_notices(bool(view["is_demo"].any()), bool(geometries) and iv.is_schematic(engine, level))

st.subheader(f"Karte: {plain(meta['name'])} {year} nach {plain(level_names[level])}")
left, right = st.columns([3, 2])
legend_area = right.container()  # filled below the map options, shown above them
with right.expander("Karte einstellen", icon=":material/tune:", expanded=not geometries):
    mode = url_state.url_select(
        "Darstellung",
        list(charts.MODES),
        "darstellung",
        widget="radio",
        format_func=charts.mode_labels(view, meta).get,
        help=vocab.GLOSSARY["Stadtwert"],
    )
    method = url_state.url_select(
        "Klassifizierung", list(classify.METHODS), "methode", format_func=classify.METHODS.get
    )
    k = url_state.url_select("Anzahl Klassen", classify.CLASS_COUNTS, "klassen", default=5)
panels = charts.level_panels(engine, key, year, level, method, k, mode == "abweichung", selected or None)
with st.sidebar.expander("Über den Indikator", icon=":material/info:", expanded=True):
    st.markdown(charts.metadata_markdown(meta, year, panels.provenance))
if geometries:
    frame = (maps.FRAME_PX[0], MAP_HEIGHT)
    deck = charts.level_map_deck(
        engine, key, year, level, method, k, mode == "abweichung", selected or None, frame
    )
    event = left.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key="karte", height=MAP_HEIGHT
    )
    clicked = charts.clicked_area(event)
    if clicked and clicked != st.session_state.get("karte-seen"):
        st.session_state["karte-seen"] = clicked
        st.query_params["gebiet"] = clicked
        st.rerun()
    with legend_area:
        with st.container(key="legende-block"):
            st.markdown("**Legende**")
            st.dataframe(charts.legend_styler(panels.legend), hide_index=True, key="legende")
        key_table = maps.label_key(deck)
        if not key_table.empty:
            st.markdown("**Nummern in der Karte**")
            st.dataframe(key_table, hide_index=True, key="kartenschluessel")
else:
    left.info(
        "Für diese Gebietsebene liegen keine Kartenformen vor; Rangfolge und Tabellen zeigen alle Werte."
    )
st.markdown(f"**Kurz gesagt:** {plain(panels.map_summary)}")
ranking = panels.ranking
figures.data_table(ranking, f"{key}_{year}_{level}", "karte", column_config=notices.glossary_columns(ranking))
if selected:
    st.page_link("pages/stadtteilprofil.py", label=f"Profil von {plain(names[selected])} öffnen",
                 icon=":material/location_city:", query_params={"gebiet": selected, "jahr": str(year)})  # fmt: skip

st.subheader("Rangfolge")
figures.chart(panels.ranking_figure, panels.ranking_summary, ranking, key="rangfolge", basename=f"{key}_{year}_rangfolge",
              column_config=notices.glossary_columns(ranking))  # fmt: skip

st.subheader("Zeitverlauf")
default = [selected] if selected else panels.extremes
chosen = url_state.url_multiselect("Gebiete im Zeitverlauf (verglichen mit der Stadt)", list(names), "verlauf",
                                   default=default, format_func=names.get, max_selections=6)  # fmt: skip
trend = charts.series_panels(engine, key, level, tuple(chosen), year)
figures.chart(trend.figure, trend.summary, trend.table, key="verlauf", basename=f"{key}_{level}_zeitverlauf")
st.markdown(f"**Veränderung bis {year}** – {charts.CHANGE_NOTE}")
st.dataframe(trend.changes, hide_index=True, key="veraenderung")
downloads.download_buttons(trend.changes, f"{key}_{year}_veraenderung", "veraenderung")
