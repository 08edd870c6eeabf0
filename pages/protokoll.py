"""Änderungsprotokoll: who changed what and when, filtered, with CSV/Excel export (Planung, Admin)."""

import datetime as dt

import streamlit as st

from sozdash.access import audit
from sozdash.core import fmt
from sozdash.editing.specs import ENTITIES
from sozdash.ui import downloads, login, startup, url_state

ALL = "(alle)"
TABLES = {s.model.__tablename__: s.label for s in ENTITIES.values()} | {
    "users": "Benutzer", "annotations": "Notizen", "saved_views": "Gespeicherte Ansichten",
}  # fmt: skip

engine = startup.engine()
st.title("Änderungsprotokoll")
login.require_page_role(__file__)
st.caption("Jede Änderung an Datensätzen: wer, wann, welcher Datensatz, welches Feld, alter und neuer Wert.")

users, tables = audit.filter_choices(engine)
left, middle, right = st.columns(3)
with left:
    user = url_state.url_select("Benutzer", [ALL, *users], "benutzer")
with middle:
    table = url_state.url_select("Art des Datensatzes", [ALL, *tables], "tabelle",
                                 format_func=lambda t: TABLES.get(t, t))  # fmt: skip
with right:
    record_id = st.text_input("Datensatz-Nr.", help="Nummer (id) des Datensatzes, leer = alle")
today = dt.date.today()
period = st.date_input(
    "Zeitraum", value=(today - dt.timedelta(days=90), today), format="DD.MM.YYYY", max_value=today
)
start, end = (*period, None)[:2] if isinstance(period, tuple) else (period, period)

log = audit.entries(
    engine, None if user == ALL else user, None if table == ALL else table, record_id, start, end
)
log["Tabelle"] = log["Tabelle"].map(lambda t: TABLES.get(t, t))
st.markdown(
    f"**{fmt.number(len(log))} Einträge**"
    + (f" vom {fmt.date(start)} bis {fmt.date(end)}" if start and end else "")
    + (" (höchstens 5.000 neueste)" if len(log) >= 5000 else "")
)
st.dataframe(
    log, hide_index=True,
    column_config={"Zeitpunkt": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm:ss")},
)  # fmt: skip
downloads.download_buttons(log, "aenderungsprotokoll", "audit")
