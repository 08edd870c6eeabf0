"""The data model: SQLAlchemy 2 typed ORM classes for every stored entity.

Schema changes go through Alembic (``sozdash/store/migrations``). Every table that users edit
carries ``version`` for optimistic locking; facts carry ``source``; demo values carry
``is_demo``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sozdash.core.vocab import (
    AGGREGATION,
    ANNOTATION_TARGETS,
    APPLICATION_OUTCOMES,
    CONFERENCE_KINDS,
    CONTROLLING_STATUS,
    DATE_PRECISION,
    EVENT_KINDS,
    FACT_QUALITY,
    FUNDING_SOURCES,
    GEOMETRY_QUALITY,
    LEBENSLAGEN,
    OBS_STATUS,
    POLARITY,
    PROJECT_STATUS,
    RECOMMENDATION_STATUS,
    ROLES,
    VISIBILITY,
    sql_in,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Versioned:
    """Mixin for user-edited records: optimistic locking through a version counter."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


# --- The city, its area levels and areas ----------------------------------------------


class City(Base):
    """The city this instance serves (one row): what every title, text and export names."""

    __tablename__ = "city"
    __table_args__ = (CheckConstraint("length(ags) = 8", name="ags"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    ags: Mapped[str] = mapped_column(String(8), unique=True)
    """Amtlicher Gemeindeschlüssel (8 digits), also the code of the city's area."""
    source: Mapped[str] = mapped_column(Text)


class AreaLevel(Base):
    """A level of the city's area hierarchy, named by the city; rank 0 is the whole city,
    higher ranks are finer (e.g. Stadt → Stadtbezirk → Stadtteil)."""

    __tablename__ = "area_levels"
    __table_args__ = (CheckConstraint("rank >= 0", name="rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int] = mapped_column(Integer, unique=True)
    source: Mapped[str] = mapped_column(Text)


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint(f"geometry_quality IN {sql_in(GEOMETRY_QUALITY)}", name="geometry_quality"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(ForeignKey("area_levels.key"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Full GeoJSON geometry in WGS84 (EPSG:4326)."""
    display_geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Simplified copy of ``geometry`` for maps."""
    geometry_quality: Mapped[str] = mapped_column(String(20), default="none")
    centroid_lat: Mapped[float | None] = mapped_column(Float)
    centroid_lon: Mapped[float | None] = mapped_column(Float)
    centroid_verified: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Area | None] = relationship(remote_side=[id])


class Indicator(Base):
    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint(f"lebenslage IN {sql_in(LEBENSLAGEN)}", name="lebenslage"),
        CheckConstraint(f"polarity IN {sql_in(POLARITY)}", name="polarity"),
        CheckConstraint(f"aggregation IN {sql_in(AGGREGATION)}", name="aggregation"),
        CheckConstraint("decimals >= 0 AND decimals <= 6", name="decimals"),
        CheckConstraint("suppression_threshold IS NULL OR suppression_threshold >= 0", name="threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lebenslage: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(40))
    """Display unit, e.g. ``%``, ``je 100``, ``Personen``."""
    scale: Mapped[float] = mapped_column(Float, default=1.0)
    """value = numerator / denominator * scale (100 for percentages)."""
    definition: Mapped[str] = mapped_column(Text)
    numerator_definition: Mapped[str | None] = mapped_column(Text)
    denominator_definition: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    polarity: Mapped[str] = mapped_column(String(20))
    aggregation: Mapped[str] = mapped_column(String(10))
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    suppression_threshold: Mapped[int | None] = mapped_column(Integer)
    """Counts (numerators) below this are never shown."""
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)


class ImportBatch(Base):
    """Provenance of stored values: one seed load, demo generation or file import."""

    __tablename__ = "import_batches"
    __table_args__ = (CheckConstraint("status IN ('committed', 'undone')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    """``seed``, ``demo`` or ``import``."""
    source: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(400))
    checksum: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    original_file: Mapped[bytes | None] = mapped_column(LargeBinary)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="committed")


class Observation(Base):
    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("area_id", "indicator_id", "period"),
        Index("ix_observations_indicator_id_period", "indicator_id", "period"),
        CheckConstraint(f"status IN {sql_in(OBS_STATUS)}", name="status"),
        CheckConstraint(
            "numerator IS NULL OR denominator IS NULL OR numerator <= denominator",
            name="numerator_le_denominator",
        ),
        CheckConstraint("numerator IS NULL OR numerator >= 0", name="numerator_nonneg"),
        CheckConstraint("denominator IS NULL OR denominator >= 0", name="denominator_nonneg"),
        CheckConstraint(
            "(status IN ('ok', 'estimated') AND value IS NOT NULL)"
            " OR (status IN ('suppressed', 'missing') AND value IS NULL)",
            name="value_matches_status",
        ),
        CheckConstraint("period >= 1900 AND period <= 2200", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    """Indexed through the unique key (area, indicator, period), which starts with it."""
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    """Indexed with ``period`` (one indicator in one year: maps, rankings, profiles)."""
    period: Mapped[int] = mapped_column(Integer)
    """Reference year (as of 31.12.)."""
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="ok")
    symbol: Mapped[str | None] = mapped_column(String(4))
    """Official symbol shown instead of a value (see ``vocab.OFFICIAL_SYMBOLS``)."""
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    source: Mapped[str | None] = mapped_column(Text)
    """Source of this single value where it differs from the indicator's source."""
    note: Mapped[str | None] = mapped_column(Text)
    is_computed: Mapped[bool] = mapped_column(Boolean, default=False)
    """Computed from the areas below (e.g. a city value the source table did not give)."""


class ReplacedObservation(Base):
    """What an import batch overwrote, so that undoing the batch restores it exactly."""

    __tablename__ = "replaced_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    replaced_by_batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    period: Mapped[int] = mapped_column(Integer)
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The whole previous row as JSON; ``None`` when the batch created the value."""


class AreaNameMapping(Base):
    """A user's decision how a name in a source file maps to an area (kept for next time)."""

    __tablename__ = "area_name_mappings"
    __table_args__ = (UniqueConstraint("source", "raw_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    raw_name: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))


class AreaPart(Base):
    """A statistical area that combines geographic areas (e.g. "Kleiner Grasbrook und
    Steinwerder"): the combined area and each of its parts."""

    __tablename__ = "area_parts"
    __table_args__ = (CheckConstraint("combined_id <> part_id", name="not_itself"),)

    combined_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)


class ImportTemplate(Base):
    """A confirmed layout of an import file (which rows and columns mean what), reused for the
    next file of the same shape."""

    __tablename__ = "import_templates"
    __table_args__ = (CheckConstraint("kind IN ('table', 'areas', 'boundaries')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="table")
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class TableVersion(Base):
    """How often each table was written: every committed write raises the counter of each table it
    changed, so cached queries in every process notice new data in the tables they read."""

    __tablename__ = "table_versions"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Fact(Base):
    """A sourced statement that fits no other table (for example a count from a report)."""

    __tablename__ = "facts"
    __table_args__ = (CheckConstraint(f"quality IN {sql_in(FACT_QUALITY)}", name="quality"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    topic: Mapped[str] = mapped_column(String(80))
    statement: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(40))
    as_of: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text)
    quality: Mapped[str] = mapped_column(String(12), default="verified")
    note: Mapped[str | None] = mapped_column(Text)


# --- Organisations, programmes, projects ----------------------------------------------


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(60))
    """For example Verwaltung, Träger, Hochschule, Bundesbehörde, Wohnungsunternehmen."""
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Programme(Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    funder: Mapped[str | None] = mapped_column(Text)
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class FundingRound(Base):
    __tablename__ = "funding_rounds"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"),
        CheckConstraint("annual_budget IS NULL OR annual_budget >= 0", name="budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    annual_budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    programme: Mapped[Programme] = relationship()


class Project(Versioned, Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(PROJECT_STATUS)}", name="status"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"),
    )
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    motto: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    """Set for a sub-project (Teilprojekt)."""
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    funding_round_id: Mapped[int | None] = mapped_column(ForeignKey("funding_rounds.id"))
    lead_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class ProjectArea(Base):
    __tablename__ = "project_areas"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)


class ProjectPartner(Base):
    __tablename__ = "project_partners"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)


class ProjectFocus(Base):
    """A Schwerpunkt of a project, in the order the source lists them."""

    __tablename__ = "project_focuses"
    __table_args__ = (UniqueConstraint("project_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)


class BudgetLine(Versioned, Base):
    __tablename__ = "budget_lines"
    __table_args__ = (
        CheckConstraint(f"funding_source IN {sql_in(FUNDING_SOURCES)}", name="funding_source"),
        CheckConstraint("amount >= 0", name="amount"),
    )
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    funding_source: Mapped[str] = mapped_column(String(10))
    year: Mapped[int | None] = mapped_column(Integer)
    """``None`` for the whole runtime."""
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    is_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Application(Versioned, Base):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(f"outcome IN {sql_in(APPLICATION_OUTCOMES)}", name="outcome"),
        CheckConstraint(
            "decided_on IS NULL OR submitted_on IS NULL OR decided_on >= submitted_on", name="dates"
        ),
    )
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    funding_round_id: Mapped[int | None] = mapped_column(ForeignKey("funding_rounds.id"))
    applicant_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(60))
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    submitted_precision: Mapped[str] = mapped_column(String(6), default="day")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Report(Base):
    """An edition of the Sozialbericht (or a predecessor report)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    adopted_precision: Mapped[str] = mapped_column(String(6), default="day")
    vorlage: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Event(Versioned, Base):
    """A dated decision, visit, application, notification or milestone."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(EVENT_KINDS)}", name="kind"),
        CheckConstraint(f"date_precision IN {sql_in(DATE_PRECISION)}", name="precision"),
    )
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    date: Mapped[dt.date] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(6), default="day")
    """``month`` means only the month is known (``date`` is its first day)."""
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    vorlage: Mapped[str | None] = mapped_column(String(40))
    """Council document number (Vorlage)."""
    is_planned: Mapped[bool] = mapped_column(Boolean, default=False)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


# --- Altenhilfe: Wirkungspakete ---------------------------------------------------------


class ImpactPackage(Versioned, Base):
    __tablename__ = "impact_packages"
    __table_args__ = (
        CheckConstraint(f"controlling_status IN {sql_in(CONTROLLING_STATUS)}", name="controlling_status"),
        CheckConstraint("end_year >= start_year", name="years"),
    )
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    provider_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    funding_round_id: Mapped[int | None] = mapped_column(ForeignKey("funding_rounds.id"))
    """The five-year period (a funding round of the Wirkungspakete programme)."""
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    target_group: Mapped[str | None] = mapped_column(Text)
    impact_goal: Mapped[str | None] = mapped_column(Text)
    services: Mapped[str | None] = mapped_column(Text)
    controlling_status: Mapped[str] = mapped_column(String(20))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class PackageFunding(Versioned, Base):
    __tablename__ = "package_funding"
    __table_args__ = (
        UniqueConstraint("package_id", "year"),
        CheckConstraint("amount >= 0", name="amount"),
    )
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("impact_packages.id"))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class KeyFigure(Versioned, Base):
    """A Kennzahl of an impact package: baseline, target and a plausible range."""

    __tablename__ = "key_figures"
    __table_args__ = (
        CheckConstraint(
            "plausible_min IS NULL OR plausible_max IS NULL OR plausible_min <= plausible_max", name="range"
        ),
        CheckConstraint(
            "target_year IS NULL OR baseline_year IS NULL OR target_year >= baseline_year", name="years"
        ),
    )
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("impact_packages.id"))
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[float] = mapped_column(Float)
    baseline_year: Mapped[int] = mapped_column(Integer)
    target: Mapped[float] = mapped_column(Float)
    target_year: Mapped[int] = mapped_column(Integer)
    plausible_min: Mapped[float | None] = mapped_column(Float)
    plausible_max: Mapped[float | None] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)


class KeyFigureMeasurement(Versioned, Base):
    __tablename__ = "key_figure_measurements"
    __table_args__ = (UniqueConstraint("key_figure_id", "measured_on"),)
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key_figure_id: Mapped[int] = mapped_column(ForeignKey("key_figures.id"))
    measured_on: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class ControllingMeeting(Versioned, Base):
    __tablename__ = "controlling_meetings"
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("impact_packages.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)


# --- Sozialbericht process ----------------------------------------------------------------


class Conference(Base):
    __tablename__ = "conferences"
    __table_args__ = (CheckConstraint(f"kind IN {sql_in(CONFERENCE_KINDS)}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    feeds_into_id: Mapped[int | None] = mapped_column(ForeignKey("conferences.id"))
    """The Fachkonferenzen feed the Runder Tisch."""
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class ConferenceSession(Versioned, Base):
    __tablename__ = "conference_sessions"
    __table_args__ = (CheckConstraint(f"date_precision IN {sql_in(DATE_PRECISION)}", name="precision"),)
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(6), default="day")
    is_planned: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(300))
    results: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Recommendation(Versioned, Base):
    """A Handlungsempfehlung or Handlungsoption for the Sozialbericht."""

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(RECOMMENDATION_STATUS)}", name="status"),
        CheckConstraint(f"lebenslage IN {sql_in(LEBENSLAGEN)}", name="lebenslage"),
    )
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    lebenslage: Mapped[str] = mapped_column(String(30))
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conferences.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("conference_sessions.id"))
    responsible_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(20))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    """Set when the recommendation went into that report."""
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


