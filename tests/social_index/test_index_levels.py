"""The index level is checked against the city's own levels (database records), and named by
them; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import Engine, update

from sozdash.core.permissions import Actor
from sozdash.social_index import snapshots as index_store
from sozdash.social_index import views
from sozdash.social_index.compute import IndexConfig
from sozdash.store import db, queries
from sozdash.store.models import AreaLevel
from tests.versions import raised

PLANNER = Actor("planerin", "planung")
KNOWN = (
    "stadt (Stadt), stadtbezirk (Stadtbezirk), stadtteil (Stadtteil), statistischer_bezirk "
    "(Statistischer Bezirk), sozialraum (Sozialraum)"
)  # data/seed/area_levels.yaml


def _config(engine: Engine) -> IndexConfig:
    return index_store.definition_config(
        engine, index_store.latest_definition_id(engine, "Sozialindex Standard")
    )


def test_a_level_the_city_lacks_is_refused_and_nothing_stored(engine: Engine) -> None:
    config = dataclasses.replace(_config(engine), level="planungsraum")
    message = f"Unbekannte Gebietsebene „planungsraum“ – die Stadt hat die Ebenen {KNOWN}."
    with pytest.raises(ValueError, match=re.escape(message)):
        index_store.compute(engine, config)
    before = db.table_versions(engine)
    with pytest.raises(ValueError, match="Unbekannte Gebietsebene „planungsraum“"):
        index_store.create_definition(engine, PLANNER, "Planungsräume", config)
    assert list(index_store.definitions(engine)["name"]) == ["Sozialindex Standard"]
    assert not raised(engine, before)


def test_the_default_level_stadtteil_is_a_level_of_leverkusen(engine: Engine) -> None:
    config = _config(engine)
    assert config.level == "stadtteil"
    assert len(index_store.compute(engine, config).areas) == 13  # the 13 Stadtteile


def test_parameter_table_names_the_level_as_the_city_does(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        session.execute(update(AreaLevel).where(AreaLevel.key == "stadtteil").values(name="Ortsteil"))
    config = _config(engine)
    table = views.parameter_table(config, queries.indicators(engine), queries.area_levels(engine))
    assert table.iloc[0].tolist() == ["Gebietsebene", "Ortsteil"]
