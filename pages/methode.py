"""Methode (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Methode", "Formeln und Parameter des Sozialindex mit einem Rechenbeispiel.")
