"""Shared fixtures: seeded databases on SQLite (always) and PostgreSQL (TEST_DATABASE_URL).

Seeding runs once per test session into a template; each test gets its own copy
(a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test as app_test_module

from sozdash.core import plotting
from sozdash.store import bootstrap, cache, db

ROOT = Path(__file__).resolve().parent.parent
_counter = itertools.count()
os.environ[plotting.VALIDATE_ENV] = "1"  # every figure the tests build is checked by plotly (app servers too)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") and not os.environ.get("TEST_DATABASE_URL"):
        raise pytest.UsageError(
            "CI braucht TEST_DATABASE_URL (PostgreSQL) – die Datenbanktests dürfen nicht fehlen."
        )


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return f"PostgreSQL tests: {make_url(url).render_as_string(hide_password=True)}"
    return "!!! PostgreSQL tests NOT RUN: TEST_DATABASE_URL is not set (they are reported as skipped) !!!"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "sozdash.sqlite"
    engine = db.get_engine(f"sqlite:///{path}")
    bootstrap.ensure_database(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL nicht konfiguriert (TEST_DATABASE_URL fehlt) – Test NICHT gelaufen")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"sozdash_tpl_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    template_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    engine = db.get_engine(template_url)
    bootstrap.ensure_database(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _postgres_copy(template: str) -> Iterator[Engine]:
    url = os.environ["TEST_DATABASE_URL"]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"sozdash_t_{os.getpid()}_{next(_counter)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine = db.get_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def own_database(kind: str, tmp_path: Path, prefix: str) -> Iterator[Engine]:
    """An empty database of its own: a SQLite file in ``tmp_path`` or a new PostgreSQL database at
    TEST_DATABASE_URL (skipped without one), dropped afterwards."""
    if kind == "sqlite":
        engine = db.get_engine(f"sqlite:///{tmp_path / f'{prefix}.sqlite'}")
        yield engine
        engine.dispose()
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL nicht konfiguriert (TEST_DATABASE_URL fehlt) – Test NICHT gelaufen")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"sozdash_{prefix}_{os.getpid()}_{next(_counter)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = db.get_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Engine:
    """A seeded SQLite database of this test's own."""
    path = tmp_path / "sozdash.sqlite"
    shutil.copy(sqlite_template, path)
    return db.get_engine(f"sqlite:///{path}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A seeded database of this test's own, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_engine")
    else:
        yield from _postgres_copy(request.getfixturevalue("postgres_template"))


@pytest.fixture
def app_env(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Point the app (``DATABASE_URL``) at this test's seeded SQLite database."""
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(ROOT)
    return sqlite_engine


class _AppPagesManager(PagesManager):
    """AppTest resets Streamlit's legacy ``pages/`` mode before every run; a real server leaves
    it for good once app.py has run (``startup.enter_app``). Mirror the server so that every AppTest
    run goes through app.py, as a browser request does."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _app_pages_like_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test_module, "PagesManager", _AppPagesManager)


@pytest.fixture(scope="session")
def hamburg_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hamburg set up from scratch with the README's commands, once per test session (SQLite)."""
    from tests.new_city import set_up_city

    folder = tmp_path_factory.mktemp("hamburg")
    set_up_city({"SOZDASH_DATA_DIR": str(folder), "DATABASE_URL": ""})
    return folder / "sozdash.sqlite"


@pytest.fixture(scope="session")
def hamburg_postgres() -> Iterator[str]:
    """The same on PostgreSQL: the URL of a database set up with the README's commands (in this
    process: the SQLite set-up already runs each as its own process)."""
    from tests.new_city import set_up_city

    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL nicht konfiguriert (TEST_DATABASE_URL fehlt) – Test NICHT gelaufen")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"sozdash_hamburg_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    hamburg_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    set_up_city({"DATABASE_URL": hamburg_url}, in_process=True)
    yield hamburg_url
    db.get_engine(hamburg_url).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hamburg(request: pytest.FixtureRequest) -> Engine:
    """Hamburg as the README sets it up, on SQLite and on PostgreSQL (shared: do not write)."""
    if request.param == "sqlite":
        return db.get_engine(f"sqlite:///{request.getfixturevalue('hamburg_sqlite')}")
    return db.get_engine(request.getfixturevalue("hamburg_postgres"))


@pytest.fixture
def memory_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[OrderedDict[Hashable, Any]]:
    """The app's query cache (``cache.MemoryCache``), new and empty; its entries (the process's own
    memoizer is restored afterwards)."""
    monkeypatch.setattr(cache, "_memoized", cache._memoized)
    memory = cache.MemoryCache(max_entries=1024)
    cache.use_memoizer(memory)
    yield memory.entries


@pytest.fixture
def query_runs(monkeypatch: pytest.MonkeyPatch, memory_cache: dict) -> Counter[str]:
    """How often each cached query really ran (not answered by the memory cache), by function name."""
    runs: Counter[str] = Counter()

    def counting(name: str, query: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            runs[name.rsplit(".", 1)[-1]] += 1
            return query(*args, **kwargs)

        return run

    monkeypatch.setattr(cache, "_QUERIES", {name: counting(name, q) for name, q in cache._QUERIES.items()})
    return runs
