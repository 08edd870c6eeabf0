"""``python -m sozdash user add|set-role|reset-password|list``: account management (German output).

Passwords are asked for twice without echo (``getpass``) or read from the first line of
standard input with ``--password-stdin``; they are never command-line arguments.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sozdash.cli.german_argparse import GermanArgumentParser
from sozdash.core.permissions import Actor, UnknownRole, known_role
from sozdash.core.vocab import ROLES
from sozdash.store import bootstrap, db


def _password(args: argparse.Namespace) -> str:
    from sozdash.access import auth

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Neues Passwort: ")
    if first != getpass.getpass("Passwort wiederholen: "):
        raise auth.AccountError("Die beiden Eingaben stimmen nicht überein.")
    return first


def _role(text: str) -> str:
    """A ``--role``/``ROLLE`` argument: one of ``ROLES``, else argparse's German error listing them."""
    try:
        return known_role(text)
    except UnknownRole as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


ROLE_HELP = "Rolle: " + ", ".join(f"{key} ({label})" for key, label in ROLES.items())


def run(args: argparse.Namespace) -> int:
    # Imported here: ``auth`` hashes a dummy password on import, which no other command needs.
    from sozdash.access import auth

    engine = db.get_engine()
    bootstrap.ensure_database(engine)
    actor = Actor(username=f"cli:{getpass.getuser()}", role="admin", display_name="Kommandozeile")
    if args.action == "list":
        users = auth.list_users(engine)
        print(users.to_string(index=False) if not users.empty else "Noch keine Benutzer angelegt.")
    elif args.action == "add":
        password = None if args.sso else _password(args)
        auth.create_user(
            engine, actor, args.username, password, args.role, display_name=args.name, email=args.email,
            org_key=args.org,
        )  # fmt: skip
        print(f"Benutzer „{args.username}“ mit Rolle „{ROLES[args.role]}“ angelegt.")
    elif args.action == "set-role":
        auth.set_role(engine, actor, args.username, args.role, args.org)
        print(f"Rolle von „{args.username}“ ist jetzt „{ROLES[args.role]}“.")
    else:
        auth.reset_password(engine, actor, args.username, _password(args))
        print(f"Passwort von „{args.username}“ neu gesetzt; eine Sperre ist aufgehoben.")
    return 0


def add_parser(commands: argparse._SubParsersAction[GermanArgumentParser]) -> None:
    """Register ``user`` and its actions on the main parser's subcommands."""
    parser = commands.add_parser("user", help="Benutzerkonten verwalten (anlegen, Rolle, Passwort, Liste)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="AKTION")
    stdin_help = "Passwort aus der ersten Zeile der Standardeingabe lesen (statt Abfrage)"
    add = actions.add_parser("add", help="Benutzer anlegen")
    add.add_argument("username", metavar="BENUTZERNAME")
    add.add_argument("--role", required=True, type=_role, metavar="ROLLE", help=ROLE_HELP)
    add.add_argument("--name", help="Anzeigename")
    add.add_argument("--email", help="E-Mail-Adresse")
    add.add_argument("--org", help="Schlüssel der Organisationseinheit, z. B. stadt-lev-fb-soziales")
    add.add_argument("--sso", action="store_true", help="ohne Passwort: Anmeldung nur per Single Sign-on")
    add.add_argument("--password-stdin", action="store_true", help=stdin_help)
    role = actions.add_parser("set-role", help="Rolle (und Organisationseinheit) ändern")
    role.add_argument("username", metavar="BENUTZERNAME")
    role.add_argument("role", type=_role, metavar="ROLLE", help=ROLE_HELP)
    role.add_argument("--org", help="Schlüssel der Organisationseinheit")
    reset = actions.add_parser("reset-password", help="Passwort neu setzen und Sperre aufheben")
    reset.add_argument("username", metavar="BENUTZERNAME")
    reset.add_argument("--password-stdin", action="store_true", help=stdin_help)
    actions.add_parser("list", help="alle Benutzer anzeigen")
    parser.set_defaults(run=run)
