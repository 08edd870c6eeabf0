"""German texts for pydantic validation errors and operating-system errors: the one translation
every door (page, CLI) uses, so that no English "String should have at least 2 characters" or
"Permission denied" reaches a user."""

from __future__ import annotations

import errno
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

FIELD_LABELS: dict[str, str] = {
    # import options (importing.validate.ImportOptions)
    "source": "Quelle",
    "level": "Gebietsebene",
    "indicator": "Indikator",
    "period": "Jahr",
    "decimal": "Dezimaltrennzeichen",
    "area_mapping": "Zuordnung der Gebiete",
    "indicator_mapping": "Zuordnung der Indikatoren",
    "new_indicators": "Neue Indikatoren",
    "create_indicators": "Indikatoren anlegen",
    "skip_rejected": "Abgelehnte Zeilen auslassen",
    "layout": "Aufbau der Tabelle",
    "template": "Vorlage",
    "confirm_mapping": "Zuordnung bestätigt",
    "level_names": "Namen der Gebietsebenen",
    "code_column": "Spalte mit dem Gebietscode",
    "name_column": "Spalte mit dem Gebietsnamen",
    "parent_column": "Spalte mit dem übergeordneten Gebiet",
    "combine": "Zusammengefasste Gebiete",
    # indicators the import creates (importing.validate.IndicatorSpec)
    "key": "Schlüssel",
    "name": "Name",
    "lebenslage": "Lebenslage",
    "unit": "Einheit",
    "polarity": "Polarität",
    "aggregation": "Summenbildung",
    "decimals": "Nachkommastellen",
    "definition": "Definition",
    "note": "Hinweis",
    # table layout (importing.layout.LayoutChoice, importing.levels.RowLevel)
    "header_row": "Zeile der Spaltennamen",
    "area_column": "Gebietsspalte",
    "skip_rows": "Ausgelassene Zeilen",
    "skip_columns": "Ausgelassene Spalten",
    "years": "Jahre der Spalten",
    "names": "Indikatornamen der Spalten",
    "row_levels": "Ebenen der Zeilen",
    "first_row": "erste Zeile",
    "last_row": "letzte Zeile",
}
"""German label of each field name a user can fill in (unknown names are shown as they are)."""

_TEXTS: dict[str, str] = {
    "missing": "fehlt",
    "string_too_short": "muss mindestens {min_length} Zeichen lang sein",
    "string_too_long": "darf höchstens {max_length} Zeichen lang sein",
    "string_pattern_mismatch": "hat nicht die erwartete Form (Muster {pattern})",
    "string_type": "muss ein Text sein",
    "literal_error": "muss einer dieser Werte sein: {expected}",
    "enum": "muss einer dieser Werte sein: {expected}",
    "int_parsing": "muss eine ganze Zahl sein",
    "int_type": "muss eine ganze Zahl sein",
    "int_from_float": "muss eine ganze Zahl sein",
    "float_parsing": "muss eine Zahl sein",
    "float_type": "muss eine Zahl sein",
    "decimal_parsing": "muss eine Zahl sein",
    "decimal_type": "muss eine Zahl sein",
    "finite_number": "muss eine endliche Zahl sein",
    "decimal_max_digits": "hat zu viele Stellen (höchstens {max_digits})",
    "decimal_max_places": "hat zu viele Nachkommastellen (höchstens {decimal_places})",
    "decimal_whole_digits": "hat zu viele Stellen vor dem Komma (höchstens {whole_digits})",
    "greater_than": "muss größer als {gt} sein",
    "greater_than_equal": "muss mindestens {ge} sein",
    "less_than": "muss kleiner als {lt} sein",
    "less_than_equal": "darf höchstens {le} sein",
    "multiple_of": "muss ein Vielfaches von {multiple_of} sein",
    "bool_parsing": "muss ja oder nein sein",
    "bool_type": "muss ja oder nein sein",
    "date_parsing": "muss ein Datum sein (JJJJ-MM-TT)",
    "date_from_datetime_parsing": "muss ein Datum sein (JJJJ-MM-TT)",
    "date_type": "muss ein Datum sein (JJJJ-MM-TT)",
    "datetime_parsing": "muss Datum und Uhrzeit sein (JJJJ-MM-TT HH:MM)",
    "datetime_from_date_parsing": "muss Datum und Uhrzeit sein (JJJJ-MM-TT HH:MM)",
    "datetime_type": "muss Datum und Uhrzeit sein (JJJJ-MM-TT HH:MM)",
    "list_type": "muss eine Liste sein",
    "tuple_type": "muss eine Liste sein",
    "set_type": "muss eine Liste sein",
    "dict_type": "muss eine Zuordnung (Name → Wert) sein",
    "model_type": "hat nicht den erwarteten Aufbau",
    "model_attributes_type": "hat nicht den erwarteten Aufbau",
    "too_short": "braucht mindestens {min_length} Einträge",
    "too_long": "darf höchstens {max_length} Einträge haben",
    "extra_forbidden": "ist keine bekannte Angabe",
    "none_required": "muss leer sein",
    "string_unicode": "muss ein gültiger Text sein",
    "string_sub_type": "muss ein Text sein",
    "bytes_type": "muss ein Text sein",
    "json_invalid": "ist kein gültiges JSON",
    "url_parsing": "muss eine gültige Adresse sein",
}
"""German text of each pydantic error type, filled from the error's context."""

