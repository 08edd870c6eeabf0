"""Projekte: portfolio with status on the Stichtag, map of project areas, project detail."""

import streamlit as st

from sozdash.access import visibility
from sozdash.core import fmt, refdate, vocab
from sozdash.indicators import explorer
from sozdash.programmes import projects
from sozdash.store import queries
from sozdash.ui import downloads, figures, login, notes, notices, startup, url_state

engine = startup.engine()
as_of = url_state.stichtag()
public = not visibility.sees_internal(login.current_actor())
st.title("Projekte")
st.caption(f"Status zum Stichtag {as_of:%d.%m.%Y} (Stichtag in der Seitenleiste änderbar).")

everything = projects.projects(engine, public)
if everything.empty:
    notices.missing("Noch keine Projekte erfasst – Projekte legt die Seite Bearbeiten an.")
frame = projects.portfolio(engine, as_of, public)
ALL = "alle"
cols = st.columns(4)
with cols[0]:
    programme = url_state.url_select("Programm", [ALL, *sorted(frame["programme"].dropna().unique())], "programm")
with cols[1]:
    all_areas = queries.areas(engine)
    area_names = dict(zip(all_areas["code"], all_areas["name"], strict=True))
    districts = projects.district_choices(frame, area_names)
    district = url_state.url_select(
        "Stadtteil", [ALL, *districts], "gebiet", format_func=lambda c: districts.get(c, c)
    )
with cols[2]:
    status = url_state.url_select("Status", [ALL, *vocab.PROJECT_STATUS], "status",
                                  format_func=lambda v: v if v == ALL else refdate.status_label(v))  # fmt: skip
with cols[3]:
    year = url_state.url_select("Jahr", [ALL, *sorted({y for ys in frame["years"] for y in ys})], "jahr")
filters = projects.without_all(ALL, programme=programme, district=district, status=status, year=year)
shown = projects.filter_portfolio(frame, **filters)
st.markdown(f"**{len(shown)} von {len(frame)} Projekten.** Status mit Symbol: "
            + ", ".join(refdate.status_label(s) for s in vocab.PROJECT_STATUS))  # fmt: skip
table = projects.portfolio_table(shown)
st.dataframe(table, hide_index=True, key="portfolio", column_config={"Titel": st.column_config.TextColumn(pinned=True)})
downloads.download_buttons(table, f"projekte-{as_of.isoformat()}", "portfolio")

st.subheader("Karte der Projektgebiete")
deck = projects.project_map(engine, as_of, public, **filters)
map_level = explorer.finest_mapped_level(engine)
if deck is not None and map_level:
    st.pydeck_chart(deck, key="project-map")
    st.caption(projects.MAP_LEGEND)
    notices.schematic_notice(explorer.is_schematic(engine, map_level))
else:
    st.info(
        "Für die Gebiete liegen noch keine Kartenformen vor (Grenzen importieren: Seite Datenimport); "
        "die Tabelle oben nennt alle Projektgebiete."
    )

st.header("Projektdetails")
titles = dict(zip(everything["key"], everything["title"], strict=True))
key = url_state.url_select("Projekt", list(titles), "projekt", format_func=titles.__getitem__)
statuses = projects.statuses(engine, as_of, public)
detail = statuses[statuses["key"] == key].iloc[0]
st.subheader(f"{fmt.plain(detail['title'])} – {detail['status_label']}")
st.markdown(projects.detail_line(detail))
if detail["ends_soon"]:
    st.warning("⚠ **Förderende in Sicht:** Die Förderung endet innerhalb von 12 Monaten nach dem Stichtag.")
st.markdown(fmt.plain(fmt.text(detail["description"], "")))
st.caption(
    fmt.plain(
        f"Quelle: {detail['source']}"
        + (f" · Hinweis: {detail['note']}" if fmt.text(detail["note"], "") else "")
    )
)
focus = projects.focuses(engine)
focus = focus[focus["project"] == key]
if not focus.empty:
    st.markdown(
        "**Schwerpunkte**\n\n" + "\n".join(f"{r.position}. {fmt.plain(r.text)}" for r in focus.itertuples())
    )
    st.caption(fmt.plain("Quelle: " + "; ".join(dict.fromkeys(focus["source"]))))
children = projects.subprojects_table(statuses, key)
if not children.empty:
    st.markdown("**Teilprojekte**")
    st.dataframe(children, hide_index=True, key="subprojects")
partner_rows = projects.partners(engine)
partner_rows = partner_rows[partner_rows["project"] == key]
st.markdown("**Partner und ihre Rolle**")
if partner_rows.empty:
    st.caption("Keine Partner belegt.")
else:
    st.dataframe(projects.partner_table(partner_rows), hide_index=True, key="partners")
budget = projects.budget_figure(engine, key)
if budget:
    figures.chart(*budget, key="budget", basename=f"budget-{key}")
    st.caption("Hinweise der Quellen: " + " ".join(fmt.plain(n) for n in projects.budget_notes(engine, key)))
else:
    st.caption("Für dieses Projekt sind keine Beträge belegt.")
timeline = projects.project_timeline_figure(engine, key, as_of, public)
figures.chart(*timeline, key="timeline", basename=f"zeitleiste-{key}")
st.markdown("**Anträge und Entscheidungen**")
st.dataframe(projects.project_applications(engine, key, as_of, public), hide_index=True, key="applications")
st.markdown(f"**Ratsvorlagen:** {fmt.plain(projects.vorlagen_text(engine, key, public))}")
st.markdown("**Stadtteile und Kennzahlen** (neuestes Datenjahr zum Stichtag)")
indicators, demo = projects.district_indicators(engine, key, as_of, public)
notices.demo_notice(demo)
st.dataframe(indicators, hide_index=True, key="district-indicators")
classes = projects.index_classes(engine, key, as_of)
st.caption(fmt.plain(classes[0]) if classes else "Zum Stichtag ist kein Sozialindex veröffentlicht (Seite Sozialindex).")
if classes:
    notices.demo_notice(classes[2])
    st.dataframe(classes[1], hide_index=True, key="index-classes")
notes.annotations_block("project", int(detail["id"]))
