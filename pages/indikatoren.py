"""Indikatoren (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Indikatoren", "Karte, Rangfolge und Zeitreihen der Stadtteil-Indikatoren nach Lebenslagen.")