_OWN_MESSAGE = {"value_error", "assertion_error"}
"""Types whose text is the message our own validators raised (German already)."""


def _value(value: Any) -> str:
    """A context value as a German user reads it: 1,5 not 1.5; "oder" not "or"."""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value).replace(".", ",")
    return str(value).replace(" or ", " oder ")


def _where(loc: tuple[int | str, ...], labels: Mapping[str, str]) -> str:
    """``("new_indicators", 0, "name")`` → „Neue Indikatoren Nr. 1 › Name“."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) and parts:
            parts[-1] += f" Nr. {item + 1}"
        else:
            parts.append(labels.get(str(item), str(item)))
    return " › ".join(parts)


def error_text(error: ErrorDetails, labels: Mapping[str, str] = FIELD_LABELS) -> str:
    """One pydantic error in German: „Quelle: muss mindestens 2 Zeichen lang sein“."""
    ctx = error.get("ctx") or {}
    if error["type"] in _OWN_MESSAGE:
        text = str(ctx.get("error", "ist ungültig"))
    elif error["type"] in _TEXTS:
        try:
            text = _TEXTS[error["type"]].format(**{k: _value(v) for k, v in ctx.items()})
        except KeyError:
            text = "ist ungültig"
    else:
        text = "ist ungültig"
    where = _where(tuple(error["loc"]), labels)
    return f"{where}: {text}" if where else text[0].upper() + text[1:]


def validation_message(exc: ValidationError, labels: Mapping[str, str] = FIELD_LABELS) -> str:
    """All errors of ``exc`` as one German sentence for the user: „Ungültige Angabe: …; …“."""
    return "Ungültige Angabe: " + "; ".join(error_text(error, labels) for error in exc.errors()) + "."


_OS_TEXTS = {
    errno.ENOENT: "gibt es nicht",
    errno.EACCES: "darf nicht gelesen oder geschrieben werden (keine Berechtigung)",
    errno.EPERM: "darf nicht gelesen oder geschrieben werden (keine Berechtigung)",
    errno.EISDIR: "ist ein Verzeichnis, keine Datei",
    errno.ENOTDIR: "liegt nicht in einem Verzeichnis (ein Teil des Pfads ist eine Datei)",
    errno.EEXIST: "gibt es schon",
    errno.ENOSPC: "kann nicht geschrieben werden: kein Speicherplatz mehr auf dem Datenträger",
    errno.EROFS: "kann nicht geschrieben werden: der Datenträger ist schreibgeschützt",
    errno.ENAMETOOLONG: "hat einen zu langen Namen",
}


def os_error_message(exc: OSError) -> str:
    """``„datei.csv“ gibt es nicht.`` – an ``OSError`` in German, naming the file."""
    text = _OS_TEXTS.get(exc.errno or 0)
    if text is None:
        code = errno.errorcode.get(exc.errno or 0, str(exc.errno))
        text = f"kann nicht gelesen oder geschrieben werden (Systemfehler {code})"
    return f"„{exc.filename}“ {text}." if exc.filename else f"Ein- oder Ausgabe: {text[0].upper()}{text[1:]}."
