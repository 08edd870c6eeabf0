"""Limits against oversized or hostile files, and the error every import step raises."""

from __future__ import annotations

import io
import zipfile

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_LINE_CHARS = 100_000
MAX_ROWS = 2_000_000
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
"""A ZIP member that inflates more than this (and beyond 1 MB) is treated as a ZIP bomb."""


class ImportProblem(ValueError):
    """A file or input the import cannot take; ``str(exc)`` is a German message for the user."""


def check_size(data: bytes) -> None:
    """Refuse empty and oversized files."""
    if not data or not data.strip():
        raise ImportProblem("Die Datei ist leer.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportProblem(
            f"Die Datei ist mit {len(data) / 1024 / 1024:.0f} MB zu groß (höchstens "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB). Bitte in kleinere Dateien aufteilen."
        )


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a ZIP archive after checking the sizes its members declare (no ZIP bombs).

    Python's zipfile never inflates a member beyond its declared size, so checking the
    declared sizes bounds what reading can produce.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportProblem(
            "Die Datei ist beschädigt oder unvollständig (kein lesbares ZIP-/Excel-Archiv)."
        ) from exc
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO):
            raise ImportProblem(
                "Das Archiv entpackt sich auf ein Vielfaches seiner Größe (mögliche ZIP-Bombe) und "
                "wird deshalb nicht geöffnet."
            )
    return archive
