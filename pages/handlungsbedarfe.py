"""Handlungsbedarfe (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Handlungsbedarfe", "Stadtteile mit Handlungsbedarf je Lebenslage und ihre Maßnahmen.")
