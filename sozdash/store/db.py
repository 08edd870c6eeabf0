"""Database connections, sessions and the data version.

The embedded default is SQLite at ``data/sozdash.sqlite`` (``SOZDASH_DATA_DIR`` moves the
directory); ``DATABASE_URL`` selects any other database, e.g. PostgreSQL through psycopg.

Writes go through :func:`session_scope`. On SQLite its transaction begins with ``BEGIN
IMMEDIATE`` (WAL journal, busy timeout): concurrent writers queue for the write lock instead of
failing with "database is locked" when a transaction that has read tries to write. Reads
(:func:`read_session`, ``engine.connect()``) begin deferred and never wait for a writer.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sozdash.core.paths import DATA_DIR
from sozdash.store.models import DataVersion


def data_dir() -> Path:
    """Directory for the embedded database and archived import files."""
    return Path(os.environ.get("SOZDASH_DATA_DIR", DATA_DIR))


def database_url() -> str:
    """``DATABASE_URL`` if set, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'sozdash.sqlite'}"


BUSY_TIMEOUT_SECONDS: float = 30
"""How long a SQLite write waits for the write lock of another one (e.g. a large import)."""
_WRITE = "sozdash_write"
"""Execution option of :func:`session_scope`'s connection: its transaction will write."""
_READ_ONLY_SQLSTATES = {"25006", "42501"}
"""PostgreSQL: read-only transaction (e.g. a standby or ``default_transaction_read_only``),
missing privilege (a read-only role)."""


class WriteRefused(Exception):
    """The database took no write: it is read-only, or stayed locked by another write longer
    than the busy timeout. German message; nothing was changed."""


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy issue BEGIN itself so that DDL (migrations) is transactional too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={round(BUSY_TIMEOUT_SECONDS * 1000)}")
    try:  # the mode is kept in the file: a read-only file keeps its own
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        if not _sqlite_read_only(exc):
            raise
    cursor.close()


def _begin_sqlite(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def _sqlite_read_only(exc: BaseException | None) -> bool:
    return str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_READONLY")


def _refusal(exc: DBAPIError) -> WriteRefused | None:
    """The German :class:`WriteRefused` for a read-only or (after the busy timeout) locked
    database; ``None`` for any other error."""
    if _sqlite_read_only(exc.orig) or getattr(exc.orig, "sqlstate", None) in _READ_ONLY_SQLSTATES:
        return WriteRefused(
            "Die Datenbank ist schreibgeschützt – es kann derzeit nichts gespeichert werden. Bitte "
            "wenden Sie sich an die IT (Schreibrechte der Datenbank prüfen)."
        )
    if str(getattr(exc.orig, "sqlite_errorname", "")).startswith("SQLITE_BUSY"):
        return WriteRefused(
            f"Die Datenbank war länger als {BUSY_TIMEOUT_SECONDS} Sekunden durch einen anderen "
            "Speichervorgang belegt (z. B. einen großen Import). Nichts wurde gespeichert; bitte in "
            "einer Minute erneut versuchen."
        )
    return None


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: ``database_url()``), one per URL and process."""
    return _engine_for(url or database_url())


@cache
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool_settings(os.environ))


def pool_settings(environ: Mapping[str, str]) -> dict[str, int]:
    """Connection pool of a server database per process: ``SOZDASH_DB_POOL_SIZE`` connections kept
    open (default 5) plus up to ``SOZDASH_DB_MAX_OVERFLOW`` more under load (default 10)."""
    names = {"pool_size": ("SOZDASH_DB_POOL_SIZE", 5), "max_overflow": ("SOZDASH_DB_MAX_OVERFLOW", 10)}
    settings = {}
    for option, (name, default) in names.items():
        text = environ.get(name, str(default)).strip()
        if not text.isdigit():
            raise ValueError(f"{name} muss eine ganze Zahl ab 0 sein, nicht „{text}“.")
        settings[option] = int(text)
    return settings


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A write: a session whose transaction commits on success and rolls back on any error.

    On SQLite it holds the write lock from the start (``BEGIN IMMEDIATE``), so what it reads
    stays current until it commits. A read-only or too long locked database raises
    :class:`WriteRefused`."""
    try:
        writing = Session(engine, expire_on_commit=False, execution_options={_WRITE: True})
        with writing as session, session.begin():
            session.connection()  # begin now: wait for the write lock before reading
            yield session
    except DBAPIError as exc:
        refusal = _refusal(exc)
        if refusal is None:
            raise
        raise refusal from exc
    _forget_run_versions()  # committed: a read later in this run must see it


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading only (never waits for a writer; rolled back at the end)."""
    with Session(engine) as session:
        yield session


@dataclass
class _Run:
    """What one script run keeps: the data version per URL and the results of cached queries
    (both forgotten after a write in the run)."""

    versions: dict[str, int] = field(default_factory=dict)
    results: dict[Hashable, Any] = field(default_factory=dict)

    def forget(self) -> None:
        self.versions.clear()
        self.results.clear()


_RUN: ContextVar[_Run | None] = ContextVar("sozdash_script_run", default=None)


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
    run = _RUN.get()
    if run is not None:
        run.forget()


@contextmanager
def script_run(engine: Engine) -> Iterator[None]:
    """One page run: ``run_data_version`` reads the data version at most once inside, and
    ``run_results`` keeps cached query results for the run (both again only after a write in
    the same run)."""
    token = _RUN.set(_Run())
    try:
        yield
    finally:
        _RUN.reset(token)


def run_data_version(engine: Engine) -> int:
    """The data version, read once per ``script_run`` and URL (every call outside one)."""
    run = _RUN.get()
    if run is None:
        return data_version(engine)
    url = engine.url.render_as_string()
    if url not in run.versions:
        run.versions[url] = data_version(engine)
    return run.versions[url]


def run_results() -> dict[Hashable, Any] | None:
    """The cached query results of the current ``script_run`` (``None`` outside one)."""
    run = _RUN.get()
    return None if run is None else run.results
