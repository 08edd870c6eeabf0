"""Command-line interface: ``python -m sozdash <command>`` (messages in German)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sozdash.cli import users
from sozdash.cli.demo import add_commands as add_demo_commands
from sozdash.cli.errors import INTERRUPTED, debug_logging, report
from sozdash.cli.exports import add_commands as add_export_commands
from sozdash.cli.german_argparse import GermanArgumentParser
from sozdash.cli.imports import add_commands as add_import_commands
from sozdash.store import bootstrap, db


def _init(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    if args.empty:
        if not (args.city and args.ags):
            print("Fehler: --empty braucht --city NAME und --ags AGS (8 Ziffern).", file=sys.stderr)
            return 2
        bootstrap.ensure_database(engine, bootstrap.EmptyCity(args.city, args.ags))
        print(f"Leere Instanz für {args.city.strip()} (AGS {args.ags}) angelegt.")
    elif args.city or args.ags:
        print("Fehler: --city und --ags gelten nur zusammen mit --empty.", file=sys.stderr)
        return 2
    else:
        bootstrap.ensure_database(engine)
    print(f"Datenbank bereit: {engine.url.render_as_string(hide_password=True)}")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    bootstrap.upgrade(db.get_engine())
    print(f"Datenmodell auf Stand {bootstrap.HEAD_REVISION}.")
    return 0


def _check(args: argparse.Namespace) -> int:
    from sozdash.store.integrity import check

    engine = db.get_engine()
    bootstrap.require_current(engine)
    found = check(engine)
    for label, count in found.counts.items():
        print(f"{label}: {count}")
    for problem in found.problems:
        print(f"PROBLEM: {problem}")
    print("Keine Probleme gefunden." if found.ok else f"{len(found.problems)} Probleme gefunden.")
    return 0 if found.ok else 1


def _dump(args: argparse.Namespace) -> int:
    from sozdash.store.dump import dump

    engine = db.get_engine()
    bootstrap.require_current(engine)
    files = dump(engine, Path(args.directory))
    print(f"{len(files)} Dateien geschrieben nach {args.directory}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from sozdash.store.dump import restore

    engine = db.get_engine()
    if bootstrap.schema_state(engine) == "empty":
        with engine.begin() as conn:
            bootstrap.migrate(conn)
    rows = restore(engine, Path(args.directory))
    print(f"{rows} Zeilen wiederhergestellt.")
    return 0


def _generate_demo(args: argparse.Namespace) -> int:
    from sozdash.demo.generator import write_demo_seed

    write_demo_seed()
    print("Beispieldaten und schematische Formen in data/seed/ neu erzeugt.")
    return 0


def _index_publish(args: argparse.Namespace) -> int:
    import getpass

    from sozdash.core.permissions import Actor
    from sozdash.social_index import snapshots

    engine = db.get_engine()
    bootstrap.ensure_database(engine)
    actor = Actor(username=f"cli:{getpass.getuser()}", role="admin", display_name="Kommandozeile")
    definition_id = snapshots.latest_definition_id(engine, args.definition)
    snapshot_id = snapshots.publish_snapshot(engine, actor, definition_id, args.title, args.year)
    print(f"Veröffentlicht: „{args.title.strip()}“ (Nr. {snapshot_id}, Bezugsjahr {args.year}).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = GermanArgumentParser(
        prog="python -m sozdash",
        description="Sozialdashboard: Datenbank, Importe, Exporte und Benutzer einer Stadt",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="bei einem Fehler die technischen Einzelheiten (Traceback) zeigen",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    init = commands.add_parser(
        "init", help="Datenbank anlegen: mit dem Leverkusener Standard aus data/seed oder leer (--empty)"
    )
    init.add_argument("--empty", action="store_true", help="nur die Stadt anlegen, ohne Beispieldaten")
    init.add_argument("--city", help="Name der Stadt (mit --empty)")
    init.add_argument("--ags", help="Amtlicher Gemeindeschlüssel, 8 Ziffern (mit --empty)")
    init.set_defaults(run=_init)
    commands.add_parser("migrate", help="Datenmodell auf den neuesten Stand bringen").set_defaults(
        run=_migrate
    )
    commands.add_parser("check", help="Integritätsbericht").set_defaults(run=_check)
    dump_parser = commands.add_parser("dump", help="ganze Datenbank in ein Verzeichnis sichern")
    dump_parser.add_argument("directory", metavar="VERZEICHNIS")
    dump_parser.set_defaults(run=_dump)
    restore_parser = commands.add_parser("restore", help="Sicherung in eine leere Datenbank laden")
    restore_parser.add_argument("directory", metavar="VERZEICHNIS")
    restore_parser.set_defaults(run=_restore)
    commands.add_parser("generate-demo", help="Beispieldaten neu erzeugen").set_defaults(run=_generate_demo)
    index_parser = commands.add_parser("index", help="Sozialindex (Planung)")
    index_commands = index_parser.add_subparsers(dest="index_command", required=True, metavar="BEFEHL")
    publish_parser = index_commands.add_parser(
        "publish", help="Ergebnis einer Indexdefinition als unveränderliche Veröffentlichung speichern"
    )
    publish_parser.add_argument("--definition", required=True, help="Name der Definition (neueste Version)")
    publish_parser.add_argument(
        "--title", required=True, help="eindeutiger Titel, z. B. „Sozialbericht 2019“"
    )
    publish_parser.add_argument("--year", required=True, type=int, help="Bezugsjahr")
    publish_parser.set_defaults(run=_index_publish)
    users.add_parser(commands)
    add_import_commands(commands)
    add_export_commands(commands)
    add_demo_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends as a German message on stderr and an exit code ≠ 0."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    with debug_logging(args.debug):
        try:
            code: int = args.run(args)
        except KeyboardInterrupt:
            print("Abgebrochen.", file=sys.stderr)
            return INTERRUPTED
        except Exception as exc:
            return report(exc, argv)
    return code
