"""Sozialbericht-Prozess (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder(
    "Sozialbericht-Prozess",
    "Fachkonferenzen, Runder Tisch, Empfehlungen und Meilensteine des Sozialberichts.",
)
