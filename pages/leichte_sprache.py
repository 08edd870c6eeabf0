"""Leichte Sprache: what the dashboard is and how to use it (§ 4 BITV 2.0)."""

import streamlit as st

from sozdash.core import fmt
from sozdash.store import queries
from sozdash.ui import startup

engine = startup.engine()
city = fmt.plain(queries.city(engine).name)
st.title("Leichte Sprache")

st.header("Was ist das Sozial-Dashboard?")
st.markdown(
    "Das Sozial-Dashboard ist eine Internet-Seite.  \n"
    "Dashboard ist ein englisches Wort.  \n"
    "Das Wort heißt: Übersicht.  \n"
    f"Die Seite ist von der Stadt {city}.  \n"
    "Hier finden Sie Zahlen über die Stadt.  \n"
    "Die Zahlen zeigen: So leben die Menschen in den Stadt-Teilen.  \n"
    "Zum Beispiel: So viele Kinder wohnen in einem Stadt-Teil.  \n"
    "Oder: So viele Menschen haben keine Arbeit."
)

st.header("Wofür sind die Zahlen?")
st.markdown(
    "Die Stadt will den Menschen gut helfen.  \n"
    "Dafür muss die Stadt wissen: Wo brauchen Menschen Hilfe?  \n"
    "Die Zahlen zeigen das.  \n"
    "Der Rat der Stadt liest die Zahlen.  \n"
    "Dann entscheidet der Rat: Dieser Stadt-Teil bekommt mehr Hilfe."
)

st.header("So benutzen Sie die Seite")
st.markdown(
    "Links ist eine Liste mit allen Seiten.  \n"
    "Die Liste heißt Menü.  \n"
    "Auf dem Handy ist das Menü versteckt.  \n"
    "Tippen Sie dann oben links auf die zwei kleinen Pfeile.  \n"
    "Dann sehen Sie das Menü.  \n"
    "Klicken Sie im Menü auf eine Seite.  \n"
    "Dann sehen Sie diese Seite."
)
st.markdown(
    "Auf vielen Seiten gibt es Auswahl-Felder.  \n"
    "Dort wählen Sie zum Beispiel einen Stadt-Teil.  \n"
    "Es gibt auch Karten von der Stadt.  \n"
    "Auf den Karten haben die Stadt-Teile Farben.  \n"
    "Die Farben zeigen die Zahlen.  \n"
    "Zu jeder Karte gibt es auch eine Tabelle.  \n"
    "In der Tabelle stehen alle Zahlen."
)

st.header("Schwere Wörter")
st.markdown(
    "- **Stadt-Teil:** Ein Stück von der Stadt. Der Stadt-Teil hat einen eigenen Namen.\n"
    "- **Indikator:** Eine Zahl zu einem Thema. Zum Beispiel: So viele alte Menschen wohnen hier.\n"
    "- **Anteil:** Ein Anteil sagt: So viele von 100 Menschen.\n"
    "- **Sozial-Index:** Eine Zahl aus vielen Zahlen. "
    "Sie zeigt: So gut geht es den Menschen in einem Stadt-Teil.\n"
    "- **Projekt:** Eine Hilfe für einen Stadt-Teil. Zum Beispiel: Ein Treff für Kinder.\n"
    "- **Förder-Programm:** Das Land gibt Geld für Projekte. Oder Deutschland gibt Geld. "
    "Oder Europa gibt Geld.\n"
    "- **Beispiel-Daten:** Ausgedachte Zahlen. Sie sind nicht echt. "
    "Sie zeigen nur: So funktioniert die Seite."
)

st.header("Anmelden")
st.markdown(
    "Manche Seiten sind nur für Menschen, die bei der Stadt arbeiten.  \n"
    "Diese Menschen müssen sich anmelden.  \n"
    "Die Seite dafür heißt Anmeldung.  \n"
    "Für das Anmelden brauchen Sie einen Namen.  \n"
    "Und Sie brauchen ein Passwort.  \n"
    "Ein Passwort ist ein geheimes Wort."
)

st.header("Haben Sie Probleme mit der Seite?")
st.markdown(
    "Dann sagen Sie es der Stadt.  \nAuf der Seite Barriere-Freiheit steht: So erreichen Sie die Stadt."
)
