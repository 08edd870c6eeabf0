"""Concurrent saves on SQLite and PostgreSQL: writers queue for their turn, a real edit race ends
in the conflict, never in "database is locked" (issue 13)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, update

from sozdash.core.permissions import Actor
from sozdash.editing import records as editing
from sozdash.editing.specs import EVENT
from sozdash.store import db
from sozdash.store.models import AuditEntry, City
from tests.versions import raised

PLANUNG = Actor("planung-test", "planung")
THREADS = 20
EDITS = 10
ROUNDS = 5


def _in_parallel(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(0)`` … ``work(count - 1)`` in ``count`` threads released at the same moment; each
    result, or the exception it raised."""
    start = threading.Barrier(count)

    def run(index: int) -> Any:
        start.wait()
        try:
            return work(index)
        except Exception as exc:  # collected: the test asserts on every outcome
            return exc

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def _events(engine: Engine, count: int) -> list[int]:
    ids = editing.records(engine, PLANUNG, EVENT)["id"].tolist()[:count]
    assert len(ids) == count, "the seed has fewer events than the test needs"
    return ids


def _saved_at_once(engine: Engine, record_id: int, version: int, inputs: list[dict[str, Any]]) -> list[Any]:
    """Each of ``inputs`` saved over ``record_id`` at ``version`` at the same moment."""
    return _in_parallel(
        len(inputs), lambda i: editing.update(engine, PLANUNG, EVENT, record_id, version, inputs[i])
    )


def _audit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_parallel_edits_of_different_records_all_succeed(engine: Engine) -> None:
    ids = _events(engine, THREADS)
    versions_before = {record_id: editing.load(engine, EVENT, record_id)[1] for record_id in ids}
    versions = db.table_versions(engine)

    def edit(index: int) -> list[int]:
        record_id, changed = ids[index], []
        for n in range(EDITS):
            values, version = editing.load(engine, EVENT, record_id)
            mine = values | {"vorlage": f"{index}/{n}"}
            changed.append(editing.update(engine, PLANUNG, EVENT, record_id, version, mine))
        return changed

    outcomes = _in_parallel(THREADS, edit)
    assert outcomes == [[1] * EDITS] * THREADS  # no exception, every save changed its field
    for index, record_id in enumerate(ids):
        values, version = editing.load(engine, EVENT, record_id)
        assert (values["vorlage"], version) == (f"{index}/{EDITS - 1}", versions_before[record_id] + EDITS)
    assert raised(engine, versions) == {"events": THREADS * EDITS, "audit_log": THREADS * EDITS}
    assert _audit_count(engine) == THREADS * EDITS


def test_two_saves_of_the_same_record_at_the_same_moment(engine: Engine) -> None:
    [record_id] = _events(engine, 1)
    for round_ in range(ROUNDS):
        values, version = editing.load(engine, EVENT, record_id)
        mine = [values | {"vorlage": f"{round_}-A"}, values | {"vorlage": f"{round_}-B"}]
        outcomes = _saved_at_once(engine, record_id, version, mine)
        [won] = [i for i, outcome in enumerate(outcomes) if outcome == 1]
        lost = outcomes[1 - won]
        assert isinstance(lost, editing.EditConflict), repr(lost)
        assert lost.mine == mine[1 - won]  # the loser's input, for the field-by-field view
        assert lost.current["vorlage"] == f"{round_}-{'AB'[won]}" and lost.version == version + 1
        assert editing.load(engine, EVENT, record_id) == (mine[won], version + 1)


def test_writes_begin_immediately_and_reads_deferred_on_sqlite(sqlite_engine: Engine) -> None:
    """What makes the writers queue: a write holds SQLite's write lock from its first statement
    (a read transaction cannot become a write one while another writer is active)."""
    begins: list[str] = []
    event.listen(sqlite_engine, "before_cursor_execute", lambda *args: begins.append(args[2]))
    [record_id] = _events(sqlite_engine, 1)
    values, version = editing.load(sqlite_engine, EVENT, record_id)
    editing.update(sqlite_engine, PLANUNG, EVENT, record_id, version, values | {"vorlage": "neu"})
    assert [s for s in begins if s.startswith("BEGIN")] == ["BEGIN", "BEGIN", "BEGIN IMMEDIATE"]
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"


def test_a_write_kept_waiting_too_long_is_refused_in_german(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a write lock held longer than the busy timeout (e.g. by a huge import) stops a save,
    with a German message and nothing written."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 0.2)
    sqlite_engine.dispose()  # new connections take the short timeout
    before = db.table_versions(sqlite_engine)
    other = sqlite3.connect(str(sqlite_engine.url.database), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(db.WriteRefused, match="belegt"), db.session_scope(sqlite_engine) as session:
            session.execute(update(City).values(name=City.name + " "))
    finally:
        other.execute("ROLLBACK")
        other.close()
    sqlite_engine.dispose()
    assert not raised(sqlite_engine, before)
