"""Annotations and what each role may see, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from sozdash.access import auth, visibility
from sozdash.core.permissions import ANONYMOUS, Actor, PermissionDenied
from sozdash.editing import annotations
from sozdash.programmes import projects
from sozdash.store.db import session_scope
from sozdash.store.models import Area, AuditEntry, Indicator, Observation, Project

RAT = Actor("ratsfrau", "rat", display_name="Ratsfrau Beispiel")


def _area(engine: Engine, code: str = "rheindorf") -> int:
    with session_scope(engine) as session:
        return session.scalar(select(Area.id).where(Area.code == code))


def _with_user(engine: Engine) -> None:
    auth.create_user(
        engine, Actor("admin", "admin"), RAT.username, None, "rat", display_name=RAT.display_name
    )


def test_rat_adds_internal_and_public_notes_and_the_public_sees_only_public(engine: Engine) -> None:
    _with_user(engine)
    area = _area(engine)
    internal = annotations.add(engine, RAT, "area", area, "Neuer Treffpunkt geplant", "intern")
    public = annotations.add(engine, RAT, "area", area, "  Stadtteilfest am 1. Mai  ", "oeffentlich")
    seen_by_rat = annotations.for_target(engine, RAT, "area", area)
    assert set(seen_by_rat["id"]) == {internal, public}
    assert set(seen_by_rat["author"]) == {"Ratsfrau Beispiel"}
    seen_by_public = annotations.for_target(engine, ANONYMOUS, "area", area)
    assert list(seen_by_public["text"]) == ["Stadtteilfest am 1. Mai"]
    assert annotations.for_target(engine, RAT, "area", _area(engine, "wiesdorf")).empty
    with session_scope(engine) as session:
        fields = {
            e.field for e in session.scalars(select(AuditEntry).where(AuditEntry.table_name == "annotations"))
        }
    assert fields == {"target_type", "target_id", "text", "visibility"}


def test_notes_are_refused_for_the_public_and_for_bad_input(engine: Engine) -> None:
    _with_user(engine)
    area = _area(engine)
    with pytest.raises(PermissionDenied):
        annotations.add(engine, ANONYMOUS, "area", area, "Text", "oeffentlich")
    with pytest.raises(PermissionDenied):  # a role without an account (no author) cannot write
        annotations.add(engine, Actor("unbekannt", "rat"), "area", area, "Text", "intern")
    with pytest.raises(ValueError, match="leer"):
        annotations.add(engine, RAT, "area", area, "   ", "intern")
    with pytest.raises(ValueError, match="gibt es nicht"):
        annotations.add(engine, RAT, "project", 999999, "Text", "intern")
    with pytest.raises(ValueError, match="zu lang"):
        annotations.add(engine, RAT, "area", area, "x" * 2001, "intern")
    assert annotations.for_target(engine, RAT, "area", area).empty


def test_only_the_author_or_planung_deletes_a_note(engine: Engine) -> None:
    _with_user(engine)
    note = annotations.add(engine, RAT, "area", _area(engine), "Hinweis", "oeffentlich")
    with pytest.raises(PermissionDenied):
        annotations.delete(engine, Actor("anderer-rat", "rat"), note)
    annotations.delete(engine, Actor("planung", "planung"), note)
    assert annotations.for_target(engine, RAT, "area", _area(engine)).empty


def test_public_readers_see_only_public_indicators_and_projects(engine: Engine) -> None:
    with session_scope(engine) as session:
        hidden = session.scalar(select(Indicator).where(Indicator.key != "einwohner_amtlich").limit(1))
        hidden.is_public = False
        hidden_key = hidden.key
        project = session.scalar(select(Project).where(Project.key == "biwaq-rheindorferleben"))
        project.is_public = False
        has_values = session.scalar(
            select(Observation.id).where(Observation.indicator_id == hidden.id).limit(1)
        )
    assert has_values is not None
    rat_keys = set(visibility.indicators(engine, RAT)["key"])
    public_keys = set(visibility.indicators(engine, ANONYMOUS)["key"])
    assert rat_keys - public_keys == {hidden_key}
    assert hidden_key in set(visibility.observations(engine, RAT)["indicator"])
    assert hidden_key not in set(visibility.observations(engine, ANONYMOUS)["indicator"])
    readers = {"public": not visibility.sees_internal(ANONYMOUS), "rat": not visibility.sees_internal(RAT)}
    with session_scope(engine) as session:
        seen = {
            reader: set(session.scalars(select(Project.key).where(visibility.project_condition(public_only))))
            for reader, public_only in readers.items()
        }
    assert seen["rat"] - seen["public"] == {"biwaq-rheindorferleben"}
    for reader, public_only in readers.items():  # the project pages read through this rule
        assert set(projects.projects(engine, public_only)["key"]) == seen[reader]
    folio = {public_only: set(projects.portfolio(engine, dt.date(2018, 5, 1), public_only)["key"])
             for public_only in (True, False)}  # fmt: skip
    assert folio[False] - folio[True] == {"biwaq-rheindorferleben"}
