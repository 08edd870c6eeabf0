"""The migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from sozdash.store import bootstrap
from sozdash.store.models import Base
from tests.conftest import own_database


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of this test's own, once on SQLite and once on PostgreSQL."""
    with own_database(request.param, tmp_path, "old") as engine:
        yield engine


OLD_ROWS = """
INSERT INTO areas (id, code, name, level, parent_id, geometry_quality, centroid_verified, source)
  VALUES (1, '05316000', 'Leverkusen', 'stadt', NULL, 'none', true, 'Wikipedia'),
         (2, 'rheindorf', 'Rheindorf', 'stadtteil', 1, 'none', true, 'Wikipedia');
INSERT INTO indicators (id, key, name, lebenslage, unit, scale, definition, source, polarity, aggregation,
  decimals, is_public) VALUES (1, 'sgb2_quote', 'SGB-II-Quote', 'einkommen', 'Prozent', 100, 'd', 's',
  'higher_worse', 'ratio', 1, true);
INSERT INTO import_batches (id, kind, source, created_by, created_at, rows_total, rows_new, rows_changed,
  rows_unchanged, rows_rejected, is_demo, status) VALUES (1, 'import', 'Test', 'test', '2024-01-01 00:00:00',
  1, 1, 0, 0, 0, false, 'committed');
INSERT INTO observations (id, area_id, indicator_id, period, value, numerator, denominator, status,
  is_demo, batch_id) VALUES (1, 2, 1, 2023, 21.5, 43, 200, 'ok', false, 1);
"""


def test_a_database_of_version_0001_is_upgraded_with_its_data(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(bootstrap._alembic_config(conn), "0001")
        for statement in OLD_ROWS.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    assert bootstrap.schema_state(empty_engine) == "outdated"

    bootstrap.upgrade(empty_engine)

    assert bootstrap.schema_state(empty_engine) == "current"
    with empty_engine.connect() as conn:
        levels = conn.execute(text("SELECT key, name, rank FROM area_levels ORDER BY rank")).all()
        city = conn.execute(text("SELECT name, ags FROM city")).all()
        observation = conn.execute(text("SELECT area_id, value, is_computed FROM observations")).one()
        parent = conn.execute(text("SELECT parent_id FROM areas WHERE code = 'rheindorf'")).scalar_one()
    assert [key for key, _name, _rank in levels] == [
        "stadt", "stadtbezirk", "stadtteil", "statistischer_bezirk", "sozialraum"
    ]  # fmt: skip
    assert levels[2][1:] == ("Stadtteil", 2)
    assert city == [("Leverkusen", "05316000")]
    assert (observation[0], observation[1], bool(observation[2])) == (2, 21.5, False)
    assert parent == 1
    with pytest.raises(IntegrityError), empty_engine.begin() as conn:  # levels are now a foreign key
        conn.execute(text("INSERT INTO areas (code, name, level, geometry_quality, centroid_verified, source)"
                          " VALUES ('x', 'X', 'kiez', 'none', true, 'Test')"))  # fmt: skip
