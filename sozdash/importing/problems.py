"""Limits against oversized or hostile files, and the error every import step raises.

These constants are the one home of the import limits: the page, the CLI and every reader use
them (the README lists them under "Grenzen beim Import"). Memory is bounded by the cell limits:
no reader builds a grid of more than ``MAX_CELLS`` cells. Time is bounded by the budget of
``import_budget``, checked between steps and inside the reading loops (``check_deadline``).
"""

from __future__ import annotations

import contextvars
import io
import os
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sozdash.core.messages import os_error_message

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_LINE_CHARS = 100_000
MAX_ROWS = 2_000_000
MAX_COLUMNS = 1_000
MAX_CELLS = 5_000_000
"""Rows × columns of the grid a table file makes (cells of a spreadsheet that hold a value, and
for XLSX also every cell element the sheet stores)."""
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
"""A ZIP member that inflates more than this (and beyond 1 MB) is treated as a ZIP bomb."""
MAX_VERTICES = 200_000
"""Corner points of all shapes in one boundary file together."""
MAX_SECONDS = 120.0
"""Wall-clock budget of one import preview (reading, mapping, checking)."""
ZIP_METHODS = {
    zipfile.ZIP_STORED: "ohne Kompression",
    zipfile.ZIP_DEFLATED: "Deflate",
    zipfile.ZIP_BZIP2: "BZIP2",
    zipfile.ZIP_LZMA: "LZMA",
}
"""Compression methods Python's zipfile reads."""

_deadline: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "import_deadline", default=None
)
"""The running budget: (monotonic deadline, its length in seconds)."""


class ImportProblem(ValueError):
    """A file or input the import cannot take; ``str(exc)`` is a German message for the user."""


def german(number: int) -> str:
    """An integer with German thousands separators (``2.000.000``)."""
    return f"{number:,}".replace(",", ".")


def check_size(data: bytes) -> None:
    """Refuse empty and oversized files."""
    if not data or not data.strip():
        raise ImportProblem("Die Datei ist leer.")
    _check_bytes(len(data))


def check_file_size(path: str | os.PathLike[str]) -> None:
    """Refuse a missing, empty or oversized file by its size on disk, before reading it."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise ImportProblem(f"Die Datei {os_error_message(exc)}") from exc
    if not Path(path).is_file():
        raise ImportProblem(f"{Path(path)} ist keine Datei.")
    if not size:
        raise ImportProblem("Die Datei ist leer.")
    _check_bytes(size)


def _check_bytes(size: int) -> None:
    if size > MAX_FILE_BYTES:
        megabytes = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        raise ImportProblem(
            f"Die Datei ist mit {megabytes} MB zu groß (höchstens {MAX_FILE_BYTES // 1024 // 1024} MB). "
            "Bitte in kleinere Dateien aufteilen."
        )


def too_many(what: str, limit: int) -> ImportProblem:
    """The refusal of a table beyond one of its limits (``what``: "Zeilen", "Spalten", "Zellen")."""
    return ImportProblem(
        f"Die Tabelle hat mehr als {german(limit)} {what} (Grenze beim Import: höchstens {german(limit)} "
        f"{what}). Bitte die Datei aufteilen oder leere {what} entfernen."
    )


# --- the time budget ------------------------------------------------------------------------


@contextmanager
def import_budget(seconds: float | None = None) -> Iterator[None]:
    """Give the import steps inside the block ``seconds`` (default ``MAX_SECONDS``) of wall-clock
    time; a budget already running is never extended."""
    length = MAX_SECONDS if seconds is None else seconds
    budget = (time.monotonic() + length, length)
    outer = _deadline.get()
    token = _deadline.set(budget if outer is None else min(outer, budget))
    try:
        yield
    finally:
        _deadline.reset(token)


def check_deadline() -> None:
    """Stop the import when its time budget is used up (no budget running: nothing to check)."""
    budget = _deadline.get()
    if budget is not None and time.monotonic() > budget[0]:
        raise ImportProblem(
            f"Der Import hat die Zeitgrenze von {f'{budget[1]:g}'.replace('.', ',')} Sekunden überschritten und wurde abgebrochen; "
            "es wurde nichts gespeichert. Bitte die Datei aufteilen oder vereinfachen."
        )


# --- ZIP archives ---------------------------------------------------------------------------


class CheckedZip(zipfile.ZipFile):
    """A ZIP archive whose member reads raise ``ImportProblem`` (damaged, encrypted) instead of
    zipfile's English errors."""

    def read(self, name: str | zipfile.ZipInfo, pwd: bytes | None = None) -> bytes:
        with member_errors(name):
            return super().read(name, pwd)


@contextmanager
def member_errors(member: str | zipfile.ZipInfo) -> Iterator[None]:
    """Turn the errors of reading one ZIP member (wrong checksum, truncated, encrypted) into a
    German ``ImportProblem`` naming the member."""
    name = member.filename if isinstance(member, zipfile.ZipInfo) else member
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, ImportProblem):
            raise
        cause = "Prüfsumme falsch" if "CRC" in str(exc) else "Daten unvollständig oder fehlerhaft"
        raise ImportProblem(
            f"Die Datei „{name}“ im Archiv ist beschädigt ({cause}) und kann nicht gelesen werden."
        ) from exc
    except NotImplementedError as exc:
        raise ImportProblem(
            f"Die Datei „{name}“ im Archiv ist mit einem nicht unterstützten Verfahren gepackt."
        ) from exc
    except RuntimeError as exc:  # zipfile: "File … is encrypted, password required"
        raise ImportProblem(
            f"Die Datei „{name}“ im Archiv ist verschlüsselt (kennwortgeschützt) und kann nicht gelesen werden."
        ) from exc


def open_zip(data: bytes) -> CheckedZip:
    """Open a ZIP archive after checking its members: declared sizes (no ZIP bombs), no
    encryption, only compression methods that can be read.

    Python's zipfile never inflates a member beyond its declared size, so checking the
    declared sizes bounds what reading can produce.
    """
    try:
        archive = CheckedZip(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportProblem(
            "Die Datei ist beschädigt oder unvollständig (kein lesbares ZIP-/Excel-Archiv)."
        ) from exc
    total = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            archive.close()
            raise ImportProblem(
                f"Das Archiv ist verschlüsselt (kennwortgeschützt, Datei „{info.filename}“). Bitte ohne Kennwort "
                "speichern oder packen."
            )
        if info.compress_type not in ZIP_METHODS:
            archive.close()
            raise ImportProblem(
                f"Die Datei „{info.filename}“ im Archiv ist mit einem nicht unterstützten Verfahren gepackt "
                f"(Methode {info.compress_type}; lesbar: {', '.join(ZIP_METHODS.values())}). Bitte mit dem "
                "üblichen Verfahren (Deflate) neu packen."
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO):
            archive.close()
            raise ImportProblem(
                "Das Archiv entpackt sich auf ein Vielfaches seiner Größe (mögliche ZIP-Bombe) und "
                f"wird deshalb nicht geöffnet (Grenze: entpackt höchstens {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB, "
                f"je Datei höchstens das {MAX_COMPRESSION_RATIO}-Fache der gepackten Größe)."
            )
    return archive
