"""Index definitions (named, versioned) and published snapshots (frozen, never recomputed)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pandas as pd
from sqlalchemy import Engine, func, select

from sozdash.access import audit
from sozdash.core.permissions import Actor, require_role
from sozdash.social_index.compute import POPULATION_INDICATOR, IndexConfig, IndexResult, compute_index
from sozdash.store import db, queries
from sozdash.store.cache import cached_query
from sozdash.store.models import Area, IndexDefinition, IndexSnapshot, Observation
from sozdash.store.queries import read_frame

EDIT_ROLE = "planung"


class IndexSource(NamedTuple):
    """What an index page shows: published snapshot ``id``, or definition ``id`` computed live for ``year``."""

    published: bool
    id: int
    year: int | None = None


@cached_query
def definitions(engine: Engine) -> pd.DataFrame:
    """All definitions, newest version of each name first (id, name, version, created_by, created_at, note)."""
    return read_frame(engine,
        select(
            IndexDefinition.id, IndexDefinition.name, IndexDefinition.version, IndexDefinition.created_by,
            IndexDefinition.created_at, IndexDefinition.note,
        ).order_by(IndexDefinition.name, IndexDefinition.version.desc()),
    )  # fmt: skip


@cached_query
def snapshots(engine: Engine) -> pd.DataFrame:
    """Published snapshots without their results (id, title, definition_id, reference_year, ...)."""
    return read_frame(engine,
        select(
            IndexSnapshot.id, IndexSnapshot.title, IndexSnapshot.definition_id, IndexSnapshot.reference_year,
            IndexSnapshot.published_by, IndexSnapshot.published_at, IndexSnapshot.is_demo,
        ).order_by(IndexSnapshot.published_at.desc(), IndexSnapshot.id.desc()),
    )  # fmt: skip


@cached_query
def definition_config(engine: Engine, definition_id: int) -> IndexConfig:
    """The stored configuration of one definition."""
    with engine.connect() as conn:
        config = conn.execute(
            select(IndexDefinition.config).where(IndexDefinition.id == definition_id)
        ).scalar_one_or_none()
    if config is None:
        raise ValueError("Diese Indexdefinition gibt es nicht.")
    return IndexConfig.from_json(config)


def compute(engine: Engine, config: IndexConfig, year: int | None = None) -> IndexResult:
    """Compute ``config`` live from the current observations (preview, not stored)."""
    config.check_level(queries.area_levels(engine))
    keys = dict.fromkeys([*config.indicators, POPULATION_INDICATOR])  # only what the index reads
    obs = pd.concat([queries.observations(engine, key, config.level) for key in keys], ignore_index=True)
    return compute_index(obs, queries.indicators(engine), config, year)


@cached_query
def definition_result(engine: Engine, definition_id: int, year: int | None = None) -> IndexResult:
    """The live result of a stored definition for ``year`` (default: its reference year)."""
    return compute(engine, definition_config(engine, definition_id), year)


def result_of(engine: Engine, source: IndexSource) -> IndexResult:
    """The result ``source`` names (both kinds are cached)."""
    if source.published:
        return snapshot_result(engine, source.id)
    return definition_result(engine, source.id, source.year)


@cached_query
def snapshot_result(engine: Engine, snapshot_id: int) -> IndexResult:
    """A published result exactly as stored (read from its JSON, never recomputed)."""
    with db.session_scope(engine) as session:
        snap = session.get(IndexSnapshot, snapshot_id)
    if snap is None:
        raise ValueError("Diese Veröffentlichung gibt es nicht.")
    config = IndexConfig.from_json(snap.definition_config)
    return IndexResult.from_records(snap.result, config, snap.reference_year, is_demo=snap.is_demo)


def create_definition(
    engine: Engine, actor: Actor, name: str, config: IndexConfig, note: str | None = None
) -> int:
    """Store ``config`` as the next version of definition ``name``; returns the new id."""
    require_role(actor, EDIT_ROLE)
    name = name.strip()
    if not name:
        raise ValueError("Bitte geben Sie der Indexdefinition einen Namen.")
    if len(name) > 200:
        raise ValueError("Der Name ist zu lang (höchstens 200 Zeichen).")
    config.check(queries.indicators(engine))
    config.check_level(queries.area_levels(engine))
    with db.session_scope(engine) as session:
        version = (
            session.scalar(select(func.max(IndexDefinition.version)).where(IndexDefinition.name == name)) or 0
        ) + 1
        definition = IndexDefinition(
            name=name, version=version, config=config.to_json(), created_by=actor.username,
            created_at=dt.datetime.now().replace(microsecond=0), note=(note or "").strip() or None,
        )  # fmt: skip
        session.add(definition)
        session.flush()
        audit.record(
            session, actor, "create", "index_definitions", definition.id, "config", None, config.to_json()
        )
        return definition.id


def publish_snapshot(engine: Engine, actor: Actor, definition_id: int, title: str, year: int) -> int:
    """Compute the definition for ``year`` and store the result as a frozen snapshot; returns its id."""
    require_role(actor, EDIT_ROLE)
    title = title.strip()
    if not title:
        raise ValueError("Bitte geben Sie der Veröffentlichung einen Titel.")
    if len(title) > 200:
        raise ValueError("Der Titel ist zu lang (höchstens 200 Zeichen).")
    config = definition_config(engine, definition_id)
    result = compute(engine, config, year)
    with db.session_scope(engine) as session:
        if session.scalar(select(IndexSnapshot.id).where(IndexSnapshot.title == title)) is not None:
            raise ValueError(f"Eine Veröffentlichung mit dem Titel „{title}“ gibt es schon.")
        snapshot = IndexSnapshot(
            title=title, definition_id=definition_id, definition_config=config.to_json(), reference_year=year,
            result=result.to_records(), published_by=actor.username,
            published_at=dt.datetime.now().replace(microsecond=0), is_demo=result.is_demo,
        )  # fmt: skip
        session.add(snapshot)
        session.flush()
        audit.record(session, actor, "publish", "index_snapshots", snapshot.id, "title", None, title)
        return snapshot.id


def latest_definition_id(engine: Engine, name: str) -> int:
    """The id of the newest version of definition ``name``."""
    found = definitions(engine)
    found = found[found["name"] == name]
    if found.empty:
        raise ValueError(f"Eine Indexdefinition „{name}“ gibt es nicht.")
    return int(found.iloc[0]["id"])


@cached_query
def years(engine: Engine, level: str) -> list[int]:
    """Years with observations on ``level``, newest first."""
    statement = (
        select(Observation.period).distinct().join(Area, Observation.area_id == Area.id)
        .where(Area.level == level).order_by(Observation.period.desc())
    )  # fmt: skip
    with engine.connect() as conn:
        return [int(period) for period in conn.execute(statement).scalars()]
