"""Gespeicherte Ansichten (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Gespeicherte Ansichten", "gespeicherte Ansichten für Sitzungen und Berichte.")
