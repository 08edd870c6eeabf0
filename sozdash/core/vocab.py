"""Controlled vocabularies with their German labels: the one place that knows them."""

from __future__ import annotations

LEBENSLAGEN: dict[str, str] = {
    "bevoelkerung": "Bevölkerung (Kontext)",
    "einkommen": "Einkommen und Armut",
    "arbeit": "Arbeit und Beschäftigung",
    "bildung": "Bildung",
    "gesundheit": "Gesundheit",
    "pflege_alter": "Pflege und Alter",
    "wohnen": "Wohnen",
    "integration": "Integration",
    "kinder_familie": "Kinder und Familie",
}

GEOMETRY_QUALITY: dict[str, str] = {
    "official": "amtliche Grenze",
    "schematic": "schematische Form (keine amtliche Grenze)",
    "none": "keine Geometrie",
}

POLARITY: dict[str, str] = {
    "higher_better": "höher ist besser",
    "higher_worse": "höher ist schlechter",
    "neutral": "neutral",
}

AGGREGATION: dict[str, str] = {
    "ratio": "Quote aus Zähler/Nenner",
    "sum": "Summe",
    "none": "nicht aggregierbar",
}

OBS_STATUS: dict[str, str] = {
    "ok": "Wert vorhanden",
    "suppressed": "geheim gehalten",
    "estimated": "geschätzt",
    "missing": "fehlt",
}

OFFICIAL_SYMBOLS: dict[str, str] = {
    "-": "nichts vorhanden",
    "x": "Nachweis nicht sinnvoll",
    ".": "unbekannt oder geheim zu halten",
    "/": "keine Angabe, da Zahlenwert nicht sicher genug",
    "...": "Angabe fällt später an",
    "*": "Wert unter der Geheimhaltungsschwelle",
}

PROJECT_STATUS: dict[str, str] = {
    "geplant": "geplant",
    "beantragt": "beantragt",
    "bewilligt": "bewilligt",
    "laufend": "laufend",
    "abgeschlossen": "abgeschlossen",
    "abgelehnt": "abgelehnt",
    "eingestellt": "eingestellt",
}

FUNDING_SOURCES: dict[str, str] = {
    "ESF": "Europäischer Sozialfonds (ESF)",
    "Bund": "Bund",
    "Land": "Land",
    "Kommune": "Kommune (Eigenanteil)",
    "Dritte": "Dritte",
}

APPLICATION_OUTCOMES: dict[str, str] = {
    "offen": "offen",
    "bewilligt": "bewilligt",
    "abgelehnt": "abgelehnt",
    "nicht_beruecksichtigt": "nicht berücksichtigt",
    "zurueckgezogen": "zurückgezogen",
}

EVENT_KINDS: dict[str, str] = {
    "beschluss": "Beschluss",
    "besuch": "Besuch",
    "antrag": "Antrag / Interessenbekundung",
    "bescheid": "Bescheid / Mitteilung",
    "meilenstein": "Meilenstein",
    "veranstaltung": "Veranstaltung",
    "organisation": "Organisatorische Änderung",
}

DATE_PRECISION: dict[str, str] = {"day": "Tag", "month": "Monat", "year": "Jahr", "after": "frühestens"}
"""``after``: only the earliest possible date is known (``date`` holds it)."""

CONTROLLING_STATUS: dict[str, str] = {
    "in_planung": "in Planung",
    "vereinbart": "vereinbart",
    "im_controlling": "im Controlling",
    "abgeschlossen": "abgeschlossen",
}

CONFERENCE_KINDS: dict[str, str] = {
    "gesundheitskonferenz": "Gesundheitskonferenz",
    "pflegekonferenz": "Pflegekonferenz",
    "sozialkonferenz": "Sozialkonferenz",
    "runder_tisch": "Runder Tisch",
}

RECOMMENDATION_STATUS: dict[str, str] = {
    "offen": "offen",
    "in_umsetzung": "in Umsetzung",
    "umgesetzt": "umgesetzt",
    "verworfen": "verworfen",
}

ROLES: dict[str, str] = {
    "oeffentlich": "Öffentlich",
    "rat": "Rat",
    "fachbereich": "Fachbereich",
    "planung": "Planung",
    "admin": "Admin",
}
"""Roles from least to most privileged; the order is the hierarchy."""

ANNOTATION_TARGETS: dict[str, str] = {"area": "Gebiet", "indicator": "Indikator", "project": "Projekt"}

VISIBILITY: dict[str, str] = {"intern": "intern", "oeffentlich": "öffentlich"}

FACT_QUALITY: dict[str, str] = {"verified": "belegt", "unverified": "unbestätigt"}

GLOSSARY: dict[str, str] = {
    "Quote": "Quote: wie viele von 100 Personen einer Gruppe betroffen sind, in Prozent "
    "(z. B. 12 % = 12 von 100).",
    "Anteil": "Anteil: welcher Teil einer Gesamtzahl gemeint ist, in Prozent (z. B. 25 % = ein Viertel).",
    "SGB II": "SGB II: Zweites Buch Sozialgesetzbuch – die Grundsicherung für Arbeitsuchende "
    "(Bürgergeld, früher „Hartz IV“).",
    "Stadtwert": "Stadtwert: der Wert für die ganze Stadt. Mit ihm wird jedes Gebiet verglichen; "
    "bei Anzahlen mit dem Durchschnitt der Gebiete.",
    "Rang": "Rang: Platz des Gebiets, wenn alle Gebiete nach dem Wert geordnet sind; Rang 1 hat den höchsten Wert.",
}
"""Plain-German explanations of the terms a reader may not know (``help=`` tooltips)."""
_GLOSSARY_FORMS: dict[str, tuple[str, ...]] = {"SGB II": ("SGB II", "SGB-II")}


def glossary_help(*texts: str) -> str | None:
    """The :data:`GLOSSARY` entries for the terms occurring in ``texts`` (e.g. an indicator's name
    and unit), one per line, or ``None`` when none occurs."""
    joined = " ".join(texts)
    found = [
        explanation
        for term, explanation in GLOSSARY.items()
        if any(form.lower() in joined.lower() for form in _GLOSSARY_FORMS.get(term, (term,)))
    ]
    return "\n\n".join(found) or None


def sql_in(values: dict[str, str] | list[str]) -> str:
    """Render the keys of a vocabulary as an SQL IN list for check constraints."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"
