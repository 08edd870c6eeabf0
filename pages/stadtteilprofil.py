"""Stadtteilprofil (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Stadtteilprofil", "alle Indikatoren eines Stadtteils im Vergleich zur Gesamtstadt.")
