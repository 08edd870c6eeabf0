"""Datenimport (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Datenimport", "Import städtischer Tabellen und Grenzen mit Prüfung und Vorschau.")
