"""Vergleich (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Vergleich", "Gegenüberstellung mehrerer Stadtteile und ähnliche Gebiete.")
