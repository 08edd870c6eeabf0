"""The CLI door of the example data: ``demo remove`` (same function as the admin button)."""

from __future__ import annotations

import argparse

from sozdash.cli.german_argparse import GermanArgumentParser
from sozdash.cli.imports import cli_actor
from sozdash.demo import removal
from sozdash.store import bootstrap, db


def run_remove(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    bootstrap.ensure_database(engine)
    if args.dry_run:
        counts, heading = removal.pending(engine), "Würde entfernen:"
    else:
        counts, heading = removal.remove_demo(engine, cli_actor()), "Entfernt:"
    print("\n".join(([heading] if any(counts.values()) else []) + removal.report_lines(counts)))
    if args.dry_run and any(counts.values()):
        print(removal.DUMP_HINT)
    return 0


def add_commands(commands: argparse._SubParsersAction[GermanArgumentParser]) -> None:
    """Register ``demo remove`` on the CLI's subparsers."""
    parser = commands.add_parser("demo", help="Beispieldaten verwalten")
    demo_commands = parser.add_subparsers(dest="demo_command", required=True, metavar="BEFEHL")
    remove = demo_commands.add_parser(
        "remove",
        help="alle Beispielwerte, Beispiel-Datensätze und schematischen Formen entfernen",
        description="Entfernt in einem Schritt (protokolliert) alle Beispieldaten und schematischen "
        f"Gebietsformen; echte Daten mit Quelle bleiben. {removal.DUMP_HINT}",
    )
    remove.add_argument("--dry-run", action="store_true", help="nur anzeigen, was entfernt würde")
    remove.set_defaults(run=run_remove)
