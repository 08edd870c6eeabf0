"""Sozialindex (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Sozialindex", "Status- und Dynamikindex je Stadtteil mit Matrix und Karte.")
