"""The CLI door of the import: ``import``, ``undo`` and ``export`` subcommands.

The CLI acts as an administrator named after the operating-system user (whoever can run it
on the server can already change the database directly).
"""

from __future__ import annotations

import argparse
import getpass
import io
import sys
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from sozdash.cli.german_argparse import GermanArgumentParser
from sozdash.core.messages import validation_message
from sozdash.core.permissions import Actor
from sozdash.exports.all_data import FORMATS, write_export
from sozdash.importing.areas import AreaTablePreview, commit_areas, prepare_areas
from sozdash.importing.boundaries import (
    BoundaryPreview,
    commit_boundaries,
    is_boundary_file,
    prepare_boundaries,
)
from sozdash.importing.commit import commit_import
from sozdash.importing.layout import LayoutChoice, describe, value_table
from sozdash.importing.layout_options import layout_choice
from sozdash.importing.new_indicators import NOTE
from sozdash.importing.pipeline import Preview, prepare
from sozdash.importing.problems import ImportProblem, check_file_size
from sozdash.importing.readers import decode, sniff_separator
from sozdash.importing.templates import save_template
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions, IndicatorSpec, rejection_lines
from sozdash.store import bootstrap, db


def cli_actor() -> Actor:
    """The CLI user: an admin named after the OS user."""
    return Actor(username=f"cli:{getpass.getuser()}", role="admin")


class _StderrProgress:
    """The progress line on stderr, rewritten in place until 100 %."""

    def __init__(self) -> None:
        self.open = False

    def __call__(self, fraction: float, text: str) -> None:
        self.open = fraction < 1
        end = "" if self.open else "\n"
        print(f"\r{fraction * 100:5.1f} % {text:<45}", end=end, file=sys.stderr, flush=True)

    def close(self) -> None:
        """End an unfinished line, so that a message after it starts on a line of its own."""
        if self.open:
            print(file=sys.stderr, flush=True)
            self.open = False


def _read_csv(path: str, what: str) -> pd.DataFrame:
    """A small CSV given with an option (``what``: its name, e.g. "Zuordnungsdatei (--mapping)"),
    all cells text; refusals name ``what``."""
    try:
        check_file_size(path)
        text = decode(Path(path).read_bytes())
    except ImportProblem as exc:
        raise ImportProblem(f"{what}: {exc}") from exc
    separator = sniff_separator(text.splitlines()[:20])
    try:
        return pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError as exc:
        raise ImportProblem(f"{what}: Die Datei {path} ist leer (keine Spaltennamen).") from exc
    except pd.errors.ParserError as exc:
        raise ImportProblem(
            f"{what}: Die Datei {path} ist keine lesbare CSV-Datei (ungleich viele Spalten oder offene "
            "Anführungszeichen)."
        ) from exc


def _indicator_specs(path: str) -> list[IndicatorSpec]:
    """The new indicators of a ``--new-indicators`` file; a wrong row is named by its line."""
    what = "Datei der neuen Indikatoren (--new-indicators)"
    specs = []
    for line, row in enumerate(_read_csv(path, what).to_dict("records"), start=2):
        try:
            specs.append(IndicatorSpec.model_validate(row))
        except ValidationError as exc:
            raise ImportProblem(f"{what}, Zeile {line}: {validation_message(exc)}") from exc
    return specs


def _options(args: argparse.Namespace) -> ImportOptions:
    mapping: dict[str, str] = {}
    if args.mapping:
        frame = _read_csv(args.mapping, "Zuordnungsdatei (--mapping)")
        if frame.shape[1] < 2:
            raise ImportProblem(
                f"Die Zuordnungsdatei {args.mapping} braucht zwei Spalten (Name in der Datei; Gebietscode), "
                f"gefunden: {', '.join(map(str, frame.columns)) or 'keine'}."
            )
        mapping = {
            str(r[0]).strip(): str(r[1]).strip() for r in frame.itertuples(index=False) if str(r[1]).strip()
        }
    specs = _indicator_specs(args.new_indicators) if args.new_indicators else []
    return ImportOptions(
        source=args.source or f"Datei {Path(args.file).name}", level=args.level, indicator=args.indicator or "",
        period=args.period or "", decimal=args.decimal, area_mapping=mapping, new_indicators=specs,
        create_indicators=args.create_indicators,
        skip_rejected=args.skip_rejected, level_names=args.level_name or [], code_column=args.code_column or "",
        name_column=args.name_column or "", parent_column=args.parent_column or "", combine=args.combine,
        confirm_mapping=args.confirm_mapping, confirm_outside=args.confirm_outside, layout=_layout_choice(args), template=args.template or "",
    )  # fmt: skip


