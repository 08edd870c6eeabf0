"""Anmeldung (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Anmeldung", "Anmeldung mit Benutzerkonto oder städtischem Single Sign-on.")
