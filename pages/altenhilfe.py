"""Wirkungspakete der Altenhilfe: packages, budget, key figures with traffic lights, coverage, cycle."""

import streamlit as st

from sozdash.core import fmt
from sozdash.programmes import altenhilfe
from sozdash.store import queries
from sozdash.ui import downloads, figures, notices, startup, url_state

engine = startup.engine()
as_of = url_state.stichtag()
st.title("Wirkungspakete der Altenhilfe")
st.caption(
    f"Stand zum Stichtag {fmt.date(as_of)}. Wirkungslogik nach KGSt: Input → Leistung → Effekt → Wirkung."
)

periods = altenhilfe.periods(engine).set_index("key")
if periods.empty:
    notices.missing(
        "Noch keine Perioden der Wirkungspakete erfasst – eine Periode ist eine Förderrunde des Programms "
        "„Wirkungspakete“ (Seite Bearbeiten)."
    )
period = url_state.url_select("Periode", list(periods.index), "periode", default=altenhilfe.default_period(engine, as_of),
                              format_func=lambda k: periods.at[k, "name"], widget="radio")  # fmt: skip
st.markdown(fmt.plain(fmt.text(periods.at[period, "description"], "")))
st.caption(fmt.plain(f"Quelle: {periods.at[period, 'source']}"))
table = altenhilfe.packages_table(engine, period, as_of)
if table.empty:
    st.info(
        "Für diese Periode sind keine einzelnen Wirkungspakete in den Daten erfasst.", icon=":material/info:"
    )
else:
    st.subheader(f"{len(table)} Wirkungspakete")
    st.dataframe(table, hide_index=True, key="packages", column_config={"Titel": st.column_config.TextColumn(pinned=True)})
    downloads.download_buttons(table, f"wirkungspakete-{period}", "packages")

st.markdown("**Belegte Fakten**")
st.dataframe(queries.facts(engine, ("Wirkungspakete",), ("einwohner-65-plus",)), hide_index=True, key="facts")

st.subheader("Jahresbudget und belegte Pakete")
budget = altenhilfe.budget_comparison(engine)
st.markdown(altenhilfe.BUDGET_NOTE)
st.dataframe(budget, hide_index=True, key="budget")

st.subheader("Kennzahlen und Ampel")
st.caption(altenhilfe.LIGHT_RULE)
keys = altenhilfe.period_packages(engine, period)
if keys.empty:
    st.info("Keine Pakete – daher keine Kennzahlen in dieser Periode.")
else:
    titles = dict(zip(keys["key"], keys["provider"] + " – " + keys["title"], strict=True))
    package = url_state.url_select("Wirkungspaket", list(titles), "paket", format_func=titles.get)
    notices.demo_notice(
        altenhilfe.key_figures_demo(engine, package, as_of)
        or altenhilfe.controlling_demo(engine, as_of, period)
    )
    figures.chart(
        *altenhilfe.key_figures_figure(engine, package, as_of), key="kf", basename=f"kennzahlen-{package}"
    )
    st.markdown("**Controllinggespräche**")
    st.dataframe(altenhilfe.controlling_table(engine, period, as_of), hide_index=True, key="controlling")

st.subheader(fmt.plain(f"Abdeckung: Pakete und ältere Menschen je {altenhilfe.coverage_level(engine, period)[1]}"))
notices.demo_notice(altenhilfe.coverage(engine, period, as_of)[2])
figures.chart(*altenhilfe.coverage_figure(engine, period, as_of), key="coverage", basename=f"abdeckung-{period}")

st.subheader("Fünfjährige Planung")
notices.demo_notice(altenhilfe.controlling_demo(engine, as_of))
figures.chart(*altenhilfe.planning_figure(engine, as_of), key="cycle", basename="planung-wirkungspakete")
st.markdown("**Typischer Ablauf** (allgemeine Schritte, keine belegten Termine):\n\n"
            + "\n".join(f"{i}. {step}" for i, step in enumerate(altenhilfe.TYPICAL_CYCLE, start=1)))  # fmt: skip
