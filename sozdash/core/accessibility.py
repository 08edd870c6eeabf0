"""The accessibility statement's facts (§ 12b BGG, BITV 2.0): the known gaps with their reasons and
the operator's settings (feedback contact, date of the statement)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

CONTACT_SETTING = "SOZDASH_ACCESSIBILITY_CONTACT"
"""Environment variable with the city's feedback contact (office, e-mail, phone), free text."""
DATE_SETTING = "SOZDASH_ACCESSIBILITY_DATE"
"""Environment variable with the date the statement was drawn up or last reviewed (``YYYY-MM-DD``)."""

ARBITRATION_BODY = (
    "Schlichtungsstelle nach § 16 BGG bei der Beauftragten der Bundesregierung für die Belange von "
    "Menschen mit Behinderungen",
    "Mauerstraße 53, 10117 Berlin",
    "https://www.schlichtungsstelle-bgg.de",
)
"""Name, postal address and website of the federal arbitration body."""


@dataclass(frozen=True)
class Gap:
    """A part of the dashboard that is not (fully) accessible, why, and what to use instead."""

    what: str
    why: str
    instead: str


KNOWN_GAPS: tuple[Gap, ...] = (
    Gap(
        "Seitennavigation in der Seitenleiste: Die Liste der Seiten ist technisch nicht ganz korrekt "
        "als Liste ausgezeichnet (Prüfregeln „list“ und „listitem“, WCAG 1.3.1). Screenreader können "
        "die Zahl der Einträge je Bereich falsch ansagen.",
        "Die Navigation stammt unverändert aus dem Programmgerüst Streamlit; der Fehler tritt schon bei "
        "einer leeren Streamlit-Anwendung auf und lässt sich in diesem Dashboard nicht beheben.",
        "Alle Links der Navigation sind mit der Tastatur erreichbar und richtig beschriftet.",
    ),
    Gap(
        "Karten: Die Karten sind Grafiken (WebGL-Zeichenfläche). Gebiete lassen sich dort nur mit der Maus "
        "oder per Fingertipp auswählen; Screenreader lesen die Karte nicht vor.",
        "Eine bedienbare Karte für Screenreader bietet die Kartenbibliothek (pydeck/deck.gl) nicht.",
        "Zu jeder Karte gibt es eine Zusammenfassung in Worten und eine Tabelle mit allen Werten; "
        "das Gebiet lässt sich auch über ein Auswahlfeld wählen. Die Farbe ist nie die einzige Information.",
    ),
    Gap(
        "Diagramme sind Grafiken, die Screenreader nur teilweise vorlesen.",
        "Die Diagrammbibliothek (Plotly) beschreibt Achsen und Werte nicht für Screenreader.",
        "Jedes Diagramm hat eine Zusammenfassung in Worten und eine Datentabelle.",
    ),
    Gap(
        "Tabellen werden als Zeichenfläche dargestellt; Screenreader geben Zeilen- und Spaltenköpfe nur "
        "eingeschränkt wieder.",
        "So zeichnet Streamlit Tabellen (st.dataframe); eine andere Darstellung bietet es für große "
        "Tabellen nicht.",
        "Die Tabellen lassen sich mit den Pfeiltasten bedienen und als CSV- oder Excel-Datei herunterladen.",
    ),
    Gap(
        "PDF- und PowerPoint-Dateien (Berichte, Folien) sind nicht barrierefrei im Sinne von PDF/UA: "
        "ohne Strukturauszeichnung (Tags) und ohne festgelegte Lesereihenfolge.",
        "Die Dateien werden zur Laufzeit erzeugt; die verwendeten Bibliotheken erzeugen keine "
        "getaggten Dokumente.",
        "Alle Inhalte der Dateien stehen auch auf den Seiten des Dashboards und als Tabellen zum "
        "Herunterladen bereit.",
    ),
    Gap(
        "Einzelne Texte der Bedienelemente sind englisch, etwa die Schaltflächen über den Tabellen "
        "(Suchen, Herunterladen, Vollbild) und die Hinweise des Programms beim Laden.",
        "Diese Texte sind im Programmgerüst Streamlit fest eingebaut.",
        "Die Seiten, Beschriftungen und Hinweise des Dashboards selbst sind deutsch.",
    ),
    Gap(
        "Erläuterungen in Deutscher Gebärdensprache (§ 4 BITV 2.0) fehlen bisher.",
        "Ein Gebärdensprach-Video ist noch nicht erstellt.",
        "Die Seite „Leichte Sprache“ erklärt Inhalt und Bedienung in Leichter Sprache.",
    ),
)


def feedback_contact() -> str | None:
    """The city's feedback contact from ``SOZDASH_ACCESSIBILITY_CONTACT``; ``None`` if not set."""
    contact = os.environ.get(CONTACT_SETTING, "").strip()
    return contact or None


def statement_date() -> dt.date | None:
    """The statement's date from ``SOZDASH_ACCESSIBILITY_DATE``; ``None`` if unset or not a date."""
    try:
        return dt.date.fromisoformat(os.environ.get(DATE_SETTING, "").strip())
    except ValueError:
        return None
