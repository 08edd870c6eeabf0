"""Förderprogramme (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Förderprogramme", "Programme, Förderrunden und Anträge auf einer Zeitleiste.")
