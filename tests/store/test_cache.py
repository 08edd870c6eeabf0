"""The query cache: plain calls without a memoizer, the table versions read once per script run,
a write inside a run seen by the reads after it, and a write invalidating exactly the queries
that read a table it changed (also through the cached queries they call)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd
import plotly.graph_objects as go
import pytest
from sqlalchemy import Engine, create_engine, event, select, update

from sozdash.store import cache, db, integrity, queries
from sozdash.store.models import Area, Observation, Project


@pytest.fixture
def version_reads(sqlite_engine: Engine) -> Iterator[list[str]]:
    """Statements that read the table versions on ``sqlite_engine``."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM table_versions" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(sqlite_engine, "before_cursor_execute", record)
    yield seen
    event.remove(sqlite_engine, "before_cursor_execute", record)


@pytest.fixture(autouse=True)
def _keep_the_installed_memoizer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Restore whatever memoizer the process had (the app's, once an AppTest imported the ui)."""
    monkeypatch.setattr(cache, "_memoized", cache._memoized)


def _rename_hitdorf(engine: Engine, name: str) -> None:
    with db.session_scope(engine) as session:
        session.execute(update(Area).where(Area.code == "hitdorf").values(name=name))


def _hitdorf(engine: Engine) -> str:
    areas = queries.areas(engine)
    return str(areas.loc[areas["code"] == "hitdorf", "name"].iloc[0])


def test_without_memoizer_every_call_reads_the_database(sqlite_engine: Engine) -> None:
    cache.use_memoizer(None)
    assert _hitdorf(sqlite_engine) == "Hitdorf"
    with sqlite_engine.begin() as conn:  # not through session_scope: no version goes up
        conn.execute(update(Area).where(Area.code == "hitdorf").values(name="Neu"))
    assert _hitdorf(sqlite_engine) == "Neu"


def test_one_script_run_reads_the_table_versions_once(
    sqlite_engine: Engine, version_reads: list[str], memory_cache: dict
) -> None:
    with db.script_run(sqlite_engine):
        for _ in range(5):
            queries.areas(sqlite_engine)
            queries.indicators(sqlite_engine)
    assert len(version_reads) == 1
    assert len(memory_cache) == 2


def test_calls_outside_a_script_run_read_the_version_each_time(
    sqlite_engine: Engine, version_reads: list[str], memory_cache: dict
) -> None:
    for _ in range(3):
        queries.areas(sqlite_engine)
    assert len(version_reads) == 3
    assert len(memory_cache) == 1


def test_a_write_inside_a_run_is_seen_by_later_reads(sqlite_engine: Engine, memory_cache: dict) -> None:
    with db.script_run(sqlite_engine):
        assert _hitdorf(sqlite_engine) == "Hitdorf"
        _rename_hitdorf(sqlite_engine, "Hitdorf am Rhein")
        assert _hitdorf(sqlite_engine) == "Hitdorf am Rhein"


def test_a_write_by_another_process_is_seen_by_the_next_run(
    sqlite_engine: Engine, memory_cache: dict
) -> None:
    with db.script_run(sqlite_engine):
        assert _hitdorf(sqlite_engine) == "Hitdorf"
    other = create_engine(sqlite_engine.url)  # same database, another connection pool (as another process)
    _rename_hitdorf(other, "Anders")
    other.dispose()
    with db.script_run(sqlite_engine):
        assert _hitdorf(sqlite_engine) == "Anders"


RUNS: list[str] = []
"""Which of the queries below actually ran (not answered from the cache)."""


@cache.cached_query
def _area_names(engine: Engine) -> tuple[str, ...]:
    RUNS.append("areas")
    with engine.connect() as conn:
        return tuple(conn.execute(select(Area.name).order_by(Area.code)).scalars())


@cache.cached_query
def _project_titles(engine: Engine) -> tuple[str, ...]:
    RUNS.append("projects")
    with engine.connect() as conn:
        return tuple(conn.execute(select(Project.title).order_by(Project.key)).scalars())


@cache.cached_query
def _both(engine: Engine) -> tuple[str, ...]:
    RUNS.append("both")
    return _area_names(engine) + _project_titles(engine)


@cache.cached_query
def _titles_if(engine: Engine, with_projects: bool) -> tuple[str, ...]:
    RUNS.append(f"if {with_projects}")
    return _read_areas(engine) + (_read_projects(engine) if with_projects else ())


@cache.cached_query
def _raw_project_count(engine: Engine) -> int:
    RUNS.append("raw")
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM projects").scalar_one())


def _read_areas(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(Area.name).order_by(Area.code)).scalars())


