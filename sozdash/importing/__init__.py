"""The one import pipeline for statistics tables and boundaries: read, map, validate, preview, commit, undo."""
