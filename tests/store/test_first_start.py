"""Several app servers started at once on one empty PostgreSQL database (issue 16): one creates
and fills it, the others wait and then find it current — no "already exists", no second seed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from sozdash.store import bootstrap, db
from sozdash.store.models import Area, City
from tests.conftest import own_database

STARTS = 3


@pytest.mark.postgres
def test_servers_starting_at_once_on_an_empty_database_seed_it_once(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    with own_database("postgresql", tmp_path, "firststart") as engine:
        url = engine.url.render_as_string(hide_password=False)
        engines = [db.get_engine(url) for _ in range(STARTS)]
        gate = threading.Barrier(STARTS)
        failures: list[BaseException] = []

        def start(own: Engine) -> None:
            gate.wait()
            try:
                bootstrap.ensure_database(own)
            except BaseException as exc:  # collected and asserted below
                failures.append(exc)

        threads = [threading.Thread(target=start, args=(own,)) for own in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        for own in engines:
            own.dispose()
        assert failures == []
        assert bootstrap.schema_state(engine) == "current"
        counts = [_counts(own) for own in (engine, sqlite_engine)]  # sqlite_engine: seeded once
        assert counts[0] == counts[1] and counts[0][1] > 0


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        cities = conn.execute(select(func.count()).select_from(City)).scalar_one()
        areas = conn.execute(select(func.count()).select_from(Area)).scalar_one()
    return cities, areas
