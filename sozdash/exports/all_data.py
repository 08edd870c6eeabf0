"""Export of all data: areas (with geometry), indicators, observations with flags and provenance.

CSV and XLSX are formula-safe (``sozdash.exports.tables``); a suppressed or missing value is exported
as its official symbol in the value column, never as a number; values are rounded to their
indicator's decimals (numerator and denominator keep the exact figures).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from sozdash.exports.tables import neutralise_text, to_csv_bytes, workbook_bytes
from sozdash.store.models import Area, ImportBatch, Indicator, Observation
from sozdash.store.queries import read_frame

FORMATS = ("csv", "xlsx", "geojson")


def tables(engine: Engine) -> dict[str, pd.DataFrame]:
    """The three export tables with German column names."""
    parent = aliased(Area)
    areas = read_frame(engine,
        select(
            Area.code.label("Gebietscode"), Area.name.label("Name"), Area.level.label("Ebene"),
            parent.code.label("Übergeordnet"), Area.geometry_quality.label("Geometrie"),
            Area.centroid_lat.label("Breite"), Area.centroid_lon.label("Länge"), Area.source.label("Quelle"),
        ).outerjoin(parent, Area.parent_id == parent.id).order_by(Area.id),
    )  # fmt: skip
    indicators = read_frame(engine,
        select(
            Indicator.key.label("Schlüssel"), Indicator.name.label("Name"), Indicator.lebenslage.label("Lebenslage"),
            Indicator.unit.label("Einheit"), Indicator.definition.label("Definition"), Indicator.polarity.label("Polarität"),
            Indicator.aggregation.label("Aggregation"), Indicator.decimals.label("Nachkommastellen"),
            Indicator.source.label("Quelle"),
        ).order_by(Indicator.key),
    )  # fmt: skip
    observations = read_frame(engine,
        select(
            Area.code.label("Gebietscode"), Indicator.key.label("Indikator"), Observation.period.label("Jahr"),
            Observation.value, Observation.symbol, Observation.numerator.label("Zähler"),
            Observation.denominator.label("Nenner"), Observation.status.label("Status"),
            Observation.is_demo.label("Beispieldaten"), Observation.source.label("Quelle"),
            ImportBatch.id.label("Import"), ImportBatch.file_name.label("Importdatei"),
        )
        .join(Area, Observation.area_id == Area.id)
        .join(Indicator, Observation.indicator_id == Indicator.id)
        .join(ImportBatch, Observation.batch_id == ImportBatch.id)
        .order_by(Area.id, Indicator.key, Observation.period),
    )  # fmt: skip
    hidden = observations["Status"].isin(["suppressed", "missing"])
    decimals = _decimals(indicators, observations)
    rounded = [None if pd.isna(v) else round(float(v), d) for v, d in zip(observations["value"], decimals, strict=True)]
    wert = pd.Series(rounded, index=observations.index, dtype=object).where(~hidden, observations["symbol"].fillna(""))
    observations.insert(3, "Wert", wert)
    observations = observations.drop(columns=["value", "symbol"])
    observations.loc[hidden, ["Zähler"]] = None
    return {"Gebiete": areas, "Indikatoren": indicators, "Werte": observations}


def _decimals(indicators: pd.DataFrame, observations: pd.DataFrame) -> list[int]:
    """Per observation the decimals of its indicator."""
    places = dict(zip(indicators["Schlüssel"], indicators["Nachkommastellen"], strict=True))
    return [int(places[key]) for key in observations["Indikator"]]


def geojson_bytes(engine: Engine) -> bytes:
    """All areas with geometry as a GeoJSON FeatureCollection (WGS84), text properties neutralised."""
    parent = aliased(Area)
    frame = read_frame(
        engine,
        select(
            Area.code,
            Area.name,
            Area.level,
            parent.code.label("parent"),
            Area.geometry_quality,
            Area.geometry,
        )
        .outerjoin(parent, Area.parent_id == parent.id)
        .where(Area.geometry.is_not(None))
        .order_by(Area.id),
    )
    frame = frame.astype(object).where(frame.notna(), None)
    features = [
        {
            "type": "Feature",
            "properties": {k: neutralise_text(v) for k, v in row.items() if k != "geometry"},
            "geometry": row["geometry"],
        }
        for row in frame.to_dict("records")
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def xlsx_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, one sheet per table (``tables.workbook_bytes``); each value shows its
    indicator's decimals."""
    decimals = {"Werte": {"Wert": _decimals(frames["Indikatoren"], frames["Werte"])}}
    return workbook_bytes(frames, decimals)


def export_files(engine: Engine, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """File name → content for the chosen formats."""
    files: dict[str, bytes] = {}
    frames = tables(engine) if {"csv", "xlsx"} & set(formats) else {}
    if "csv" in formats:
        files |= {f"{name.lower()}.csv": to_csv_bytes(frame) for name, frame in frames.items()}
    if "xlsx" in formats:
        files["sozialdashboard_daten.xlsx"] = xlsx_bytes(frames)
    if "geojson" in formats:
        files["gebiete.geojson"] = geojson_bytes(engine)
    return files


def write_export(engine: Engine, directory: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the export files to ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in export_files(engine, formats).items():
        path = directory / name
        path.write_bytes(content)
        paths.append(path)
    return paths


DOWNLOADS = {
    "werte.csv": ("csv", "Werte"),
    "gebiete.csv": ("csv", "Gebiete"),
    "indikatoren.csv": ("csv", "Indikatoren"),
    "sozialdashboard_daten.xlsx": ("xlsx", None),
    "gebiete.geojson": ("geojson", None),
}
"""Download file name → (format, table) for the page's on-demand download buttons."""


def export_file(engine: Engine, name: str) -> bytes:
    """One export file, built when the user asks for it."""
    kind, table = DOWNLOADS[name]
    if kind == "geojson":
        return geojson_bytes(engine)
    frames = tables(engine)
    return xlsx_bytes(frames) if table is None else to_csv_bytes(frames[table])
