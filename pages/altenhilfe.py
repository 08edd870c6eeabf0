"""Wirkungspakete (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Wirkungspakete", "Wirkungspakete der Altenhilfe mit Kennzahlen und Ampel.")
