"""Database connections, sessions and the table versions.

The embedded default is SQLite at ``data/sozdash.sqlite`` (``SOZDASH_DATA_DIR`` moves the
directory); ``DATABASE_URL`` selects any other database, e.g. PostgreSQL through psycopg.

Writes go through :func:`session_scope`. On SQLite its transaction begins with ``BEGIN
IMMEDIATE`` (WAL journal, busy timeout): concurrent writers queue for the write lock instead of
failing with "database is locked" when a transaction that has read tries to write. Reads
(:func:`read_session`, ``engine.connect()``) begin deferred and never wait for a writer.

Every committed write raises the version of each table it changed (found from the statements
it ran, so no writer can forget it); cached queries key on the versions of the tables they read
(recorded while they run, :func:`recording_reads`).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, TextClause, create_engine, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors

from sozdash.core.paths import DATA_DIR
from sozdash.store.models import Base, TableVersion


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
    stays current until it commits. Before the commit, the version of every table it changed goes
    up. A read-only or too long locked database raises :class:`WriteRefused`."""
    try:
        writing = Session(engine, expire_on_commit=False, execution_options={_WRITE: True})
        with writing as session, session.begin():
            connection = session.connection()  # begin now: wait for the write lock before reading
            written = connection.info[_WRITTEN] = set()
            try:
                yield session
                session.flush()
            finally:  # the pooled connection forgets it (also after an error)
                del connection.info[_WRITTEN]
            raise_versions(session, written)
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
    """What one script run keeps: the table versions per URL (forgotten after a write in the run)."""

    versions: dict[str, dict[str, int]] = field(default_factory=dict)


_RUN: ContextVar[_Run | None] = ContextVar("sozdash_script_run", default=None)


ALL_TABLES = "*"
"""Dependency on every table: a statement whose tables are not known (raw SQL)."""
_WRITTEN = "sozdash_written_tables"
"""``Connection.info`` of a :func:`session_scope`: names of the tables its statements changed."""
_VERSIONLESS = {TableVersion.__tablename__, "alembic_version"}
_READS: ContextVar[tuple[set[str], ...]] = ContextVar("sozdash_reads", default=())
_NO_TABLE = ("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "SET", "SHOW")
"""Raw statements that neither read nor change a table."""
_RAW_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?\s', re.IGNORECASE)
"""A raw write of one named table (e.g. the driver's ``executemany`` of an import)."""


def _statement_tables(context: DefaultExecutionContext, statement: str) -> tuple[set[str], bool]:
    """The names of the tables a statement reads or writes, and whether it writes. Raw SQL: a
    plain INSERT/UPDATE/DELETE writes the table it names, a transaction statement touches none,
    anything else may touch every table (``ALL_TABLES``)."""
    element = None if context.compiled is None else context.compiled.statement
    if element is not None and not isinstance(element, TextClause):
        tables = {node.name for node in visitors.iterate(element) if isinstance(node, Table)}
        return tables - _VERSIONLESS, bool(context.isinsert or context.isupdate or context.isdelete)
    head = statement.lstrip().upper()
    if head.startswith(_NO_TABLE):
        return set(), False
    write = _RAW_WRITE.match(statement)
    if write:
        return {write.group(1)} - _VERSIONLESS, True
    return {ALL_TABLES}, not head.startswith("SELECT")


def _track_statement(
    conn: Connection, _cursor: object, statement: str, _parameters: object,
    context: DefaultExecutionContext, _executemany: bool,
) -> None:  # fmt: skip
    """Event hook: tables changed by a write of :func:`session_scope`, tables read while a cached
    query records (:func:`recording_reads`)."""
    reads = _READS.get()
    written = conn.info.get(_WRITTEN)
    if not reads and written is None:
        return
    tables, writes = _statement_tables(context, statement)
    if written is not None and writes:
        written.update(tables)
    for recording in reads:
        recording.update(tables)


event.listen(Engine, "before_cursor_execute", _track_statement)


def raise_versions(session: Session, tables: set[str]) -> None:
    """One statement raising the version of each of ``tables`` (every table for ``ALL_TABLES``),
    in name order, so concurrent writers lock the rows in the same order."""
    if ALL_TABLES in tables:
        tables = set(Base.metadata.tables) - _VERSIONLESS
    if not tables:
        return
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[session.get_bind().dialect.name]
    statement = dialect.insert(TableVersion).values(
        [{"table_name": name, "version": 1} for name in sorted(tables)]
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[TableVersion.table_name], set_={"version": TableVersion.version + 1}
        )
    )


def table_versions(engine: Engine) -> dict[str, int]:
    """How often each table was written (a table never written is missing: version 0)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(TableVersion.table_name, TableVersion.version)).all())


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """The names of the tables read by every statement inside (also by enclosing recordings)."""
    recording: set[str] = set()
    token = _READS.set((*_READS.get(), recording))
    try:
        yield recording
    finally:
        _READS.reset(token)


def note_reads(tables: frozenset[str]) -> None:
    """Count ``tables`` as read by every enclosing recording (a cached query answered from the
    cache reads nothing, but its caller depends on what it read)."""
    for recording in _READS.get():
        recording.update(tables)


def _forget_run_versions() -> None:
    run = _RUN.get()
    if run is not None:
        run.versions.clear()


@contextmanager
def script_run(engine: Engine) -> Iterator[None]:
    """One page run: ``run_table_versions`` reads the table versions at most once inside (again
    only after a write in the same run)."""
    token = _RUN.set(_Run())
    try:
        yield
    finally:
        _RUN.reset(token)


def run_table_versions(engine: Engine) -> dict[str, int]:
    """The table versions, read once per ``script_run`` and URL (every call outside one)."""
    run = _RUN.get()
    if run is None:
        return table_versions(engine)
    url = engine.url.render_as_string()
    if url not in run.versions:
        run.versions[url] = table_versions(engine)
    return run.versions[url]

