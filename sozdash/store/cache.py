"""The one query cache: results keyed by database URL, data version and arguments.

Without a memoizer (CLI, tests) a cached query is a plain call. The app installs Streamlit's
cache once (``use_memoizer``), so only ``sozdash.ui`` knows Streamlit. Every write bumps the data
version (``db.bump_data_version``), so every app process sees new data on its next run; within
one script run (``db.script_run``) the version is read from the database only once, and a query
called again with the same arguments is answered from the run's own results (no second hashing
and unpickling; each caller still gets its own DataFrame).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Engine

from sozdash.store.db import run_data_version, run_results

F = TypeVar("F", bound=Callable[..., Any])
Memoizer = Callable[[Callable[..., Any]], Callable[..., Any]]
_QUERIES: dict[str, Callable[..., Any]] = {}
_memoized: Callable[..., Any] | None = None


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


def _run_key(
    name: str, url: str, version: int, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Hashable | None:
    key = (name, url, version, args, tuple(sorted(kwargs.items())))
    try:
        hash(key)
    except TypeError:  # e.g. a list argument: only Streamlit's cache can key it
        return None
    return key


def _run(
    _engine: Engine, name: str, url: str, version: int, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    return _storable(_QUERIES[name](_engine, *args, **kwargs))


def _storable(value: Any) -> Any:
    """``value`` as the memoizer keeps it: plotly figures (also inside a tuple) as
    ``plotting.Figure``, which a pickling memoizer loads without validating them again on every run."""
    if isinstance(value, tuple):
        return tuple(_storable(item) for item in value)
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
    """Cache ``fn(engine, *args, **kwargs)`` until the data version changes."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    _QUERIES[name] = fn

    @functools.wraps(fn)
    def wrapper(engine: Engine, *args: Any, **kwargs: Any) -> Any:
        if _memoized is None:
            return fn(engine, *args, **kwargs)
        url = engine.url.render_as_string()
        version = run_data_version(engine)
        results = run_results()
        key = None if results is None else _run_key(name, url, version, args, kwargs)
        if results is not None and key is not None and key in results:
            return _fresh(results[key])
        value = _memoized(engine, name, url, version, args, kwargs)
        if results is not None and key is not None and _shareable(value):
            results[key] = value
            return _fresh(value)
        return value

    return wrapper  # type: ignore[return-value]