def _layout_choice(args: argparse.Namespace) -> LayoutChoice:
    """The options that confirm or correct how a published table is read."""
    return layout_choice(
        header_row=args.header_row, area_column=args.area_column or "", skip_rows=args.skip_rows or "",
        skip_columns=args.skip_columns or "", years=args.year or [], names=args.column_name or [],
        row_levels=args.row_levels or "",
    )  # fmt: skip


def _print_layout(preview: Preview) -> None:
    if preview.template:
        print(f"Vorlage: {preview.template}")
    if preview.table_layout is not None:
        print("\n".join(describe(preview.table_layout)))
        for row in value_table(preview.table_layout).itertuples(index=False):
            print(f"  {row[0]:>3}  {row[1]} → {row[2]}, {row[3] or '–'} ({row[4]})")
    for note in preview.notes:
        print(note)
    if any(note.startswith("Unsicher") for note in preview.notes):
        print(
            "Korrigieren mit --header-row, --area-column, --skip-rows, --skip-columns, --year SPALTE=JAHR, "
            "--column-name SPALTE=NAME, --row-levels ZEILEN=EBENE; bestätigten Aufbau mit --save-template NAME "
            "für die nächste Datei dieser Form speichern."
        )


def _print_preview(preview: Preview | BoundaryPreview) -> None:
    counts = preview.counts
    print(
        f"{preview.file_name}: {counts['total']} Zeilen – neu {counts['new']}, geändert {counts['changed']}, "
        f"unverändert {counts['unchanged']}, abgelehnt {counts['rejected']}"
    )
    if not preview.unmatched_areas.empty:
        print("\nNicht zugeordnete Gebiete (Zuordnung als CSV mit Spalten name;code über --mapping angeben):")
        print(preview.unmatched_areas.to_string(index=False))
    if isinstance(preview, Preview):
        _print_names_and_city(preview)
    if isinstance(preview, Preview) and not preview.unknown_indicators.empty:
        print(
            "\nUnbekannte Indikatoren (mit --indicator SCHLÜSSEL zuordnen, mit --new-indicators anlegen oder "
            "mit --create-indicators aus der Datei ableiten):"
        )
        print(preview.unknown_indicators.to_string(index=False))
    if isinstance(preview, Preview) and preview.derived.specs:
        print(
            f"\nNeu anzulegen: {len(preview.derived.specs)} Indikatoren, aus der Datei abgeleitet. {NOTE}"
        )
        print(preview.derived.table.to_string(index=False))
    if counts["rejected"]:
        print("\nAbgelehnte Werte:")
        if isinstance(preview, Preview):
            print("\n".join(rejection_lines(preview.rejected)))
        else:
            print(preview.rejected.head(30).to_string(index=False))


def _print_names_and_city(preview: Preview) -> None:
    """Names that go to areas of another name, and what the table gives or lacks for the city."""
    if not preview.renamed.empty:
        print("\nGebietsnamen der Datei, die auf Gebiete anderen Namens gehen:")
        print(preview.renamed.to_string(index=False))
    city = preview.city
    if city.summary:
        print(f"\nStadtwerte: {city.summary}")
    for frame in (city.checks[["Hinweis"]], city.not_computed):
        if not frame.empty:
            print(frame.to_string(index=False))


def run_import(args: argparse.Namespace) -> int:
    """``import``: preview a file, then store it (unless ``--dry-run`` or something blocks)."""
    progress = _StderrProgress()
    try:
        return _import(args, progress)
    finally:
        progress.close()


def _import(args: argparse.Namespace, progress: _StderrProgress) -> int:
    engine = db.get_engine()
    bootstrap.ensure_database(engine)
    path = Path(args.file)
    check_file_size(path)
    options = _options(args)
    data = path.read_bytes()
    preview: Preview | BoundaryPreview | AreaTablePreview
    if args.areas and is_boundary_file(path.name):
        raise ImportProblem(
            "--areas gilt für Gebietstabellen (CSV, XLSX). Eine Geodatei legt ihre Gebiete mit --level an."
        )
    if args.areas:
        preview = prepare_areas(engine, data, path.name, options, progress)
        _print_areas(preview)
    elif is_boundary_file(path.name):
        preview = prepare_boundaries(engine, data, path.name, options, args.crs, progress)
        print(f"Koordinatensystem der Datei: {preview.source_crs}")
        _print_boundary_plan(preview)
    else:
        preview = prepare(engine, data, path.name, options, progress)
        print(f"Aufbau: {preview.layout_label}")
        _print_layout(preview)
        _print_combined(preview)
    if not isinstance(preview, AreaTablePreview):
        _print_preview(preview)
    if preview.blocking:
        print("\nNicht importiert: " + " ".join(preview.blocking), file=sys.stderr)
        if isinstance(preview, Preview) and not preview.unconfirmed.empty:
            print("Die Zuordnung mit --confirm-mapping bestätigen.", file=sys.stderr)
        if isinstance(preview, BoundaryPreview) and preview.beyond and not options.confirm_outside:
            print("Die Lage mit --confirm-outside bestätigen.", file=sys.stderr)
        return 1
    if args.save_template and (not isinstance(preview, Preview) or preview.table_layout is None):
        raise ImportProblem("Vorlagen gibt es nur für Tabellen mit Werten in Spalten (Breitformat).")
    if args.dry_run:
        print(
            "\nProbelauf: nichts gespeichert" + (" (auch die Vorlage nicht)." if args.save_template else ".")
        )
        return 0
    if isinstance(preview, AreaTablePreview):
        batch = commit_areas(engine, cli_actor(), preview)
    elif isinstance(preview, BoundaryPreview):
        batch = commit_boundaries(engine, cli_actor(), preview)
    else:
        batch = commit_import(engine, cli_actor(), preview, progress)
    print(
        "Keine Änderungen – die Daten sind bereits so gespeichert."
        if batch is None
        else f"Gespeichert als Import {batch}."
    )
    if args.save_template and isinstance(preview, Preview) and preview.table_layout is not None:
        save_template(engine, cli_actor(), args.save_template, preview.table_layout)
        print(f"Aufbau als Vorlage „{args.save_template}“ gespeichert.")
    return 0


