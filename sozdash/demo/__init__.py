"""Labelled example data: the deterministic demo observation generator and schematic area shapes."""
