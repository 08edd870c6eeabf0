"""Änderungsprotokoll (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Änderungsprotokoll", "das Protokoll aller Änderungen mit Filter und Export.")
