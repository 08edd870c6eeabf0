"""Indikatorenkatalog (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Indikatorenkatalog", "alle Indikatoren mit Definition, Formel, Quelle und Verfügbarkeit.")
