"""Editing on SQLite and PostgreSQL: permissions, validation, optimistic locking, audit, soft delete."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from sozdash.core.permissions import ANONYMOUS, Actor, PermissionDenied
from sozdash.editing import records as editing
from sozdash.editing.specs import (
    BUDGET_LINE,
    CONFERENCE_SESSION,
    ENTITIES,
    EVENT,
    IMPACT_PACKAGE,
    MEASUREMENT,
    PROJECT,
    RECOMMENDATION,
)
from sozdash.store import db
from sozdash.store.db import session_scope
from sozdash.store.models import (
    AuditEntry,
    Conference,
    Event,
    ImpactPackage,
    KeyFigure,
    Organisation,
    Project,
)
from tests.editing.races import another_save_slips_in
from tests.versions import raised

ADMIN = Actor("admin-test", "admin")
PLANUNG = Actor("planung-test", "planung")


def _id(engine: Engine, model, **where) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(model.id).filter_by(**where))


def _audit(engine: Engine) -> list[AuditEntry]:
    with session_scope(engine) as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _fb_soziales(engine: Engine) -> Actor:
    return Actor("fb-test", "fachbereich", _id(engine, Organisation, key="stadt-lev-fb-soziales"))


def _valid(engine: Engine, key: str) -> dict:
    org = _id(engine, Organisation, key="stadt-lev-fb-soziales")
    project = _id(engine, Project, key="biwaq-rheindorferleben")
    figure = _id(engine, KeyFigure, key="kf-asb-beratene-haushalte")
    conference = _id(engine, Conference, key=_first_key(engine, Conference))
    common = {"source": "Test: Mitteilung vom 01.02.2025"}
    return common | {
        "project": {"title": "Neues Projekt", "status": "geplant", "lead_org_id": org, "is_public": True},
        "event": {"title": "Meilenstein", "date": dt.date(2025, 3, 1), "date_precision": "day", "kind": "meilenstein", "project_id": project},
        "application": {"title": "Antrag", "kind": "Antrag", "submitted_precision": "day", "outcome": "offen", "project_id": project},
        "budget_line": {"project_id": project, "funding_source": "Kommune", "year": 2025, "amount": "1.234,50"},
        "impact_package": {"title": "Paket", "provider_org_id": org, "start_year": 2024, "end_year": 2028, "controlling_status": "in_planung"},
        "key_figure_measurement": {"key_figure_id": figure, "measured_on": dt.date(2025, 6, 30), "value": 42},
        "conference_session": {"conference_id": conference, "title": "Sitzung", "date": dt.date(2025, 5, 1), "date_precision": "month"},
        "recommendation": {"title": "Empfehlung", "lebenslage": "wohnen", "status": "offen", "responsible_org_id": org},
    }[key]  # fmt: skip


def _first_key(engine: Engine, model) -> str:
    with session_scope(engine) as session:
        return session.scalar(select(model.key).order_by(model.id).limit(1))


def _first(engine: Engine, spec: editing.EntitySpec) -> int:
    return int(editing.records(engine, ADMIN, spec)["id"].iloc[0])


@pytest.mark.parametrize("reader", [ANONYMOUS, Actor("rat-test", "rat")], ids=["oeffentlich", "rat"])
def test_every_write_path_refuses_readers(engine: Engine, reader: Actor) -> None:
    for spec in ENTITIES.values():
        record_id = _first(engine, spec)
        values, version = editing.load(engine, spec, record_id)
        with pytest.raises(PermissionDenied):
            editing.create(engine, reader, spec, _valid(engine, spec.key))
        with pytest.raises(PermissionDenied):
            editing.update(engine, reader, spec, record_id, version, values | {"source": "geändert"})
        with pytest.raises(PermissionDenied):
            editing.delete(engine, reader, spec, record_id, version)
        with pytest.raises(PermissionDenied):
            editing.restore(engine, reader, spec, record_id)
        assert editing.load(engine, spec, record_id) == (values, version)
    assert _audit(engine) == []


@pytest.mark.parametrize("key", list(ENTITIES))
def test_create_each_record_family_with_audit(engine: Engine, key: str) -> None:
    spec = ENTITIES[key]
    before = db.table_versions(engine)
    record_id = editing.create(engine, PLANUNG, spec, _valid(engine, key))
    values, version = editing.load(engine, spec, record_id)
    assert version == 1 and values["source"] == "Test: Mitteilung vom 01.02.2025"
    assert raised(engine, before)[spec.model.__tablename__] == 1
    created = {(e.field, e.new_value) for e in _audit(engine) if e.record_id == str(record_id)}
    assert ("source", "Test: Mitteilung vom 01.02.2025") in created
    assert {e.action for e in _audit(engine)} == {"create"}
    assert record_id in set(editing.records(engine, PLANUNG, spec)["id"])


def test_create_parses_german_amount_and_generates_key(engine: Engine) -> None:
    line = editing.create(engine, PLANUNG, BUDGET_LINE, _valid(engine, "budget_line"))
    assert editing.load(engine, BUDGET_LINE, line)[0]["amount"] == Decimal("1234.50")
    first = editing.create(engine, PLANUNG, PROJECT, _valid(engine, "project") | {"title": "Café Süd"})
    second = editing.create(engine, PLANUNG, PROJECT, _valid(engine, "project") | {"title": "Café Süd"})
    with session_scope(engine) as session:
        assert session.get(Project, first).key == "cafe-sued"
        assert session.get(Project, second).key == "cafe-sued-2"


def test_edit_writes_audit_entry_with_old_and_new_value(engine: Engine) -> None:
    project = _id(engine, Project, key="biwaq-rheindorferleben")
    values, version = editing.load(engine, PROJECT, project)
    assert editing.update(engine, PLANUNG, PROJECT, project, version, values | {"motto": "Neues Motto"}) == 1
    [entry] = _audit(engine)
    assert (entry.username, entry.action, entry.table_name, entry.record_id) == (
        "planung-test", "update", "projects", str(project),
    )  # fmt: skip
    assert (entry.field, entry.old_value, entry.new_value) == ("motto", "RHEINDORFerLEBEN", "Neues Motto")
    assert editing.load(engine, PROJECT, project) == (values | {"motto": "Neues Motto"}, version + 1)


def test_two_sessions_editing_the_same_record_conflict_and_nothing_is_overwritten(engine: Engine) -> None:
    project = _id(engine, Project, key="biwaq-rheindorferleben")
    first, version = editing.load(engine, PROJECT, project)
    second, same_version = editing.load(engine, PROJECT, project)
    editing.update(engine, PLANUNG, PROJECT, project, version, first | {"title": "Titel von A"})
    with pytest.raises(editing.EditConflict) as info:
        editing.update(
            engine, ADMIN, PROJECT, project, same_version, second | {"title": "Titel von B", "motto": "B"}
        )
    assert editing.load(engine, PROJECT, project)[0]["title"] == "Titel von A"
    assert [e.username for e in _audit(engine)] == ["planung-test"]
    conflict = info.value
    assert (conflict.mine["title"], conflict.current["title"], conflict.version) == (
        "Titel von B",
        "Titel von A",
        version + 1,
    )
    table = editing.conflict_table(engine, conflict).set_index("Feld")
    assert table.loc["Titel", "Ihre Eingabe"] == "Titel von B"
    assert table.loc["Titel", "Aktueller Stand"] == "Titel von A"
    assert table.loc["Motto", "Aktueller Stand"] == "RHEINDORFerLEBEN"
    assert set(table[table["Unterschied"] != ""].index) == {"Titel", "Motto"}


def test_delete_with_stale_version_is_a_conflict(engine: Engine) -> None:
    event = _first(engine, EVENT)
    values, version = editing.load(engine, EVENT, event)
    editing.update(engine, PLANUNG, EVENT, event, version, values | {"note": "geändert"})
    with pytest.raises(editing.EditConflict):
        editing.delete(engine, PLANUNG, EVENT, event, version)
    assert editing.load(engine, EVENT, event)[0]["note"] == "geändert"


def test_a_lost_race_is_a_conflict_with_the_values_stored_now(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _id(engine, Project, key="biwaq-rheindorferleben")
    values, version = editing.load(engine, PROJECT, project)
    another_save_slips_in(monkeypatch, Project.__table__, project)
    with pytest.raises(editing.EditConflict) as lost:
        editing.update(engine, PLANUNG, PROJECT, project, version, values | {"motto": "Verloren"})
    assert (lost.value.mine["motto"], lost.value.current["motto"]) == ("Verloren", "RHEINDORFerLEBEN")
    assert editing.load(engine, PROJECT, project) == (lost.value.current, lost.value.version)
    event = _first(engine, EVENT)
    stored = editing.load(engine, EVENT, event)
    another_save_slips_in(monkeypatch, Event.__table__, event)
    with pytest.raises(editing.EditConflict) as lost:
        editing.delete(engine, PLANUNG, EVENT, event, stored[1])
    assert (lost.value.current, lost.value.version) == stored and lost.value.current["title"]
    assert editing.load(engine, EVENT, event) == stored
    assert _audit(engine) == []


def test_fachbereich_edits_only_records_of_its_own_unit(engine: Engine) -> None:
    fb = _fb_soziales(engine)
    biwaq = _id(engine, Project, key="biwaq-rheindorferleben")
    sub = _id(engine, Project, key="biwaq-rl-sprachcafe")  # no own lead unit: the parent's counts
    other = _id(engine, Project, key="soziale-stadt-rheindorf-nord")  # lead: stadt-lev
    for project in (biwaq, sub):
        values, version = editing.load(engine, PROJECT, project)
        assert editing.update(engine, fb, PROJECT, project, version, values | {"note": "FB"}) == 1
    values, version = editing.load(engine, PROJECT, other)
    with pytest.raises(PermissionDenied, match="anderen Organisationseinheit"):
        editing.update(engine, fb, PROJECT, other, version, values | {"note": "FB"})
    values, version = editing.load(engine, PROJECT, biwaq)
    with pytest.raises(PermissionDenied):  # not handing its record to another unit
        editing.update(
            engine,
            fb,
            PROJECT,
            biwaq,
            version,
            values | {"lead_org_id": _id(engine, Organisation, key="stadt-lev")},
        )
    with pytest.raises(PermissionDenied):
        editing.create(engine, fb, PROJECT, _valid(engine, "project") | {"lead_org_id": None})
    with pytest.raises(PermissionDenied):
        editing.create(engine, fb, CONFERENCE_SESSION, _valid(engine, "conference_session"))
    listed = set(editing.records(engine, fb, PROJECT)["id"])
    assert {biwaq, sub} <= listed and other not in listed
    assert editing.create(engine, fb, PROJECT, _valid(engine, "project")) > 0
    without_unit = Actor("fb-ohne", "fachbereich", None)
    assert editing.records(engine, without_unit, CONFERENCE_SESSION).empty  # owner None: Planung only
    assert editing.records(engine, without_unit, PROJECT).empty


def _errors(call) -> dict[str, str]:
    with pytest.raises(editing.ValidationFailed) as info:
        call()
    return info.value.errors


def test_validation_gives_a_german_message_per_field_and_changes_nothing(engine: Engine) -> None:
    errors = _errors(lambda: editing.create(engine, PLANUNG, PROJECT, {
        "title": "  ", "status": "erfunden", "start_date": dt.date(2025, 5, 1), "end_date": dt.date(2025, 4, 30),
    }))  # fmt: skip
    assert errors == {
        "title": "Pflichtfeld – bitte ausfüllen.",
        "source": "Pflichtfeld – bitte ausfüllen.",
        "status": "Bitte einen der vorgegebenen Werte wählen.",
    }
    errors = _errors(lambda: editing.create(engine, PLANUNG, PROJECT, _valid(engine, "project") | {
        "start_date": dt.date(2025, 5, 1), "end_date": dt.date(2025, 4, 30),
    }))  # fmt: skip
    assert errors == {"end_date": "„Ende“ darf nicht vor „Beginn“ liegen."}
    errors = _errors(
        lambda: editing.create(
            engine, PLANUNG, BUDGET_LINE, _valid(engine, "budget_line") | {"amount": "-0,01"}
        )
    )
    assert errors == {"amount": "Der Wert darf nicht negativ sein."}
    errors = _errors(
        lambda: editing.create(
            engine, PLANUNG, BUDGET_LINE, _valid(engine, "budget_line") | {"amount": "viel"}
        )
    )
    assert errors == {"amount": "Bitte einen Betrag angeben (z. B. 1234,50)."}
    errors = _errors(
        lambda: editing.create(
            engine, PLANUNG, IMPACT_PACKAGE, _valid(engine, "impact_package") | {"end_year": 2023}
        )
    )
    assert errors == {"end_year": "„Letztes Jahr“ darf nicht vor „Erstes Jahr“ liegen."}
    errors = _errors(
        lambda: editing.create(engine, PLANUNG, EVENT, _valid(engine, "event") | {"project_id": 999999})
    )
    assert errors == {"project_id": "Bitte einen Eintrag aus der Liste wählen."}
    assert _audit(engine) == []


def test_measured_value_must_lie_in_the_plausible_range(engine: Engine) -> None:
    # kf-asb-beratene-haushalte: plausible 0 … 250 Haushalte
    for value in (-1, 250.5):
        errors = _errors(
            lambda v=value: editing.create(
                engine, PLANUNG, MEASUREMENT, _valid(engine, "key_figure_measurement") | {"value": v}
            )
        )
        assert errors == {
            "value": "Der Wert liegt außerhalb des plausiblen Bereichs der Kennzahl (0 bis 250 Haushalte)."
        }
    assert (
        editing.create(
            engine, PLANUNG, MEASUREMENT, _valid(engine, "key_figure_measurement") | {"value": 250}
        )
        > 0
    )
    errors = _errors(
        lambda: editing.create(
            engine, PLANUNG, MEASUREMENT, _valid(engine, "key_figure_measurement") | {"value": 3}
        )
    )
    assert list(errors) == [editing.FORM]  # same key figure, same day: exists already


def test_unusual_status_change_needs_a_reason_that_is_audited(engine: Engine) -> None:
    biwaq = _id(engine, Project, key="biwaq-rheindorferleben")  # abgeschlossen
    values, version = editing.load(engine, PROJECT, biwaq)
    errors = _errors(
        lambda: editing.update(engine, PLANUNG, PROJECT, biwaq, version, values | {"status": "geplant"}, "  ")
    )
    assert errors == {
        "status": "Der Wechsel von „abgeschlossen“ zu „geplant“ ist ungewöhnlich – bitte eine Begründung angeben."
    }
    assert editing.load(engine, PROJECT, biwaq)[1] == version
    editing.update(
        engine,
        PLANUNG,
        PROJECT,
        biwaq,
        version,
        values | {"status": "geplant"},
        "Neuauflage 2026 beschlossen",
    )
    rows = {(e.field, e.old_value, e.new_value) for e in _audit(engine)}
    assert rows == {
        ("status", "abgeschlossen", "geplant"),
        ("begruendung", None, "Neuauflage 2026 beschlossen"),
    }
    values, version = editing.load(engine, PROJECT, biwaq)
    assert (
        editing.update(engine, PLANUNG, PROJECT, biwaq, version, values | {"status": "beantragt"}) == 1
    )  # allowed


def test_recommendation_status_table(engine: Engine) -> None:
    rec = editing.create(engine, PLANUNG, RECOMMENDATION, _valid(engine, "recommendation"))
    for status in ("in_umsetzung", "umgesetzt"):
        values, version = editing.load(engine, RECOMMENDATION, rec)
        editing.update(engine, PLANUNG, RECOMMENDATION, rec, version, values | {"status": status})
    values, version = editing.load(engine, RECOMMENDATION, rec)
    errors = _errors(
        lambda: editing.update(engine, PLANUNG, RECOMMENDATION, rec, version, values | {"status": "offen"})
    )
    assert list(errors) == ["status"]


def test_projects_and_packages_are_soft_deleted_and_restorable(engine: Engine) -> None:
    for spec, model in ((PROJECT, Project), (IMPACT_PACKAGE, ImpactPackage)):
        record_id = _first(engine, spec)
        _, version = editing.load(engine, spec, record_id)
        editing.delete(engine, PLANUNG, spec, record_id, version)
        with session_scope(engine) as session:
            assert session.get(model, record_id).deleted_at is not None
        assert record_id not in set(editing.records(engine, PLANUNG, spec)["id"])
        assert record_id in set(editing.records(engine, PLANUNG, spec, deleted=True)["id"])
        with pytest.raises(editing.RecordGone):
            editing.load(engine, spec, record_id)
        editing.restore(engine, PLANUNG, spec, record_id)
        assert record_id in set(editing.records(engine, PLANUNG, spec)["id"])
    actions = [(e.action, e.field, e.table_name) for e in _audit(engine)]
    assert actions == [
        ("delete", "deleted_at", "projects"), ("restore", "deleted_at", "projects"),
        ("delete", "deleted_at", "impact_packages"), ("restore", "deleted_at", "impact_packages"),
    ]  # fmt: skip


def test_other_records_are_deleted_for_good_with_old_values_in_the_audit_log(engine: Engine) -> None:
    event = _first(engine, EVENT)
    values, version = editing.load(engine, EVENT, event)
    editing.delete(engine, PLANUNG, EVENT, event, version)
    with session_scope(engine) as session:
        assert session.get(Event, event) is None
        assert session.scalar(select(func.count()).select_from(AuditEntry)) >= 5
    logged = {e.field: e.old_value for e in _audit(engine) if e.action == "delete"}
    assert logged["title"] == values["title"] and logged["date"] == values["date"].isoformat()


def test_a_project_cannot_be_its_own_parent(engine: Engine) -> None:
    project = _id(engine, Project, key="biwaq-rheindorferleben")
    values, version = editing.load(engine, PROJECT, project)
    errors = _errors(
        lambda: editing.update(engine, PLANUNG, PROJECT, project, version, values | {"parent_id": project})
    )
    assert errors == {"parent_id": "Ein Eintrag kann nicht auf sich selbst verweisen."}


def test_display_values_in_german() -> None:
    assert editing.display(BUDGET_LINE.field("year"), 2025) == "2025"
    assert editing.display(BUDGET_LINE.field("amount"), Decimal("1234.50")) == "1.234,50"
    assert editing.display(BUDGET_LINE.field("amount"), Decimal("840000.00")) == "840.000"
    assert editing.display(BUDGET_LINE.field("is_approximate"), False) == "nein"
    assert editing.display(PROJECT.field("start_date"), dt.date(2014, 4, 1)) == "01.04.2014"
    assert editing.display(PROJECT.field("status"), "laufend") == "laufend"
    assert editing.display(PROJECT.field("motto"), None) == "–"


def test_audit_log_filters_and_exports_formula_safe(engine: Engine) -> None:
    from sozdash.access import audit
    from sozdash.exports.tables import to_csv_bytes

    project = _id(engine, Project, key="biwaq-rheindorferleben")
    values, version = editing.load(engine, PROJECT, project)
    editing.update(engine, PLANUNG, PROJECT, project, version, values | {"note": '=HYPERLINK("http://x")'})
    event = _first(engine, EVENT)
    values, version = editing.load(engine, EVENT, event)
    editing.update(engine, ADMIN, EVENT, event, version, values | {"note": "Termin verschoben"})
    today = dt.date.today()
    log = audit.entries(engine, username="planung-test", start=today, end=today)
    assert list(log["Tabelle"]) == ["projects"] and list(log["Aktion"]) == ["geändert"]
    assert list(audit.entries(engine, table="events", record_id=str(event))["Neuer Wert"]) == [
        "Termin verschoben"
    ]
    assert audit.entries(engine, end=today - dt.timedelta(days=1)).empty
    assert audit.filter_choices(engine) == (["admin-test", "planung-test"], ["events", "projects"])
    exported = pd.read_csv(io.BytesIO(to_csv_bytes(log)), sep=";", encoding="utf-8-sig")
    assert list(exported["Neuer Wert"]) == ['\'=HYPERLINK("http://x")']


def test_new_records_start_with_the_column_defaults() -> None:
    assert editing.defaults(PROJECT) == {"is_public": True}
    assert editing.defaults(EVENT) == {"date_precision": "day", "is_planned": False}