def _print_boundary_plan(preview: BoundaryPreview) -> None:
    """Which properties were used, at which level, and how new areas get their parent."""
    print("Eigenschaften: " + ", ".join(f"{role} = {column}" for role, column in preview.columns.items()))
    if preview.level is not None:
        new = ", wird angelegt" if preview.level.is_new else ""
        print(f"Gebietsebene: {preview.level.name} ({preview.level.key}, Rang {preview.level.rank}{new})")
        print(f"Übergeordnetes Gebiet neuer Gebiete: {preview.parent_rule}")
    for note in preview.notes:
        print(f"Hinweis: {note}")


def _print_combined(preview: Preview) -> None:
    table = preview.combined_table
    if table.empty:
        return
    print("\nZusammengefasste Gebiete (aus den Teilen anlegen mit --combine, Zeilen auslassen mit "
          "--leave-out-combined):")  # fmt: skip
    print(table.to_string(index=False))
    left_out = int(table.loc[table["Entscheidung"].eq("Zeilen ausgelassen"), "Zeilen"].sum())
    if left_out:
        print(
            f"Ausgelassen: {left_out} Zeilen zusammengefasster Gebiete (im Bericht des Imports aufgeführt)."
        )


def _print_areas(preview: AreaTablePreview) -> None:
    counts = preview.counts
    print(f"Aufbau: {preview.shape_label}")
    print("\nGefundene Ebenen (grob → fein; Namen mit --level-name je Ebene in dieser Reihenfolge ändern):")
    print(preview.level_table.to_string(index=False))
    print(
        f"\n{preview.file_name}: {counts['total']} Zeilen – Gebiete neu {counts['new']}, geändert "
        f"{counts['changed']}, unverändert {counts['unchanged']}; abgelehnte Zeilen {counts['rejected']}"
    )
    if counts["rejected"]:
        print("\nAbgelehnte Zeilen (die ersten 30):")
        print(preview.rejected.head(30).to_string(index=False))


