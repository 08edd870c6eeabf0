"""CLI commands for council documents: ``export-session`` and ``export-profile`` (German messages)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from sozdash.cli.german_argparse import GermanArgumentParser
from sozdash.core.permissions import Actor
from sozdash.store import bootstrap, db

CLI_ACTOR = Actor(username="kommandozeile", role="rat", display_name="Kommandozeile")
"""Exports from the command line (run by IT) show what councillors see, internal records included."""


def _progress(fraction: float, text: str) -> None:
    print(f"{fraction:4.0%} {text}")


def _export_session(args: argparse.Namespace) -> int:
    # The export stack (plotly, Chromium, PDF) is imported only by the commands that use it.
    from sozdash.exports import render
    from sozdash.exports import session as session_export
    from sozdash.meetings import agenda

    engine = db.get_engine()
    bootstrap.ensure_database(engine)
    info = agenda.meeting(engine, args.sitzung)
    if info is None:
        raise ValueError(f"Eine Sitzung „{args.sitzung}“ gibt es nicht.")
    as_of = dt.date.today() if args.heute else info.date
    with render.renderer():
        files = session_export.export_session(engine, info, as_of, CLI_ACTOR, _progress).files
    Path(args.directory).mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (Path(args.directory) / name).write_bytes(data)
        print(f"geschrieben: {Path(args.directory) / name}")
    return 0


def _export_profile(args: argparse.Namespace) -> int:
    from sozdash.exports import pdf as pdf_export
    from sozdash.exports import render
    from sozdash.store import queries

    engine = db.get_engine()
    bootstrap.ensure_database(engine)
    if args.gebiet not in set(queries.areas(engine)["code"]):
        raise ValueError(f"Ein Gebiet „{args.gebiet}“ gibt es nicht (Schlüssel wie „rheindorf“).")
    with render.renderer():
        data = pdf_export.profile_pdf(engine, args.gebiet, args.jahr, CLI_ACTOR, progress=_progress)
    Path(args.file).write_bytes(data)
    print(f"geschrieben: {args.file}")
    return 0


def add_commands(commands: argparse._SubParsersAction[GermanArgumentParser]) -> None:
    """Register the export commands on the main parser."""
    session = commands.add_parser("export-session", help="Sitzung als PowerPoint, PDF und Excel")
    session.add_argument(
        "sitzung", metavar="SITZUNG", help="Schlüssel der Sitzung, z. B. sozialausschuss-2018"
    )
    session.add_argument("directory", metavar="VERZEICHNIS", help="Zielverzeichnis")
    session.add_argument("--heute", action="store_true", help="heutiger Stand statt Stand der Sitzung")
    session.set_defaults(run=_export_session)
    profile = commands.add_parser("export-profile", help="Stadtteilprofil als PDF-Bericht")
    profile.add_argument("gebiet", metavar="GEBIET", help="Gebietsschlüssel, z. B. rheindorf")
    profile.add_argument("jahr", metavar="JAHR", type=int, help="Datenjahr")
    profile.add_argument("file", metavar="DATEI", help="Zieldatei (.pdf)")
    profile.set_defaults(run=_export_profile)
