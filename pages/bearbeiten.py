"""Bearbeiten (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Bearbeiten", "Formulare zum Pflegen von Projekten, Wirkungspaketen und Empfehlungen.")
