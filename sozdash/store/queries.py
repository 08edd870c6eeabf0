"""Read queries shared by all pages; each returns a DataFrame and is cached until a table it reads changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Executable

from sozdash.core import refdate
from sozdash.store.cache import cached_query
from sozdash.store.models import Area, AreaLevel, AreaPart, City, Fact, ImportBatch, Indicator, Observation


def read_frame(engine: Engine, statement: Executable) -> pd.DataFrame:
    """The rows of ``statement`` as a DataFrame with its column names."""
    with engine.connect() as conn:
        result = conn.execute(statement)
        # plain tuples: pandas would probe every SQLAlchemy Row for attributes (twice as slow)
        return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))


@dataclass(frozen=True)
class CityInfo:
    """The city this instance serves."""

    name: str
    ags: str


@cached_query
def city(engine: Engine) -> CityInfo:
    """The city record (every title and text names it)."""
    with engine.connect() as conn:
        row = conn.execute(select(City.name, City.ags).order_by(City.id).limit(1)).one()
    return CityInfo(name=row.name, ags=row.ags)


@cached_query
def area_levels(engine: Engine) -> dict[str, str]:
    """The city's area levels, key → German name, from coarse (the city) to fine."""
    with engine.connect() as conn:
        rows = conn.execute(select(AreaLevel.key, AreaLevel.name).order_by(AreaLevel.rank)).all()
    return {row.key: row.name for row in rows}


def city_level(engine: Engine) -> str:
    """The key of the level that is the whole city (rank 0)."""
    return next(iter(area_levels(engine)))


@cached_query
def areas(engine: Engine) -> pd.DataFrame:
    """All areas with their parent's code and, for a part of a combined statistical area, the
    combined area's code (``combined_code``), without geometries."""
    parent, combined = aliased(Area), aliased(Area)
    combined_code = (
        select(combined.code).join(AreaPart, AreaPart.combined_id == combined.id)
        .where(AreaPart.part_id == Area.id).order_by(combined.id).limit(1).scalar_subquery()
    )  # fmt: skip
    statement = (
        select(
            Area.id, Area.code, Area.name, Area.level, parent.code.label("parent_code"),
            combined_code.label("combined_code"), Area.geometry_quality, Area.centroid_lat, Area.centroid_lon, Area.centroid_verified, Area.source,
        )
        .outerjoin(parent, Area.parent_id == parent.id)
        .order_by(Area.id)
    )  # fmt: skip
    return read_frame(engine, statement)


@cached_query
def area_geometries(engine: Engine, level: str) -> dict[str, dict[str, Any]]:
    """Display geometries (simplified) of one level by area code, in the order the areas were made
    (a combined area after its parts)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Area.code, Area.display_geometry).where(Area.level == level).order_by(Area.id)
        )
        return {code: geometry for code, geometry in rows if geometry}


@cached_query
def indicators(engine: Engine) -> pd.DataFrame:
    """The indicator catalogue."""
    return read_frame(engine, select(*Indicator.__table__.c).order_by(Indicator.lebenslage, Indicator.name))


@cached_query
def observations(
    engine: Engine, indicator: str | None = None, level: str | None = None, areas: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Observations joined with area and indicator keys, optionally for one indicator, one level
    or the areas with the given codes."""
    statement = (
        select(
            Area.code.label("area"), Area.name.label("area_name"), Area.level, Indicator.key.label("indicator"),
            Observation.period, Observation.value, Observation.numerator, Observation.denominator,
            Observation.status, Observation.symbol, Observation.is_demo, Observation.batch_id, Observation.source,
            Observation.is_computed,
        )
        .join(Area, Observation.area_id == Area.id)
        .join(Indicator, Observation.indicator_id == Indicator.id)
        .order_by(Area.id, Indicator.key, Observation.period)
    )  # fmt: skip
    if indicator:
        statement = statement.where(Indicator.key == indicator)
    if level:
        statement = statement.where(Area.level == level)
    if areas:
        statement = statement.where(Area.code.in_(areas))
    return read_frame(engine, statement)


@cached_query
def data_status(engine: Engine) -> pd.DataFrame:
    """Newest committed batch per kind and source, with whether it holds demo values."""
    statement = (
        select(
            ImportBatch.kind, ImportBatch.source, func.max(ImportBatch.created_at).label("created_at"),
            func.max(case((ImportBatch.is_demo, 1), else_=0)).label("is_demo"), func.sum(ImportBatch.rows_total).label("rows"),
        )
        .where(ImportBatch.status == "committed")
        .group_by(ImportBatch.kind, ImportBatch.source)
        .order_by(ImportBatch.kind, ImportBatch.source)
    )  # fmt: skip
    frame = read_frame(engine, statement)
    frame["is_demo"] = frame["is_demo"].astype(bool)
    return frame


@cached_query
def facts(engine: Engine, topics: tuple[str, ...], keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Sourced facts of the given topics (and single facts by key) as a German table
    (statement, as of, source, note)."""
    statement = (
        select(
            Fact.topic.label("Thema"), Fact.statement.label("Aussage"), Fact.as_of.label("Stand"),
            Fact.source.label("Quelle"), Fact.note.label("Hinweis"),
        )
        .where(Fact.topic.in_(topics) | Fact.key.in_(keys))
        .order_by(Fact.id)
    )  # fmt: skip
    return read_frame(engine, statement).fillna("")


@cached_query
def headline_figures(engine: Engine, as_of: dt.date) -> dict[str, object]:
    """Figures for the start page as of ``as_of``: the official population (newest year, with
    source) and the newest indicator data year and whether it is demo data."""
    with engine.connect() as conn:
        population = conn.execute(
            select(Observation.value, Observation.period, Observation.source)
            .join(Indicator, Observation.indicator_id == Indicator.id)
            .join(Area, Observation.area_id == Area.id)
            .where(Indicator.key == "einwohner_amtlich", Area.level == city_level(engine))
            .where(Observation.period <= refdate.last_complete_year(as_of))
            .order_by(Observation.period.desc())
            .limit(1)
        ).first()
        newest = conn.execute(
            select(Observation.period, Observation.is_demo)
            .where(Observation.period <= refdate.last_complete_year(as_of))
            .order_by(Observation.period.desc(), Observation.is_demo.desc())
            .limit(1)
        ).first()
    return {
        "population": population.value if population else None,
        "population_year": population.period if population else None,
        "population_source": population.source if population else None,
        "newest_year": newest.period if newest else None,
        "newest_is_demo": bool(newest.is_demo) if newest else False,
    }
