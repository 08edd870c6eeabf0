"""The one query cache: results keyed by database URL, data version and arguments.

Without a memoizer (CLI, tests) a cached query is a plain call. The app installs Streamlit's
cache once (``use_memoizer``), so only ``sozdash.ui`` knows Streamlit. Every write bumps the data
version (``db.bump_data_version``), so every app process sees new data on its next run; within
one script run (``db.script_run``) the version is read from the database only once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine

from sozdash.store.db import run_data_version

F = TypeVar("F", bound=Callable[..., Any])
Memoizer = Callable[[Callable[..., Any]], Callable[..., Any]]
_QUERIES: dict[str, Callable[..., Any]] = {}
_memoized: Callable[..., Any] | None = None


def _run(
    _engine: Engine, name: str, url: str, version: int, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    return _QUERIES[name](_engine, *args, **kwargs)


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
        return _memoized(engine, name, url, run_data_version(engine), args, kwargs)

    return wrapper  # type: ignore[return-value]
