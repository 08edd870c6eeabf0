"""The one query cache: results keyed by database URL, the versions of the tables the query
reads, and its arguments.

Without a memoizer (CLI, tests) a cached query is a plain call. The app installs Streamlit's
cache once (``use_memoizer``), so only ``sozdash.ui`` knows Streamlit. Every committed write raises
the version of each table it changed (``db.session_scope``), so every app process sees new data
on its next run, and only the queries that read a changed table run again: which tables a query
reads is recorded while it runs (``db.recording_reads``, including the queries it calls). Within
one script run (``db.script_run``) the versions are read from the database only once, and a query
called again with the same arguments is answered from the run's own results (no second hashing
and unpickling; each caller still gets its own DataFrame).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Engine

from sozdash.store.db import ALL_TABLES, note_reads, recording_reads, run_results, run_table_versions

F = TypeVar("F", bound=Callable[..., Any])
Memoizer = Callable[[Callable[..., Any]], Callable[..., Any]]
_QUERIES: dict[str, Callable[..., Any]] = {}
_memoized: Callable[..., Any] | None = None
_READS: OrderedDict[Hashable, frozenset[str]] = OrderedDict()
"""The tables each call of a cached query (name and arguments; the name alone when an argument
cannot be hashed) was seen to read in this process, all its runs together; the most recent calls."""
READS_KEPT = 20_000
_READS_LOCK = threading.Lock()
_NOT_RUN = object()


def _shareable(value: object) -> bool:
    """Whether a run may hand ``value`` to several callers: a DataFrame or Series (each gets a
    copy-on-write copy), an immutable value, or a list or dict of immutable values (each gets
    its own list or dict)."""
    if value is None or isinstance(value, pd.DataFrame | pd.Series | str | int | float):
        return True
    if isinstance(value, dict):
        return all(_immutable(item) for item in value.values())
    return isinstance(value, list | tuple | frozenset) and all(_immutable(item) for item in value)


def _immutable(value: object) -> bool:
    if value is None or isinstance(value, str | int | float):
        return True
    return isinstance(value, tuple | frozenset) and all(_immutable(item) for item in value)


def _fresh(value: Any) -> Any:
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)
    return type(value)(value) if isinstance(value, list | dict) else value


def _call(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Hashable | None:
    """The call of query ``name`` as a key; ``None`` when an argument cannot be hashed (e.g. a list)."""
    call = (name, args, tuple(sorted(kwargs.items())))
    try:
        hash(call)
    except TypeError:
        return None
    return call


def _key_versions(tables: frozenset[str], versions: dict[str, int]) -> str:
    """The versions of ``tables`` as one string (of all tables together when they include
    ``ALL_TABLES``); one string, because the memoizer hashes a tuple item by item."""
    if ALL_TABLES in tables:
        return f"{ALL_TABLES}={sum(versions.values())}"
    return " ".join(f"{table}={versions.get(table, 0)}" for table in sorted(tables))


def _recorded(
    _engine: Engine, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, frozenset[str]]:
    """Run query ``name``, add the tables it read to ``_READS``; its value and all the tables known
    for the call."""
    call = _call(name, args, kwargs)
    reads = name if call is None else call
    with recording_reads() as tables:
        value = _QUERIES[name](_engine, *args, **kwargs)
    with _READS_LOCK:
        known = _READS[reads] = _READS.get(reads, frozenset()) | tables
        _READS.move_to_end(reads)
        if len(_READS) > READS_KEPT:  # a call forgotten here is learned again at its next run
            _READS.popitem(last=False)
    return value, known


def _run(
    _engine: Engine, name: str, url: str, versions: str, args: tuple[Any, ...], kwargs: dict[str, Any],
    _value: Any = _NOT_RUN,
) -> Any:  # fmt: skip
    """What the memoizer keeps for one key: the query run now, or ``_value`` when the caller had
    to run it first to learn which tables it reads."""
    return _storable(_recorded(_engine, name, args, kwargs)[0] if _value is _NOT_RUN else _value)


def _storable(value: Any) -> Any:
    """``value`` as the memoizer keeps it: plotly figures (also inside a tuple) as
    ``plotting.Figure``, which a pickling memoizer loads without validating them again on every run."""
    if isinstance(value, tuple):
        items = [_storable(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)  # a NamedTuple stays one
    if type(value).__module__.startswith("plotly."):
        from sozdash.core import plotting  # plotly is loaded anyway once a query returns a figure

        return plotting.cacheable(value)
    return value


def use_memoizer(memoize: Memoizer | None) -> None:
    """Keep results of every cached query with ``memoize`` (e.g. ``st.cache_data(...)``);
    ``None`` goes back to plain calls. Arguments whose name starts with ``_`` are not hashed."""
    global _memoized
    _memoized = memoize(_run) if memoize is not None else None


def cached_query(fn: F) -> F:
    """Cache ``fn(engine, *args, **kwargs)`` until a table it reads changes."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    _QUERIES[name] = fn

    @functools.wraps(fn)
    def wrapper(engine: Engine, *args: Any, **kwargs: Any) -> Any:
        if _memoized is None:
            return fn(engine, *args, **kwargs)
        url = engine.url.render_as_string()
        versions = run_table_versions(engine)
        call = _call(name, args, kwargs)
        reads = name if call is None else call
        computed, tables = _NOT_RUN, _READS.get(reads)
        if tables is None:  # first run of this call in this process: learn what it reads
            computed, tables = _recorded(engine, name, args, kwargs)
        key_versions = _key_versions(tables, versions)
        note_reads(tables)  # a caller that records depends on what this query reads
        results = run_results()
        key = None if results is None or call is None else (call, url, key_versions)
        if results is not None and key is not None and key in results:
            return _fresh(results[key])
        value = _memoized(engine, name, url, key_versions, args, kwargs, _value=computed)
        if results is not None and key is not None and _shareable(value):
            results[key] = value
            return _fresh(value)
        return value

    return wrapper  # type: ignore[return-value]
