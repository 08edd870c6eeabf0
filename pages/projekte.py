"""Projekte (placeholder until its issue is done)."""

from sozdash import ui

ui.placeholder("Projekte", "Projektübersicht mit Partnern, Budgets, Meilensteinen und Karte.")
