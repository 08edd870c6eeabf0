"""Basics every package may use: formatting, vocabularies, paths, reference dates, roles, page registry, geometry and offline maps."""
