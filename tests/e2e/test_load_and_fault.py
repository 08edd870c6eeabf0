"""Load and fault in Chromium, on SQLite and PostgreSQL (issue 13): ten people at once log in with a
wrong password (the account locks), save the same record (one wins, nine see the conflict) and
save different records (all saved) — never "database is locked" or the generic error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, func, select

from sozdash.access import auth
from sozdash.core.permissions import Actor
from sozdash.editing import records as editing
from sozdash.editing.specs import EVENT
from sozdash.store.models import AuditEntry, User
from tests.e2e.load_helpers import (
    TIMEOUT,
    app_on,
    assert_no_fault,
    choose,
    click_everywhere,
    fill_login,
    log_in,
    open_everywhere,
    outcome,
    people,
)

pytestmark = pytest.mark.e2e
PEOPLE = 10
PASSWORD = "Richtiges-Passwort-1"
ADMIN = Actor("admin-test", "admin")
SAVED = "Gespeichert: 1 Feld(er) geändert."
CONFLICT = "Nicht gespeichert: Jemand anderes hat diesen Eintrag inzwischen geändert."


def test_ten_people_at_once(engine: Engine, browser: Browser, tmp_path: Path) -> None:
    auth.create_user(engine, ADMIN, "e2e-rat", PASSWORD, "rat")
    auth.create_user(engine, ADMIN, "e2e-planung", PASSWORD, "planung")
    events = editing.records(engine, ADMIN, EVENT)
    labels = dict(zip(events["id"].tolist(), events["label"], strict=True))
    assert len(labels) > PEOPLE
    with app_on(engine, tmp_path) as url, people(browser, PEOPLE) as pages:
        open_everywhere(pages, f"{url}/anmeldung")
        _wrong_logins_lock_the_account(engine, pages)
        log_in(pages, "e2e-planung", PASSWORD)
        [first, *others] = labels
        _same_record_saved_at_once(engine, pages, first, labels[first])
        _different_records_saved_at_once(engine, pages, {i: labels[i] for i in others[:PEOPLE]})
        assert_no_fault(pages)


def _wrong_logins_lock_the_account(engine: Engine, pages: list[Page]) -> None:
    for n, page in enumerate(pages):
        fill_login(page, "e2e-rat", f"falsch-{n}")
    click_everywhere(pages, "Anmelden")
    assert [outcome(page, auth.LOGIN_FAILED) for page in pages] == [auth.LOGIN_FAILED] * PEOPLE
    with engine.connect() as conn:
        locked_until = conn.execute(select(User.locked_until).where(User.username == "e2e-rat")).scalar_one()
        locks = conn.execute(select(func.count()).where(AuditEntry.action == "lock")).scalar_one()
    assert locked_until is not None and locked_until > dt.datetime.now() and locks == 1
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(engine, "e2e-rat", PASSWORD)  # locked: the right password fails too


def _same_record_saved_at_once(engine: Engine, pages: list[Page], record_id: int, label: str) -> None:
    _, version = editing.load(engine, EVENT, record_id)
    choose(pages, "Art des Eintrags", "art", [(EVENT.key, EVENT.label)] * PEOPLE)
    choose(pages, "Eintrag", "nr", [(str(record_id), label)] * PEOPLE)
    for n, page in enumerate(pages):
        page.get_by_label("Vorlage-Nr.").fill(f"gleich-{n}")
    click_everywhere(pages, "Speichern")
    seen = [outcome(page, SAVED, CONFLICT) for page in pages]
    assert sorted(seen) == sorted([SAVED] + [CONFLICT] * (PEOPLE - 1)), seen
    values, stored_version = editing.load(engine, EVENT, record_id)
    assert (values["vorlage"], stored_version) == (f"gleich-{seen.index(SAVED)}", version + 1)
    for page, text in zip(pages, seen, strict=True):
        if text == CONFLICT:  # with the field-by-field view and the way back to the current state
            expect(page.get_by_role("button", name="Aktuellen Stand laden")).to_be_visible(timeout=TIMEOUT)
            expect(page.get_by_test_id("stDataFrame")).to_have_count(1, timeout=TIMEOUT)


def _different_records_saved_at_once(engine: Engine, pages: list[Page], records: dict[int, str]) -> None:
    choose(pages, "Eintrag", "nr", [(str(record_id), label) for record_id, label in records.items()])
    for page, record_id in zip(pages, records, strict=True):
        page.get_by_label("Vorlage-Nr.").fill(f"eigen-{record_id}")
    click_everywhere(pages, "Speichern")
    assert [outcome(page, SAVED, CONFLICT) for page in pages] == [SAVED] * PEOPLE
    for record_id in records:
        assert editing.load(engine, EVENT, record_id)[0]["vorlage"] == f"eigen-{record_id}"
