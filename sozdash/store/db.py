"""Database connections, sessions and the data version.

The embedded default is SQLite at ``data/sozdash.sqlite`` (``SOZDASH_DATA_DIR`` moves the
directory); ``DATABASE_URL`` selects any other database, e.g. PostgreSQL through psycopg.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, create_engine, event, select, update
from sqlalchemy.orm import Session

from sozdash.core.paths import DATA_DIR
from sozdash.store.models import DataVersion


def data_dir() -> Path:
    """Directory for the embedded database and archived import files."""
    return Path(os.environ.get("SOZDASH_DATA_DIR", DATA_DIR))


def database_url() -> str:
    """``DATABASE_URL`` if set, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'sozdash.sqlite'}"


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy issue BEGIN itself so that DDL (migrations) is transactional too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: ``database_url()``), one per URL and process."""
    return _engine_for(url or database_url())


@cache
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
    _forget_run_versions()  # committed: a read later in this run must see it


_RUN_VERSIONS: ContextVar[dict[str, int] | None] = ContextVar("run_data_versions", default=None)


def data_version(engine: Engine) -> int:
    """Counter that every write increases; part of every query cache key."""
    with engine.connect() as conn:
        return conn.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar_one_or_none() or 0


def bump_data_version(session: Session) -> None:
    """Mark the data as changed so that every process reloads cached queries."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
        ),
    )
    if result.rowcount == 0:
        session.add(DataVersion(id=1, version=1))
    _forget_run_versions()


def _forget_run_versions() -> None:
    pinned = _RUN_VERSIONS.get()
    if pinned is not None:
        pinned.clear()


@contextmanager
def script_run(engine: Engine) -> Iterator[None]:
    """One page run: ``run_data_version`` reads the data version at most once inside (again only
    after a write in the same run)."""
    token = _RUN_VERSIONS.set({})
    try:
        yield
    finally:
        _RUN_VERSIONS.reset(token)


def run_data_version(engine: Engine) -> int:
    """The data version, read once per ``script_run`` and URL (every call outside one)."""
    pinned = _RUN_VERSIONS.get()
    if pinned is None:
        return data_version(engine)
    url = engine.url.render_as_string()
    if url not in pinned:
        pinned[url] = data_version(engine)
    return pinned[url]