# --- Social index -------------------------------------------------------------------------


class IndexDefinition(Base):
    """A named, versioned definition of the social index (indicators, weights, cut-offs)."""

    __tablename__ = "index_definitions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)


class IndexSnapshot(Base):
    """A published, frozen index result; never recomputed."""

    __tablename__ = "index_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("index_definitions.id"))
    definition_config: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Copy of the definition as it was when published."""
    reference_year: Mapped[int] = mapped_column(Integer)
    result: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    published_by: Mapped[str] = mapped_column(String(120))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


# --- Users, audit, annotations --------------------------------------------------------------


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {sql_in(ROLES)}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    """Argon2 hash; ``None`` for single-sign-on users."""
    role: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class LoginSession(Base):
    """A login that lasts across reloads and app processes (see ``sozdash.access.sessions``).

    The browser holds a signed random token in an HttpOnly cookie; only its SHA-256 is stored.
    Until the browser has fetched that cookie, ``ticket_hash`` holds the one-time ticket for it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    """Last activity, advanced at most once a minute: the idle timeout counts from here."""
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    """Set by logout (and by deactivation or a password reset): the session is over everywhere."""


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(20))
    """``create``, ``update``, ``delete``, ``restore``, ``import``, ``undo``, ``publish``."""
    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(60))
    field: Mapped[str | None] = mapped_column(String(80))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class Annotation(Versioned, Base):
    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint(f"target_type IN {sql_in(ANNOTATION_TARGETS)}", name="target_type"),
        CheckConstraint(f"visibility IN {sql_in(VISIBILITY)}", name="visibility"),
    )
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    visibility: Mapped[str] = mapped_column(String(12), default="intern")
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --- Saved views and committee meetings -------------------------------------------------------


class SavedView(Versioned, Base):
    __tablename__ = "saved_views"
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    page: Mapped[str] = mapped_column(String(80))
    """The page's url path."""
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The same state the page keeps in the URL."""
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Meeting(Versioned, Base):
    """A committee session (Sitzung)."""

    __tablename__ = "meetings"
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    committee: Mapped[str] = mapped_column(String(300))
    date: Mapped[dt.date] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(6), default="day")
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class AgendaItem(Versioned, Base):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)
    __mapper_args__ = {"version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    speaker: Mapped[str | None] = mapped_column(String(200))
    speaker_notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)


class AgendaSlide(Base):
    __tablename__ = "agenda_slides"
    __table_args__ = (UniqueConstraint("agenda_item_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"))
    position: Mapped[int] = mapped_column(Integer)
    saved_view_id: Mapped[int] = mapped_column(ForeignKey("saved_views.id"))
