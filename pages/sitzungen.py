"""Sitzungen (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Sitzungen", "Präsentationsmodus für Ausschusssitzungen und Exporte.")
