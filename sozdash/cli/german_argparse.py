"""argparse in German: usage, help headings and every error message argparse itself writes."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the following arguments are required: (.*)"), r"Es fehlt: \1."),
    (re.compile(r"unrecognized arguments: (.*)"), r"Unbekannte Angaben: \1."),
    (re.compile(r"invalid choice: (.*) \(choose from (.*)\)"), r"„\1“ ist nicht möglich (möglich: \2)."),
    (re.compile(r"invalid int value: (.*)"), r"\1 ist keine ganze Zahl."),
    (re.compile(r"invalid float value: (.*)"), r"\1 ist keine Zahl."),
    (re.compile(r"invalid (\w+) value: (.*)"), r"\2 ist ungültig."),
    (re.compile(r"expected one argument"), "Hier fehlt der Wert."),
    (re.compile(r"expected at most one argument"), "Höchstens ein Wert ist möglich."),
    (re.compile(r"expected at least one argument"), "Mindestens ein Wert ist nötig."),
    (re.compile(r"expected (\d+) arguments?"), r"Genau \1 Werte sind nötig."),
    (re.compile(r"not allowed with argument (.*)"), r"Nicht zusammen mit \1 möglich."),
    (re.compile(r"ignored explicit argument (.*)"), r"Der Wert \1 ist hier nicht vorgesehen."),
    (re.compile(r"one of the arguments (.*) is required"), r"Eine der Angaben \1 ist nötig."),
    (re.compile(r"ambiguous option: (.*) could match (.*)"), r"Die Option \1 ist mehrdeutig (passt zu \2)."),
    (re.compile(r"unexpected option string: (.*)"), r"Unerwartete Option \1."),
]
_ARGUMENT = re.compile(r"argument (.+?): (.*)", re.DOTALL)


def german_error(message: str) -> str:
    """An argparse error message in German (one it does not know is kept as it is)."""
    argument = _ARGUMENT.fullmatch(message)
    if argument:
        return f"Angabe {argument[1]}: {german_error(argument[2])}"
    for pattern, replacement in _ERRORS:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message).replace("'", "")
    return message


class GermanHelpFormatter(argparse.HelpFormatter):
    """Usage line introduced by „Aufruf:“."""

    def add_usage(
        self, usage: str | None, actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None = None,
    ) -> None:  # fmt: skip
        super().add_usage(usage, actions, groups, "Aufruf: " if prefix is None else prefix)


class GermanArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that writes German (its subcommands' parsers too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", GermanHelpFormatter)
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "Argumente"
        self._optionals.title = "Optionen"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="diese Hilfe anzeigen und beenden")

    def error(self, message: str) -> NoReturn:
        """Print the usage and the German message to stderr and exit with code 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: Fehler: {german_error(message)}\n")
