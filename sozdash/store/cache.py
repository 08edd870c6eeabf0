"""The one query cache: results keyed by database URL, the versions of the tables the query
reads, and its arguments.

Without a memoizer (CLI, tests) a cached query is a plain call. The app installs a
``MemoryCache`` once (``use_memoizer``): results in this process's memory, shared by all sessions,
each caller getting its own copy. Every committed write raises the version of each table it
changed (``db.session_scope``), so every app process sees new data on its next run, and only the
queries that read a changed table run again: which tables a query reads is recorded while it runs
(``db.recording_reads``, including the queries it calls). Within one script run (``db.script_run``)
the versions are read from the database only once.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Engine

from sozdash.store.db import ALL_TABLES, note_reads, recording_reads, run_table_versions

F = TypeVar("F", bound=Callable[..., Any])
Memoizer = Callable[[Callable[..., Any]], Callable[..., Any]]
_QUERIES: dict[str, Callable[..., Any]] = {}
_memoized: Callable[..., Any] | None = None
_READS: OrderedDict[Hashable, frozenset[str]] = OrderedDict()
"""The tables each call of a cached query (name and arguments) was seen to read in this process,
all its runs together; the most recent calls."""
READS_KEPT = 20_000
_READS_LOCK = threading.Lock()
_NOT_RUN = object()
_IMMUTABLE = (str, int, float, bytes, frozenset, Decimal, dt.date, dt.time, dt.timedelta, type(None))


class _Pickled(bytes):
    """A kept value that callers could change (a figure, a deck, an array): each gets it unpickled."""


def _kept(value: Any) -> Any:
    """``value`` as the memory cache keeps it: frames, series and immutable values as they are,
    tuples (also named ones), lists and dicts (not nested in each other) and dataclasses item by
    item, an object that can ``freeze`` itself (a deck) frozen, anything else pickled (plotly figures
    as ``plotting.Figure``, which loads without being validated again)."""
    if isinstance(value, (*_IMMUTABLE, pd.DataFrame, pd.Series)):
        return value
    if isinstance(value, tuple):
        items = [_kept(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)  # a NamedTuple stays one
    # Lists and dicts nested in each other (e.g. GeoJSON) are pickled: they load faster than copied.
    if type(value) in (list, dict) and not any(type(item) in (list, dict) for item in _items(value)):
        return _container(value, _kept)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields(value, _kept)
    if callable(getattr(value, "freeze", None)):  # a deck (``maps.CompactDeck``): read-only, shared
        return value.freeze()
    if type(value).__module__.startswith("plotly."):
        from sozdash.core import plotting  # plotly is loaded anyway once a query returns a figure

        value = plotting.cacheable(value)
    return _Pickled(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _handed_out(kept: Any) -> Any:
    """A caller's own copy of a ``_kept`` value: frames and series as copy-on-write copies,
    containers and dataclasses rebuilt, pickled values loaded, immutable and frozen values shared."""
    if isinstance(kept, _Pickled):
        return pickle.loads(kept)
    if isinstance(kept, pd.DataFrame | pd.Series):
        return kept.copy(deep=False)
    if isinstance(kept, tuple):
        items = [_handed_out(item) for item in kept]
        return type(kept)(*items) if hasattr(kept, "_fields") else tuple(items)
    if type(kept) in (list, dict):
        return _container(kept, _handed_out)
    if dataclasses.is_dataclass(kept) and not isinstance(kept, type):
        return _fields(kept, _handed_out)
    return kept


def _items(value: list[Any] | dict[Any, Any]) -> Iterable[Any]:
    return value.values() if isinstance(value, dict) else value


def _container(value: list[Any] | dict[Any, Any], each: Callable[[Any], Any]) -> Any:
    if isinstance(value, dict):
        return {key: each(item) for key, item in value.items()}
    return [each(item) for item in value]


def _fields(value: Any, each: Callable[[Any], Any]) -> Any:
    """A copy of dataclass instance ``value`` (frozen ones too) with ``each`` of every field."""
    result = copy.copy(value)
    for item in dataclasses.fields(value):
        object.__setattr__(result, item.name, each(getattr(value, item.name)))
    return result


class MemoryCache:
    """The app's memoizer: the results of the ``max_entries`` most recently used calls in this
    process's memory, shared by all sessions and threads; each caller gets its own copy
    (``_handed_out``), so no caller can change what another one gets."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def memoized(
            _engine: Engine, name: str, url: str, versions: str, args: tuple[Any, ...],
            kwargs: dict[str, Any], _value: Any = _NOT_RUN,
        ) -> Any:  # fmt: skip
            key = (name, url, versions, args, tuple(sorted(kwargs.items())))
            with self._lock:
                kept = self.entries.get(key, _NOT_RUN)
                if kept is not _NOT_RUN:
                    self.entries.move_to_end(key)
            if kept is _NOT_RUN:  # two sessions may both run it: the result is the same
                kept = _kept(fn(_engine, name, url, versions, args, kwargs, _value))
                with self._lock:
                    self.entries[key] = kept
                    if len(self.entries) > self.max_entries:
                        self.entries.popitem(last=False)
            return _handed_out(kept)

        return memoized

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()


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
    ``ALL_TABLES``)."""
    if ALL_TABLES in tables:
        return f"{ALL_TABLES}={sum(versions.values())}"
    return " ".join(f"{table}={versions.get(table, 0)}" for table in sorted(tables))


def _recorded(
    _engine: Engine, name: str, call: Hashable, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, frozenset[str]]:
    """Run query ``name``, add the tables it read to ``_READS``; its value and all the tables known
    for the call."""
    with recording_reads() as tables:
        value = _QUERIES[name](_engine, *args, **kwargs)
    with _READS_LOCK:
        known = _READS[call] = _READS.get(call, frozenset()) | tables
        _READS.move_to_end(call)
        if len(_READS) > READS_KEPT:  # a call forgotten here is learned again at its next run
            _READS.popitem(last=False)
    return value, known


def _run(
    _engine: Engine, name: str, url: str, versions: str, args: tuple[Any, ...], kwargs: dict[str, Any],
    _value: Any = _NOT_RUN,
) -> Any:  # fmt: skip
    """What the memoizer keeps for one key: the query run now, or ``_value`` when the caller had
    to run it first to learn which tables it reads."""
    if _value is not _NOT_RUN:
        return _value
    call = _call(name, args, kwargs)
    assert call is not None  # the memoizer is asked only for calls that can be hashed
    return _recorded(_engine, name, call, args, kwargs)[0]


def use_memoizer(memoize: Memoizer | None) -> None:
    """Keep results of every cached query with ``memoize`` (the app: a ``MemoryCache``);
    ``None`` goes back to plain calls."""
    global _memoized
    _memoized = memoize(_run) if memoize is not None else None


def cached_query(fn: F) -> F:
    """Cache ``fn(engine, *args, **kwargs)`` until a table it reads changes (a call with an
    argument that cannot be hashed, e.g. a list, is not cached)."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    _QUERIES[name] = fn

    @functools.wraps(fn)
    def wrapper(engine: Engine, *args: Any, **kwargs: Any) -> Any:
        call = _call(name, args, kwargs)
        if _memoized is None or call is None:
            return fn(engine, *args, **kwargs)
        versions = run_table_versions(engine)
        computed, tables = _NOT_RUN, _READS.get(call)
        if tables is None:  # first run of this call in this process: learn what it reads
            computed, tables = _recorded(engine, name, call, args, kwargs)
        note_reads(tables)  # a caller that records depends on what this query reads
        url = engine.url.render_as_string()
        return _memoized(engine, name, url, _key_versions(tables, versions), args, kwargs, _value=computed)

    return wrapper  # type: ignore[return-value]
