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

from sozdash.core.permissions import Actor
from sozdash.core.vocab import AREA_LEVELS
from sozdash.exports.all_data import FORMATS, write_export
from sozdash.importing.boundaries import (
    BoundaryPreview,
    commit_boundaries,
    is_boundary_file,
    prepare_boundaries,
)
from sozdash.importing.commit import commit_import
from sozdash.importing.pipeline import Preview, prepare
from sozdash.importing.problems import ImportProblem
from sozdash.importing.readers import decode, sniff_separator
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions, IndicatorSpec
from sozdash.store import bootstrap, db


def cli_actor() -> Actor:
    """The CLI user: an admin named after the OS user."""
    return Actor(username=f"cli:{getpass.getuser()}", role="admin")


def _stderr_progress(fraction: float, text: str) -> None:
    print(
        f"\r{fraction * 100:5.1f} % {text:<45}",
        end="\n" if fraction >= 1 else "",
        file=sys.stderr,
        flush=True,
    )


def _read_csv(path: str) -> pd.DataFrame:
    text = decode(Path(path).read_bytes())
    separator = sniff_separator(text.splitlines()[:20])
    return pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)


def _options(args: argparse.Namespace) -> ImportOptions:
    mapping: dict[str, str] = {}
    if args.mapping:
        frame = _read_csv(args.mapping)
        mapping = {
            str(r[0]).strip(): str(r[1]).strip() for r in frame.itertuples(index=False) if str(r[1]).strip()
        }
    specs = (
        [IndicatorSpec.model_validate(row) for row in _read_csv(args.new_indicators).to_dict("records")]
        if args.new_indicators
        else []
    )
    return ImportOptions(
        source=args.source or f"Datei {Path(args.file).name}", level=args.level, indicator=args.indicator or "",
        period=args.period or "", decimal=args.decimal, area_mapping=mapping, new_indicators=specs,
        skip_rejected=args.skip_rejected,
    )  # fmt: skip


def _print_preview(preview: Preview | BoundaryPreview) -> None:
    counts = preview.counts
    print(
        f"{preview.file_name}: {counts['total']} Zeilen – neu {counts['new']}, geändert {counts['changed']}, "
        f"unverändert {counts['unchanged']}, abgelehnt {counts['rejected']}"
    )
    if not preview.unmatched_areas.empty:
        print("\nNicht zugeordnete Gebiete (Zuordnung als CSV mit Spalten name;code über --mapping angeben):")
        print(preview.unmatched_areas.to_string(index=False))
    if isinstance(preview, Preview) and not preview.unknown_indicators.empty:
        print(
            "\nUnbekannte Indikatoren (mit --indicator SCHLÜSSEL zuordnen oder mit --new-indicators anlegen):"
        )
        print(preview.unknown_indicators.to_string(index=False))
    if counts["rejected"]:
        print("\nAbgelehnte Zeilen (die ersten 30):")
        print(preview.rejected.head(30).to_string(index=False))


def run_import(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    bootstrap.ensure_database(engine)
    path = Path(args.file)
    if not path.is_file():
        raise ImportProblem(f"Datei {args.file} nicht gefunden.")
    try:
        options = _options(args)
    except ValidationError as exc:
        raise ImportProblem("Ungültige Angabe: " + "; ".join(e["msg"] for e in exc.errors())) from exc
    data = path.read_bytes()
    preview: Preview | BoundaryPreview
    if is_boundary_file(path.name):
        preview = prepare_boundaries(engine, data, path.name, options, args.crs, _stderr_progress)
        print(f"Koordinatensystem der Datei: {preview.source_crs}")
    else:
        preview = prepare(engine, data, path.name, options, _stderr_progress)
        print(f"Aufbau: {preview.layout_label}")
    _print_preview(preview)
    if preview.blocking:
        print("\nNicht importiert: " + " ".join(preview.blocking), file=sys.stderr)
        return 1
    if args.dry_run:
        print("\nProbelauf: nichts gespeichert.")
        return 0
    if isinstance(preview, BoundaryPreview):
        batch = commit_boundaries(engine, cli_actor(), preview)
    else:
        batch = commit_import(engine, cli_actor(), preview, _stderr_progress)
    print(
        "Keine Änderungen – die Daten sind bereits so gespeichert."
        if batch is None
        else f"Gespeichert als Import {batch}."
    )
    return 0


def run_undo(args: argparse.Namespace) -> int:
    counts = undo_batch(db.get_engine(), cli_actor(), args.batch_id)
    print(f"Import {args.batch_id} rückgängig gemacht: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def run_export(args: argparse.Namespace) -> int:
    formats = (args.format,) if args.format else FORMATS
    paths = write_export(db.get_engine(), Path(args.directory), formats)
    print(f"{len(paths)} Dateien geschrieben nach {args.directory}")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``import``, ``undo`` and ``export`` on the CLI's subparsers."""
    parser = commands.add_parser("import", help="Tabelle oder Grenzen importieren (mit Vorschau)")
    parser.add_argument("file", help="CSV, XLSX, GeoJSON, Shapefile (ZIP) oder GeoPackage")
    parser.add_argument("--source", help="Quelle/Lieferant, z. B. 'Statistikstelle' (Standard: Dateiname)")
    parser.add_argument("--dry-run", action="store_true", help="nur Vorschau, nichts speichern")
    parser.add_argument("--mapping", help="CSV mit Spalten name;code: Gebietsnamen der Datei → Gebietscode")
    parser.add_argument("--level", choices=list(AREA_LEVELS), help="Gebietsebene der Datei")
    parser.add_argument("--indicator", help="Indikator-Schlüssel (Tabellen mit einer Spalte je Jahr)")
    parser.add_argument("--period", help="Jahr (Tabellen mit einer Spalte je Indikator)")
    parser.add_argument(
        "--new-indicators", help="CSV: key;name;lebenslage;unit;polarity;source neuer Indikatoren"
    )
    parser.add_argument("--decimal", choices=["auto", ",", "."], default="auto", help="Dezimaltrennzeichen")
    parser.add_argument("--crs", help="Koordinatensystem, falls die Geodatei keines nennt (z. B. EPSG:25832)")
    parser.add_argument(
        "--skip-rejected", action="store_true", help="abgelehnte Zeilen auslassen, Rest speichern"
    )
    parser.set_defaults(run=run_import)
    undo = commands.add_parser("undo", help="einen Import vollständig rückgängig machen")
    undo.add_argument("batch_id", type=int)
    undo.set_defaults(run=run_undo)
    export = commands.add_parser("export", help="alle Daten als CSV, XLSX und GeoJSON exportieren")
    export.add_argument("directory")
    export.add_argument("--format", choices=list(FORMATS))
    export.set_defaults(run=run_export)