def run_undo(args: argparse.Namespace) -> int:
    counts = undo_batch(db.get_engine(), cli_actor(), args.batch_id)
    print(f"Import {args.batch_id} rückgängig gemacht: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def run_export(args: argparse.Namespace) -> int:
    formats = (args.format,) if args.format else FORMATS
    paths = write_export(db.get_engine(), Path(args.directory), formats)
    print(f"{len(paths)} Dateien geschrieben nach {args.directory}")
    return 0


def add_commands(commands: argparse._SubParsersAction[GermanArgumentParser]) -> None:
    """Register ``import``, ``undo`` and ``export`` on the CLI's subparsers."""
    parser = commands.add_parser("import", help="Tabelle oder Grenzen importieren (mit Vorschau)")
    parser.add_argument("file", metavar="DATEI", help="CSV, XLSX, GeoJSON, Shapefile (ZIP) oder GeoPackage")
    parser.add_argument("--source", help="Quelle/Lieferant, z. B. 'Statistikstelle' (Standard: Dateiname)")
    parser.add_argument("--dry-run", action="store_true", help="nur Vorschau, nichts speichern")
    parser.add_argument("--mapping", help="CSV mit Spalten name;code: Gebietsnamen der Datei → Gebietscode")
    parser.add_argument(
        "--confirm-mapping", action="store_true",
        help="bestätigen, dass Namen der --mapping-Datei auf Gebiete anderen Namens gehen",
    )  # fmt: skip
    parser.add_argument(
        "--confirm-outside", action="store_true",
        help="bestätigen, dass Flächen, die über das bisherige Stadtgebiet hinausreichen, richtig liegen",
    )  # fmt: skip
    parser.add_argument(
        "--level",
        help="Schlüssel der Gebietsebene der Datei, z. B. stadtteil (eine der Ebenen der Stadt; "
        "bei Grenzen auch eine neue, mit --level-name)",
    )
    parser.add_argument("--indicator", help="Indikator-Schlüssel (Tabellen mit einer Spalte je Jahr)")
    parser.add_argument("--period", help="Jahr (Tabellen mit einer Spalte je Indikator)")
    parser.add_argument(
        "--new-indicators", help="CSV: key;name;lebenslage;unit;polarity;source neuer Indikatoren"
    )
    parser.add_argument(
        "--create-indicators", action="store_true",
        help="unbekannte Indikatoren der Datei anlegen, Einheit, Summenbildung und Nachkommastellen aus den "
        "Daten abgeleitet, Lebenslage nach Stichwort, Polarität neutral (zu prüfen)",
    )  # fmt: skip
    parser.add_argument("--decimal", choices=["auto", ",", "."], default="auto", help="Dezimaltrennzeichen")
    parser.add_argument("--crs", help="Koordinatensystem, falls die Geodatei keines nennt (z. B. EPSG:25832)")
    parser.add_argument(
        "--skip-rejected", action="store_true", help="abgelehnte Zeilen auslassen, Rest speichern"
    )
    areas = parser.add_argument_group("Gebiete anlegen (Gebietstabellen und Grenzen)")
    areas.add_argument(
        "--areas", action="store_true", help="die Tabelle legt Gebiete an (Code, Name, übergeordneter Code "
        "je Zeile oder eine Schlüsseltabelle mit Spalten je Ebene) statt Werte zu importieren",
    )  # fmt: skip
    areas.add_argument(
        "--level-name", action="append",
        help="Name einer neuen Gebietsebene, z. B. Bezirk (bei --areas je Ebene, grob → fein, mehrfach)",
    )  # fmt: skip
    areas.add_argument("--code-column", help="Spalte/Eigenschaft mit dem Gebietscode (sonst erkannt)")
    areas.add_argument("--name-column", help="Spalte/Eigenschaft mit dem Gebietsnamen (sonst erkannt)")
    areas.add_argument("--parent-column", help="Spalte/Eigenschaft mit dem Code des übergeordneten Gebiets")
    combine = areas.add_mutually_exclusive_group()
    combine.add_argument(
        "--combine", action="store_const", const="create", dest="combine", default="ask",
        help="zusammengefasste Gebiete („A und B“) aus ihren Teilen anlegen",
    )  # fmt: skip
    combine.add_argument(
        "--leave-out-combined", action="store_const", const="leave_out", dest="combine",
        help="die Zeilen zusammengefasster Gebiete auslassen (im Bericht aufgeführt)",
    )  # fmt: skip
    table = parser.add_argument_group("Aufbau veröffentlichter Tabellen (bestätigen oder korrigieren)")
    table.add_argument("--header-row", type=int, help="Zeile der Spaltennamen (0 = die Datei hat keine)")
    table.add_argument("--area-column", help="Gebietsspalte: Nummer, Buchstabe oder Spaltenname")
    table.add_argument("--skip-rows", help="Zeilen, die nicht gelesen werden, z. B. 1-3,120")
    table.add_argument("--skip-columns", help="Spalten, die nicht gelesen werden, z. B. B,C")
    table.add_argument("--year", action="append", help="Jahr einer Spalte, SPALTE=JAHR (mehrfach möglich)")
    table.add_argument(
        "--column-name", action="append", help="Indikatorname einer Spalte, SPALTE=NAME (mehrfach möglich)"
    )
    table.add_argument(
        "--row-levels", help="Ebenen der Zeilen, z. B. 5-103=stadtteil,104-110=stadtbezirk,111=stadt"
    )
    table.add_argument("--template", help="gespeicherte Vorlage verwenden (sonst die zur Datei passende)")
    table.add_argument("--save-template", help="den Aufbau nach dem Import als Vorlage NAME speichern")
    parser.set_defaults(run=run_import)
    undo = commands.add_parser("undo", help="einen Import vollständig rückgängig machen")
    undo.add_argument(
        "batch_id", metavar="IMPORT_NR", type=int, help="Nummer des Imports (aus „Gespeichert als Import …“)"
    )
    undo.set_defaults(run=run_undo)
    export = commands.add_parser("export", help="alle Daten als CSV, XLSX und GeoJSON exportieren")
    export.add_argument("directory", metavar="VERZEICHNIS")
    export.add_argument("--format", choices=list(FORMATS))
    export.set_defaults(run=run_export)
