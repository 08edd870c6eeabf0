"""``init --empty``: a database with only the city, its top level and its own area – nothing of
Leverkusen; refused on a database that is not empty and for a bad AGS. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, inspect, make_url, select, text

from sozdash.cli.main import main
from sozdash.store import bootstrap, db, queries
from sozdash.store.models import Area, AreaLevel, Base, City

HAMBURG = ["init", "--empty", "--city", "Hamburg", "--ags", "02000000"]
FILLED = {"city", "area_levels", "areas", "table_versions"}
"""The only tables an empty instance fills (besides Alembic's own)."""
_counter = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database without any table, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'leer.sqlite'}"
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL nicht konfiguriert (TEST_DATABASE_URL fehlt) – Test NICHT gelaufen")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"sozdash_leer_{os.getpid()}_{next(_counter)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    blank = make_url(url).set(database=name).render_as_string(hide_password=False)
    yield blank
    db.get_engine(blank).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


def test_init_empty_creates_only_the_city(
    blank_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", blank_url)
    assert main(HAMBURG) == 0
    assert "Leere Instanz für Hamburg (AGS 02000000) angelegt." in capsys.readouterr().out
    engine = db.get_engine(blank_url)
    with engine.connect() as conn:
        assert conn.execute(select(City.name, City.ags)).all() == [("Hamburg", "02000000")]
        assert conn.execute(select(AreaLevel.key, AreaLevel.name, AreaLevel.rank)).all() == [
            ("stadt", "Stadt", 0)
        ]
        assert conn.execute(select(Area.code, Area.name, Area.level, Area.parent_id)).all() == [
            ("02000000", "Hamburg", "stadt", None)
        ]
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            == bootstrap.HEAD_REVISION
        )
    counts = _counts(engine)
    assert {name: n for name, n in counts.items() if name not in FILLED} == dict.fromkeys(
        set(counts) - FILLED, 0
    )  # no projects, meetings, indicators, observations, facts, users …
    assert (counts["city"], counts["area_levels"], counts["areas"]) == (1, 1, 1)
    assert queries.city(engine) == queries.CityInfo(name="Hamburg", ags="02000000")
    assert queries.area_levels(engine) == {"stadt": "Stadt"}
    assert queries.city_level(engine) == "stadt"

    assert main(["init"]) == 0  # a later plain init (or first start of the app) adds nothing
    assert _counts(engine) == counts


def test_init_empty_refuses_a_database_that_is_not_empty(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _counts(engine)
    with pytest.raises(bootstrap.DatabaseError, match="nicht leer"):
        bootstrap.ensure_database(engine, bootstrap.EmptyCity("Hamburg", "02000000"))
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(HAMBURG) == 2
    assert "Die Datenbank ist nicht leer" in capsys.readouterr().err
    assert _counts(engine) == before
    assert queries.city(engine).name == "Leverkusen"


def test_init_empty_twice_is_refused(blank_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", blank_url)
    assert main(HAMBURG) == 0
    assert main(["init", "--empty", "--city", "Bremen", "--ags", "04011000"]) == 2
    assert queries.city(db.get_engine(blank_url)).name == "Hamburg"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--city", "Hamburg", "--ags", "2000000"], "„2000000“ ist kein Amtlicher Gemeindeschlüssel"),
        (["--city", "Hamburg", "--ags", "0200000X"], "„0200000X“ ist kein Amtlicher Gemeindeschlüssel"),
        (["--city", "  ", "--ags", "02000000"], "Der Name der Stadt fehlt"),
        (["--city", "Hamburg"], "--empty braucht --city NAME und --ags AGS"),
    ],
)
def test_init_empty_refuses_bad_input_and_creates_nothing(
    blank_url: str, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", blank_url)
    assert main(["init", "--empty", *args]) == 2
    assert message in capsys.readouterr().err
    assert inspect(db.get_engine(blank_url)).get_table_names() == []


def test_city_and_ags_need_empty(blank_url: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", blank_url)
    assert main(["init", "--city", "Hamburg", "--ags", "02000000"]) == 2
    assert "--city und --ags gelten nur zusammen mit --empty" in capsys.readouterr().err
    assert inspect(db.get_engine(blank_url)).get_table_names() == []
