"""Änderungsprotokoll: who changed what and when, filtered, with CSV/Excel export (Planung, Admin)."""

import datetime as dt

import streamlit as st

from sozdash.access import audit
from sozdash.core import fmt
from sozdash.editing import admin_tables
from sozdash.ui import downloads, login, startup, url_state

ALL = "(alle)"

engine = startup.engine()
st.title("Änderungsprotokoll")
login.require_page_role(__file__)
st.caption("Jede Änderung an Datensätzen: wer, wann, welcher Datensatz, welches Feld, alter und neuer Wert.")

users, tables = audit.filter_choices(engine)
people = admin_tables.user_names(engine)
left, middle, right = st.columns(3)
with left:
    user = url_state.url_select("Benutzer", [ALL, *users], "benutzer",
                                format_func=lambda u: u if u == ALL else admin_tables.person(u, people))  # fmt: skip
with middle:
    table = url_state.url_select("Art des Datensatzes", [ALL, *tables], "tabelle",
                                 format_func=lambda t: admin_tables.TABLES.get(t, t))  # fmt: skip
with right:
    search = st.text_input("Datensatz", help="ein Wort aus dem Namen des Datensatzes, leer = alle")
today = dt.date.today()
period = st.date_input(
    "Zeitraum", value=(today - dt.timedelta(days=90), today), format="DD.MM.YYYY", max_value=today
)
start, end = (*period, None)[:2] if isinstance(period, tuple) else (period, period)

entries = audit.entries(engine, None if user == ALL else user, None if table == ALL else table, None, start, end)
log = admin_tables.audit_log(engine, entries)
if search.strip():
    log = log[log["Datensatz"].str.contains(search.strip(), case=False, regex=False)]
st.markdown(
    f"**{fmt.number(len(log))} Einträge**"
    + (f" vom {fmt.date(start)} bis {fmt.date(end)}" if start and end else "")
    + (" (höchstens 5.000 neueste)" if len(entries) >= 5000 else "")
)
st.dataframe(
    log, hide_index=True,
    column_config={"Zeitpunkt": st.column_config.DatetimeColumn(format="DD.MM.YYYY, HH:mm")},
)  # fmt: skip
downloads.download_buttons(log, "aenderungsprotokoll", "audit")