def _read_projects(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(Project.title).order_by(Project.key)).scalars())


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``RUNS`` emptied, and no tables learned yet (as in a new process)."""
    monkeypatch.setattr(cache, "_READS", OrderedDict())
    RUNS.clear()
    return RUNS


def _retitle_projects(engine: Engine, suffix: str) -> None:
    with db.session_scope(engine) as session:
        session.execute(update(Project).values(title=Project.title + suffix))


def test_a_write_runs_again_only_the_queries_that_read_the_changed_table(
    engine: Engine, memory_cache: dict, runs: list[str]
) -> None:
    names, titles = _area_names(engine), _project_titles(engine)
    assert (_area_names(engine), _project_titles(engine)) == (names, titles)
    assert runs == ["areas", "projects"]  # the second calls came from the cache
    _retitle_projects(engine, " (neu)")
    assert _area_names(engine) == names
    assert _project_titles(engine) == tuple(f"{title} (neu)" for title in titles)
    assert runs == ["areas", "projects", "projects"]
    _rename_hitdorf(engine, "Hitdorf am Rhein")
    assert "Hitdorf am Rhein" in _area_names(engine) and _project_titles(engine)
    assert runs == ["areas", "projects", "projects", "areas"]


def test_a_query_depends_on_what_the_cached_queries_it_calls_read(
    engine: Engine, memory_cache: dict, runs: list[str]
) -> None:
    _area_names(engine)  # cached before: inside _both it is answered from the cache and reads nothing
    assert "Hitdorf" in _both(engine)
    _rename_hitdorf(engine, "Hitdorf am Rhein")
    assert "Hitdorf am Rhein" in _both(engine)
    assert runs == ["areas", "both", "projects", "both", "areas"]


def test_each_call_is_kept_until_a_table_it_read_changes(
    engine: Engine, memory_cache: dict, runs: list[str]
) -> None:
    areas_only = _titles_if(engine, False)
    titles = _titles_if(engine, True)  # the same query, this time reading projects too
    _retitle_projects(engine, " (neu)")
    assert _titles_if(engine, True) != titles
    assert _titles_if(engine, False) == areas_only
    assert runs == ["if False", "if True", "if True"]


def test_a_query_with_raw_sql_runs_again_after_any_write(
    engine: Engine, memory_cache: dict, runs: list[str]
) -> None:
    count = _raw_project_count(engine)
    assert _raw_project_count(engine) == count and runs == ["raw"]
    _rename_hitdorf(engine, "Hitdorf am Rhein")
    assert _raw_project_count(engine) == count and runs == ["raw", "raw"]


def test_an_edited_project_leaves_the_integrity_checks_of_the_observations_cached(
    engine: Engine, memory_cache: dict, runs: list[str]
) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    report = integrity.cached_check(engine)
    event.listen(engine, "before_cursor_execute", record)
    try:
        _retitle_projects(engine, " (neu)")
        statements.clear()
        assert integrity.cached_check(engine) == report
        assert any("FROM projects" in s for s in statements)  # the checks of the projects ran again
        assert not any("observations" in s for s in statements)
        with db.session_scope(engine) as session:
            session.execute(update(Observation).where(Observation.id == 1).values(note="geprüft"))
        statements.clear()
        assert integrity.cached_check(engine) == report
        assert any("FROM observations" in s for s in statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass(frozen=True)
class _Detail:
    frame: pd.DataFrame
    weights: dict[str, float]


class _Panels(NamedTuple):
    frame: pd.DataFrame
    figure: go.Figure
    items: list[str]
    labels: dict[str, pd.DataFrame]
    detail: _Detail


@cache.cached_query
def _panels(engine: Engine, codes: tuple[str, ...]) -> _Panels:
    RUNS.append(f"panels {len(codes)}")
    with engine.connect() as conn:
        rows = conn.execute(select(Area.code, Area.name).where(Area.code.in_(codes)).order_by(Area.code))
        frame = pd.DataFrame(rows.all(), columns=["code", "name"])
    figure = go.Figure(go.Bar(x=list(frame["name"]), y=[1] * len(frame)))
    return _Panels(frame, figure, list(frame["name"]), {"alle": frame}, _Detail(frame, {"a": 1.0}))


def test_each_caller_gets_its_own_copy_of_a_kept_result(
    engine: Engine, memory_cache: dict, runs: list[str]
) -> None:
    first = _panels(engine, ("hitdorf", "opladen"))
    first.frame["name"] = "geändert"
    first.figure.update_layout(title_text="geändert")
    first.items.append("geändert")
    first.labels["alle"].loc[0, "name"] = "geändert"
    first.detail.frame["name"] = "geändert"
    first.detail.weights["a"] = 2.0
    again = _panels(engine, ("hitdorf", "opladen"))
    assert runs == ["panels 2"] and isinstance(again, _Panels)
    assert set(again.frame["name"]) == set(again.items) == set(again.labels["alle"]["name"]) == {"Hitdorf", "Opladen"}
    assert again.figure.layout.title.text is None and list(again.figure.data[0].x) == again.items
    assert set(again.detail.frame["name"]) == {"Hitdorf", "Opladen"} and again.detail.weights == {"a": 1.0}


def test_a_call_whose_arguments_cannot_be_hashed_is_not_kept(
    engine: Engine, memory_cache: dict, runs: list[str]
) -> None:
    unhashable: Any = ["hitdorf"]
    assert _panels(engine, unhashable).items == _panels(engine, unhashable).items == ["Hitdorf"]
    assert runs == ["panels 1", "panels 1"] and not memory_cache


def test_the_memory_cache_keeps_the_most_recently_used_calls(engine: Engine, runs: list[str]) -> None:
    memory = cache.MemoryCache(max_entries=2)
    cache.use_memoizer(memory)
    for codes in [("hitdorf",), ("opladen",), ("hitdorf",), ("wiesdorf",), ("hitdorf",), ("opladen",)]:
        _panels(engine, codes)
    assert runs == ["panels 1"] * 4  # Opladen was the least recently used when Wiesdorf came
    assert len(memory.entries) == 2
    memory.clear()
    _panels(engine, ("hitdorf",))
    assert runs == ["panels 1"] * 5
