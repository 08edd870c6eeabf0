"""The query cache: plain calls without a memoizer, the data version read once per script run,
and a write inside a run seen by the reads after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, update

from sozdash.store import cache, db, queries
from sozdash.store.models import Area


@pytest.fixture
def version_reads(sqlite_engine: Engine) -> Iterator[list[str]]:
    """Statements that read the data version on ``sqlite_engine``."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM data_version" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(sqlite_engine, "before_cursor_execute", record)
    yield seen
    event.remove(sqlite_engine, "before_cursor_execute", record)


@pytest.fixture(autouse=True)
def _keep_the_installed_memoizer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Restore whatever memoizer the process had (the app's, once an AppTest imported the ui)."""
    monkeypatch.setattr(cache, "_memoized", cache._memoized)


@pytest.fixture
def dict_memoizer() -> Iterator[dict[tuple, Any]]:
    """A memoizer like Streamlit's: keyed by every argument except ``_engine``."""
    store: dict[tuple, Any] = {}

    def memoize(fn: Callable[..., Any]) -> Callable[..., Any]:
        def memoized(_engine: Engine, name: str, url: str, version: int, args: tuple, kwargs: dict) -> Any:
            key = (name, url, version, args, tuple(sorted(kwargs.items())))
            if key not in store:
                store[key] = fn(_engine, name, url, version, args, kwargs)
            return store[key]

        return memoized

    cache.use_memoizer(memoize)
    yield store


def _rename_hitdorf(engine: Engine, name: str) -> None:
    with db.session_scope(engine) as session:
        session.execute(update(Area).where(Area.code == "hitdorf").values(name=name))
        db.bump_data_version(session)


def _hitdorf(engine: Engine) -> str:
    areas = queries.areas(engine)
    return str(areas.loc[areas["code"] == "hitdorf", "name"].iloc[0])


def test_without_memoizer_every_call_reads_the_database(sqlite_engine: Engine) -> None:
    cache.use_memoizer(None)
    assert _hitdorf(sqlite_engine) == "Hitdorf"
    with db.session_scope(sqlite_engine) as session:  # a write that does not bump the version
        session.execute(update(Area).where(Area.code == "hitdorf").values(name="Neu"))
    assert _hitdorf(sqlite_engine) == "Neu"


def test_one_script_run_reads_the_data_version_once(
    sqlite_engine: Engine, version_reads: list[str], dict_memoizer: dict
) -> None:
    with db.script_run(sqlite_engine):
        for _ in range(5):
            queries.areas(sqlite_engine)
            queries.indicators(sqlite_engine)
    assert len(version_reads) == 1
    assert len(dict_memoizer) == 2


def test_calls_outside_a_script_run_read_the_version_each_time(
    sqlite_engine: Engine, version_reads: list[str], dict_memoizer: dict
) -> None:
    for _ in range(3):
        queries.areas(sqlite_engine)
    assert len(version_reads) == 3
    assert len(dict_memoizer) == 1


def test_a_write_inside_a_run_is_seen_by_later_reads(sqlite_engine: Engine, dict_memoizer: dict) -> None:
    with db.script_run(sqlite_engine):
        assert _hitdorf(sqlite_engine) == "Hitdorf"
        _rename_hitdorf(sqlite_engine, "Hitdorf am Rhein")
        assert _hitdorf(sqlite_engine) == "Hitdorf am Rhein"


def test_a_write_by_another_process_is_seen_by_the_next_run(
    sqlite_engine: Engine, dict_memoizer: dict
) -> None:
    with db.script_run(sqlite_engine):
        assert _hitdorf(sqlite_engine) == "Hitdorf"
    other = create_engine(sqlite_engine.url)  # same database, another connection pool (as another process)
    _rename_hitdorf(other, "Anders")
    other.dispose()
    with db.script_run(sqlite_engine):
        assert _hitdorf(sqlite_engine) == "Anders"


def test_a_run_answers_repeated_calls_itself_and_each_caller_gets_its_own_frame(
    sqlite_engine: Engine, dict_memoizer: dict
) -> None:
    calls: list[str] = []
    memoized = cache._memoized

    def counting(*args: Any) -> Any:
        calls.append(args[1])
        return memoized(*args)  # type: ignore[misc]

    cache._memoized = counting
    with db.script_run(sqlite_engine):
        first = queries.areas(sqlite_engine)
        first["name"] = "geändert"
        again = queries.areas(sqlite_engine)
        assert len(calls) == 1
        assert "Hitdorf" in set(again["name"])
        _rename_hitdorf(sqlite_engine, "Hitdorf am Rhein")  # a write forgets the run's results
        assert _hitdorf(sqlite_engine) == "Hitdorf am Rhein"
    assert len(calls) == 2
