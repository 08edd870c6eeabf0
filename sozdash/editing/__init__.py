"""Editing records: field specs, the one validated save with optimistic locking and audit, annotations."""
