"""The data layer on SQLite and PostgreSQL: schema state, constraints, first start, table versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError

from sozdash.store import bootstrap, db
from sozdash.store.models import (
    Area,
    Base,
    FundingRound,
    ImportBatch,
    Indicator,
    Observation,
    Programme,
    Project,
)
from tests.versions import raised


def _batch(session) -> ImportBatch:
    batch = ImportBatch(kind="import", source="Test", created_by="test", created_at=dt.datetime(2024, 1, 1))
    session.add(batch)
    session.flush()
    return batch


def test_seeded_database_is_at_head_revision(engine: Engine) -> None:
    assert bootstrap.schema_state(engine) == "current"
    assert db.table_versions(engine)["observations"] >= 1


def test_the_head_revision_constant_is_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(bootstrap.MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == bootstrap.HEAD_REVISION


def test_numerator_above_denominator_is_refused(engine: Engine) -> None:
    with pytest.raises(IntegrityError), db.session_scope(engine) as session:
        area = session.scalars(select(Area).where(Area.code == "rheindorf")).one()
        indicator = session.scalars(select(Indicator).where(Indicator.aggregation == "ratio")).first()
        session.add(Observation(area_id=area.id, indicator_id=indicator.id, period=1999, value=150.0,
                                numerator=15, denominator=10, status="ok", batch_id=_batch(session).id))  # fmt: skip


def test_suppressed_value_cannot_carry_a_number(engine: Engine) -> None:
    with pytest.raises(IntegrityError), db.session_scope(engine) as session:
        area = session.scalars(select(Area).where(Area.code == "hitdorf")).one()
        indicator = session.scalars(select(Indicator)).first()
        session.add(Observation(area_id=area.id, indicator_id=indicator.id, period=1999, value=2.0,
                                status="suppressed", batch_id=_batch(session).id))  # fmt: skip


def test_end_before_start_is_refused(engine: Engine) -> None:
    with pytest.raises(IntegrityError), db.session_scope(engine) as session:
        session.add(Project(key="x-test", title="Test", status="geplant", start_date=dt.date(2020, 1, 1),
                            end_date=dt.date(2019, 1, 1), source="Test"))  # fmt: skip


def test_funding_round_must_belong_to_existing_programme(engine: Engine) -> None:
    with pytest.raises(IntegrityError), db.session_scope(engine) as session:
        missing = (session.execute(select(func.max(Programme.id))).scalar_one() or 0) + 100
        session.add(FundingRound(programme_id=missing, key="x-round", name="x", source="Test"))


def test_failed_write_leaves_database_unchanged(engine: Engine) -> None:
    before = db.table_versions(engine)
    with pytest.raises(IntegrityError), db.session_scope(engine) as session:
        session.add(Project(key="x-a", title="A", status="unbekannt", source="Test"))
    assert not raised(engine, before)
    with engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(Project).where(Project.key == "x-a")).scalar_one()
            == 0
        )


def test_a_write_raises_the_version_of_each_table_it_changed_once(engine: Engine) -> None:
    before = db.table_versions(engine)
    with db.session_scope(engine) as session:
        session.execute(update(Indicator).where(Indicator.key == "sgb2_quote").values(note="geprüft"))
        area = session.scalars(select(Area).where(Area.code == "hitdorf")).one()
        area.name = "Hitdorf am Rhein"  # flushed only when the write ends
        area.note = "umbenannt"
    assert raised(engine, before) == {"indicators": 1, "areas": 1}


def test_a_write_that_changes_nothing_raises_no_version(engine: Engine) -> None:
    before = db.table_versions(engine)
    with db.session_scope(engine) as session:
        session.scalars(select(Area)).all()
    assert db.table_versions(engine) == before


def test_raw_writes_raise_the_table_they_name_or_every_table(engine: Engine) -> None:
    before = db.table_versions(engine)
    with db.session_scope(engine) as session:
        session.connection().exec_driver_sql("UPDATE areas SET note = 'roh' WHERE code = 'hitdorf'")
    assert raised(engine, before) == {"areas": 1}
    before = db.table_versions(engine)
    with db.session_scope(engine) as session:  # a statement whose tables are not read off it
        session.execute(text("WITH chosen AS (SELECT 1 AS one) UPDATE areas SET note = 'roh' WHERE code = 'rheindorf'"))
    assert raised(engine, before) == dict.fromkeys(set(Base.metadata.tables) - {"table_versions"}, 1)


def test_first_start_creates_and_fills_an_empty_sqlite(tmp_path: Path) -> None:
    engine = db.get_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert bootstrap.schema_state(engine) == "empty"
    bootstrap.ensure_database(engine)
    assert bootstrap.schema_state(engine) == "current"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Observation)).scalar_one() > 5000


def test_corrupt_sqlite_file_gives_german_error(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(bootstrap.DatabaseError) as info:
        bootstrap.ensure_database(db.get_engine(f"sqlite:///{path}"))
    assert "beschädigt" in info.value.message


def test_unknown_schema_revision_is_refused_with_hint(sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    with pytest.raises(bootstrap.DatabaseError) as info:
        bootstrap.ensure_database(sqlite_engine)
    assert "Version" in info.value.message or "Stand" in info.value.message


def test_unreachable_postgres_gives_german_error() -> None:
    engine = db.get_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(bootstrap.DatabaseError) as info:
        bootstrap.ensure_database(engine)
    assert "nicht erreichbar" in info.value.message
