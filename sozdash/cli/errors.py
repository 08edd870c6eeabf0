"""How every CLI command fails: one German message on stderr and an exit code, never a traceback.

Tracebacks go to the log: an unexpected failure is written with its traceback to
``<data dir>/logs/sozdash-cli.log``; with ``--debug`` every failure's traceback is also logged to
stderr (Python logging at DEBUG).
"""

from __future__ import annotations

import logging
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from sozdash.core.messages import os_error_message, validation_message
from sozdash.store import bootstrap, db

log = logging.getLogger("sozdash.cli")

REFUSED = 2
"""Exit code of an expected failure: bad input, an unusable database, no permission."""
UNEXPECTED = 3
"""Exit code of a failure the program did not foresee (its traceback is in the log file)."""
INTERRUPTED = 130

def log_file() -> Path:
    """Where unexpected failures are logged with their traceback."""
    return db.data_dir() / "logs" / "sozdash-cli.log"


def _innermost_module(exc: BaseException) -> str:
    """The module of the Python code that raised ``exc`` ('' if unknown)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return str(tb.tb_frame.f_globals.get("__name__", "")) if tb is not None else ""


def _is_german(exc: BaseException) -> bool:
    """Our exceptions carry German messages: those of a class of ours, and plain ``ValueError``s
    raised by our code. Other libraries' exceptions (pandas, json, pydantic...) speak English."""
    ours = type(exc).__module__.startswith("sozdash.")
    return ours or (type(exc) is ValueError and _innermost_module(exc).startswith("sozdash."))


def explain(exc: Exception) -> tuple[str, int]:
    """The German message for ``exc`` and the exit code."""
    if isinstance(exc, bootstrap.DatabaseError):
        return f"{exc.message}\n{exc.hint}", REFUSED
    if isinstance(exc, IntegrityError | DataError):
        return (
            "Die Datenbank hat einen Schritt abgelehnt, weil er gegen eine Regel des Datenmodells verstößt "
            f"({type(exc).__name__}); nichts davon wurde gespeichert.",
            UNEXPECTED,
        )
    if isinstance(exc, SQLAlchemyError):
        unusable = bootstrap.unusable(exc)
        return f"{unusable.message}\n{unusable.hint}", REFUSED
    if isinstance(exc, ValidationError):
        return validation_message(exc), REFUSED
    if isinstance(exc, zipfile.BadZipFile) or _innermost_module(exc) == "zipfile":
        return (
            "Das ZIP-Archiv lässt sich nicht entpacken: es ist beschädigt (z. B. falsche Prüfsumme), "
            "verschlüsselt oder mit einem nicht unterstützten Verfahren gepackt. Bitte unverschlüsselt "
            "und mit dem üblichen Verfahren (Deflate) neu packen.",
            REFUSED,
        )
    if isinstance(exc, RecursionError):
        return (
            "Die Datei ist zu tief verschachtelt, um gelesen zu werden (z. B. tausendfach ineinander "
            "geschachtelte Klammern in einer GeoJSON-Datei). Ist das wirklich eine Geodatei?",
            REFUSED,
        )
    if isinstance(exc, MemoryError):
        return (
            "Der Arbeitsspeicher reicht für diese Aufgabe nicht (Datei zu groß oder zu verwickelt?). "
            "Bitte die Datei aufteilen.",
            REFUSED,
        )
    if isinstance(exc, OSError):
        return os_error_message(exc), REFUSED
    if _is_german(exc):
        return str(exc), REFUSED
    return f"Unerwarteter Fehler ({type(exc).__name__}).", UNEXPECTED


def _write_log(exc: Exception, argv: list[str]) -> Path | None:
    """Append the traceback of ``exc`` to ``log_file()`` (that file only, whatever other logging
    is configured); its path, or None if it cannot be written."""
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    record = log.makeRecord(
        log.name, logging.ERROR, __file__, 0, "python -m sozdash %s", (" ".join(argv),),
        (type(exc), exc, exc.__traceback__),
    )  # fmt: skip
    try:
        handler.handle(record)
    finally:
        handler.close()
    return path


def report(exc: Exception, argv: list[str]) -> int:
    """Tell the user in German why the command failed (stderr) and log the traceback; the exit code."""
    message, code = explain(exc)
    log.debug("python -m sozdash %s", " ".join(argv), exc_info=exc)
    if code == UNEXPECTED:
        path = _write_log(exc, argv)
        message += (
            f" Einzelheiten für die IT stehen in {path}."
            if path is not None
            else " Einzelheiten zeigt derselbe Aufruf mit `python -m sozdash --debug …`."
        )
    print(f"Fehler: {message}", file=sys.stderr)
    return code


@contextmanager
def debug_logging(enabled: bool) -> Iterator[None]:
    """With ``enabled``, log everything of ``sozdash`` (tracebacks included) to stderr at DEBUG."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("sozdash")
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
