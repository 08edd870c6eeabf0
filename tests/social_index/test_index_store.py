"""Index definitions and snapshots on SQLite and PostgreSQL: versions, frozen snapshots,
permissions, audit, the seeded default definition and the CLI."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from sozdash.core.permissions import Actor, PermissionDenied
from sozdash.social_index import snapshots as index_store
from sozdash.store import db
from sozdash.store.models import AuditEntry, IndexDefinition, IndexSnapshot
from tests.versions import raised

PLANNER = Actor("planerin", "planung")
VIEWER = Actor("ratsmitglied", "rat")
DEFAULT = "Sozialindex Standard"


def test_default_definition_is_seeded(engine: Engine):
    found = index_store.definitions(engine)
    assert list(found["name"]) == [DEFAULT]
    config = index_store.definition_config(engine, int(found.iloc[0]["id"]))
    assert (config.min_population, config.span, config.status_very_low) == (300, 2, -1.5)
    assert "sgb2_quote" in config.indicators and "bevoelkerung" not in config.indicators


def test_new_definition_gets_next_version_and_audit(engine: Engine):
    first = index_store.latest_definition_id(engine, DEFAULT)
    config = index_store.definition_config(engine, first)
    before = db.table_versions(engine)
    new_id = index_store.create_definition(
        engine, PLANNER, DEFAULT, dataclasses.replace(config, span=3), "drei Jahre"
    )
    assert index_store.latest_definition_id(engine, DEFAULT) == new_id != first
    versions = index_store.definitions(engine)
    assert versions.set_index("id").loc[new_id, "version"] == 2
    assert index_store.definition_config(engine, new_id).span == 3
    assert raised(engine, before) == {"index_definitions": 1, "audit_log": 1}
    with db.session_scope(engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "index_definitions")).one()
    assert (entry.username, entry.action, entry.record_id) == ("planerin", "create", str(new_id))


def test_snapshot_stays_frozen_when_the_definition_changes(engine: Engine):
    definition = index_store.latest_definition_id(engine, DEFAULT)
    snapshot = index_store.publish_snapshot(
        engine, PLANNER, definition, "Sozialbericht 2019 (Beispieldaten)", 2019
    )
    frozen = index_store.snapshot_result(engine, snapshot)
    assert frozen.year == 2019 and frozen.is_demo
    # A new version with other weights and a later change of the stored definition itself:
    config = index_store.definition_config(engine, definition)
    reweighted = dataclasses.replace(config, indicators={k: 1.0 for k in list(config.indicators)[:3]})
    index_store.create_definition(engine, PLANNER, DEFAULT, reweighted)
    with db.session_scope(engine) as session:
        session.get(IndexDefinition, definition).config = reweighted.to_json()
    live = index_store.compute(engine, index_store.definition_config(engine, definition), 2019)
    assert not live.areas["status_index"].equals(frozen.areas["status_index"])  # the definition did change
    again = index_store.snapshot_result(engine, snapshot)
    pd.testing.assert_frame_equal(again.areas, frozen.areas)
    pd.testing.assert_frame_equal(again.contributions, frozen.contributions)
    assert again.config == config  # the copy of the definition as published
    with db.session_scope(engine) as session:
        stored = session.get(IndexSnapshot, snapshot)
        assert stored.definition_config == config.to_json()
        assert stored.published_by == "planerin"


def test_snapshot_title_must_be_unique_and_present(engine: Engine):
    definition = index_store.latest_definition_id(engine, DEFAULT)
    index_store.publish_snapshot(engine, PLANNER, definition, "Sozialbericht 2019", 2019)
    with pytest.raises(ValueError, match="gibt es schon"):
        index_store.publish_snapshot(engine, PLANNER, definition, " Sozialbericht 2019 ", 2020)
    with pytest.raises(ValueError, match="Titel"):
        index_store.publish_snapshot(engine, PLANNER, definition, "   ", 2020)
    assert len(index_store.snapshots(engine)) == 1


def test_viewer_is_refused_by_the_write_functions(engine: Engine):
    definition = index_store.latest_definition_id(engine, DEFAULT)
    config = index_store.definition_config(engine, definition)
    before = db.table_versions(engine)
    with pytest.raises(PermissionDenied, match="Planung"):
        index_store.create_definition(engine, VIEWER, "Mein Index", config)
    with pytest.raises(PermissionDenied, match="Planung"):
        index_store.publish_snapshot(engine, VIEWER, definition, "Heimlich", 2024)
    assert len(index_store.definitions(engine)) == 1
    assert index_store.snapshots(engine).empty
    assert not raised(engine, before)


def test_invalid_definition_changes_nothing(engine: Engine):
    config = index_store.definition_config(engine, index_store.latest_definition_id(engine, DEFAULT))
    with pytest.raises(ValueError, match="Neutrale"):
        index_store.create_definition(
            engine, PLANNER, "Kaputt", dataclasses.replace(config, indicators={"bevoelkerung": 1.0})
        )
    assert list(index_store.definitions(engine)["name"]) == [DEFAULT]


def test_cli_publishes_as_named_admin(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys):
    from sozdash.cli.main import main

    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr("getpass.getuser", lambda: "sozialplanung")
    assert (
        main(["index", "publish", "--definition", DEFAULT, "--title", "Sozialbericht 2019", "--year", "2019"])
        == 0
    )
    assert "Veröffentlicht" in capsys.readouterr().out
    snaps = index_store.snapshots(sqlite_engine)
    assert list(snaps["published_by"]) == ["cli:sozialplanung"]
    assert main(["index", "publish", "--definition", "Gibt es nicht", "--title", "X", "--year", "2019"]) == 2
    assert "gibt es nicht" in capsys.readouterr().err
